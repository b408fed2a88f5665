/**
 * The official @gomomento/sdk against a server booted in-process: every scalar data-plane RPC.
 * Time is a ManualClock shared by the server's engine, so TTL expiry needs no sleeping.
 */
import { ManualClock } from '@cachette/core';
import {
  type CacheClient,
  CacheDecreaseTtlResponse,
  CacheGetBatchResponse,
  CacheGetResponse,
  CacheIncreaseTtlResponse,
  CacheIncrementResponse,
  CacheItemGetTtlResponse,
  CacheItemGetTypeResponse,
  CacheKeyExistsResponse,
  CacheKeysExistResponse,
  CacheSetBatchResponse,
  CacheSetIfAbsentOrEqualResponse,
  CacheSetIfAbsentResponse,
  CacheSetIfEqualResponse,
  CacheSetIfNotEqualResponse,
  CacheSetIfNotExistsResponse,
  CacheSetIfPresentAndNotEqualResponse,
  CacheSetIfPresentResponse,
  CacheSetResponse,
  CacheUpdateTtlResponse,
  ItemType,
  MomentoErrorCode,
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

const hit = (r: Awaited<ReturnType<CacheClient['get']>>) => {
  expect(r.type).toBe(CacheGetResponse.Hit);
  return r.type === CacheGetResponse.Hit ? r.valueString() : undefined;
};

describe('get / set / delete', () => {
  it('get(key) returns Miss for a key never set', async () => {
    expect((await client.get(cache, 'nope')).type).toBe(CacheGetResponse.Miss);
  });

  it('set(key, value) then get(key) returns Hit with the value', async () => {
    expect((await client.set(cache, 'k', 'v1')).type).toBe(CacheSetResponse.Success);
    expect(hit(await client.get(cache, 'k'))).toBe('v1');
  });

  it('set(key) with binary bytes round-trips every byte value', async () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    await client.set(cache, bytes, bytes);
    const r = await client.get(cache, bytes);
    expect(r.type === CacheGetResponse.Hit && Buffer.from(r.valueUint8Array()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('set(key) overwrites the previous value', async () => {
    await client.set(cache, 'k', 'a');
    await client.set(cache, 'k', 'b');
    expect(hit(await client.get(cache, 'k'))).toBe('b');
  });

  it('delete(key) makes get(key) return Miss, and deleting a missing key succeeds', async () => {
    await client.set(cache, 'k', 'v');
    expect((await client.delete(cache, 'k')).type).toBe('Success');
    expect((await client.get(cache, 'k')).type).toBe(CacheGetResponse.Miss);
    expect((await client.delete(cache, 'k')).type).toBe('Success');
  });

  it('get(key) returns Miss after ttl elapses', async () => {
    await client.set(cache, 'k', 'v', { ttl: 5 });
    clock.advance(4_999);
    expect(hit(await client.get(cache, 'k'))).toBe('v');
    clock.advance(1);
    expect((await client.get(cache, 'k')).type).toBe(CacheGetResponse.Miss);
  });

  it('set() without ttl uses the client default ttl', async () => {
    await client.set(cache, 'k', 'v'); // client default: 60 s
    const ttl = await client.itemGetTtl(cache, 'k');
    expect(ttl.type === CacheItemGetTtlResponse.Hit && ttl.remainingTtlMillis()).toBe(60_000);
  });

  it('get() on an unknown cache returns NOT_FOUND naming the cache', async () => {
    expectSdkError(await client.get('no-such-cache', 'k'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR, "'no-such-cache'");
  });
});

describe('setIf conditions', () => {
  it('setIfAbsent stores when absent and not when present', async () => {
    expect((await client.setIfAbsent(cache, 'k', 'a')).type).toBe(CacheSetIfAbsentResponse.Stored);
    expect((await client.setIfAbsent(cache, 'k', 'b')).type).toBe(CacheSetIfAbsentResponse.NotStored);
    expect(hit(await client.get(cache, 'k'))).toBe('a');
  });

  it('setIfNotExists stores when absent and not when present', async () => {
    expect((await client.setIfNotExists(cache, 'k', 'a')).type).toBe(CacheSetIfNotExistsResponse.Stored);
    expect((await client.setIfNotExists(cache, 'k', 'b')).type).toBe(CacheSetIfNotExistsResponse.NotStored);
    expect(hit(await client.get(cache, 'k'))).toBe('a');
  });

  it('setIfAbsent treats an expired item as absent', async () => {
    await client.set(cache, 'k', 'old', { ttl: 1 });
    clock.advance(1_000);
    expect((await client.setIfAbsent(cache, 'k', 'new')).type).toBe(CacheSetIfAbsentResponse.Stored);
  });

  it('setIfPresent stores only when present', async () => {
    expect((await client.setIfPresent(cache, 'k', 'a')).type).toBe(CacheSetIfPresentResponse.NotStored);
    await client.set(cache, 'k', 'x');
    expect((await client.setIfPresent(cache, 'k', 'a')).type).toBe(CacheSetIfPresentResponse.Stored);
    expect(hit(await client.get(cache, 'k'))).toBe('a');
  });

  it('setIfEqual stores only when the stored value equals', async () => {
    expect((await client.setIfEqual(cache, 'k', 'a', 'x')).type).toBe(CacheSetIfEqualResponse.NotStored);
    await client.set(cache, 'k', 'x');
    expect((await client.setIfEqual(cache, 'k', 'a', 'y')).type).toBe(CacheSetIfEqualResponse.NotStored);
    expect((await client.setIfEqual(cache, 'k', 'a', 'x')).type).toBe(CacheSetIfEqualResponse.Stored);
    expect(hit(await client.get(cache, 'k'))).toBe('a');
  });

  it('setIfNotEqual stores when absent or different, not when equal', async () => {
    expect((await client.setIfNotEqual(cache, 'k', 'a', 'x')).type).toBe(CacheSetIfNotEqualResponse.Stored);
    expect((await client.setIfNotEqual(cache, 'k', 'b', 'a')).type).toBe(CacheSetIfNotEqualResponse.NotStored);
    expect((await client.setIfNotEqual(cache, 'k', 'b', 'zzz')).type).toBe(CacheSetIfNotEqualResponse.Stored);
    expect(hit(await client.get(cache, 'k'))).toBe('b');
  });

  it('setIfPresentAndNotEqual stores only when present and different', async () => {
    const r = (v: string, ne: string) => client.setIfPresentAndNotEqual(cache, 'k', v, ne);
    expect((await r('a', 'x')).type).toBe(CacheSetIfPresentAndNotEqualResponse.NotStored);
    await client.set(cache, 'k', 'x');
    expect((await r('a', 'x')).type).toBe(CacheSetIfPresentAndNotEqualResponse.NotStored);
    expect((await r('a', 'y')).type).toBe(CacheSetIfPresentAndNotEqualResponse.Stored);
    expect(hit(await client.get(cache, 'k'))).toBe('a');
  });

  it('setIfAbsentOrEqual stores when absent or equal, not when different', async () => {
    const r = (v: string, eq: string) => client.setIfAbsentOrEqual(cache, 'k', v, eq);
    expect((await r('a', 'whatever')).type).toBe(CacheSetIfAbsentOrEqualResponse.Stored);
    expect((await r('b', 'zzz')).type).toBe(CacheSetIfAbsentOrEqualResponse.NotStored);
    expect((await r('b', 'a')).type).toBe(CacheSetIfAbsentOrEqualResponse.Stored);
    expect(hit(await client.get(cache, 'k'))).toBe('b');
  });
});

describe('increment', () => {
  it('increment(missing key) stores the amount', async () => {
    const r = await client.increment(cache, 'n', 5);
    expect(r.type === CacheIncrementResponse.Success && r.value()).toBe(5);
    expect(hit(await client.get(cache, 'n'))).toBe('5');
  });

  it('increment(existing integer) adds, including negative amounts', async () => {
    await client.set(cache, 'n', '40');
    await client.increment(cache, 'n', 3);
    const r = await client.increment(cache, 'n', -50);
    expect(r.type === CacheIncrementResponse.Success && r.value()).toBe(-7);
  });

  it('increment(non-integer value) fails with FAILED_PRECONDITION and keeps the value', async () => {
    await client.set(cache, 'n', 'abc');
    expectSdkError(await client.increment(cache, 'n', 1), MomentoErrorCode.FAILED_PRECONDITION_ERROR, 'integer');
    expect(hit(await client.get(cache, 'n'))).toBe('abc');
  });

  it('increment past int64 max fails with FAILED_PRECONDITION and keeps the value', async () => {
    await client.set(cache, 'n', '9223372036854775807');
    expectSdkError(await client.increment(cache, 'n', 1), MomentoErrorCode.FAILED_PRECONDITION_ERROR, 'overflow');
    expect(hit(await client.get(cache, 'n'))).toBe('9223372036854775807');
  });
});

describe('TTLs, existence and type', () => {
  it('itemGetTtl returns the remaining ttl, and Miss for a missing key', async () => {
    await client.set(cache, 'k', 'v', { ttl: 30 });
    clock.advance(10_000);
    const r = await client.itemGetTtl(cache, 'k');
    expect(r.type === CacheItemGetTtlResponse.Hit && r.remainingTtlMillis()).toBe(20_000);
    expect((await client.itemGetTtl(cache, 'missing')).type).toBe(CacheItemGetTtlResponse.Miss);
  });

  it('updateTtl overwrites, increaseTtl only increases, decreaseTtl only decreases', async () => {
    await client.set(cache, 'k', 'v', { ttl: 30 });
    expect((await client.updateTtl(cache, 'k', 10_000)).type).toBe(CacheUpdateTtlResponse.Set);
    expect((await client.increaseTtl(cache, 'k', 5_000)).type).toBe(CacheIncreaseTtlResponse.NotSet);
    expect((await client.increaseTtl(cache, 'k', 50_000)).type).toBe(CacheIncreaseTtlResponse.Set);
    expect((await client.decreaseTtl(cache, 'k', 60_000)).type).toBe(CacheDecreaseTtlResponse.NotSet);
    expect((await client.decreaseTtl(cache, 'k', 2_000)).type).toBe(CacheDecreaseTtlResponse.Set);
    const r = await client.itemGetTtl(cache, 'k');
    expect(r.type === CacheItemGetTtlResponse.Hit && r.remainingTtlMillis()).toBe(2_000);
    clock.advance(2_000);
    expect((await client.get(cache, 'k')).type).toBe(CacheGetResponse.Miss);
  });

  it('updateTtl on a missing key returns Miss', async () => {
    expect((await client.updateTtl(cache, 'missing', 1000)).type).toBe(CacheUpdateTtlResponse.Miss);
    expect((await client.increaseTtl(cache, 'missing', 1000)).type).toBe(CacheIncreaseTtlResponse.Miss);
    expect((await client.decreaseTtl(cache, 'missing', 1000)).type).toBe(CacheDecreaseTtlResponse.Miss);
  });

  it('keysExist and keyExists report live keys only', async () => {
    await client.set(cache, 'a', '1');
    await client.set(cache, 'b', '2', { ttl: 1 });
    clock.advance(1_000);
    const r = await client.keysExist(cache, ['a', 'b', 'c']);
    expect(r.type === CacheKeysExistResponse.Success && r.exists()).toEqual([true, false, false]);
    const one = await client.keyExists(cache, 'a');
    expect(one.type === CacheKeyExistsResponse.Success && one.exists()).toBe(true);
  });

  it('itemGetType returns SCALAR for an item and Miss for a missing key', async () => {
    await client.set(cache, 'k', 'v');
    const r = await client.itemGetType(cache, 'k');
    expect(r.type === CacheItemGetTypeResponse.Hit && r.itemType()).toBe(ItemType.SCALAR);
    expect((await client.itemGetType(cache, 'missing')).type).toBe(CacheItemGetTypeResponse.Miss);
  });
});

describe('batches', () => {
  it('setBatch stores every item and getBatch returns hits and misses in key order', async () => {
    const set = await client.setBatch(cache, { a: '1', b: '2', c: '3' }, { ttl: 10 });
    expect(set.type).toBe(CacheSetBatchResponse.Success);
    const r = await client.getBatch(cache, ['a', 'missing', 'c', 'b']);
    expect(r.type).toBe(CacheGetBatchResponse.Success);
    if (r.type !== CacheGetBatchResponse.Success) return;
    expect(r.values()).toEqual({ a: '1', c: '3', b: '2' });
    expect(r.results().map((x) => x.type)).toEqual([
      CacheGetResponse.Hit,
      CacheGetResponse.Miss,
      CacheGetResponse.Hit,
      CacheGetResponse.Hit,
    ]);
    clock.advance(10_000);
    const later = await client.getBatch(cache, ['a', 'b']);
    expect(later.type === CacheGetBatchResponse.Success && later.values()).toEqual({});
  });

  it('getBatch on an unknown cache returns NOT_FOUND', async () => {
    expectSdkError(await client.getBatch('no-such-cache', ['a']), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });
});
