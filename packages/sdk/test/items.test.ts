import {
  CacheClient,
  CacheGet,
  CacheGetBatch,
  CacheIncrement,
  CacheItemGetTtl,
  CacheKeysExist,
  CacheSetIf,
  CacheUpdateTtl,
  ErrorCode,
} from '@cachette/sdk';
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

const key = () => uniqueName('key');

describe('get / set / delete', () => {
  it('the client finds the HTTP API from the key alone (http_endpoint)', () => {
    expect(client.baseUrl).toBe(booted.server.httpUrl);
  });

  it('get(key) returns Miss for a key never set', async () => {
    const got = await client.get(cache, key());
    expect(got.type).toBe('Miss');
    expect(got).toBeInstanceOf(CacheGet.Miss);
  });

  it('set then get returns Hit with the same string, bytes and length', async () => {
    const k = key();
    expect((await client.set(cache, k, 'brown')).type).toBe('Success');
    const got = await client.get(cache, k);
    if (got.type !== 'Hit') throw new Error(`expected Hit, got ${got.type}`);
    expect(got).toBeInstanceOf(CacheGet.Hit);
    expect(got.valueString()).toBe('brown');
    expect([...got.valueBytes()]).toEqual([...new TextEncoder().encode('brown')]);
  });

  it('set(bytes) round-trips every byte value, including invalid UTF-8', async () => {
    const k = key();
    const bytes = new Uint8Array(256).map((_, i) => i);
    await client.set(cache, k, bytes);
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && [...got.valueBytes()]).toEqual([...bytes]);
  });

  it('a bytes key addresses the same item as its UTF-8 string, and non-UTF-8 keys work', async () => {
    const k = key();
    await client.set(cache, new TextEncoder().encode(k), 'via-bytes');
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueString()).toBe('via-bytes');
    const binaryKey = new Uint8Array([0xff, 0x00, 0xfe, 0x2b, 0x2f]);
    await client.set(cache, binaryKey, 'binary-key');
    const again = await client.get(cache, binaryKey);
    expect(again.type === 'Hit' && again.valueString()).toBe('binary-key');
  });

  it('setJson then hit.valueJson<T>() returns an equal object', async () => {
    const k = key();
    const course = { id: 7, title: 'Intro to SQL', tags: ['sql', 'databases'], free: true, rating: 4.5 };
    await client.setJson(cache, k, course);
    const got = await client.get(cache, k);
    if (got.type !== 'Hit') throw new Error(`expected Hit, got ${got.type}`);
    expect(got.valueJson<typeof course>()).toEqual(course);
  });

  it('unicode keys and values survive', async () => {
    const k = `${key()}-ключ-🔑`;
    await client.set(cache, k, 'значение ✓ 日本');
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueString()).toBe('значение ✓ 日本');
  });

  it('delete(key) makes get return Miss; deleting a missing key succeeds', async () => {
    const k = key();
    await client.set(cache, k, 'v');
    expect((await client.delete(cache, k)).type).toBe('Success');
    expect((await client.get(cache, k)).type).toBe('Miss');
    expect((await client.delete(cache, k)).type).toBe('Success');
  });

  it('get on an unknown cache returns Error NOT_FOUND, not Miss', async () => {
    const got = await client.get(uniqueName('nope'), 'k');
    if (got.type !== 'Error') throw new Error(`expected Error, got ${got.type}`);
    expect(got.errorCode()).toBe(ErrorCode.NOT_FOUND);
    expect(got.error.httpStatus).toBe(404);
  });

  it('an invalid key returns Error UNAUTHENTICATED', async () => {
    const bad = new CacheClient({ apiKey: 'not-a-key', baseUrl: booted.server.httpUrl });
    const got = await bad.get(cache, 'k');
    expect(got.type === 'Error' && got.errorCode()).toBe(ErrorCode.UNAUTHENTICATED);
  });

  it('set with ttlSeconds stores that TTL (itemGetTtl reports it)', async () => {
    const k = key();
    await client.set(cache, k, 'v', { ttlSeconds: 30 });
    const ttl = await client.itemGetTtl(cache, k);
    if (ttl.type !== 'Hit') throw new Error(`expected Hit, got ${ttl.type}`);
    expect(ttl).toBeInstanceOf(CacheItemGetTtl.Hit);
    expect(ttl.remainingTtlMs).toBeGreaterThan(25_000);
    expect(ttl.remainingTtlMs).toBeLessThanOrEqual(30_000);
  });

  it('an oversized value returns Error LIMIT_EXCEEDED with HTTP 413', async () => {
    const got = await client.set(cache, key(), new Uint8Array(6 * 1024 * 1024));
    if (got.type !== 'Error') throw new Error(`expected Error, got ${got.type}`);
    expect(got.errorCode()).toBe(ErrorCode.LIMIT_EXCEEDED);
    expect(got.error.httpStatus).toBe(413);
  });
});

describe('increment', () => {
  it('increment(key) creates the counter at the amount, then adds', async () => {
    const k = key();
    const first = await client.increment(cache, k);
    expect(first).toBeInstanceOf(CacheIncrement.Success);
    expect(first.type === 'Success' && first.value()).toBe(1);
    const second = await client.increment(cache, k, 41);
    expect(second.type === 'Success' && second.value()).toBe(42);
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueString()).toBe('42');
  });

  it('increment with a bigint amount stays exact past 2^53', async () => {
    const k = key();
    const big = 2n ** 60n;
    const r = await client.increment(cache, k, big);
    expect(r.type === 'Success' && r.valueBigInt()).toBe(big);
  });

  it('increment of a non-integer value returns Error FAILED_PRECONDITION', async () => {
    const k = key();
    await client.set(cache, k, 'not a number');
    const r = await client.increment(cache, k, 1);
    expect(r.type === 'Error' && r.errorCode()).toBe(ErrorCode.FAILED_PRECONDITION);
  });
});

describe('conditional sets', () => {
  it('setIfAbsent stores once, then answers NotStored', async () => {
    const k = key();
    const first = await client.setIfAbsent(cache, k, 'a');
    expect(first).toBeInstanceOf(CacheSetIf.Stored);
    const second = await client.setIfAbsent(cache, k, 'b');
    expect(second).toBeInstanceOf(CacheSetIf.NotStored);
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueString()).toBe('a');
  });

  it('setIfPresent stores only over an existing item', async () => {
    const k = key();
    expect((await client.setIfPresent(cache, k, 'x')).type).toBe('NotStored');
    await client.set(cache, k, 'old');
    expect((await client.setIfPresent(cache, k, 'new')).type).toBe('Stored');
  });

  it('setIfEqual is compare-and-swap', async () => {
    const k = key();
    await client.set(cache, k, 'v1');
    expect((await client.setIfEqual(cache, k, 'v2', 'nope')).type).toBe('NotStored');
    expect((await client.setIfEqual(cache, k, 'v2', 'v1')).type).toBe('Stored');
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueString()).toBe('v2');
  });

  it('setIfNotEqual, setIfPresentAndNotEqual and setIfAbsentOrEqual follow their conditions', async () => {
    const k = key();
    expect((await client.setIfPresentAndNotEqual(cache, k, 'v', 'x')).type).toBe('NotStored');
    expect((await client.setIfNotEqual(cache, k, 'v1', 'x')).type).toBe('Stored');
    expect((await client.setIfNotEqual(cache, k, 'v2', 'v1')).type).toBe('NotStored');
    expect((await client.setIfPresentAndNotEqual(cache, k, 'v2', 'x')).type).toBe('Stored');
    expect((await client.setIfAbsentOrEqual(cache, k, 'v3', 'nope')).type).toBe('NotStored');
    expect((await client.setIfAbsentOrEqual(cache, k, 'v3', 'v2')).type).toBe('Stored');
    expect((await client.setIfAbsentOrEqual(cache, key(), 'fresh', 'anything')).type).toBe('Stored');
  });

  it('conditional sets take bytes values and compares', async () => {
    const k = key();
    const v1 = new Uint8Array([0xff, 1]);
    await client.set(cache, k, v1);
    expect((await client.setIfEqual(cache, k, new Uint8Array([0xfe]), v1)).type).toBe('Stored');
  });
});

describe('TTL calls', () => {
  it('itemGetTtl of a missing key returns Miss', async () => {
    expect((await client.itemGetTtl(cache, key())).type).toBe('Miss');
  });

  it('updateTtl overwrites; increaseTtl / decreaseTtl apply only in their direction', async () => {
    const k = key();
    await client.set(cache, k, 'v', { ttlSeconds: 30 });
    expect(await client.updateTtl(cache, k, 100)).toBeInstanceOf(CacheUpdateTtl.Set);
    expect((await client.increaseTtl(cache, k, 50)).type).toBe('NotSet');
    expect((await client.increaseTtl(cache, k, 200)).type).toBe('Set');
    expect((await client.decreaseTtl(cache, k, 300)).type).toBe('NotSet');
    expect((await client.decreaseTtl(cache, k, 10)).type).toBe('Set');
    const ttl = await client.itemGetTtl(cache, k);
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeLessThanOrEqual(10_000);
  });

  it('updateTtl of a missing key returns Miss', async () => {
    expect((await client.updateTtl(cache, key(), 10)).type).toBe('Miss');
  });
});

describe('batches', () => {
  it('setBatch then getBatch returns Hit/Miss per key in order', async () => {
    const [a, b, missing] = [key(), key(), key()];
    const set = await client.setBatch(cache, [
      { key: a, value: 'A' },
      { key: b, value: new Uint8Array([0xff]), ttlSeconds: 5 },
    ]);
    expect(set.type).toBe('Success');
    const got = await client.getBatch(cache, [a, missing, b]);
    if (got.type !== 'Success') throw new Error(`expected Success, got ${got.type}`);
    expect(got).toBeInstanceOf(CacheGetBatch.Success);
    expect(got.results.map((r) => r.type)).toEqual(['Hit', 'Miss', 'Hit']);
    expect(got.valuesString()[0]).toBe('A');
    const third = got.results[2];
    expect(third instanceof CacheGet.Hit && [...third.valueBytes()]).toEqual([0xff]);
  });

  it('setBatch takes a record or a Map, and getBatch mixed string/bytes keys', async () => {
    const [a, b] = [key(), key()];
    await client.setBatch(cache, { [a]: 'from-record' });
    await client.setBatch(cache, new Map([[b, 'from-map']]));
    const got = await client.getBatch(cache, [a, new TextEncoder().encode(b)]);
    expect(got.type === 'Success' && got.valuesString()).toEqual(['from-record', 'from-map']);
  });

  it('keysExist answers one boolean per key', async () => {
    const [a, b] = [key(), key()];
    await client.set(cache, a, '1');
    const r = await client.keysExist(cache, [a, b]);
    expect(r).toBeInstanceOf(CacheKeysExist.Success);
    expect(r.type === 'Success' && r.exists).toEqual([true, false]);
  });

  it('getBatch on an unknown cache returns Error NOT_FOUND', async () => {
    const r = await client.getBatch(uniqueName('nope'), ['a']);
    expect(r.type === 'Error' && r.errorCode()).toBe(ErrorCode.NOT_FOUND);
  });
});
