/**
 * Coalescing of concurrent get/set calls into get-batch/set-batch requests (on by default in
 * `@cachette/sdk/node`): each call must get exactly the answer it would get alone, against a real server,
 * with the batch routes' failures split back per call.
 */
import { type BytesLike, CacheClient as CoreClient, ErrorCode } from '@cachette/sdk';
import { CacheClient, type CacheClientOptions } from '@cachette/sdk/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, fakeHttpServer, stallingServer, type TestServer, uniqueName } from './support/server.ts';

let booted: TestServer;
let cache: string;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  booted = await bootServer();
  cache = uniqueName();
  const admin = new CoreClient({ apiKey: booted.server.devApiKey });
  expect((await admin.createCache(cache)).type).toBe('Success');
});

afterAll(async () => {
  await booted.stop();
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A Node client against the test server whose requests (method and path, no query) are recorded. */
function recordingClient(options: CacheClientOptions = {}): { client: CacheClient; requests: string[] } {
  const requests: string[] = [];
  const client = new CacheClient({
    apiKey: booted.server.devApiKey,
    defaultTtlSeconds: 60,
    fetch: (input, init) => {
      requests.push(`${init.method} ${new URL(input).pathname}`);
      return fetch(input, init);
    },
    ...options,
  });
  return { client, requests };
}

const key = () => uniqueName('key');

describe('coalescing (Node entry default)', () => {
  it('concurrent gets of one turn travel as get-batch requests, each call answered with its own Hit or Miss', async () => {
    const { client, requests } = recordingClient();
    const keys = Array.from({ length: 50 }, key);
    for (const [i, k] of keys.entries()) if (i % 2 === 0) await client.set(cache, k, `value-${i}`);
    requests.length = 0;

    const got = await Promise.all(keys.map((k) => client.get(cache, k)));
    got.forEach((g, i) => {
      if (i % 2 === 0) {
        expect(g.type).toBe('Hit');
        if (g.type === 'Hit') expect(g.valueString()).toBe(`value-${i}`);
      } else expect(g.type).toBe('Miss');
    });
    expect(requests.every((r) => r === `POST /v1/caches/${cache}/items/get-batch`)).toBe(true);
    expect(requests.length).toBeLessThanOrEqual(2);
  });

  it('a call alone in its turn is sent as the plain item request', async () => {
    const { client, requests } = recordingClient();
    const k = key();
    expect((await client.set(cache, k, 'v')).type).toBe('Success');
    expect((await client.get(cache, k)).type).toBe('Hit');
    expect(requests).toEqual([`PUT /cache/${cache}`, `GET /cache/${cache}`]);
  });

  it('concurrent sets travel as set-batch, each item with its own TTL; bytes keys and values round-trip', async () => {
    const { client, requests } = recordingClient();
    const short = key();
    const long = key();
    const bytesKey = new Uint8Array([0xff, 0x00, 0xfe]);
    const bytesValue = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const results = await Promise.all([
      client.set(cache, short, 'short', { ttlSeconds: 30 }),
      client.set(cache, long, 'long', { ttlSeconds: 3000 }),
      client.set(cache, bytesKey, bytesValue),
    ]);
    expect(results.map((r) => r.type)).toEqual(['Success', 'Success', 'Success']);
    expect(requests).toEqual([`POST /v1/caches/${cache}/items/set-batch`]);

    const ttls = await Promise.all([client.itemGetTtl(cache, short), client.itemGetTtl(cache, long)]);
    const [s, l] = ttls.map((t) => (t.type === 'Hit' ? t.remainingTtlMs : -1));
    expect(s).toBeGreaterThan(0);
    expect(s).toBeLessThanOrEqual(30_000);
    expect(l).toBeGreaterThan(30_000);
    const got = await client.get(cache, bytesKey);
    expect(got.type === 'Hit' && [...got.valueBytes()]).toEqual([...bytesValue]);
  });

  it('two sets of one key in one batch: the later call wins (items are applied in order)', async () => {
    const { client } = recordingClient();
    const k = key();
    await Promise.all([client.set(cache, k, 'first'), client.set(cache, k, 'second')]);
    const got = await client.get(cache, k);
    expect(got.type === 'Hit' && got.valueString()).toBe('second');
  });

  it('an invalid call in a batch fails alone: the others get their own answers', async () => {
    const { client } = recordingClient();
    const good = key();
    await client.set(cache, good, 'good');
    const [empty, hit, miss] = await Promise.all([
      client.get(cache, ''),
      client.get(cache, good),
      client.get(cache, key()),
    ]);
    expect(empty.type === 'Error' && empty.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(hit.type === 'Hit' && hit.valueString()).toBe('good');
    expect(miss.type).toBe('Miss');

    const stored = key();
    const [bad, ok] = await Promise.all([
      client.set(cache, key(), 'x', { ttlSeconds: -1 }),
      client.set(cache, stored, 'stored'),
    ]);
    expect(bad.type === 'Error' && bad.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(ok.type).toBe('Success');
    expect((await client.get(cache, stored)).type).toBe('Hit');
  });

  it('a batch on a missing cache answers every call NOT_FOUND, like the single calls', async () => {
    const { client } = recordingClient();
    const missing = uniqueName('missing');
    const got = await Promise.all([client.get(missing, 'a'), client.get(missing, 'b'), client.set(missing, 'c', 'v')]);
    for (const g of got) expect(g.type === 'Error' && g.errorCode()).toBe(ErrorCode.NOT_FOUND);
  });

  it('calls on different caches are queued per cache (one call each: plain requests)', async () => {
    const other = uniqueName();
    const { client, requests } = recordingClient();
    expect((await client.createCache(other)).type).toBe('Success');
    await Promise.all([client.set(cache, 'same', 'one'), client.set(other, 'same', 'two')]);
    const [a, b] = await Promise.all([client.get(cache, 'same'), client.get(other, 'same')]);
    expect(a.type === 'Hit' && a.valueString()).toBe('one');
    expect(b.type === 'Hit' && b.valueString()).toBe('two');
    expect(requests.filter((r) => r.includes('batch'))).toEqual([]);
  });

  it('more calls than one batch holds are split into several batches, every answer in place', async () => {
    const { client, requests } = recordingClient();
    const keys = Array.from({ length: 100 }, key);
    await Promise.all(keys.map((k, i) => client.set(cache, k, String(i))));
    const sets = requests.filter((r) => r.endsWith('/set-batch')).length;
    expect(sets).toBeGreaterThan(1);
    const got = await Promise.all(keys.map((k) => client.get(cache, k)));
    expect(got.map((g) => (g.type === 'Hit' ? g.valueString() : g.type))).toEqual(keys.map((_, i) => String(i)));
  });

  it('property: mixed valid and invalid calls over several batches answer exactly as the model says', async () => {
    const { client, requests } = recordingClient();
    let seed = 0x2545f491;
    const rand = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const prefix = uniqueName('prop');
    // Phase 1: 120 concurrent sets of distinct keys, about 1 in 8 invalid (empty key or negative TTL).
    type Expect = 'Success' | ErrorCode;
    const model = new Map<string, string>();
    const sets: Array<{ key: BytesLike; value: string; ttl: number; want: Expect }> = [];
    for (let i = 0; i < 120; i++) {
      const kind = rand(8);
      const key: BytesLike =
        kind === 0 ? '' : kind === 1 ? new TextEncoder().encode(`${prefix}-b${i}`) : `${prefix}-${i}`;
      const ttl = kind === 2 ? -1 : ([60, 3600, 30.5 + rand(100)][rand(3)] as number);
      const value = `v${i}-${rand(1_000_000)}`;
      const want: Expect = kind === 0 || kind === 2 ? ErrorCode.INVALID_ARGUMENT : 'Success';
      if (want === 'Success') model.set(typeof key === 'string' ? key : new TextDecoder().decode(key), value);
      sets.push({ key, value, ttl, want });
    }
    const setResults = await Promise.all(sets.map((s) => client.set(cache, s.key, s.value, { ttlSeconds: s.ttl })));
    expect(setResults.map((r) => (r.type === 'Error' ? r.errorCode() : r.type))).toEqual(sets.map((s) => s.want));
    expect(requests.filter((r) => r.endsWith('/set-batch')).length).toBeGreaterThanOrEqual(4);

    // Phase 2: 150 concurrent gets: stored keys (text and bytes), never-set keys, empty keys.
    requests.length = 0;
    const gets: Array<{ key: string; want: string | 'Miss' | ErrorCode }> = [];
    for (let i = 0; i < 150; i++) {
      const kind = rand(10);
      const key = kind === 0 ? '' : kind < 3 ? `${prefix}-never-${i}` : (sets[rand(sets.length)]?.key ?? '');
      const text = typeof key === 'string' ? key : new TextDecoder().decode(key);
      gets.push({ key: text, want: text === '' ? ErrorCode.INVALID_ARGUMENT : (model.get(text) ?? 'Miss') });
    }
    const getResults = await Promise.all(gets.map((g) => client.get(cache, g.key)));
    expect(
      getResults.map((r) => (r.type === 'Hit' ? r.valueString() : r.type === 'Miss' ? 'Miss' : r.errorCode())),
    ).toEqual(gets.map((g) => g.want));
    expect(requests.filter((r) => r.endsWith('/get-batch')).length).toBeGreaterThanOrEqual(5);
  });

  it('coalesce: false sends one request per call', async () => {
    const { client, requests } = recordingClient({ coalesce: false });
    await Promise.all([client.get(cache, key()), client.get(cache, key())]);
    expect(requests).toEqual([`GET /cache/${cache}`, `GET /cache/${cache}`]);
  });

  it('the core client does not coalesce unless asked', async () => {
    const requests: string[] = [];
    const client = new CoreClient({
      apiKey: booted.server.devApiKey,
      fetch: (input, init) => {
        requests.push(`${init.method} ${new URL(input).pathname}`);
        return fetch(input, init);
      },
    });
    await Promise.all([client.get(cache, key()), client.get(cache, key())]);
    expect(requests).toEqual([`GET /cache/${cache}`, `GET /cache/${cache}`]);
  });
});

describe('coalesced batches and transient failures', () => {
  it('a batch is retried like the calls it carries; when retries run out each call gets UNAVAILABLE', async () => {
    const fake = await fakeHttpServer((_request, response) => {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'store unreachable' } }));
    });
    cleanups.push(() => fake.close());
    const client = new CacheClient({ apiKey: 'secret', baseUrl: fake.url, retries: 2, retryBaseDelayMs: 1 });
    const got = await Promise.all([client.get('c', 'a'), client.get('c', 'b'), client.get('c', 'c')]);
    for (const g of got) expect(g.type === 'Error' && g.errorCode()).toBe(ErrorCode.UNAVAILABLE);
    // One batch, three attempts: not one request per call per attempt.
    expect(fake.requests.map((r) => r.url)).toEqual(Array(3).fill('/v1/caches/c/items/get-batch'));
  });

  it('a batch that gets no answer within timeoutMs answers each call TIMEOUT', async () => {
    const stalling = await stallingServer();
    cleanups.push(() => stalling.close());
    const client = new CacheClient({ apiKey: 'secret', baseUrl: stalling.url, timeoutMs: 100, retries: 0 });
    const got = await Promise.all([client.set('c', 'a', 'v'), client.set('c', 'b', 'v')]);
    for (const g of got) expect(g.type === 'Error' && g.errorCode()).toBe(ErrorCode.TIMEOUT);
    expect(stalling.requestLines()).toEqual(['POST /v1/caches/c/items/set-batch']);
  });

  it('a rate-limited batch answers each call LIMIT_EXCEEDED with Retry-After, without asking again per call', async () => {
    const fake = await fakeHttpServer((_request, response) => {
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      response.end(
        JSON.stringify({
          error: { code: 'LIMIT_EXCEEDED', message: 'slow down', reason: 'operations_rate_limit_exceeded' },
        }),
      );
    });
    cleanups.push(() => fake.close());
    const client = new CacheClient({ apiKey: 'secret', baseUrl: fake.url });
    const got = await Promise.all([client.get('c', 'a'), client.get('c', 'b'), client.get('c', 'c')]);
    for (const g of got) {
      expect(g.type === 'Error' && g.errorCode()).toBe(ErrorCode.LIMIT_EXCEEDED);
      expect(g.type === 'Error' && g.error.retryAfterSeconds).toBe(2);
    }
    expect(fake.requests).toHaveLength(1);
  });

  it('a server without the batch routes (404) still answers every call: each is asked alone', async () => {
    const fake = await fakeHttpServer((request, response) => {
      if (request.url?.includes('batch')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'no route' } }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(request.url);
    });
    cleanups.push(() => fake.close());
    const client = new CacheClient({ apiKey: 'secret', baseUrl: fake.url });
    const got = await Promise.all([client.get('c', 'a'), client.get('c', 'b')]);
    expect(got.map((g) => g.type === 'Hit' && g.valueString())).toEqual(['/cache/c?key=a', '/cache/c?key=b']);
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });

  it('a get-batch answer with the wrong number of values is INTERNAL for each call, never a shifted value', async () => {
    const fake = await fakeHttpServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ values: ['AQ=='] }));
    });
    cleanups.push(() => fake.close());
    const client = new CacheClient({ apiKey: 'secret', baseUrl: fake.url });
    const got = await Promise.all([client.get('c', 'a'), client.get('c', 'b')]);
    for (const g of got) expect(g.type === 'Error' && g.errorCode()).toBe(ErrorCode.INTERNAL);
  });
});
