/**
 * The official @gomomento/sdk against a server booted in-process: every collection RPC (dictionaries,
 * lists, sets, sorted sets), the hash-conditioned scalar writes, and the scalar RPCs that see every item
 * type. Hit/Miss are checked where the SDK reports them. Time is a ManualClock shared by the server's
 * engine, so TTL checks need no sleeping. gateway-wire.test.ts runs this file again on Valkey gateways.
 */
import { createHash } from 'node:crypto';
import { encodeApiKey, ManualClock } from '@cachette/core';
import {
  type CacheClient,
  CollectionTtl,
  ItemType,
  MomentoErrorCode,
  SortedSetAggregate,
  SortedSetOrder,
} from '@gomomento/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

let b: Booted;
let client: CacheClient;
let cache: string;
const clock = new ManualClock();

beforeAll(async () => {
  b = await boot({ clock });
  client = await b.client();
});
afterAll(async () => {
  await b.stop();
});
beforeEach(async () => {
  cache = uniqueName();
  expect((await client.createCache(cache)).type).toBe('Success');
});

const ttl = (seconds: number) => ({ ttl: CollectionTtl.of(seconds) });
const keepTtl = (seconds: number) => ({ ttl: CollectionTtl.of(seconds).withNoRefreshTtlOnUpdates() });
const remainingMs = async (key: string) => {
  const r = await client.itemGetTtl(cache, key);
  expect(r.type).toBe('Hit');
  return r.type === 'Hit' ? r.remainingTtlMillis() : undefined;
};

describe('dictionaries', () => {
  it('dictionarySetField/Fields then GetField, GetFields, Fetch and Length answer Hit', async () => {
    expect((await client.dictionarySetField(cache, 'd', 'a', '1')).type).toBe('Success');
    expect((await client.dictionarySetFields(cache, 'd', { b: '2', c: '3' })).type).toBe('Success');
    const one = await client.dictionaryGetField(cache, 'd', 'b');
    expect([one.type, one.value()]).toEqual(['Hit', '2']);
    const some = await client.dictionaryGetFields(cache, 'd', ['a', 'zz', 'c']);
    expect(some.type).toBe('Hit');
    expect(some.value()).toEqual({ a: '1', c: '3' });
    expect((await client.dictionaryFetch(cache, 'd')).value()).toEqual({ a: '1', b: '2', c: '3' });
    expect((await client.dictionaryLength(cache, 'd')).value()).toBe(3);
  });

  it('reads of a missing dictionary, and of a missing field, answer Miss', async () => {
    expect((await client.dictionaryFetch(cache, 'nope')).type).toBe('Miss');
    expect((await client.dictionaryGetField(cache, 'nope', 'f')).type).toBe('Miss');
    expect((await client.dictionaryGetFields(cache, 'nope', ['f'])).type).toBe('Miss');
    expect((await client.dictionaryLength(cache, 'nope')).type).toBe('Miss');
    await client.dictionarySetField(cache, 'd', 'a', '1');
    expect((await client.dictionaryGetField(cache, 'd', 'other')).type).toBe('Miss');
  });

  it('dictionaryIncrement counts from 0 and adds; a non-integer field fails with FAILED_PRECONDITION', async () => {
    expect((await client.dictionaryIncrement(cache, 'd', 'n')).value()).toBe(1);
    expect((await client.dictionaryIncrement(cache, 'd', 'n', 41)).value()).toBe(42);
    expect((await client.dictionaryIncrement(cache, 'd', 'n', -50)).value()).toBe(-8);
    await client.dictionarySetField(cache, 'd', 'x', 'abc');
    expectSdkError(await client.dictionaryIncrement(cache, 'd', 'x', 1), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expect((await client.dictionaryGetField(cache, 'd', 'x')).value()).toBe('abc');
  });

  it('dictionaryRemoveField(s) removes fields and the emptied dictionary is gone', async () => {
    await client.dictionarySetFields(cache, 'd', { a: '1', b: '2', c: '3' });
    expect((await client.dictionaryRemoveField(cache, 'd', 'a')).type).toBe('Success');
    expect((await client.dictionaryRemoveFields(cache, 'd', ['b', 'zz'])).type).toBe('Success');
    expect((await client.dictionaryFetch(cache, 'd')).value()).toEqual({ c: '3' });
    await client.dictionaryRemoveField(cache, 'd', 'c');
    expect((await client.dictionaryFetch(cache, 'd')).type).toBe('Miss');
    expect((await client.itemGetType(cache, 'd')).type).toBe('Miss');
  });

  it('CollectionTtl: a refreshing write resets the TTL, withNoRefreshTtlOnUpdates keeps it', async () => {
    await client.dictionarySetField(cache, 'd', 'a', '1', ttl(10));
    clock.advance(4_000);
    await client.dictionarySetField(cache, 'd', 'b', '2', keepTtl(100));
    expect(await remainingMs('d')).toBe(6_000);
    await client.dictionarySetField(cache, 'd', 'c', '3', ttl(100));
    expect(await remainingMs('d')).toBe(100_000);
    clock.advance(100_000);
    expect((await client.dictionaryFetch(cache, 'd')).type).toBe('Miss');
  });
});

describe('lists', () => {
  it('push and concatenate at both ends keep order and report the length', async () => {
    const back = await client.listPushBack(cache, 'l', 'c');
    expect(back.type === 'Success' && back.listLength()).toBe(1);
    await client.listPushFront(cache, 'l', 'b');
    await client.listConcatenateBack(cache, 'l', ['d', 'e']);
    const front = await client.listConcatenateFront(cache, 'l', ['x', 'a']);
    expect(front.type === 'Success' && front.listLength()).toBe(6);
    expect((await client.listFetch(cache, 'l')).value()).toEqual(['x', 'a', 'b', 'c', 'd', 'e']);
    expect((await client.listLength(cache, 'l')).value()).toBe(6);
  });

  it('truncateFrontToSize / truncateBackToSize drop from the other end', async () => {
    await client.listConcatenateBack(cache, 'l', ['a', 'b', 'c']);
    await client.listPushBack(cache, 'l', 'd', { truncateFrontToSize: 3 });
    expect((await client.listFetch(cache, 'l')).value()).toEqual(['b', 'c', 'd']);
    await client.listConcatenateFront(cache, 'l', ['y', 'z'], { truncateBackToSize: 3 });
    expect((await client.listFetch(cache, 'l')).value()).toEqual(['y', 'z', 'b']);
    await client.listPushFront(cache, 'l', 'w', { truncateBackToSize: 2 });
    expect((await client.listFetch(cache, 'l')).value()).toEqual(['w', 'y']);
  });

  it('listFetch and listRetain take start/end indexes, negatives from the end', async () => {
    await client.listConcatenateBack(cache, 'l', ['a', 'b', 'c', 'd', 'e']);
    expect((await client.listFetch(cache, 'l', { startIndex: 1, endIndex: 3 })).value()).toEqual(['b', 'c']);
    expect((await client.listFetch(cache, 'l', { startIndex: -2 })).value()).toEqual(['d', 'e']);
    expect((await client.listFetch(cache, 'l', { endIndex: -3 })).value()).toEqual(['a', 'b']);
    expect((await client.listRetain(cache, 'l', { startIndex: 1, endIndex: -1 })).type).toBe('Success');
    expect((await client.listFetch(cache, 'l')).value()).toEqual(['b', 'c', 'd']);
  });

  it('listPopFront/Back answer Hit with the element, Miss once the list is gone', async () => {
    await client.listConcatenateBack(cache, 'l', ['a', 'b']);
    const front = await client.listPopFront(cache, 'l');
    expect([front.type, front.value()]).toEqual(['Hit', 'a']);
    expect((await client.listPopBack(cache, 'l')).value()).toBe('b');
    expect((await client.listPopBack(cache, 'l')).type).toBe('Miss');
    expect((await client.listFetch(cache, 'l')).type).toBe('Miss');
    expect((await client.listLength(cache, 'l')).type).toBe('Miss');
  });

  it('listRemoveValue removes every occurrence', async () => {
    await client.listConcatenateBack(cache, 'l', ['x', 'a', 'x', 'b', 'x']);
    expect((await client.listRemoveValue(cache, 'l', 'x')).type).toBe('Success');
    expect((await client.listFetch(cache, 'l')).value()).toEqual(['a', 'b']);
  });

  it('list writes refresh the TTL only when asked', async () => {
    await client.listPushBack(cache, 'l', 'a', ttl(10));
    clock.advance(1_000);
    await client.listPushBack(cache, 'l', 'b', keepTtl(50));
    expect(await remainingMs('l')).toBe(9_000);
    await client.listPushBack(cache, 'l', 'c', ttl(50));
    expect(await remainingMs('l')).toBe(50_000);
  });
});

describe('sets', () => {
  it('setAddElement(s), Fetch, ContainsElement(s), Length, Sample', async () => {
    expect((await client.setAddElement(cache, 's', 'a')).type).toBe('Success');
    expect((await client.setAddElements(cache, 's', ['b', 'c', 'a'])).type).toBe('Success');
    expect((await client.setFetch(cache, 's')).value()?.sort()).toEqual(['a', 'b', 'c']);
    const one = await client.setContainsElement(cache, 's', 'b');
    expect(one.type === 'Hit' && one.containsElement()).toBe(true);
    expect((await client.setContainsElements(cache, 's', ['a', 'z'])).containsElements()).toEqual({
      a: true,
      z: false,
    });
    const length = await client.setLength(cache, 's');
    expect(length.type === 'Hit' && length.length()).toBe(3);
    const sample = await client.setSample(cache, 's', 2);
    expect(sample.type).toBe('Hit');
    expect(new Set(sample.value()).size).toBe(2);
  });

  it('reads of a missing set answer Miss', async () => {
    expect((await client.setFetch(cache, 's')).type).toBe('Miss');
    expect((await client.setContainsElement(cache, 's', 'a')).type).toBe('Miss');
    expect((await client.setLength(cache, 's')).type).toBe('Miss');
    expect((await client.setSample(cache, 's', 3)).type).toBe('Miss');
    expect((await client.setPop(cache, 's', 1)).type).toBe('Miss');
  });

  it('setRemoveElement(s) and setPop remove; the emptied set is gone', async () => {
    await client.setAddElements(cache, 's', ['a', 'b', 'c', 'd']);
    expect((await client.setRemoveElement(cache, 's', 'a')).type).toBe('Success');
    expect((await client.setRemoveElements(cache, 's', ['b', 'zz'])).type).toBe('Success');
    const popped = await client.setPop(cache, 's', 5);
    expect(popped.type).toBe('Hit');
    expect(popped.value()?.sort()).toEqual(['c', 'd']);
    expect((await client.setFetch(cache, 's')).type).toBe('Miss');
  });
});

describe('sorted sets', () => {
  const put = () => client.sortedSetPutElements(cache, 'z', { a: 1, b: 2, c: 3, d: 4, e: 5 });

  it('sortedSetPutElement(s) then FetchByRank in both orders', async () => {
    expect((await client.sortedSetPutElement(cache, 'z', 'x', -1.5)).type).toBe('Success');
    expect((await put()).type).toBe('Success');
    const all = await client.sortedSetFetchByRank(cache, 'z');
    expect(all.type).toBe('Hit');
    expect(all.value()).toEqual([
      { value: 'x', score: -1.5 },
      { value: 'a', score: 1 },
      { value: 'b', score: 2 },
      { value: 'c', score: 3 },
      { value: 'd', score: 4 },
      { value: 'e', score: 5 },
    ]);
    const desc = await client.sortedSetFetchByRank(cache, 'z', {
      startRank: 1,
      endRank: 3,
      order: SortedSetOrder.Descending,
    });
    expect(desc.value()?.map((e) => e.value)).toEqual(['d', 'c']);
    const tail = await client.sortedSetFetchByRank(cache, 'z', { startRank: -2 });
    expect(tail.value()?.map((e) => e.value)).toEqual(['d', 'e']);
  });

  it('sortedSetFetchByScore honours bounds, order, offset and count', async () => {
    await put();
    const f = async (opts: Parameters<CacheClient['sortedSetFetchByScore']>[2]) =>
      (await client.sortedSetFetchByScore(cache, 'z', opts)).value()?.map((e) => e.value);
    expect(await f({ minScore: 2, maxScore: 4 })).toEqual(['b', 'c', 'd']);
    expect(await f({ minScore: 2, order: SortedSetOrder.Descending })).toEqual(['e', 'd', 'c', 'b']);
    expect(await f({ offset: 1, count: 2 })).toEqual(['b', 'c']);
    expect(await f({ maxScore: 3, order: SortedSetOrder.Descending, offset: 1 })).toEqual(['b', 'a']);
    expect(await f({ minScore: 10 })).toEqual([]);
  });

  it('sortedSetGetScore(s), GetRank, Length, LengthByScore', async () => {
    await put();
    const score = await client.sortedSetGetScore(cache, 'z', 'c');
    expect([score.type, score.score()]).toEqual(['Hit', 3]);
    expect((await client.sortedSetGetScore(cache, 'z', 'zz')).type).toBe('Miss');
    const scores = await client.sortedSetGetScores(cache, 'z', ['a', 'zz', 'e']);
    expect(scores.type).toBe('Hit');
    expect(scores.value()).toEqual({ a: 1, e: 5 });
    const rank = await client.sortedSetGetRank(cache, 'z', 'b');
    expect([rank.type, rank.rank()]).toEqual(['Hit', 1]);
    expect((await client.sortedSetGetRank(cache, 'z', 'b', { order: SortedSetOrder.Descending })).rank()).toBe(3);
    expect((await client.sortedSetGetRank(cache, 'z', 'zz')).type).toBe('Miss');
    const length = await client.sortedSetLength(cache, 'z');
    expect(length.type === 'Hit' && length.length()).toBe(5);
    const byScore = await client.sortedSetLengthByScore(cache, 'z', { minScore: 2, maxScore: 4 });
    expect(byScore.type === 'Hit' && byScore.length()).toBe(3);
  });

  it('reads of a missing sorted set answer Miss', async () => {
    expect((await client.sortedSetFetchByRank(cache, 'z')).type).toBe('Miss');
    expect((await client.sortedSetFetchByScore(cache, 'z')).type).toBe('Miss');
    expect((await client.sortedSetGetScore(cache, 'z', 'a')).type).toBe('Miss');
    expect((await client.sortedSetGetRank(cache, 'z', 'a')).type).toBe('Miss');
    expect((await client.sortedSetLength(cache, 'z')).type).toBe('Miss');
    expect((await client.sortedSetLengthByScore(cache, 'z')).type).toBe('Miss');
  });

  it('sortedSetIncrementScore adds to a score from 0', async () => {
    expect((await client.sortedSetIncrementScore(cache, 'z', 'a', 2.5)).score()).toBe(2.5);
    expect((await client.sortedSetIncrementScore(cache, 'z', 'a', -1)).score()).toBe(1.5);
    expect((await client.sortedSetGetScore(cache, 'z', 'a')).score()).toBe(1.5);
  });

  it('sortedSetRemoveElement(s) remove; the emptied sorted set is gone', async () => {
    await put();
    expect((await client.sortedSetRemoveElement(cache, 'z', 'a')).type).toBe('Success');
    expect((await client.sortedSetRemoveElements(cache, 'z', ['b', 'c', 'd'])).type).toBe('Success');
    expect((await client.sortedSetFetchByRank(cache, 'z')).value()).toEqual([{ value: 'e', score: 5 }]);
    await client.sortedSetRemoveElement(cache, 'z', 'e');
    expect((await client.itemGetType(cache, 'z')).type).toBe('Miss');
  });

  it('sortedSetUnionStore combines weighted sources with sum, min and max', async () => {
    await client.sortedSetPutElements(cache, 'x', { a: 1, b: 2 });
    await client.sortedSetPutElements(cache, 'y', { b: 10, c: 20 });
    const sources = [
      { sortedSetName: 'x', weight: 2 },
      { sortedSetName: 'y', weight: 1 },
    ];
    const sumR = await client.sortedSetUnionStore(cache, 'u', sources);
    expect(sumR.type === 'Success' && sumR.length()).toBe(3);
    expect((await client.sortedSetFetchByRank(cache, 'u')).value()).toEqual([
      { value: 'a', score: 2 },
      { value: 'b', score: 14 },
      { value: 'c', score: 20 },
    ]);
    await client.sortedSetUnionStore(cache, 'u', sources, { aggregate: SortedSetAggregate.MIN });
    expect((await client.sortedSetGetScore(cache, 'u', 'b')).score()).toBe(4);
    await client.sortedSetUnionStore(cache, 'u', sources, { aggregate: SortedSetAggregate.MAX });
    expect((await client.sortedSetGetScore(cache, 'u', 'b')).score()).toBe(10);
  });
});

describe('hash-conditioned scalars', () => {
  const sha1Hex = (s: string) => createHash('sha1').update(s).digest('hex');

  it('setWithHash returns the hash getWithHash reports; getWithHash of a missing key is a Miss', async () => {
    expect((await client.getWithHash(cache, 'k')).type).toBe('Miss');
    const stored = await client.setWithHash(cache, 'k', 'v1');
    expect(stored.type).toBe('Stored');
    const got = await client.getWithHash(cache, 'k');
    expect(got.type).toBe('Hit');
    expect(got.value()).toBe('v1');
    expect(got.type === 'Hit' && got.hashString()).toBe(sha1Hex('v1'));
    expect(stored.type === 'Stored' && stored.hashString()).toBe(sha1Hex('v1'));
  });

  it('setIfPresentAndHashEqual / NotEqual and setIfAbsentOrHashEqual / NotEqual store exactly as named', async () => {
    const h = (s: string) => Buffer.from(sha1Hex(s));
    expect((await client.setIfPresentAndHashEqual(cache, 'k', 'x', h('v'))).type).toBe('NotStored');
    expect((await client.setIfAbsentOrHashEqual(cache, 'k', 'v', h('nope'))).type).toBe('Stored');
    expect((await client.setIfPresentAndHashEqual(cache, 'k', 'w', h('other'))).type).toBe('NotStored');
    const eq = await client.setIfPresentAndHashEqual(cache, 'k', 'w', h('v'));
    expect(eq.type === 'Stored' && eq.hashString()).toBe(sha1Hex('w'));
    expect((await client.setIfPresentAndHashNotEqual(cache, 'k', 'y', h('w'))).type).toBe('NotStored');
    expect((await client.setIfPresentAndHashNotEqual(cache, 'k', 'y', h('v'))).type).toBe('Stored');
    expect((await client.setIfAbsentOrHashNotEqual(cache, 'k', 'z', h('y'))).type).toBe('NotStored');
    expect((await client.setIfAbsentOrHashNotEqual(cache, 'k', 'z', h('v'))).type).toBe('Stored');
    expect((await client.get(cache, 'k')).value()).toBe('z');
  });

  it('the hash round-trips through hashString() as Momento users pass it back', async () => {
    const stored = await client.setWithHash(cache, 'k', 'v');
    const hash = stored.type === 'Stored' ? stored.hashString() : '';
    expect((await client.setIfPresentAndHashEqual(cache, 'k', 'v2', Buffer.from(hash))).type).toBe('Stored');
  });
});

describe('every item type in one key space', () => {
  it('itemGetType reports each collection type', async () => {
    await client.set(cache, 'k', 'v');
    await client.dictionarySetField(cache, 'd', 'f', 'v');
    await client.listPushBack(cache, 'l', 'v');
    await client.setAddElement(cache, 's', 'v');
    await client.sortedSetPutElement(cache, 'z', 'v', 1);
    const types = [];
    for (const k of ['k', 'd', 'l', 's', 'z']) types.push((await client.itemGetType(cache, k)).itemType());
    expect(types).toEqual([ItemType.SCALAR, ItemType.DICTIONARY, ItemType.LIST, ItemType.SET, ItemType.SORTED_SET]);
    expect((await client.keysExist(cache, ['d', 'l', 's', 'z', 'nope'])).exists()).toEqual([
      true,
      true,
      true,
      true,
      false,
    ]);
  });

  it('delete, updateTtl, itemGetTtl and flushCache treat collections like scalars', async () => {
    await client.listPushBack(cache, 'l', 'v', ttl(10));
    expect((await client.updateTtl(cache, 'l', 30_000)).type).toBe('Set');
    expect(await remainingMs('l')).toBe(30_000);
    expect((await client.increaseTtl(cache, 'l', 60_000)).type).toBe('Set');
    expect((await client.delete(cache, 'l')).type).toBe('Success');
    expect((await client.listFetch(cache, 'l')).type).toBe('Miss');
    await client.setAddElement(cache, 's', 'v');
    expect((await client.flushCache(cache)).type).toBe('Success');
    expect((await client.setFetch(cache, 's')).type).toBe('Miss');
  });

  it('an operation of the wrong type fails with FAILED_PRECONDITION and changes nothing', async () => {
    await client.dictionarySetField(cache, 'd', 'f', 'v');
    await client.set(cache, 'k', 'v');
    expectSdkError(await client.get(cache, 'd'), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expectSdkError(await client.listPushBack(cache, 'd', 'x'), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expectSdkError(await client.setAddElement(cache, 'd', 'x'), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expectSdkError(await client.sortedSetFetchByRank(cache, 'd'), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expectSdkError(await client.dictionaryFetch(cache, 'k'), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expectSdkError(await client.increment(cache, 'd', 1), MomentoErrorCode.FAILED_PRECONDITION_ERROR);
    expect((await client.dictionaryFetch(cache, 'd')).value()).toEqual({ f: 'v' });
    expect((await client.get(cache, 'k')).value()).toBe('v');
  });
});

describe('limits and permissions', () => {
  it('a request larger than the item size limit fails with LIMIT_EXCEEDED and stores nothing', async () => {
    const big = 'x'.repeat(5 * 1024 * 1024);
    expectSdkError(await client.listPushBack(cache, 'l', big), MomentoErrorCode.LIMIT_EXCEEDED_ERROR);
    expect((await client.listFetch(cache, 'l')).type).toBe('Miss');
  });

  it('a read-only key can fetch collections but not write them; a write-only key the reverse', async () => {
    await client.dictionarySetField(cache, 'd', 'f', 'v');
    const make = async (access: 'readOnly' | 'writeOnly') => {
      const { secret } = await b.server.metadata.createApiKey({ accountId: b.server.localAccountId, access });
      return b.client(encodeApiKey(b.server.grpcAddress, secret));
    };
    const ro = await make('readOnly');
    expect((await ro.dictionaryFetch(cache, 'd')).type).toBe('Hit');
    expectSdkError(await ro.dictionarySetField(cache, 'd', 'g', 'v'), MomentoErrorCode.PERMISSION_ERROR);
    expectSdkError(await ro.listPopFront(cache, 'l'), MomentoErrorCode.PERMISSION_ERROR);
    const wo = await make('writeOnly');
    expect((await wo.setAddElement(cache, 's', 'v')).type).toBe('Success');
    expectSdkError(await wo.setFetch(cache, 's'), MomentoErrorCode.PERMISSION_ERROR);
    // Pop and increment reveal the collection, so they need read permission too.
    expectSdkError(await wo.setPop(cache, 's', 1), MomentoErrorCode.PERMISSION_ERROR);
    expectSdkError(await wo.dictionaryIncrement(cache, 'd', 'n', 1), MomentoErrorCode.PERMISSION_ERROR);
  });
});
