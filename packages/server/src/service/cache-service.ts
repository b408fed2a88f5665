/**
 * @module service/cache-service
 * The protocol-agnostic service: every transport calls these methods with an authenticated principal.
 * Every data-plane method is one line naming its descriptor (`scalar-operations.ts`); one wrapper runs
 * them all: validate → authorize, resolve the cache, admit (rate, throughput, plan limits) → engine op,
 * repairing a lost namespace → observe (metrics, metering). Nothing is applied before every check passed.
 * Engine namespaces are cache ids, never names, so two accounts may own caches with the same name.
 *
 * Write-only keys change items but learn nothing about them: they may set, set in batches and delete
 * (answers that do not depend on what was there); every call whose answer reveals an item's existence,
 * value or TTL (get, conditional sets, increment, TTL reads and updates, keys-exist, item type) also needs
 * read access (each descriptor's `permission`).
 */
import { performance } from 'node:perf_hooks';
import { CacheError, type Clock, ErrorCode, isCacheError, validateCacheName } from '@cachette/core';
import type {
  CacheEngine,
  ExistenceCondition,
  ItemType,
  SetCondition,
  SetReturningResult,
  TtlUpdate,
  TtlUpdateResult,
  WriteTtl,
} from '@cachette/engine';
import type { CacheRecord, MetadataStore } from '@cachette/metadata';
import { CacheDirectory, cacheNotFound } from './cache-directory.ts';
import { CollectionService } from './collection-service.ts';
import { LeaderboardService } from './leaderboard-service.ts';
import { type ReportedCacheLimits, reportedCacheLimits, type ServiceLimits } from './limits.ts';
import { noopObserver, type Operation, type OperationObserver } from './observer.ts';
import type { DataOperation, DataPermission, Measure } from './operation.ts';
import { authorize, canSee, type Principal } from './principal.ts';
import {
  type BatchSetItem,
  DELETE,
  GET,
  GET_AND_EXPIRE,
  GET_BATCH,
  INCREMENT,
  ITEM_GET_TTL,
  ITEM_GET_TYPE,
  KEYS_EXIST,
  SET,
  SET_BATCH,
  SET_IF,
  SET_RETURNING,
  UPDATE_TTL,
} from './scalar-operations.ts';

export type { BatchSetItem } from './scalar-operations.ts';

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
  /** Told after a cache was deleted through this process (topic subscriptions end). */
  readonly onCacheDeleted?: (cacheId: string, cacheName: string) => void;
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

/** Caches and items, for any transport. */
export class CacheService {
  private readonly engine: CacheEngine;
  private readonly metadata: MetadataStore;
  private readonly limits: ServiceLimits;
  private readonly directory: CacheDirectory;
  private readonly observer: OperationObserver;
  private readonly limiter: RequestLimiter | undefined;
  private readonly defaultReportedLimits: ReportedCacheLimits;
  private readonly onCacheDeleted: ((cacheId: string, cacheName: string) => void) | undefined;
  /** Scratch for `run`: filled and read synchronously per call (see {@link Measure}). */
  private readonly measure: Measure = { bytesIn: 0, largestItemBytes: 0, longestTtlMs: 0 };
  /** Dictionaries, lists, sets, sorted sets and hash-conditioned scalars, on the same admission path. */
  readonly collections: CollectionService;
  /** Momento's leaderboard service, on the same admission path. */
  readonly leaderboards: LeaderboardService;

  constructor(options: CacheServiceOptions) {
    this.engine = options.engine;
    this.metadata = options.metadata;
    this.limits = options.limits;
    this.directory = new CacheDirectory(options.metadata, options.clock);
    this.observer = options.observer ?? noopObserver;
    this.limiter = options.limiter;
    this.onCacheDeleted = options.onCacheDeleted;
    this.defaultReportedLimits = reportedCacheLimits(options.limits);
    this.collections = new CollectionService(this, options.engine, options.limits);
    this.leaderboards = new LeaderboardService(this, options.engine, options.limits);
  }

  /** Drops the in-process cache directory, e.g. when another server deleted or created caches. */
  forgetCaches(): void {
    this.directory.clear();
  }

  // ── control plane ────────────────────────────────────────────────────────────────────────────

  /** Creates a cache; ALREADY_EXISTS when the account has one of that name. */
  createCache(principal: Principal, name: string): Promise<void> {
    return this.control('createCache', principal, name, async () => {
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
    });
  }

  /** Deletes a cache and every item in it; NOT_FOUND when absent. */
  deleteCache(principal: Principal, name: string): Promise<void> {
    return this.control('deleteCache', principal, name, async () => {
      const record = await this.metadata.deleteCache(principal.accountId, name);
      this.directory.forget(principal.accountId, name);
      this.onCacheDeleted?.(record.id, name);
      await this.engine.dropNamespace(record.id);
    });
  }

  /** Removes every item of a cache; NOT_FOUND when absent. */
  flushCache(principal: Principal, name: string): Promise<void> {
    return this.control('flushCache', principal, name, async () => {
      const record = await this.directory.resolve(principal.accountId, name);
      await this.engine.flushNamespace(record.id);
    });
  }

  /** The caller's caches (those its key can see), ordered by name, with their limits. Any key may list. */
  listCaches(principal: Principal): Promise<CacheInfo[]> {
    return this.control('listCaches', principal, undefined, async () => {
      const records = await this.metadata.listCaches(principal.accountId);
      const limits = this.limiter ? await this.limiter.reportedLimits(principal.accountId) : this.defaultReportedLimits;
      return records.filter((r) => canSee(principal, r.name)).map((r) => ({ name: r.name, limits }));
    });
  }

  // ── data plane ───────────────────────────────────────────────────────────────────────────────
  // Each method names its descriptor (service/scalar-operations.ts); `run` does everything else.

  /** The value, or `undefined` on a miss. */
  get(principal: Principal, cache: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.run(GET, principal, cache, key);
  }

  set(principal: Principal, cache: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    return this.run(SET, principal, cache, key, value, ttlMs);
  }

  /**
   * {@link get} for the hot path: the value (or `undefined`) synchronously when nothing had to wait, else a
   * promise. Throws what fails before anything waited (validation, authorization, limits).
   */
  getNow(
    principal: Principal,
    cache: string,
    key: Uint8Array,
  ): Uint8Array | undefined | Promise<Uint8Array | undefined> {
    return this.exec(GET, principal, cache, key, undefined, undefined, undefined);
  }

  /** {@link set} for the hot path, synchronous when nothing had to wait (see {@link getNow}). */
  setNow(
    principal: Principal,
    cache: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
  ): undefined | Promise<undefined> {
    return this.exec(SET, principal, cache, key, value, ttlMs, undefined) as undefined | Promise<undefined>;
  }

  /** Stores only when `condition` holds; returns whether it stored. */
  setIf(
    principal: Principal,
    cache: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: SetCondition,
  ): Promise<boolean> {
    return this.run(SET_IF, principal, cache, key, value, ttlMs, condition);
  }

  delete(principal: Principal, cache: string, key: Uint8Array): Promise<void> {
    return this.run(DELETE, principal, cache, key);
  }

  /** Adds `amount` to the integer at `key` and returns the new value; `{ keepOr }` keeps a live item's TTL. */
  increment(principal: Principal, cache: string, key: Uint8Array, amount: bigint, ttl: WriteTtl): Promise<bigint> {
    return this.run(INCREMENT, principal, cache, key, amount, ttl);
  }

  /** Redis SET … [NX|XX] [GET] [KEEPTTL], atomically (see {@link CacheEngine.setReturning}). */
  setReturning(
    principal: Principal,
    cache: string,
    key: Uint8Array,
    value: Uint8Array,
    ttl: WriteTtl,
    condition: ExistenceCondition,
    returnPrevious: boolean,
  ): Promise<SetReturningResult> {
    return this.run(SET_RETURNING, principal, cache, key, value, ttl, [condition, returnPrevious] as const);
  }

  /** The value, and atomically its removal (`'delete'`, GETDEL) or a new TTL in ms (GETEX). */
  getAndExpire(
    principal: Principal,
    cache: string,
    key: Uint8Array,
    expiry: number | 'delete',
  ): Promise<Uint8Array | undefined> {
    return this.run(GET_AND_EXPIRE, principal, cache, key, expiry);
  }

  /** Remaining TTL in ms, or `undefined` on a miss. */
  itemGetTtl(principal: Principal, cache: string, key: Uint8Array): Promise<number | undefined> {
    return this.run(ITEM_GET_TTL, principal, cache, key);
  }

  updateTtl(principal: Principal, cache: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult> {
    return this.run(UPDATE_TTL, principal, cache, key, update);
  }

  keysExist(principal: Principal, cache: string, keys: readonly Uint8Array[]): Promise<boolean[]> {
    return this.run(KEYS_EXIST, principal, cache, keys);
  }

  itemGetType(principal: Principal, cache: string, key: Uint8Array): Promise<ItemType | undefined> {
    return this.run(ITEM_GET_TYPE, principal, cache, key);
  }

  /** Values in key order, `undefined` for misses. The whole batch is validated before any read. */
  getBatch(principal: Principal, cache: string, keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    return this.run(GET_BATCH, principal, cache, keys);
  }

  /**
   * Stores every item. The whole batch is validated and admitted first, so an invalid item or a limit fails
   * the call with nothing stored rather than leaving it half-applied.
   */
  setBatch(principal: Principal, cache: string, items: readonly BatchSetItem[]): Promise<void> {
    return this.run(SET_BATCH, principal, cache, items);
  }

  // ── the wrappers ─────────────────────────────────────────────────────────────────────────────

  /**
   * Runs a data-plane operation: validate → authorize, resolve the cache, admit (rate, throughput, plan
   * sizes) → run on the cache's namespace, repairing a lost namespace and retrying once → observe (metrics,
   * metering, throughput charge) → map the failure. Nothing is applied before every check passed.
   */
  private run<A, R>(op: DataOperation<A, void, void, void, R>, principal: Principal, cache: string, a: A): Promise<R>;
  private run<A, B, R>(
    op: DataOperation<A, B, void, void, R>,
    principal: Principal,
    cache: string,
    a: A,
    b: B,
  ): Promise<R>;
  private run<A, B, C, R>(
    op: DataOperation<A, B, C, void, R>,
    principal: Principal,
    cache: string,
    a: A,
    b: B,
    c: C,
  ): Promise<R>;
  private run<A, B, C, D, R>(
    op: DataOperation<A, B, C, D, R>,
    principal: Principal,
    cache: string,
    a: A,
    b: B,
    c: C,
    d: D,
  ): Promise<R>;
  private run<A, B, C, D, R>(
    op: DataOperation<A, B, C, D, R>,
    principal: Principal,
    cache: string,
    a: A,
    // Optional only for the overloads: each overload passes exactly the arguments its descriptor takes.
    b?: B,
    c?: C,
    d?: D,
  ): Promise<R> {
    try {
      const result = this.exec(op, principal, cache, a, b as B, c as C, d as D);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * {@link run}'s steps, answered synchronously when nothing has to wait — the cache is in the directory,
   * the limiter decides at once and the engine has a synchronous form of the operation (the embedded engine
   * for gets and sets) — so a hot call costs no promise and no microtask; otherwise a promise. Throws (rather
   * than rejects) what fails before anything waited.
   */
  private exec<A, B, C, D, R>(
    op: DataOperation<A, B, C, D, R>,
    principal: Principal,
    cache: string,
    a: A,
    b: B,
    c: C,
    d: D,
  ): R | Promise<R> {
    const t0 = performance.now();
    let bytesIn: number;
    let admitted: CacheRecord | Promise<CacheRecord> | undefined;
    try {
      const m = this.measure;
      m.bytesIn = 0;
      m.largestItemBytes = 0;
      m.longestTtlMs = 0;
      op.validate(m, this.limits, a, b, c, d);
      // Read before anything waits: `measure` is shared by every call of this service.
      bytesIn = m.bytesIn;
      admitted = this.admitKnown(principal, cache, op.permission, bytesIn, m.largestItemBytes, m.longestTtlMs);
      admitted ??= this.admit(principal, cache, op.permission, bytesIn, m.largestItemBytes, m.longestTtlMs);
    } catch (e) {
      throw this.failed(op.name, principal, cache, t0, e);
    }
    const sync = this.engine.sync;
    if (admitted instanceof Promise || op.runNow === undefined || sync === undefined) {
      return this.finish(op, principal, cache, t0, bytesIn, admitted, undefined, a, b, c, d);
    }
    let result: R;
    try {
      result = op.runNow(sync, admitted.id, a, b, c, d);
    } catch (e) {
      // Most likely the engine lost the namespace: repair (async) and run again, as the async path does.
      return this.finish(op, principal, cache, t0, bytesIn, admitted, e, a, b, c, d);
    }
    return this.settle(op, principal, cache, t0, bytesIn, admitted, result);
  }

  /** The rest of {@link exec} once something must wait; `firstError` is a synchronous run's failure. */
  private async finish<A, B, C, D, R>(
    op: DataOperation<A, B, C, D, R>,
    principal: Principal,
    cache: string,
    t0: number,
    bytesIn: number,
    admitted: CacheRecord | Promise<CacheRecord>,
    firstError: unknown,
    a: A,
    b: B,
    c: C,
    d: D,
  ): Promise<R> {
    try {
      const record = await admitted;
      let result: R;
      try {
        if (firstError !== undefined) throw firstError;
        result = await op.run(this.engine, record.id, a, b, c, d);
      } catch (e) {
        result = await op.run(this.engine, await this.repair(e, principal, cache), a, b, c, d);
      }
      return this.settle(op, principal, cache, t0, bytesIn, record, result);
    } catch (e) {
      throw this.failed(op.name, principal, cache, t0, e);
    }
  }

  /** Charges the answer's bytes and reports the call. */
  private settle<A, B, C, D, R>(
    op: DataOperation<A, B, C, D, R>,
    principal: Principal,
    cache: string,
    t0: number,
    bytesIn: number,
    record: CacheRecord,
    result: R,
  ): R {
    const bytesOut = op.bytesOut === undefined ? 0 : op.bytesOut(result);
    if (bytesOut > 0) this.limiter?.charge(record, bytesOut);
    this.observer.observe(
      op.name,
      principal.accountId,
      cache,
      op.outcome === undefined ? 'ok' : op.outcome(result),
      performance.now() - t0,
      bytesIn,
      bytesOut,
    );
    return result;
  }

  /**
   * The same steps as {@link run} for operations whose arguments do not fit a static descriptor (the
   * collection service): `prepare` validates and sizes the call, then authorize and admit, `run` on the
   * cache's namespace (re-created once if the engine lost it), charge and observe, and map any failure.
   * `report` gives the response bytes, or -1 for a miss. Costs a few closures per call, which the scalar
   * hot path avoids by using descriptors.
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
      const permission = a.permission === 'read' ? 'read' : a.alsoRead ? 'readWrite' : 'write';
      const record = await this.admit(principal, cache, permission, a.bytesIn, a.largestItemBytes ?? 0, a.ttlMs ?? 0);
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

  /**
   * {@link admit} without an async frame when the cache is in the directory: the record, or a promise of
   * it when the limiter must wait (a plan lookup, a shared-budget lease). `undefined` when the cache must be
   * looked up: call {@link admit} (nothing was admitted here then).
   */
  private admitKnown(
    principal: Principal,
    cache: string,
    permission: DataPermission,
    bytesIn: number,
    largestItemBytes: number,
    longestTtlMs: number,
  ): CacheRecord | Promise<CacheRecord> | undefined {
    if (cache === '') return undefined;
    if (permission === 'read') authorize(principal, cache, 'read');
    else {
      authorize(principal, cache, 'write');
      if (permission === 'readWrite') authorize(principal, cache, 'read');
    }
    const record = this.directory.cached(principal.accountId, cache);
    if (record === undefined) return undefined;
    const verdict = this.limiter?.admit(principal, record, bytesIn, largestItemBytes, longestTtlMs);
    return verdict instanceof Promise ? verdict.then(() => record) : record;
  }

  /**
   * Authorizes `permission` on `cache`, resolves it and passes the limiter; nothing has been applied when
   * this throws. Shared by {@link run} and {@link operate}.
   */
  private async admit(
    principal: Principal,
    cache: string,
    permission: DataPermission,
    bytesIn: number,
    largestItemBytes: number,
    longestTtlMs: number,
  ): Promise<CacheRecord> {
    if (cache === '') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'cache name must not be empty');
    if (permission === 'read') authorize(principal, cache, 'read');
    else {
      authorize(principal, cache, 'write');
      if (permission === 'readWrite') authorize(principal, cache, 'read');
    }
    const record = await this.directory.resolve(principal.accountId, cache);
    if (this.limiter) await this.limiter.admit(principal, record, bytesIn, largestItemBytes, longestTtlMs);
    return record;
  }

  /**
   * Runs a control-plane operation: authorize management and validate `cacheName` (when the operation
   * names a cache), run `body`, observe, map the failure. Control calls are rare, so a closure is fine here.
   */
  private async control<R>(
    op: Operation,
    principal: Principal,
    cacheName: string | undefined,
    body: () => Promise<R>,
  ): Promise<R> {
    const t0 = performance.now();
    const name = cacheName ?? '';
    try {
      if (cacheName !== undefined) {
        authorize(principal, cacheName, 'control');
        validateCacheName(cacheName);
      }
      const result = await body();
      this.observer.observe(op, principal.accountId, name, 'ok', performance.now() - t0, 0, 0);
      return result;
    } catch (e) {
      throw this.failed(op, principal, name, t0, e);
    }
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

  /**
   * The error to throw for a failed operation, reported to the observer. Engines report a missing
   * namespace by id, callers want the cache name. Anything that is not a CacheError is a bug: it is
   * reported as INTERNAL and rethrown unchanged, so the transport logs it with its stack and a request id
   * and answers a generic message (its text never reaches a client).
   */
  private failed(op: Operation, principal: Principal, cache: string, t0: number, e: unknown): unknown {
    let error: unknown = e;
    if (isCacheError(e, ErrorCode.NOT_FOUND) && cache !== '') error = cacheNotFound(cache);
    const outcome = error instanceof CacheError ? error.code : ErrorCode.INTERNAL;
    this.observer.observe(op, principal.accountId, cache, outcome, performance.now() - t0, 0, 0);
    return error;
  }
}
