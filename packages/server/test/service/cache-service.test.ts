/**
 * CacheService on its own: MemoryEngine, an in-memory SQLite metadata store and a manual clock; no
 * server, no transport. The whole-server tests cover the same calls on the wire.
 */
import { CacheError, ErrorCode, ManualClock } from '@cachette/core';
import { type CacheEngine, MemoryEngine } from '@cachette/engine';
import { type CacheRecord, type MetadataStore, openSqliteMetadata } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CacheService, type RequestLimiter } from '../../src/service/cache-service.ts';
import { defaultServiceLimits, type ServiceLimits } from '../../src/service/limits.ts';
import type { Operation, OperationObserver, Outcome } from '../../src/service/observer.ts';
import type { Principal } from '../../src/service/principal.ts';

const b = (s: string) => Buffer.from(s, 'utf8');
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString('utf8'));

interface Observed {
  readonly op: Operation;
  readonly cache: string;
  readonly outcome: Outcome;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Records every admit and charge; refuses when `refuse` is set. */
class RecordingLimiter implements RequestLimiter {
  readonly admitted: Array<{ cache: string; bytesIn: number; largest: number; longest: number }> = [];
  readonly charged: Array<{ cache: string; bytesOut: number }> = [];
  refuse: CacheError | undefined;
  admit(_p: Principal, cache: CacheRecord, bytesIn: number, largest: number, longest: number): void {
    if (this.refuse) throw this.refuse;
    this.admitted.push({ cache: cache.name, bytesIn, largest, longest });
  }
  maxCaches(): number {
    return 2;
  }
  charge(cache: CacheRecord, bytesOut: number): void {
    this.charged.push({ cache: cache.name, bytesOut });
  }
  reportedLimits() {
    return { maxTrafficRate: 7, maxThroughputKbps: 8, maxItemSizeKb: 9, maxTtlSeconds: 10 };
  }
}

describe('CacheService', () => {
  let clock: ManualClock;
  let engine: CacheEngine;
  let metadata: MetadataStore;
  let observed: Observed[];
  let owner: Principal;

  const observer: OperationObserver = {
    observe(op, _accountId, cache, outcome, _ms, bytesIn, bytesOut) {
      observed.push({ op, cache, outcome, bytesIn, bytesOut });
    },
  };
  const make = (options: { limiter?: RequestLimiter; limits?: ServiceLimits; engine?: CacheEngine } = {}) =>
    new CacheService({
      engine: options.engine ?? engine,
      metadata,
      clock,
      limits: options.limits ?? defaultServiceLimits,
      observer,
      ...(options.limiter ? { limiter: options.limiter } : {}),
    });
  const key = (overrides: Partial<Principal>): Principal => ({
    ...owner,
    keyId: 'other',
    canManage: false,
    ...overrides,
  });

  beforeEach(async () => {
    clock = new ManualClock();
    engine = new MemoryEngine({ clock, sweepIntervalMs: 0 });
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
    const account = await metadata.createAccount({ email: 'owner@example.com', provider: 'aws', region: 'us-west-2' });
    owner = {
      accountId: account.id,
      keyId: 'owner',
      scope: { kind: 'all' },
      access: 'readWrite',
      canManage: true,
      expiresAtMs: null,
    };
    observed = [];
  });
  afterEach(async () => {
    await engine.close();
    await metadata.close();
  });

  describe('control plane', () => {
    it('createCache() then listCaches() lists it with the default limits; a second create is ALREADY_EXISTS', async () => {
      const service = make();
      await service.createCache(owner, 'users');
      expect(await service.listCaches(owner)).toEqual([
        {
          name: 'users',
          limits: { maxTrafficRate: 100, maxThroughputKbps: 1024, maxItemSizeKb: 5120, maxTtlSeconds: 86400 },
        },
      ]);
      await expect(service.createCache(owner, 'users')).rejects.toMatchObject({ code: ErrorCode.ALREADY_EXISTS });
      expect(observed.map((o) => `${o.op}:${o.outcome}`)).toEqual([
        'createCache:ok',
        'listCaches:ok',
        'createCache:ALREADY_EXISTS',
      ]);
    });

    it('createCache() refuses an invalid name, a key without management rights, and a cache over the count limit', async () => {
      const service = make({ limits: { ...defaultServiceLimits, maxCachesPerAccount: 1 } });
      await expect(service.createCache(owner, 'bad name')).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      await expect(service.createCache(key({}), 'fine')).rejects.toMatchObject({ code: ErrorCode.PERMISSION_DENIED });
      await service.createCache(owner, 'one');
      await expect(service.createCache(owner, 'two')).rejects.toMatchObject({
        code: ErrorCode.LIMIT_EXCEEDED,
        reason: 'cache_count_limit_exceeded',
      });
    });

    it('the limiter decides the cache count and the limits ListCaches reports', async () => {
      const service = make({ limiter: new RecordingLimiter() });
      await service.createCache(owner, 'a');
      await service.createCache(owner, 'b');
      await expect(service.createCache(owner, 'c')).rejects.toMatchObject({ code: ErrorCode.LIMIT_EXCEEDED });
      expect((await service.listCaches(owner))[0]?.limits.maxTrafficRate).toBe(7);
    });

    it('listCaches() shows a scoped key only its caches', async () => {
      const service = make();
      for (const name of ['a', 'b', 'c']) await service.createCache(owner, name);
      const scoped = key({ scope: { kind: 'caches', caches: ['b'] } });
      expect((await service.listCaches(scoped)).map((c) => c.name)).toEqual(['b']);
    });

    it('flushCache() removes every item; deleteCache() makes the cache NOT_FOUND by name', async () => {
      const service = make();
      await service.createCache(owner, 'c');
      await service.set(owner, 'c', b('k'), b('v'), 60_000);
      await service.flushCache(owner, 'c');
      expect(await service.get(owner, 'c', b('k'))).toBeUndefined();
      await service.deleteCache(owner, 'c');
      await expect(service.get(owner, 'c', b('k'))).rejects.toThrow("cache 'c' not found");
      await expect(service.deleteCache(owner, 'c')).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
    });
  });

  describe('data plane', () => {
    let service: CacheService;
    beforeEach(async () => {
      service = make();
      await service.createCache(owner, 'c');
      observed = [];
    });

    it('set() then get() returns the value; get() reports a hit with bytes in and out, a miss with none out', async () => {
      await service.set(owner, 'c', b('key'), b('value'), 60_000);
      expect(text(await service.get(owner, 'c', b('key')))).toBe('value');
      expect(await service.get(owner, 'c', b('nope'))).toBeUndefined();
      expect(observed).toEqual([
        { op: 'set', cache: 'c', outcome: 'ok', bytesIn: 8, bytesOut: 0 },
        { op: 'get', cache: 'c', outcome: 'hit', bytesIn: 3, bytesOut: 5 },
        { op: 'get', cache: 'c', outcome: 'miss', bytesIn: 4, bytesOut: 0 },
      ]);
    });

    it('get() returns undefined once ttlMs has elapsed on the injected clock; itemGetTtl() counts down', async () => {
      await service.set(owner, 'c', b('k'), b('v'), 10_000);
      clock.advance(4_000);
      expect(await service.itemGetTtl(owner, 'c', b('k'))).toBe(6_000);
      clock.advance(6_000);
      expect(await service.get(owner, 'c', b('k'))).toBeUndefined();
      expect(await service.itemGetTtl(owner, 'c', b('k'))).toBeUndefined();
    });

    it('updateTtl() overwrites, and reports missing for an absent key', async () => {
      await service.set(owner, 'c', b('k'), b('v'), 10_000);
      expect(await service.updateTtl(owner, 'c', b('k'), { kind: 'overwrite', ttlMs: 50_000 })).toBe('set');
      expect(await service.itemGetTtl(owner, 'c', b('k'))).toBe(50_000);
      expect(await service.updateTtl(owner, 'c', b('x'), { kind: 'overwrite', ttlMs: 50_000 })).toBe('missing');
    });

    it('setIf() stores only when the condition holds', async () => {
      expect(await service.setIf(owner, 'c', b('k'), b('1'), 60_000, { kind: 'absent' })).toBe(true);
      expect(await service.setIf(owner, 'c', b('k'), b('2'), 60_000, { kind: 'absent' })).toBe(false);
      expect(await service.setIf(owner, 'c', b('k'), b('3'), 60_000, { kind: 'equal', value: b('1') })).toBe(true);
      expect(text(await service.get(owner, 'c', b('k')))).toBe('3');
    });

    it('delete(), keysExist() and itemGetType() see the same items', async () => {
      await service.set(owner, 'c', b('a'), b('1'), 60_000);
      await service.set(owner, 'c', b('b'), b('2'), 60_000);
      await service.delete(owner, 'c', b('a'));
      expect(await service.keysExist(owner, 'c', [b('a'), b('b')])).toEqual([false, true]);
      expect(await service.itemGetType(owner, 'c', b('b'))).toBe('scalar');
      expect(await service.itemGetType(owner, 'c', b('a'))).toBeUndefined();
    });

    it('increment() adds to the stored integer; an amount outside int64 is INVALID_ARGUMENT', async () => {
      expect(await service.increment(owner, 'c', b('n'), 5n, 60_000)).toBe(5n);
      expect(await service.increment(owner, 'c', b('n'), -7n, 60_000)).toBe(-2n);
      await expect(service.increment(owner, 'c', b('n'), 2n ** 63n, 60_000)).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
      });
    });

    it('getBatch() answers in key order with undefined for misses and reports the bytes returned', async () => {
      await service.setBatch(owner, 'c', [
        { key: b('a'), value: b('11'), ttlMs: 60_000 },
        { key: b('c'), value: b('333'), ttlMs: 60_000 },
      ]);
      const values = await service.getBatch(owner, 'c', [b('a'), b('b'), b('c')]);
      expect(values.map(text)).toEqual(['11', undefined, '333']);
      expect(observed.at(-1)).toEqual({ op: 'getBatch', cache: 'c', outcome: 'ok', bytesIn: 3, bytesOut: 5 });
    });

    it('setBatch() with one invalid item stores nothing', async () => {
      await expect(
        service.setBatch(owner, 'c', [
          { key: b('good'), value: b('v'), ttlMs: 60_000 },
          { key: b(''), value: b('v'), ttlMs: 60_000 },
        ]),
      ).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      expect(await service.get(owner, 'c', b('good'))).toBeUndefined();
    });

    it('arguments are validated before the cache is looked up: an empty key on an unknown cache is INVALID_ARGUMENT', async () => {
      await expect(service.get(owner, 'no-such-cache', b(''))).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
        message: 'key must not be empty',
      });
      await expect(service.set(owner, 'c', b('k'), b('v'), 0)).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
      });
      await expect(
        service.set(owner, 'c', b('k'), Buffer.alloc(defaultServiceLimits.maxItemSizeBytes), 1000),
      ).rejects.toMatchObject({ code: ErrorCode.LIMIT_EXCEEDED, reason: 'item_size_limit_exceeded' });
    });

    it('an unknown or empty cache name fails with NOT_FOUND naming it / INVALID_ARGUMENT, observed with that code', async () => {
      await expect(service.get(owner, 'ghost', b('k'))).rejects.toMatchObject({
        code: ErrorCode.NOT_FOUND,
        message: "cache 'ghost' not found",
      });
      await expect(service.get(owner, '', b('k'))).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      expect(observed.map((o) => o.outcome)).toEqual([ErrorCode.NOT_FOUND, ErrorCode.INVALID_ARGUMENT]);
    });

    it('a read-only key reads but cannot write; a write-only key writes but cannot read or compare', async () => {
      await service.set(owner, 'c', b('k'), b('v'), 60_000);
      const readOnly = key({ access: 'readOnly' });
      expect(text(await service.get(readOnly, 'c', b('k')))).toBe('v');
      await expect(service.set(readOnly, 'c', b('k'), b('x'), 60_000)).rejects.toMatchObject({
        code: ErrorCode.PERMISSION_DENIED,
      });
      const writeOnly = key({ access: 'writeOnly' });
      await service.set(writeOnly, 'c', b('w'), b('x'), 60_000);
      // Even `absent` answers whether the item existed, so write-only keys get no conditional sets at all.
      for (const call of [
        () => service.setIf(writeOnly, 'c', b('new'), b('x'), 60_000, { kind: 'absent' }),
        () => service.get(writeOnly, 'c', b('k')),
        () => service.setIf(writeOnly, 'c', b('k'), b('x'), 60_000, { kind: 'equal', value: b('v') }),
        () => service.increment(writeOnly, 'c', b('n'), 1n, 60_000),
      ]) {
        await expect(call()).rejects.toMatchObject({ code: ErrorCode.PERMISSION_DENIED });
      }
      expect(text(await service.get(owner, 'c', b('k')))).toBe('v');
    });

    it('a key scoped to other caches is PERMISSION_DENIED', async () => {
      const scoped = key({ scope: { kind: 'caches', caches: ['elsewhere'] } });
      await expect(service.get(scoped, 'c', b('k'))).rejects.toMatchObject({
        code: ErrorCode.PERMISSION_DENIED,
        message: "this API key has no access to cache 'c'",
      });
    });

    it('a namespace the engine lost is re-created and the call retried once', async () => {
      await service.set(owner, 'c', b('k'), b('v'), 60_000);
      const record = await metadata.getCache(owner.accountId, 'c');
      await engine.dropNamespace(record?.id ?? '');
      expect(await service.get(owner, 'c', b('k'))).toBeUndefined();
      await service.set(owner, 'c', b('k'), b('again'), 60_000);
      expect(text(await service.get(owner, 'c', b('k')))).toBe('again');
      expect(observed.every((o) => o.outcome !== ErrorCode.NOT_FOUND)).toBe(true);
    });
  });

  describe('admission', () => {
    let limiter: RecordingLimiter;
    let service: CacheService;
    beforeEach(async () => {
      limiter = new RecordingLimiter();
      service = make({ limiter });
      await service.createCache(owner, 'c');
    });

    it('writes pass their bytes, largest item and longest TTL to the limiter; reads are charged the bytes returned', async () => {
      await service.set(owner, 'c', b('k'), b('vvvv'), 30_000);
      await service.setIf(owner, 'c', b('k2'), b('vv'), 40_000, { kind: 'absent' });
      await service.setBatch(owner, 'c', [
        { key: b('a'), value: b('1'), ttlMs: 10_000 },
        { key: b('b'), value: b('12345'), ttlMs: 20_000 },
      ]);
      await service.get(owner, 'c', b('k'));
      expect(limiter.admitted).toEqual([
        { cache: 'c', bytesIn: 5, largest: 5, longest: 30_000 },
        { cache: 'c', bytesIn: 4, largest: 4, longest: 40_000 },
        { cache: 'c', bytesIn: 8, largest: 6, longest: 20_000 },
        { cache: 'c', bytesIn: 1, largest: 0, longest: 0 },
      ]);
      expect(limiter.charged).toEqual([{ cache: 'c', bytesOut: 4 }]);
    });

    it('a refused call applies nothing and is observed with the limiter’s code', async () => {
      limiter.refuse = new CacheError(ErrorCode.LIMIT_EXCEEDED, 'slow down', 'operations_rate_limit_exceeded');
      await expect(service.set(owner, 'c', b('k'), b('v'), 60_000)).rejects.toBe(limiter.refuse);
      limiter.refuse = undefined;
      expect(await service.get(owner, 'c', b('k'))).toBeUndefined();
      expect(observed.find((o) => o.op === 'set')?.outcome).toBe(ErrorCode.LIMIT_EXCEEDED);
    });
  });

  it('an engine that throws a non-CacheError: the error is rethrown unchanged (never wrapped with its text) and observed as INTERNAL', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    class FaultyEngine extends MemoryEngine {
      // The synchronous form is what the service's hot path calls (and what the async `get` delegates to).
      override getNow(): Uint8Array | undefined {
        throw bug;
      }
    }
    const faulty = new FaultyEngine({ clock, sweepIntervalMs: 0 });
    const service = make({ engine: faulty });
    await service.createCache(owner, 'c');
    await expect(service.get(owner, 'c', b('k'))).rejects.toBe(bug);
    expect(observed.at(-1)).toMatchObject({ op: 'get', outcome: ErrorCode.INTERNAL });
    await faulty.close();
  });
});
