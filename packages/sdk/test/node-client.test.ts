/**
 * The Node entry's client (node:http exchange, coalescing on) against a real server, over every request
 * shape the SDK sends: GET with a query, PUT with raw bytes, PUT and POST without a body, DELETE, JSON POST
 * bodies, error bodies. The other suites use the core client over fetch; this one proves the same calls
 * answer the same over node:http.
 */
import { ErrorCode } from '@cachette/sdk';
import { CacheClient } from '@cachette/sdk/node';
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

describe('@cachette/sdk/node over node:http', () => {
  it('items: set, get, delete, increment, conditional sets, TTLs, batches, keys-exist', async () => {
    expect((await client.set(cache, 'k', new Uint8Array([0, 255, 10]))).type).toBe('Success');
    const got = await client.get(cache, 'k');
    expect(got.type === 'Hit' && [...got.valueBytes()]).toEqual([0, 255, 10]);
    expect((await client.get(cache, 'absent')).type).toBe('Miss');
    expect((await client.delete(cache, 'k')).type).toBe('Success');
    expect((await client.get(cache, 'k')).type).toBe('Miss');

    const inc = await client.increment(cache, 'n', 5);
    expect(inc.type === 'Success' && inc.value()).toBe(5);
    expect((await client.setIfAbsent(cache, 'lock', 'a')).type).toBe('Stored');
    expect((await client.setIfAbsent(cache, 'lock', 'b')).type).toBe('NotStored');
    const ttl = await client.itemGetTtl(cache, 'lock');
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeGreaterThan(0);
    expect((await client.updateTtl(cache, 'lock', 120)).type).toBe('Set');

    expect((await client.setBatch(cache, { a: '1', b: '2' })).type).toBe('Success');
    const batch = await client.getBatch(cache, ['a', 'b', 'c']);
    expect(batch.type === 'Success' && batch.results.map((v) => v.type)).toEqual(['Hit', 'Hit', 'Miss']);
    const exist = await client.keysExist(cache, ['a', 'c']);
    expect(exist.type === 'Success' && exist.exists).toEqual([true, false]);
  });

  it('caches and account: list, flush (POST without a body), usage, create twice, delete', async () => {
    const other = uniqueName();
    expect((await client.createCache(other)).type).toBe('Success');
    expect((await client.createCache(other)).type).toBe('AlreadyExists');
    const list = await client.listCaches();
    expect(list.type === 'Success' && list.caches.some((c) => c.name === other)).toBe(true);
    await client.set(other, 'x', 'y');
    expect((await client.flushCache(other)).type).toBe('Success');
    expect((await client.get(other, 'x')).type).toBe('Miss');
    expect((await client.usage()).type).toBe('Success');
    expect((await client.deleteCache(other)).type).toBe('Success');
    const gone = await client.get(other, 'x');
    expect(gone.type === 'Error' && gone.errorCode()).toBe(ErrorCode.NOT_FOUND);
  });

  it('collections and leaderboards', async () => {
    await client.dictionarySetFields(cache, 'd', { f: 'v' });
    const d = await client.dictionaryFetch(cache, 'd');
    expect(d.type === 'Hit' && d.valueRecord()).toEqual({ f: 'v' });
    await client.listPushBack(cache, 'l', 'x');
    const l = await client.listFetch(cache, 'l');
    expect(l.type === 'Hit' && l.valueList()).toEqual(['x']);
    await client.sortedSetIncrementScore(cache, 'z', 'ada', 10);
    const z = await client.sortedSetFetchByRank(cache, 'z');
    expect(z.type === 'Hit' && z.valueArray()).toEqual([{ value: 'ada', score: 10 }]);

    const board = client.leaderboard(cache, uniqueName('board'));
    expect((await board.upsert({ 1: 5, 2: 7 })).type).toBe('Success');
    const len = await board.length();
    expect(len.type === 'Success' && len.count).toBe(2);
    expect((await board.delete()).type).toBe('Success');
  });

  it('errors keep their code, message and reason; getOrSet works through coalesced calls', async () => {
    const bad = await client.set(cache, 'k', 'v', { ttlSeconds: -1 });
    expect(bad.type === 'Error' && bad.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(bad.type === 'Error' && bad.error.httpStatus).toBe(400);

    let loads = 0;
    const key = uniqueName('aside');
    const values = await Promise.all(
      Array.from({ length: 10 }, () =>
        client.getOrSet(cache, key, () => {
          loads++;
          return { n: 1 };
        }),
      ),
    );
    expect(values).toEqual(Array(10).fill({ n: 1 }));
    expect(loads).toBe(1);
    await client.idle();
    const stored = await client.get(cache, key);
    expect(stored.type).toBe('Hit');
  });
});
