/**
 * @module service/cache-service
 * The protocol-agnostic service: every transport calls these methods with an authenticated principal.
 * Order on every data-plane call: authorize (cache, permission) → validate → resolve cache → admit
 * (rate and throughput limits) → engine op → observe (metrics, metering). Nothing is applied before every
 * check passed. Engine namespaces are cache ids, never names, so two accounts may own caches with the
 * same name.
 */
import { performance } from 'node:perf_hooks';
import {
  CacheError,
  type Clock,
  ErrorCode,
  INT64_MAX,
  INT64_MIN,
  isCacheError,
  validateCacheName,
} from '@cachette/core';
import type { CacheEngine, ItemType, SetCondition, TtlUpdate, TtlUpdateResult } from '@cachette/engine';
import type { CacheRecord, MetadataStore } from '@cachette/metadata';
import { CacheDirectory, cacheNotFound } from './cache-directory.ts';
import { CollectionService } from './collection-service.ts';
import { type ReportedCacheLimits, reportedCacheLimits, type ServiceLimits } from './limits.ts';
import { noopObserver, type Operation, type OperationObserver } from './observer.ts';
import { authorize, canSee, type Principal } from './principal.ts';
import { validateBatchSize, validateItemSize, validateKey, validateTtlMs } from './validation.ts';

/** Admission control for data-plane calls (per-cache rate and throughput limits). */
export interface RequestLimiter {
  /**
   * Throws LIMIT_EXCEEDED when `cache` may not take a request of `bytesIn` bytes now, or when an item
   * (`largestItemBytes`) or TTL (`longestTtlMs`; 0 for reads) is beyond the account's plan.
   */
  admit(
    principal: Principal,
    cache: CacheRecord,
    bytesIn: number,
    largestItemBytes: number,
    longestTtlMs: number,
  ): void | Promise<void>;
  /** Caches the account may own. */
  maxCaches(accountId: string): number | Promise<number>;
  /** Counts response bytes against the cache's throughput once they are known. */
  charge(cache: CacheRecord, bytesOut: number): void;
  /** What ListCaches reports for the account's caches. */
  reportedLimits(accountId: string): ReportedCacheLimits | Promise<ReportedCacheLimits>;
}

export interface CacheServiceOptions {
  readonly engine: CacheEngine;
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  readonly limits: ServiceLimits;
  readonly observer?: OperationObserver;
  readonly limiter?: RequestLimiter;
}

/** One cache as ListCaches reports it. */
export interface CacheInfo {
  readonly name: string;
  readonly limits: ReportedCacheLimits;
}

/**
 * What one data-plane operation asks of admission, computed by its `prepare` step once its arguments are
 * valid (see {@link CacheService.operate}).
 */
export interface Admission {
  readonly permission: 'read' | 'write';
  /** A write whose answer reveals the item's state also needs read permission. */
  readonly alsoRead?: boolean;
  /** Whether the outcome is a hit or a miss (reads) rather than `ok`. */
  readonly hitOrMiss?: boolean;
  /** Request bytes, metered and counted against throughput. */
  readonly bytesIn: number;
  /** The largest item the request writes, for plan limits. */
  readonly largestItemBytes?: number;
  /** The TTL the request writes, for plan limits. */
  readonly ttlMs?: number;
}

/** One item of a SetBatch call. */
export interface BatchSetItem {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly ttlMs: number;
}

function valueBytesOf(condition: SetCondition): number {
  return 'value' in condition ? condition.value.byteLength : 0;
}

/** Caches and items, for any transport. */
export class CacheService {
  private readonly engine: CacheEngine;
  private readonly metadata: MetadataStore;
  private readonly limits: ServiceLimits;
  private readonly directory: CacheDirectory;
  private readonly observer: OperationObserver;
  private readonly limiter: RequestLimiter | undefined;
  private readonly defaultReportedLimits: ReportedCacheLimits;
  /** Dictionaries, lists, sets, sorted sets and hash-conditioned scalars, on the same admission path. */
  readonly collections: CollectionService;

  constructor(options: CacheServiceOptions) {
    this.engine = options.engine;
    this.metadata = options.metadata;
    this.limits = options.limits;
    this.directory = new CacheDirectory(options.metadata, options.clock);
    this.observer = options.observer ?? noopObserver;
    this.limiter = options.limiter;
    this.defaultReportedLimits = reportedCacheLimits(options.limits);
    this.collections = new CollectionService(this, options.engine, options.limits);
  }

  /** Drops the in-process cache directory, e.g. when another server deleted or created caches. */
  forgetCaches(): void {
    this.directory.clear();
  }

  // ── control plane ────────────────────────────────────────────────────────────────────────────

  /** Creates a cache; ALREADY_EXISTS when the account has one of that name. */
  async createCache(principal: Principal, name: string): Promise<void> {
    const t0 = performance.now();
    try {
      authorize(principal, name, 'control');
      validateCacheName(name);
      const count = await this.metadata.countCaches(principal.accountId);
      const max = this.limiter ? await this.limiter.maxCaches(principal.accountId) : this.limits.maxCachesPerAccount;
      if (count >= max) {
        throw new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `this account already has ${count} caches, the maximum; delete one before creating another`,
          'cache_count_limit_exceeded',
        );
      }
      const record = await this.metadata.createCache(principal.accountId, name);
      this.directory.forget(principal.accountId, name);
      await this.engine.createNamespace(record.id);
      this.done('createCache', principal, name, t0);
    } catch (e) {
      throw this.failed('createCache', principal, name, t0, e);
    }
  }

  /** Deletes a cache and every item in it; NOT_FOUND when absent. */
  async deleteCache(principal: Principal, name: string): Promise<void> {
    const t0 = performance.now();
    try {
      authorize(principal, name, 'control');
      validateCacheName(name);
      const record = await this.metadata.deleteCache(principal.accountId, name);
      this.directory.forget(principal.accountId, name);
      await this.engine.dropNamespace(record.id);
      this.done('deleteCache', principal, name, t0);
    } catch (e) {
      throw this.failed('deleteCache', principal, name, t0, e);
    }
  }

  /** Removes every item of a cache; NOT_FOUND when absent. */
  async flushCache(principal: Principal, name: string): Promise<void> {
    const t0 = performance.now();
    try {
      authorize(principal, name, 'control');
      validateCacheName(name);
      const record = await this.directory.resolve(principal.accountId, name);
      await this.engine.flushNamespace(record.id);
      this.done('flushCache', principal, name, t0);
    } catch (e) {
      throw this.failed('flushCache', principal, name, t0, e);
    }
  }

  /** The caller's caches (those its key can see), ordered by name, with their limits. */
  async listCaches(principal: Principal): Promise<CacheInfo[]> {
    const t0 = performance.now();
    try {
      const records = await this.metadata.listCaches(principal.accountId);
      const limits = this.limiter ? await this.limiter.reportedLimits(principal.accountId) : this.defaultReportedLimits;
      const result = records.filter((r) => canSee(principal, r.name)).map((r) => ({ name: r.name, limits }));
      this.done('listCaches', principal, '', t0);
      return result;
    } catch (e) {
      throw this.failed('listCaches', principal, '', t0, e);
    }
  }

  // ── data plane ───────────────────────────────────────────────────────────────────────────────

  /** The value, or `undefined` on a miss. */
  async get(principal: Principal, cache: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    const t0 = performance.now();
    try {
      validateKey(key);
      const record = await this.admit(principal, cache, 'read', undefined, key.byteLength);
      let value: Uint8Array | undefined;
      try {
        value = await this.engine.get(record.id, key);
      } catch (e) {
        value = await this.engine.get(await this.repair(e, principal, cache), key);
      }
      const out = value === undefined ? 0 : value.byteLength;
      this.limiter?.charge(record, out);
      this.observer.observe(
        'get',
        principal.accountId,
        cache,
        value === undefined ? 'miss' : 'hit',
        performance.now() - t0,
        key.byteLength,
        out,
      );
      return value;
    } catch (e) {
      throw this.failed('get', principal, cache, t0, e);
    }
  }

  async set(principal: Principal, cache: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    const t0 = performance.now();
    try {
      this.validateWrite(key, value, ttlMs);
      const bytesIn = key.byteLength + value.byteLength;
      const record = await this.admit(
        principal,
        cache,
        'write',
        undefined,
        bytesIn,
        key.byteLength + value.byteLength,
        ttlMs,
      );
      try {
        await this.engine.set(record.id, key, value, ttlMs);
      } catch (e) {
        await this.engine.set(await this.repair(e, principal, cache), key, value, ttlMs);
      }
      this.observer.observe('set', principal.accountId, cache, 'ok', performance.now() - t0, bytesIn, 0);
    } catch (e) {
      throw this.failed('set', principal, cache, t0, e);
    }
  }

  /** Stores only when `condition` holds; returns whether it stored. */
  async setIf(
    principal: Principal,
    cache: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: SetCondition,
  ): Promise<boolean> {
    const t0 = performance.now();
    try {
      this.validateWrite(key, value, ttlMs);
      const bytesIn = key.byteLength + value.byteLength + valueBytesOf(condition);
      // A conditional set reveals the item's state, so a write-only key may only use `absent`.
      const record = await this.admit(
        principal,
        cache,
        'write',
        condition.kind === 'absent' ? undefined : 'read',
        bytesIn,
      );
      let stored: boolean;
      try {
        stored = await this.engine.setIf(record.id, key, value, ttlMs, condition);
      } catch (e) {
        stored = await this.engine.setIf(await this.repair(e, principal, cache), key, value, ttlMs, condition);
      }
      this.observer.observe('setIf', principal.accountId, cache, 'ok', performance.now() - t0, bytesIn, 0);
      return stored;
    } catch (e) {
      throw this.failed('setIf', principal, cache, t0, e);
    }
  }

  async delete(principal: Principal, cache: string, key: Uint8Array): Promise<void> {
    const t0 = performance.now();
    try {
      validateKey(key);
      const record = await this.admit(principal, cache, 'write', undefined, key.byteLength);
      try {
        await this.engine.delete(record.id, key);
      } catch (e) {
        await this.engine.delete(await this.repair(e, principal, cache), key);
      }
      this.observer.observe('delete', principal.accountId, cache, 'ok', performance.now() - t0, key.byteLength, 0);
    } catch (e) {
      throw this.failed('delete', principal, cache, t0, e);
    }
  }

  /** Adds `amount` to the integer at `key` and returns the new value. */
  async increment(
    principal: Principal,
    cache: string,
    key: Uint8Array,
    amount: bigint,
    ttlMs: number,
  ): Promise<bigint> {
    const t0 = performance.now();
    try {
      validateKey(key);
      validateTtlMs(ttlMs, this.limits);
      if (amount < INT64_MIN || amount > INT64_MAX) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'increment amount must be a signed 64-bit integer');
      }
      const record = await this.admit(principal, cache, 'write', 'read', key.byteLength, key.byteLength + 20, ttlMs);
      let value: bigint;
      try {
        value = await this.engine.increment(record.id, key, amount, ttlMs);
      } catch (e) {
        value = await this.engine.increment(await this.repair(e, principal, cache), key, amount, ttlMs);
      }
      this.observer.observe('increment', principal.accountId, cache, 'ok', performance.now() - t0, key.byteLength, 0);
      return value;
    } catch (e) {
      throw this.failed('increment', principal, cache, t0, e);
    }
  }

  /** Remaining TTL in ms, or `undefined` on a miss. */
  async itemGetTtl(principal: Principal, cache: string, key: Uint8Array): Promise<number | undefined> {
    const t0 = performance.now();
    try {
      validateKey(key);
      const record = await this.admit(principal, cache, 'read', undefined, key.byteLength);
      let ttl: number | undefined;
      try {
        ttl = await this.engine.itemGetTtl(record.id, key);
      } catch (e) {
        ttl = await this.engine.itemGetTtl(await this.repair(e, principal, cache), key);
      }
      this.observer.observe(
        'itemGetTtl',
        principal.accountId,
        cache,
        ttl === undefined ? 'miss' : 'hit',
        performance.now() - t0,
        key.byteLength,
        0,
      );
      return ttl;
    } catch (e) {
      throw this.failed('itemGetTtl', principal, cache, t0, e);
    }
  }

  async updateTtl(principal: Principal, cache: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult> {
    const t0 = performance.now();
    try {
      validateKey(key);
      validateTtlMs(update.ttlMs, this.limits);
      const record = await this.admit(principal, cache, 'write', undefined, key.byteLength, 0, update.ttlMs);
      let result: TtlUpdateResult;
      try {
        result = await this.engine.updateTtl(record.id, key, update);
      } catch (e) {
        result = await this.engine.updateTtl(await this.repair(e, principal, cache), key, update);
      }
      this.observer.observe('updateTtl', principal.accountId, cache, 'ok', performance.now() - t0, key.byteLength, 0);
      return result;
    } catch (e) {
      throw this.failed('updateTtl', principal, cache, t0, e);
    }
  }

  async keysExist(principal: Principal, cache: string, keys: readonly Uint8Array[]): Promise<boolean[]> {
    const t0 = performance.now();
    try {
      validateBatchSize(keys.length, this.limits);
      let bytesIn = 0;
      for (const key of keys) {
        validateKey(key);
        bytesIn += key.byteLength;
      }
      const record = await this.admit(principal, cache, 'read', undefined, bytesIn);
      let exists: boolean[];
      try {
        exists = await this.engine.keysExist(record.id, keys);
      } catch (e) {
        exists = await this.engine.keysExist(await this.repair(e, principal, cache), keys);
      }
      this.observer.observe('keysExist', principal.accountId, cache, 'ok', performance.now() - t0, bytesIn, 0);
      return exists;
    } catch (e) {
      throw this.failed('keysExist', principal, cache, t0, e);
    }
  }

  async itemGetType(principal: Principal, cache: string, key: Uint8Array): Promise<ItemType | undefined> {
    const t0 = performance.now();
    try {
      validateKey(key);
      const record = await this.admit(principal, cache, 'read', undefined, key.byteLength);
      let type: ItemType | undefined;
      try {
        type = await this.engine.itemGetType(record.id, key);
      } catch (e) {
        type = await this.engine.itemGetType(await this.repair(e, principal, cache), key);
      }
      this.observer.observe(
        'itemGetType',
        principal.accountId,
        cache,
        type === undefined ? 'miss' : 'hit',
        performance.now() - t0,
        key.byteLength,
        0,
      );
      return type;
    } catch (e) {
      throw this.failed('itemGetType', principal, cache, t0, e);
    }
  }

  /** Values in key order, `undefined` for misses. The whole batch is validated before any read. */
  async getBatch(
    principal: Principal,
    cache: string,
    keys: readonly Uint8Array[],
  ): Promise<(Uint8Array | undefined)[]> {
    const t0 = performance.now();
    try {
      validateBatchSize(keys.length, this.limits);
      let bytesIn = 0;
      for (const key of keys) {
        validateKey(key);
        bytesIn += key.byteLength;
      }
      const record = await this.admit(principal, cache, 'read', undefined, bytesIn);
      let values: (Uint8Array | undefined)[];
      try {
        values = await Promise.all(keys.map((key) => this.engine.get(record.id, key)));
      } catch (e) {
        const ns = await this.repair(e, principal, cache);
        values = await Promise.all(keys.map((key) => this.engine.get(ns, key)));
      }
      let out = 0;
      for (const v of values) if (v !== undefined) out += v.byteLength;
      this.limiter?.charge(record, out);
      this.observer.observe('getBatch', principal.accountId, cache, 'ok', performance.now() - t0, bytesIn, out);
      return values;
    } catch (e) {
      throw this.failed('getBatch', principal, cache, t0, e);
    }
  }

  /**
   * Stores every item. The whole batch is validated and admitted first, so an invalid item or a limit fails
   * the call with nothing stored rather than leaving it half-applied.
   */
  async setBatch(principal: Principal, cache: string, items: readonly BatchSetItem[]): Promise<void> {
    const t0 = performance.now();
    try {
      validateBatchSize(items.length, this.limits);
      let bytesIn = 0;
      let largest = 0;
      let longest = 0;
      for (const item of items) {
        this.validateWrite(item.key, item.value, item.ttlMs);
        const size = item.key.byteLength + item.value.byteLength;
        bytesIn += size;
        if (size > largest) largest = size;
        if (item.ttlMs > longest) longest = item.ttlMs;
      }
      const record = await this.admit(principal, cache, 'write', undefined, bytesIn, largest, longest);
      try {
        await Promise.all(items.map((item) => this.engine.set(record.id, item.key, item.value, item.ttlMs)));
      } catch (e) {
        const ns = await this.repair(e, principal, cache);
        await Promise.all(items.map((item) => this.engine.set(ns, item.key, item.value, item.ttlMs)));
      }
      this.observer.observe('setBatch', principal.accountId, cache, 'ok', performance.now() - t0, bytesIn, 0);
    } catch (e) {
      throw this.failed('setBatch', principal, cache, t0, e);
    }
  }

  /**
   * Runs one data-plane operation through the shared steps: `prepare` validates and sizes it, then
   * authorize and admit, `run` on the cache's namespace (re-created once if the engine lost it), charge and
   * observe, and map any failure. `report` gives the response bytes, or -1 for a miss. The collection
   * service uses it for every method.
   */
  async operate<T>(
    op: Operation,
    principal: Principal,
    cache: string,
    prepare: () => Admission,
    run: (ns: string) => Promise<T>,
    report: (result: T) => number,
  ): Promise<T> {
    const t0 = performance.now();
    try {
      const a = prepare();
      const record = await this.admit(
        principal,
        cache,
        a.permission,
        a.alsoRead ? 'read' : undefined,
        a.bytesIn,
        a.largestItemBytes ?? 0,
        a.ttlMs ?? 0,
      );
      let result: T;
      try {
        result = await run(record.id);
      } catch (e) {
        result = await run(await this.repair(e, principal, cache));
      }
      const out = report(result);
      if (out > 0) this.limiter?.charge(record, out);
      const outcome = out < 0 ? 'miss' : a.hitOrMiss ? 'hit' : 'ok';
      this.observer.observe(
        op,
        principal.accountId,
        cache,
        outcome,
        performance.now() - t0,
        a.bytesIn,
        Math.max(0, out),
      );
      return result;
    } catch (e) {
      throw this.failed(op, principal, cache, t0, e);
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  /** Authorizes, resolves the cache and passes the limiter; nothing has been applied when this throws. */
  private async admit(
    principal: Principal,
    cache: string,
    permission: 'read' | 'write',
    alsoNeeds: 'read' | undefined,
    bytesIn: number,
    largestItemBytes = 0,
    longestTtlMs = 0,
  ): Promise<CacheRecord> {
    if (cache === '') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'cache name must not be empty');
    authorize(principal, cache, permission);
    if (alsoNeeds) authorize(principal, cache, alsoNeeds);
    const record = await this.directory.resolve(principal.accountId, cache);
    if (this.limiter) await this.limiter.admit(principal, record, bytesIn, largestItemBytes, longestTtlMs);
    return record;
  }

  /**
   * After an engine reported a missing namespace for a cache the directory knows: re-reads the metadata
   * store and, when the cache really exists, re-creates its namespace so the caller can retry once. This
   * heals an engine that lost namespaces: another gateway's embedded engine, or a cluster shard that
   * restarted empty. Anything else is rethrown unchanged.
   */
  private async repair(e: unknown, principal: Principal, cache: string): Promise<string> {
    if (!isCacheError(e, ErrorCode.NOT_FOUND)) throw e;
    this.directory.forget(principal.accountId, cache);
    const fresh = await this.directory.resolve(principal.accountId, cache); // NOT_FOUND if really gone
    await this.engine.createNamespace(fresh.id);
    return fresh.id;
  }

  private validateWrite(key: Uint8Array, value: Uint8Array, ttlMs: number): void {
    validateKey(key);
    validateTtlMs(ttlMs, this.limits);
    validateItemSize(key, value, this.limits);
  }

  private done(op: Operation, principal: Principal, cache: string, t0: number): void {
    this.observer.observe(op, principal.accountId, cache, 'ok', performance.now() - t0, 0, 0);
  }

  /**
   * The error to throw for a failed operation, reported to the observer. Engines report a missing
   * namespace by id, callers want the cache name; anything that is not a CacheError is a bug → INTERNAL.
   */
  private failed(op: Operation, principal: Principal, cache: string, t0: number, e: unknown): CacheError {
    let error: CacheError;
    if (isCacheError(e, ErrorCode.NOT_FOUND) && cache !== '') error = cacheNotFound(cache);
    else if (e instanceof CacheError) error = e;
    else error = new CacheError(ErrorCode.INTERNAL, `internal error: ${(e as Error)?.message ?? String(e)}`);
    this.observer.observe(op, principal.accountId, cache, error.code, performance.now() - t0, 0, 0);
    return error;
  }
}
