import { INT64_MAX, INT64_MIN, ManualClock } from '@cachette/core';
import { deleteKeysMatching, pollUntil } from '@cachette/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseValkeyUrl, ValkeyEngine } from '../src/index.ts';
import { testKeyPrefix, valkeyConformance } from './conformance.ts';

// The machine's own Redis (always running here and in CI). Only keys under this run's prefix are touched.
const URL = process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = testKeyPrefix();
const TTL_MS = 60_000;
const bytes = (s: string) => Buffer.from(s, 'latin1');

let admin: ValkeyEngine;
beforeAll(async () => {
  admin = await ValkeyEngine.connect({ url: URL, keyPrefix: PREFIX, statsIntervalMs: 0 });
});
afterAll(async () => {
  await deleteKeysMatching(admin.client, admin.layout.pattern);
  await admin.close();
});

valkeyConformance(() => URL, PREFIX);

describe('ValkeyEngine (single node)', () => {
  let clock: ManualClock;
  let engine: ValkeyEngine;
  beforeEach(async () => {
    clock = new ManualClock();
    engine = await ValkeyEngine.connect({ url: URL, keyPrefix: PREFIX, clock, statsIntervalMs: 0 });
    await engine.createNamespace('ns');
  });
  afterEach(async () => {
    await engine.dropNamespace('ns');
    await engine.close();
  });

  /** The Redis key an item lives under, to look at it with plain commands. */
  const rawKey = (ns: string, key: Uint8Array) =>
    engine.layout.itemKey(engine.layout.of(ns).itemPrefix[engine.layout.bucketOf(key)]!, key);

  it('set, setIf, increment and updateTtl give the Redis key a PX TTL equal to ttlMs', async () => {
    const pttl = (k: Uint8Array) => engine.client.pttl(rawKey('ns', k));
    // PTTL runs on the server's real clock, so it may be a few ms below ttlMs by the time we ask.
    const near = (ms: number) => [ms - 1_000, ms] as const;
    await engine.set('ns', bytes('a'), bytes('v'), 10_000);
    expect(await pttl(bytes('a'))).toSatisfy((t: number) => t > near(10_000)[0] && t <= 10_000);
    await engine.setIf('ns', bytes('b'), bytes('v'), 20_000, { kind: 'absent' });
    expect(await pttl(bytes('b'))).toSatisfy((t: number) => t > near(20_000)[0] && t <= 20_000);
    await engine.increment('ns', bytes('c'), 5n, 30_000);
    expect(await pttl(bytes('c'))).toSatisfy((t: number) => t > near(30_000)[0] && t <= 30_000);
    expect(await engine.updateTtl('ns', bytes('a'), { kind: 'decreaseTo', ttlMs: 2_000 })).toBe('set');
    expect(await pttl(bytes('a'))).toSatisfy((t: number) => t > near(2_000)[0] && t <= 2_000);
    expect(await engine.updateTtl('ns', bytes('a'), { kind: 'overwrite', ttlMs: 40_000 })).toBe('set');
    expect(await pttl(bytes('a'))).toSatisfy((t: number) => t > near(40_000)[0] && t <= 40_000);
  });

  it('a collection is a native type at the item key with its header key, both with the PX TTL', async () => {
    const headerKey = (k: Uint8Array) =>
      engine.layout.itemKey(engine.layout.of('ns').headerPrefix[engine.layout.bucketOf(k)]!, k);
    const near = (t: number, ms: number) => t > ms - 1_000 && t <= ms;
    const cases = [
      [
        'hash',
        () => engine.dictionarySet('ns', bytes('d'), [[bytes('f'), bytes('v')]], { ttlMs: 10_000, refreshTtl: true }),
      ],
      [
        'list',
        () => engine.listConcatenate('ns', bytes('l'), 'back', [bytes('v')], { ttlMs: 10_000, refreshTtl: true }),
      ],
      ['set', () => engine.setAdd('ns', bytes('s'), [bytes('v')], { ttlMs: 10_000, refreshTtl: true })],
      [
        'zset',
        () =>
          engine.sortedSetPut('ns', bytes('z'), [{ value: bytes('v'), score: 1 }], { ttlMs: 10_000, refreshTtl: true }),
      ],
    ] as const;
    for (const [type, write] of cases) {
      await write();
      const k = bytes(type === 'hash' ? 'd' : type === 'list' ? 'l' : type === 'set' ? 's' : 'z');
      expect(await engine.client.type(rawKey('ns', k))).toBe(type);
      expect(near(await engine.client.pttl(rawKey('ns', k)), 10_000)).toBe(true);
      expect(near(await engine.client.pttl(headerKey(k)), 10_000)).toBe(true);
    }
    expect(await engine.updateTtl('ns', bytes('d'), { kind: 'overwrite', ttlMs: 40_000 })).toBe('set');
    expect(near(await engine.client.pttl(rawKey('ns', bytes('d'))), 40_000)).toBe(true);
    expect(near(await engine.client.pttl(headerKey(bytes('d'))), 40_000)).toBe(true);
    // Emptying a collection deletes both keys.
    await engine.dictionaryDelete('ns', bytes('d'), [bytes('f')]);
    expect(await engine.client.exists(rawKey('ns', bytes('d')), headerKey(bytes('d')))).toBe(0);
  });

  it('with the system clock, an item expires on the server after its real TTL', async () => {
    const real = await ValkeyEngine.connect({ url: URL, keyPrefix: PREFIX, statsIntervalMs: 0 });
    try {
      await real.set('ns', bytes('short'), bytes('v'), 100);
      expect(await real.get('ns', bytes('short'))).toEqual(bytes('v'));
      // Polls the real condition (the server dropped the key), bounded; no fixed sleep.
      await pollUntil(
        'the server expired the key',
        5_000,
        async () => (await real.client.exists(rawKey('ns', bytes('short')))) === 0,
      );
      expect(await real.get('ns', bytes('short'))).toBeUndefined();
    } finally {
      await real.close();
    }
  });

  it('flushNamespace is O(1): items stay in Redis but are invisible, and writes work at once', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => bytes(`k${i}`));
    for (const k of keys) await engine.set('ns', k, bytes('old'), TTL_MS);
    await engine.flushNamespace('ns');
    expect(await engine.client.exists(...keys.map((k) => rawKey('ns', k)))).toBe(50);
    expect(await engine.keysExist('ns', keys)).toEqual(keys.map(() => false));
    await engine.set('ns', keys[0]!, bytes('new'), TTL_MS);
    expect(await engine.get('ns', keys[0]!)).toEqual(bytes('new'));
    expect(await engine.increment('ns', keys[1]!, 1n, TTL_MS)).toBe(1n);
  });

  it('increment agrees with BigInt arithmetic on int64 boundaries and random values', async () => {
    const edges = [0n, 1n, -1n, 9n, 10n, 999_999_999n, 1_000_000_000n, -1_000_000_000n, INT64_MAX, INT64_MIN];
    edges.push(INT64_MAX - 1n, INT64_MIN + 1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 4_611_686_018_427_387_904n);
    let seed = 7n;
    const random = () => {
      seed = (seed * 6_364_136_223_846_793_005n + 1_442_695_040_888_963_407n) % 2n ** 64n;
      const digits = Number(seed % 19n) + 1;
      const n = (seed >> 5n) % 10n ** BigInt(digits);
      return seed % 2n === 0n ? n : -n;
    };
    const pairs: [bigint, bigint][] = [];
    for (const a of edges) for (const b of edges) pairs.push([a, b]);
    for (let i = 0; i < 200; i++) pairs.push([random(), random()]);
    const calls = pairs.map(async ([a, b], i) => {
      const k = bytes(`inc-${i}`);
      await engine.set('ns', k, bytes(a.toString()), TTL_MS);
      const want = a + b;
      if (want > INT64_MAX || want < INT64_MIN) {
        await expect(engine.increment('ns', k, b, TTL_MS), `${a} + ${b}`).rejects.toMatchObject({ reason: 'overflow' });
        expect(await engine.get('ns', k)).toEqual(bytes(a.toString()));
      } else {
        expect(await engine.increment('ns', k, b, TTL_MS), `${a} + ${b}`).toBe(want);
        expect(Buffer.from((await engine.get('ns', k))!).toString(), `${a} + ${b}`).toBe(want.toString());
      }
    });
    await Promise.all(calls);
  });

  it('namespace names with braces, separators or non-ASCII characters stay independent', async () => {
    const names = ['a}b', 'a', '{a}', '3:a/0', 'ü-cache', ''];
    for (const ns of names) await engine.createNamespace(ns);
    try {
      for (const ns of names) await engine.set(ns, bytes('k'), Buffer.from(`in ${ns}`), TTL_MS);
      for (const ns of names) expect(Buffer.from((await engine.get(ns, bytes('k')))!).toString()).toBe(`in ${ns}`);
      await engine.dropNamespace('a');
      expect(await engine.hasNamespace('a}b')).toBe(true);
      expect(await engine.get('a}b', bytes('k'))).toBeDefined();
    } finally {
      for (const ns of names) await engine.dropNamespace(ns);
    }
  });

  it('keysExist answers 300 keys spread over every bucket in request order', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => bytes(`key-${i}`));
    for (const [i, k] of keys.entries()) if (i % 3 === 0) await engine.set('ns', k, bytes('v'), TTL_MS);
    expect(new Set(keys.map((k) => engine.layout.bucketOf(k))).size).toBe(64);
    expect(await engine.keysExist('ns', keys)).toEqual(keys.map((_, i) => i % 3 === 0));
  });

  it('keysExist([]) on a missing namespace rejects NOT_FOUND like every other item operation', async () => {
    await expect(engine.keysExist('never-created', [])).rejects.toMatchObject({ reason: 'store_not_found' });
  });

  it('a stored value that is not ours (foreign or truncated) reads as a miss, never as data', async () => {
    await engine.client.set(rawKey('ns', bytes('foreign')), 'short', 'PX', 10_000);
    expect(await engine.get('ns', bytes('foreign'))).toBeUndefined();
    expect(await engine.increment('ns', bytes('foreign'), 1n, TTL_MS)).toBe(1n);
  });

  it('operations after close() reject UNAVAILABLE', async () => {
    const other = await ValkeyEngine.connect({ url: URL, keyPrefix: PREFIX, statsIntervalMs: 0 });
    await other.close();
    await expect(other.get('ns', bytes('k'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(other.createNamespace('ns')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('connect to a port where nothing listens rejects UNAVAILABLE within the connect timeout', async () => {
    const started = Date.now();
    await expect(ValkeyEngine.connect({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refreshStats() reads INFO: maxBytes is Infinity (memory is the server’s), counters are numbers', async () => {
    const stats = await engine.refreshStats();
    expect(stats.maxBytes).toBe(Number.POSITIVE_INFINITY);
    expect(stats.items).toBeGreaterThan(0);
    expect(stats.bytesUsed).toBeGreaterThan(0);
    expect(engine.stats()).toBe(stats);
  });
});

describe('parseValkeyUrl', () => {
  it('parses one or several host:port seeds, credentials and TLS', () => {
    expect(parseValkeyUrl('redis://h1:7000,h2:7001')).toMatchObject({
      nodes: [
        { host: 'h1', port: 7000 },
        { host: 'h2', port: 7001 },
      ],
      tls: false,
    });
    expect(parseValkeyUrl('rediss://user:p%40ss@host')).toEqual({
      nodes: [{ host: 'host', port: 6379 }],
      username: 'user',
      password: 'p@ss',
      tls: true,
    });
  });

  it('rejects anything that is not redis:// or rediss://', () => {
    expect(() => parseValkeyUrl('http://h:1')).toThrow(/invalid Valkey URL/);
    expect(() => parseValkeyUrl('redis://h:port')).toThrow(/invalid host:port/);
  });
});
