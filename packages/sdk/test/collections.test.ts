/**
 * The SDK's dictionary, list, set and sorted-set calls against a real in-process server: every call's Hit,
 * Miss and Error, binary data, TTL refresh, wrong types, and the official `@gomomento/sdk` (gRPC) reading
 * what this SDK wrote over HTTP.
 */
import {
  CacheClient,
  CacheGet,
  CollectionLength,
  DictionaryFetch,
  DictionaryGetFields,
  ErrorCode,
  ListFetch,
  ListPop,
  SetFetch,
  SortedSetFetch,
} from '@cachette/sdk';
import { Configurations, CredentialProvider, CacheClient as MomentoClient } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, type TestServer, uniqueName } from './support/server.ts';

let booted: TestServer;
let client: CacheClient;
let cache: string;

beforeAll(async () => {
  booted = await bootServer();
  client = new CacheClient({ apiKey: booted.server.devApiKey, defaultTtlSeconds: 60 });
  cache = uniqueName();
  expect((await client.createCache(cache)).type).toBe('Success');
});

afterAll(async () => {
  await booted.stop();
});

const name = () => uniqueName('coll');

/** The response when it has `type`, else a test failure naming what it was. */
function expectType<R extends { type: string }, T extends R['type']>(r: R, type: T): Extract<R, { type: T }> {
  if (r.type !== type) throw new Error(`expected ${type}, got ${r.type}: ${String(r)}`);
  return r as Extract<R, { type: T }>;
}

describe('dictionaries', () => {
  it('set fields (record, pairs, Map), get one and several, fetch, length', async () => {
    const d = name();
    expect((await client.dictionarySetFields(cache, d, { a: '1', b: 'two' })).type).toBe('Success');
    expect((await client.dictionarySetFields(cache, d, [['c', 'three']])).type).toBe('Success');
    expect((await client.dictionarySetFields(cache, d, new Map([['d', 'four']]))).type).toBe('Success');
    expect((await client.dictionarySetField(cache, d, 'a', 'one')).type).toBe('Success');

    const one = expectType(await client.dictionaryGetField(cache, d, 'a'), 'Hit');
    expect(one).toBeInstanceOf(CacheGet.Hit);
    expect(one.valueString()).toBe('one');
    expect((await client.dictionaryGetField(cache, d, 'nope')).type).toBe('Miss');

    const several = expectType(await client.dictionaryGetFields(cache, d, ['b', 'nope', 'c']), 'Hit');
    expect(several).toBeInstanceOf(DictionaryGetFields.Hit);
    expect(several.valuesString()).toEqual(['two', undefined, 'three']);
    expect(several.valueRecord()).toEqual({ b: 'two', c: 'three' });
    expect(several.results.map((r) => r.type)).toEqual(['Hit', 'Miss', 'Hit']);

    const all = expectType(await client.dictionaryFetch(cache, d), 'Hit');
    expect(all).toBeInstanceOf(DictionaryFetch.Hit);
    expect(all.valueRecord()).toEqual({ a: 'one', b: 'two', c: 'three', d: 'four' });
    expect(all.valueMap().get('d')).toBe('four');
    expect(all.length()).toBe(4);
    expect(expectType(await client.dictionaryLength(cache, d), 'Hit').length).toBe(4);
  });

  it('a missing dictionary is Miss for every read', async () => {
    const d = name();
    expect(await client.dictionaryFetch(cache, d)).toBeInstanceOf(DictionaryFetch.Miss);
    expect((await client.dictionaryGetFields(cache, d, ['a'])).type).toBe('Miss');
    expect((await client.dictionaryGetField(cache, d, 'a')).type).toBe('Miss');
    expect(await client.dictionaryLength(cache, d)).toBeInstanceOf(CollectionLength.Miss);
  });

  it('binary fields and values round-trip byte for byte', async () => {
    const d = name();
    const field = new Uint8Array([0xff, 0x00, 0x80]);
    const value = new Uint8Array(256).map((_, i) => i);
    await client.dictionarySetField(cache, d, field, value);
    const got = expectType(await client.dictionaryGetField(cache, d, field), 'Hit');
    expect([...got.valueBytes()]).toEqual([...value]);
    const [pair] = expectType(await client.dictionaryFetch(cache, d), 'Hit').valueItemsBytes();
    expect([...(pair?.[0] ?? [])]).toEqual([...field]);
  });

  it('increment is int64 exact, refuses a non-integer field with FAILED_PRECONDITION', async () => {
    const d = name();
    expect(expectType(await client.dictionaryIncrement(cache, d, 'n'), 'Success').value()).toBe(1);
    const big = expectType(await client.dictionaryIncrement(cache, d, 'n', 9_007_199_254_740_992n), 'Success');
    expect(big.valueBigInt()).toBe(9_007_199_254_740_993n);
    await client.dictionarySetField(cache, d, 'text', 'abc');
    const bad = expectType(await client.dictionaryIncrement(cache, d, 'text', 1), 'Error');
    expect(bad.errorCode()).toBe(ErrorCode.FAILED_PRECONDITION);
    expect(expectType(await client.dictionaryGetField(cache, d, 'text'), 'Hit').valueString()).toBe('abc');
  });

  it('removing fields shrinks the dictionary; removing the last one deletes it', async () => {
    const d = name();
    await client.dictionarySetFields(cache, d, { a: '1', b: '2', c: '3' });
    expect((await client.dictionaryRemoveField(cache, d, 'a')).type).toBe('Success');
    expect((await client.dictionaryRemoveFields(cache, d, ['b', 'nope'])).type).toBe('Success');
    expect(expectType(await client.dictionaryFetch(cache, d), 'Hit').valueRecord()).toEqual({ c: '3' });
    await client.dictionaryRemoveField(cache, d, 'c');
    expect((await client.dictionaryFetch(cache, d)).type).toBe('Miss');
  });
});

describe('lists', () => {
  it('push front/back, concatenate, fetch with ranges, length', async () => {
    const l = name();
    expect(expectType(await client.listPushBack(cache, l, 'c'), 'Success').listLength).toBe(1);
    expect(expectType(await client.listPushFront(cache, l, 'b'), 'Success').listLength).toBe(2);
    expect(expectType(await client.listConcatenateBack(cache, l, ['d', 'e']), 'Success').listLength).toBe(4);
    expect(expectType(await client.listConcatenateFront(cache, l, ['z', 'a']), 'Success').listLength).toBe(6);
    const all = expectType(await client.listFetch(cache, l), 'Hit');
    expect(all).toBeInstanceOf(ListFetch.Hit);
    expect(all.valueList()).toEqual(['z', 'a', 'b', 'c', 'd', 'e']);
    expect(expectType(await client.listFetch(cache, l, { startIndex: 1, endIndex: -1 }), 'Hit').valueList()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(expectType(await client.listFetch(cache, l, { startIndex: -2 }), 'Hit').valueList()).toEqual(['d', 'e']);
    expect(expectType(await client.listLength(cache, l), 'Hit').length).toBe(6);
  });

  it('truncateToSize drops from the other end', async () => {
    const l = name();
    await client.listConcatenateBack(cache, l, ['1', '2', '3']);
    expect(expectType(await client.listPushBack(cache, l, '4', { truncateToSize: 2 }), 'Success').listLength).toBe(2);
    expect(expectType(await client.listFetch(cache, l), 'Hit').valueList()).toEqual(['3', '4']);
    await client.listPushFront(cache, l, '0', { truncateToSize: 2 });
    expect(expectType(await client.listFetch(cache, l), 'Hit').valueList()).toEqual(['0', '3']);
  });

  it('pop front/back answer the element and the length left; the emptied list is gone', async () => {
    const l = name();
    await client.listConcatenateBack(cache, l, ['a', 'b']);
    const front = expectType(await client.listPopFront(cache, l), 'Hit');
    expect(front).toBeInstanceOf(ListPop.Hit);
    expect([front.valueString(), front.listLength]).toEqual(['a', 1]);
    const back = expectType(await client.listPopBack(cache, l), 'Hit');
    expect([back.valueString(), back.listLength]).toEqual(['b', 0]);
    expect((await client.listPopBack(cache, l)).type).toBe('Miss');
    expect((await client.listFetch(cache, l)).type).toBe('Miss');
    expect((await client.listLength(cache, l)).type).toBe('Miss');
  });

  it('remove value removes every occurrence; retain keeps a slice; both succeed on a missing list', async () => {
    const l = name();
    await client.listConcatenateBack(cache, l, ['x', 'a', 'x', 'b', 'c', 'x', 'd']);
    expect((await client.listRemoveValue(cache, l, 'x')).type).toBe('Success');
    expect(expectType(await client.listFetch(cache, l), 'Hit').valueList()).toEqual(['a', 'b', 'c', 'd']);
    expect((await client.listRetain(cache, l, { startIndex: 1, endIndex: 3 })).type).toBe('Success');
    expect(expectType(await client.listFetch(cache, l), 'Hit').valueList()).toEqual(['b', 'c']);
    expect((await client.listRemoveValue(cache, name(), 'x')).type).toBe('Success');
    expect((await client.listRetain(cache, name(), { startIndex: 0 })).type).toBe('Success');
  });

  it('binary elements round-trip', async () => {
    const l = name();
    const bytes = new Uint8Array([0x00, 0xfe, 0xff]);
    await client.listConcatenateBack(cache, l, [bytes, 'text']);
    const got = expectType(await client.listFetch(cache, l), 'Hit').valueListBytes();
    expect(got.map((b) => [...b])).toEqual([[0x00, 0xfe, 0xff], [...new TextEncoder().encode('text')]]);
  });
});

describe('sets', () => {
  it('add, contains, fetch, length, remove; the emptied set is gone', async () => {
    const s = name();
    expect((await client.setAddElements(cache, s, ['a', 'b', 'c'])).type).toBe('Success');
    expect((await client.setAddElement(cache, s, 'a')).type).toBe('Success');
    const fetched = expectType(await client.setFetch(cache, s), 'Hit');
    expect(fetched).toBeInstanceOf(SetFetch.Hit);
    expect(fetched.valueSet()).toEqual(new Set(['a', 'b', 'c']));
    expect(expectType(await client.setContainsElements(cache, s, ['a', 'z']), 'Hit').contains).toEqual([true, false]);
    expect(expectType(await client.setContainsElement(cache, s, 'b'), 'Hit').containsElement()).toBe(true);
    expect(expectType(await client.setLength(cache, s), 'Hit').length).toBe(3);
    expect((await client.setRemoveElement(cache, s, 'a')).type).toBe('Success');
    expect((await client.setRemoveElements(cache, s, ['b', 'c'])).type).toBe('Success');
    expect((await client.setFetch(cache, s)).type).toBe('Miss');
    expect((await client.setContainsElement(cache, s, 'a')).type).toBe('Miss');
    expect((await client.setLength(cache, s)).type).toBe('Miss');
  });

  it('sample leaves the set alone; pop removes exactly what it answers', async () => {
    const s = name();
    const members = ['a', 'b', 'c', 'd', 'e'];
    await client.setAddElements(cache, s, members);
    const sample = expectType(await client.setSample(cache, s, 3), 'Hit').valueArray();
    expect(new Set(sample).size).toBe(3);
    expect(sample.every((m) => members.includes(m))).toBe(true);
    expect(expectType(await client.setSample(cache, s, 10), 'Hit').valueSet()).toEqual(new Set(members));

    const popped = expectType(await client.setPop(cache, s, 2), 'Hit').valueArray();
    expect(popped).toHaveLength(2);
    const left = expectType(await client.setFetch(cache, s), 'Hit').valueSet();
    expect(left.size).toBe(3);
    expect(new Set([...left, ...popped])).toEqual(new Set(members));
    expect(expectType(await client.setPop(cache, s), 'Hit').valueArray()).toHaveLength(1);
    expect((await client.setSample(cache, name(), 1)).type).toBe('Miss');
    expect((await client.setPop(cache, name())).type).toBe('Miss');
  });
});

describe('sorted sets', () => {
  async function ranked(): Promise<string> {
    const z = name();
    await client.sortedSetPutElements(cache, z, { a: 1, b: 2 });
    await client.sortedSetPutElements(cache, z, new Map([['c', 3]]));
    await client.sortedSetPutElements(cache, z, [{ value: 'd', score: 4 }]);
    await client.sortedSetPutElement(cache, z, 'e', 5);
    return z;
  }

  it('fetch by rank: ascending, descending, negative ranges', async () => {
    const z = await ranked();
    const all = expectType(await client.sortedSetFetchByRank(cache, z), 'Hit');
    expect(all).toBeInstanceOf(SortedSetFetch.Hit);
    expect(all.valueArray().map((e) => e.value)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(
      expectType(await client.sortedSetFetchByRank(cache, z, { order: 'descending', endIndex: 2 }), 'Hit').valueArray(),
    ).toEqual([
      { value: 'e', score: 5 },
      { value: 'd', score: 4 },
    ]);
    const tail = await client.sortedSetFetchByRank(cache, z, { startIndex: -2 });
    expect(
      expectType(tail, 'Hit')
        .valueArray()
        .map((e) => e.value),
    ).toEqual(['d', 'e']);
  });

  it('fetch by score: inclusive and exclusive bounds, offset, count, order', async () => {
    const z = await ranked();
    const values = async (options: Parameters<CacheClient['sortedSetFetchByScore']>[2]) =>
      expectType(await client.sortedSetFetchByScore(cache, z, options), 'Hit')
        .valueArray()
        .map((e) => e.value);
    expect(await values({ minScore: 2, maxScore: 4 })).toEqual(['b', 'c', 'd']);
    expect(await values({ minScore: 2, maxScore: 4, minExclusive: true, maxExclusive: true })).toEqual(['c']);
    expect(await values({ minScore: 2, offset: 1, count: 2 })).toEqual(['c', 'd']);
    expect(await values({ maxScore: 3, order: 'descending' })).toEqual(['c', 'b', 'a']);
    expect(await values({ minScore: 100 })).toEqual([]);
  });

  it('scores, rank, increment, remove, lengths', async () => {
    const z = await ranked();
    expect(expectType(await client.sortedSetGetScore(cache, z, 'c'), 'Hit').score()).toBe(3);
    expect((await client.sortedSetGetScore(cache, z, 'nope')).type).toBe('Miss');
    const scores = expectType(await client.sortedSetGetScores(cache, z, ['a', 'nope', 'e']), 'Hit');
    expect(scores.scores).toEqual([1, undefined, 5]);
    expect(scores.valueRecord()).toEqual({ a: 1, e: 5 });
    expect(expectType(await client.sortedSetGetRank(cache, z, 'b'), 'Hit').rank).toBe(1);
    expect(expectType(await client.sortedSetGetRank(cache, z, 'b', { order: 'descending' }), 'Hit').rank).toBe(3);
    expect((await client.sortedSetGetRank(cache, z, 'nope')).type).toBe('Miss');
    expect(expectType(await client.sortedSetIncrementScore(cache, z, 'a', 9.5), 'Success').score).toBe(10.5);
    expect(expectType(await client.sortedSetIncrementScore(cache, z, 'new'), 'Success').score).toBe(1);
    expect((await client.sortedSetRemoveElement(cache, z, 'new')).type).toBe('Success');
    expect((await client.sortedSetRemoveElements(cache, z, ['b', 'nope'])).type).toBe('Success');
    expect(expectType(await client.sortedSetLength(cache, z), 'Hit').length).toBe(4);
    expect(expectType(await client.sortedSetLengthByScore(cache, z, { minScore: 3, maxScore: 5 }), 'Hit').length).toBe(
      3,
    );
    const exclusive = await client.sortedSetLengthByScore(cache, z, { minScore: 3, minExclusive: true });
    expect(expectType(exclusive, 'Hit').length).toBe(3);
  });

  it('a missing sorted set is Miss for every read', async () => {
    const z = name();
    expect((await client.sortedSetFetchByRank(cache, z)).type).toBe('Miss');
    expect((await client.sortedSetFetchByScore(cache, z, { minScore: 0 })).type).toBe('Miss');
    expect((await client.sortedSetGetScores(cache, z, ['a'])).type).toBe('Miss');
    expect((await client.sortedSetGetScore(cache, z, 'a')).type).toBe('Miss');
    expect((await client.sortedSetGetRank(cache, z, 'a')).type).toBe('Miss');
    expect((await client.sortedSetLength(cache, z)).type).toBe('Miss');
    expect((await client.sortedSetLengthByScore(cache, z)).type).toBe('Miss');
  });

  it('union store: weights, sum/min/max, missing sources; an empty union deletes the destination', async () => {
    const [x, y, dest] = [name(), name(), name()];
    await client.sortedSetPutElements(cache, x, { a: 1, b: 2 });
    await client.sortedSetPutElements(cache, y, { b: 10, c: 20 });
    const sources = [{ name: x, weight: 2 }, { name: y, weight: 0.5 }, { name: name() }];
    expect(expectType(await client.sortedSetUnionStore(cache, dest, sources), 'Success').length).toBe(3);
    expect(expectType(await client.sortedSetFetchByRank(cache, dest), 'Hit').valueArray()).toEqual([
      { value: 'a', score: 2 },
      { value: 'b', score: 9 },
      { value: 'c', score: 10 },
    ]);
    await client.sortedSetUnionStore(cache, dest, sources, { aggregate: 'min' });
    expect(expectType(await client.sortedSetGetScore(cache, dest, 'b'), 'Hit').score()).toBe(4);
    await client.sortedSetUnionStore(cache, dest, sources, { aggregate: 'max' });
    expect(expectType(await client.sortedSetGetScore(cache, dest, 'b'), 'Hit').score()).toBe(5);
    expect(expectType(await client.sortedSetUnionStore(cache, dest, [{ name: name() }]), 'Success').length).toBe(0);
    expect((await client.sortedSetLength(cache, dest)).type).toBe('Miss');
  });
});

describe('TTL, types and errors', () => {
  it('refreshTtl: false keeps the remaining TTL; the default refreshes it', async () => {
    const d = name();
    await client.dictionarySetField(cache, d, 'f', 'v', { ttlSeconds: 30 });
    await client.dictionarySetField(cache, d, 'g', 'v', { ttlSeconds: 3000, refreshTtl: false });
    expect(expectType(await client.itemGetTtl(cache, d), 'Hit').remainingTtlMs).toBeLessThanOrEqual(30_000);
    await client.setAddElement(cache, name(), 'x'); // an unrelated write between the two
    await client.dictionarySetField(cache, d, 'h', 'v', { ttlSeconds: 3000 });
    expect(expectType(await client.itemGetTtl(cache, d), 'Hit').remainingTtlMs).toBeGreaterThan(30_000);
  });

  it('a call of the wrong type is Error FAILED_PRECONDITION and changes nothing', async () => {
    const s = name();
    await client.setAddElement(cache, s, 'a');
    for (const answer of [
      await client.dictionarySetField(cache, s, 'f', 'v'),
      await client.dictionaryFetch(cache, s),
      await client.listPushBack(cache, s, 'v'),
      await client.listFetch(cache, s),
      await client.sortedSetPutElement(cache, s, 'v', 1),
      await client.sortedSetFetchByRank(cache, s),
      await client.get(cache, s),
    ]) {
      expect(expectType(answer, 'Error').errorCode()).toBe(ErrorCode.FAILED_PRECONDITION);
    }
    expect(expectType(await client.setFetch(cache, s), 'Hit').valueArray()).toEqual(['a']);
  });

  it('an unknown cache is Error NOT_FOUND, never Miss', async () => {
    const answers = [
      await client.dictionaryFetch('no-such-cache', 'd'),
      await client.listFetch('no-such-cache', 'l'),
      await client.setFetch('no-such-cache', 's'),
      await client.sortedSetGetRank('no-such-cache', 'z', 'a'),
      await client.listLength('no-such-cache', 'l'),
    ];
    for (const answer of answers) expect(expectType(answer, 'Error').errorCode()).toBe(ErrorCode.NOT_FOUND);
  });

  it('delete removes a collection of any type', async () => {
    const l = name();
    await client.listPushBack(cache, l, 'v');
    expect((await client.delete(cache, l)).type).toBe('Success');
    expect((await client.listFetch(cache, l)).type).toBe('Miss');
  });
});

describe('the official Momento SDK reads what this SDK wrote', () => {
  it('dictionary, list, set and sorted set', async () => {
    const momento = await MomentoClient.create({
      configuration: Configurations.Laptop.v1(),
      credentialProvider: CredentialProvider.fromString({
        apiKey: booted.server.devApiKey,
        endpointOverrides: {
          cacheEndpoint: booted.server.grpcAddress,
          controlEndpoint: booted.server.grpcAddress,
          tokenEndpoint: booted.server.grpcAddress,
          secureConnection: false,
        },
      }),
      defaultTtlSeconds: 60,
    });
    try {
      const [d, l, s, z] = [name(), name(), name(), name()];
      await client.dictionarySetFields(cache, d, { a: '1' });
      await client.listConcatenateBack(cache, l, ['x', 'y']);
      await client.setAddElements(cache, s, ['m']);
      await client.sortedSetPutElements(cache, z, { p: 1.5, q: -2 });
      expect((await momento.dictionaryFetch(cache, d)).value()).toEqual({ a: '1' });
      expect((await momento.listFetch(cache, l)).value()).toEqual(['x', 'y']);
      expect((await momento.setFetch(cache, s)).value()).toEqual(['m']);
      expect((await momento.sortedSetFetchByRank(cache, z)).value()).toEqual([
        { value: 'q', score: -2 },
        { value: 'p', score: 1.5 },
      ]);
    } finally {
      momento.close();
    }
  });
});
