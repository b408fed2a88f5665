import { ManualClock } from '@cachette/core';
import { type CacheAsideErrorEvent, CacheClient, ErrorCode } from '@cachette/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, type TestServer, uniqueName } from './support/server.ts';

/** A promise resolved or rejected from outside: lets a test hold a loader open while others pile up. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let booted: TestServer;
let client: CacheClient;
let cache: string;
const events: CacheAsideErrorEvent[] = [];

beforeAll(async () => {
  booted = await bootServer();
  client = new CacheClient({
    apiKey: booted.server.devApiKey,
    defaultTtlSeconds: 45,
    onError: (event) => events.push(event),
  });
  cache = uniqueName();
  await client.createCache(cache);
});

afterAll(async () => {
  await booted.stop();
});

const key = () => uniqueName('key');

describe('getOrSet', () => {
  it('getOrSet on a miss calls the loader, stores its JSON with the default TTL, and the next call hits', async () => {
    const k = key();
    let calls = 0;
    const loader = async () => {
      calls++;
      return [{ id: 1, title: 'Intro to SQL' }];
    };
    expect(await client.getOrSet(cache, k, loader)).toEqual([{ id: 1, title: 'Intro to SQL' }]);
    expect(calls).toBe(1);
    const raw = await client.get(cache, k);
    expect(raw.type === 'Hit' && raw.valueString()).toBe('[{"id":1,"title":"Intro to SQL"}]');
    const ttl = await client.itemGetTtl(cache, k);
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeGreaterThan(40_000);
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeLessThanOrEqual(45_000);
    expect(await client.getOrSet(cache, k, loader)).toEqual([{ id: 1, title: 'Intro to SQL' }]);
    expect(calls).toBe(1);
  });

  it('getOrSet with ttlSeconds stores that TTL', async () => {
    const k = key();
    await client.getOrSet(cache, k, () => 'v', { ttlSeconds: 7 });
    const ttl = await client.itemGetTtl(cache, k);
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeLessThanOrEqual(7_000);
  });

  it('50 concurrent getOrSet calls for one missing key call the loader once and all get its value', async () => {
    const k = key();
    const gate = deferred<{ n: number }>();
    let calls = 0;
    const loader = () => {
      calls++;
      return gate.promise;
    };
    const all = Promise.all(Array.from({ length: 50 }, () => client.getOrSet(cache, k, loader)));
    gate.resolve({ n: 42 });
    const values = await all;
    expect(calls).toBe(1);
    expect(values).toHaveLength(50);
    for (const v of values) expect(v).toEqual({ n: 42 });
  });

  it('concurrent calls for different keys each call their own loader', async () => {
    const keys = [key(), key(), key()];
    let calls = 0;
    const values = await Promise.all(
      keys.map((k) =>
        client.getOrSet(cache, k, async () => {
          calls++;
          return k;
        }),
      ),
    );
    expect(values).toEqual(keys);
    expect(calls).toBe(3);
  });

  it('a loader error reaches every waiting caller, is not cached, and the next call loads again', async () => {
    const k = key();
    const gate = deferred<string>();
    const called = deferred<void>();
    let calls = 0;
    const failing = () => {
      calls++;
      called.resolve();
      return gate.promise;
    };
    const waiting = Array.from({ length: 5 }, () => client.getOrSet(cache, k, failing));
    await called.promise;
    gate.reject(new Error('database is down'));
    for (const p of waiting) await expect(p).rejects.toThrow('database is down');
    expect(calls).toBe(1);
    expect((await client.get(cache, k)).type).toBe('Miss');
    expect(await client.getOrSet(cache, k, () => 'recovered')).toBe('recovered');
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueJson()).toBe('recovered');
  });

  it('a loader that throws synchronously rejects and leaves nothing in flight', async () => {
    const k = key();
    await expect(
      client.getOrSet(cache, k, () => {
        throw new Error('sync failure');
      }),
    ).rejects.toThrow('sync failure');
    expect(await client.getOrSet(cache, k, () => 1)).toBe(1);
  });

  it('delete(key) while a load is in flight: callers get the loaded value, but it is not stored', async () => {
    const k = key();
    const gate = deferred<string>();
    const called = deferred<void>();
    const pending = client.getOrSet(cache, k, () => {
      called.resolve();
      return gate.promise;
    });
    await called.promise; // the read-through missed and is now loading
    await client.delete(cache, k);
    gate.resolve('stale-from-before-delete');
    expect(await pending).toBe('stale-from-before-delete');
    await client.idle();
    expect((await client.get(cache, k)).type).toBe('Miss');
  });

  it('a stored value that does not decode is replaced by the loader, and onError says decode', async () => {
    const k = key();
    await client.set(cache, k, 'not json {');
    events.length = 0;
    expect(await client.getOrSet(cache, k, () => ({ ok: true }))).toEqual({ ok: true });
    expect(events.map((e) => e.operation)).toEqual(['decode']);
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueJson()).toEqual({ ok: true });
  });

  it('a custom serializer stores raw bytes', async () => {
    const k = key();
    const bytes = new Uint8Array([1, 2, 255]);
    const serializer = { serialize: (v: Uint8Array) => v, deserialize: (b: Uint8Array) => b };
    expect([...(await client.getOrSet(cache, k, () => bytes, { serializer }))]).toEqual([1, 2, 255]);
    const again = await client.getOrSet(cache, k, () => new Uint8Array([0]), { serializer });
    expect([...again]).toEqual([1, 2, 255]);
  });
});

describe('getOrSet when the cache fails', () => {
  it('an unreachable cache returns the loader value and reports get and set errors to onError', async () => {
    const seen: CacheAsideErrorEvent[] = [];
    const down = new CacheClient({
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:9', // discard port: connection refused
      retries: 0,
      onError: (event) => seen.push(event),
    });
    expect(await down.getOrSet('c', 'k', () => 'from-db')).toBe('from-db');
    expect(seen.map((e) => e.operation)).toEqual(['get', 'set']);
    const first = seen[0]?.error as { code?: string } | undefined;
    expect(first?.code).toBe(ErrorCode.UNAVAILABLE);
  });

  it('an unknown cache returns the loader value (the cache is an optimisation)', async () => {
    events.length = 0;
    expect(await client.getOrSet(uniqueName('nope'), 'k', () => 5)).toBe(5);
    expect(events.map((e) => e.operation)).toEqual(['get', 'set']);
  });
});

describe('getOrSet with stale-while-revalidate (server and client share a ManualClock)', () => {
  let swrServer: TestServer;
  let swrClient: CacheClient;
  const clock = new ManualClock();
  const failures: CacheAsideErrorEvent[] = [];

  beforeAll(async () => {
    swrServer = await bootServer({ clock });
    swrClient = new CacheClient({ apiKey: swrServer.server.devApiKey, clock, onError: (e) => failures.push(e) });
    await swrClient.createCache('swr');
  });

  afterAll(async () => {
    await swrServer.stop();
  });

  it('stores an envelope "cachette-swr/1 <freshUntilMs>\\n<json>" for ttlSeconds + staleWhileRevalidateSeconds', async () => {
    const t0 = clock.nowMs();
    await swrClient.getOrSet('swr', 'format', () => ({ v: 1 }), { ttlSeconds: 10, staleWhileRevalidateSeconds: 20 });
    const raw = await swrClient.get('swr', 'format');
    expect(raw.type === 'Hit' && raw.valueString()).toBe(`cachette-swr/1 ${t0 + 10_000}\n{"v":1}`);
    const ttl = await swrClient.itemGetTtl('swr', 'format');
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBe(30_000);
  });

  it('fresh → no load; stale → old value at once and one background load; expired → foreground load', async () => {
    let version = 0;
    const loader = async () => ++version;
    const options = { ttlSeconds: 10, staleWhileRevalidateSeconds: 20 };
    expect(await swrClient.getOrSet('swr', 'k', loader, options)).toBe(1);

    clock.advance(9_000); // still fresh
    expect(await swrClient.getOrSet('swr', 'k', loader, options)).toBe(1);
    expect(version).toBe(1);

    clock.advance(2_000); // 11 s: stale, within the window
    const stale = await Promise.all([1, 2, 3].map(() => swrClient.getOrSet('swr', 'k', loader, options)));
    expect(stale).toEqual([1, 1, 1]);
    await swrClient.idle();
    expect(version).toBe(2); // one refresh for three stale reads
    expect(await swrClient.getOrSet('swr', 'k', loader, options)).toBe(2);
    expect(version).toBe(2);

    clock.advance(31_000); // past ttl + window of the refreshed item: gone from the server
    expect(await swrClient.getOrSet('swr', 'k', loader, options)).toBe(3);
    expect(version).toBe(3);
    expect(failures).toEqual([]);
  });

  it('a failing background refresh keeps serving the stale value and reports revalidate', async () => {
    const options = { ttlSeconds: 10, staleWhileRevalidateSeconds: 60 };
    await swrClient.getOrSet('swr', 'r', () => 'old', options);
    clock.advance(11_000);
    expect(await swrClient.getOrSet('swr', 'r', () => Promise.reject(new Error('db down')), options)).toBe('old');
    await swrClient.idle();
    expect(failures.map((f) => f.operation)).toEqual(['revalidate']);
    expect(await swrClient.getOrSet('swr', 'r', () => 'new', options)).toBe('old');
    await swrClient.idle();
    expect(await swrClient.getOrSet('swr', 'r', () => 'newer', options)).toBe('new');
  });

  it('a plain value (written without SWR) reads as fresh', async () => {
    await swrClient.set('swr', 'plain', '"hello"');
    clock.advance(5_000);
    expect(await swrClient.getOrSet('swr', 'plain', () => 'loaded', { staleWhileRevalidateSeconds: 10 })).toBe('hello');
  });
});
