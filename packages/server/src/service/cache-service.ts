/**
 * @module service/cache-service
 * The protocol-agnostic service: every transport calls these methods with an authenticated principal.
 * Order on every call: authorize (cache, permission) → validate → resolve cache → engine op. Engine
 * namespaces are cache ids, never names, so two accounts may own caches with the same name.
 */
import {
  type CacheEngine,
  CacheError,
  type Clock,
  ErrorCode,
  type ItemType,
  isCacheError,
  type SetCondition,
  type TtlUpdate,
  type TtlUpdateResult,
} from '@cachette/engine';
import type { MetadataStore } from '@cachette/metadata';
import { CacheDirectory, cacheNotFound } from './cache-directory.ts';
import { type ReportedCacheLimits, reportedCacheLimits, type ServiceLimits } from './limits.ts';
import { authorize, canSee, type Principal } from './principal.ts';
import { validateBatchSize, validateCacheName, validateItemSize, validateKey, validateTtlMs } from './validation.ts';

export interface CacheServiceOptions {
  readonly engine: CacheEngine;
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  readonly limits: ServiceLimits;
}

/** One cache as ListCaches reports it. */
export interface CacheInfo {
  readonly name: string;
  readonly limits: ReportedCacheLimits;
}

/** One item of a SetBatch call. */
export interface BatchSetItem {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
  readonly ttlMs: number;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Caches and items, for any transport. */
export class CacheService {
  private readonly engine: CacheEngine;
  private readonly metadata: MetadataStore;
  private readonly limits: ServiceLimits;
  private readonly directory: CacheDirectory;
  private readonly cacheLimits: ReportedCacheLimits;

  constructor(options: CacheServiceOptions) {
    this.engine = options.engine;
    this.metadata = options.metadata;
    this.limits = options.limits;
    this.directory = new CacheDirectory(options.metadata, options.clock);
    this.cacheLimits = reportedCacheLimits(options.limits);
  }

  // ── control plane ────────────────────────────────────────────────────────────────────────────

  /** Creates a cache; ALREADY_EXISTS when the account has one of that name. */
  async createCache(principal: Principal, name: string): Promise<void> {
    authorize(principal, name, 'control');
    validateCacheName(name);
    const count = await this.metadata.countCaches(principal.accountId);
    if (count >= this.limits.maxCachesPerAccount) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `this account already has ${count} caches, the maximum; delete one before creating another`,
        'cache_count_limit_exceeded',
      );
    }
    const record = await this.metadata.createCache(principal.accountId, name);
    this.directory.forget(principal.accountId, name);
    await this.engine.createNamespace(record.id);
  }

  /** Deletes a cache and every item in it; NOT_FOUND when absent. */
  async deleteCache(principal: Principal, name: string): Promise<void> {
    authorize(principal, name, 'control');
    validateCacheName(name);
    const record = await this.metadata.deleteCache(principal.accountId, name).catch((e: unknown) => {
      throw isCacheError(e, ErrorCode.NOT_FOUND) ? cacheNotFound(name) : e;
    });
    this.directory.forget(principal.accountId, name);
    await this.engine.dropNamespace(record.id);
  }

  /** Removes every item of a cache; NOT_FOUND when absent. */
  async flushCache(principal: Principal, name: string): Promise<void> {
    authorize(principal, name, 'control');
    validateCacheName(name);
    const record = await this.directory.resolve(principal.accountId, name);
    await this.engine.flushNamespace(record.id).catch((e: unknown) => this.rethrow(e, name));
  }

  /** The caller's caches (those its key can see), ordered by name. */
  async listCaches(principal: Principal): Promise<CacheInfo[]> {
    const records = await this.metadata.listCaches(principal.accountId);
    return records.filter((r) => canSee(principal, r.name)).map((r) => ({ name: r.name, limits: this.cacheLimits }));
  }

  // ── data plane ───────────────────────────────────────────────────────────────────────────────

  /** The value, or `undefined` on a miss. */
  async get(principal: Principal, cache: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    const ns = await this.namespace(principal, cache, 'read');
    validateKey(key);
    try {
      return await this.engine.get(ns, key);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  async set(principal: Principal, cache: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    const ns = await this.namespace(principal, cache, 'write');
    this.validateWrite(key, value, ttlMs);
    try {
      await this.engine.set(ns, key, value, ttlMs);
    } catch (e) {
      this.rethrow(e, cache);
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
    // A conditional set reads the item too, so a write-only key may not learn its state through it.
    const ns = await this.namespace(principal, cache, 'write', condition.kind === 'absent' ? undefined : 'read');
    this.validateWrite(key, value, ttlMs);
    try {
      return await this.engine.setIf(ns, key, value, ttlMs, condition);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  async delete(principal: Principal, cache: string, key: Uint8Array): Promise<void> {
    const ns = await this.namespace(principal, cache, 'write');
    validateKey(key);
    try {
      await this.engine.delete(ns, key);
    } catch (e) {
      this.rethrow(e, cache);
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
    const ns = await this.namespace(principal, cache, 'write', 'read');
    validateKey(key);
    validateTtlMs(ttlMs, this.limits);
    if (amount < INT64_MIN || amount > INT64_MAX) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'increment amount must be a signed 64-bit integer');
    }
    try {
      return await this.engine.increment(ns, key, amount, ttlMs);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  /** Remaining TTL in ms, or `undefined` on a miss. */
  async itemGetTtl(principal: Principal, cache: string, key: Uint8Array): Promise<number | undefined> {
    const ns = await this.namespace(principal, cache, 'read');
    validateKey(key);
    try {
      return await this.engine.itemGetTtl(ns, key);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  async updateTtl(principal: Principal, cache: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult> {
    const ns = await this.namespace(principal, cache, 'write');
    validateKey(key);
    validateTtlMs(update.ttlMs, this.limits);
    try {
      return await this.engine.updateTtl(ns, key, update);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  async keysExist(principal: Principal, cache: string, keys: readonly Uint8Array[]): Promise<boolean[]> {
    const ns = await this.namespace(principal, cache, 'read');
    validateBatchSize(keys.length, this.limits);
    for (const key of keys) validateKey(key);
    try {
      return await this.engine.keysExist(ns, keys);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  async itemGetType(principal: Principal, cache: string, key: Uint8Array): Promise<ItemType | undefined> {
    const ns = await this.namespace(principal, cache, 'read');
    validateKey(key);
    try {
      return await this.engine.itemGetType(ns, key);
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  /** Values in key order, `undefined` for misses. The whole batch is validated before any read. */
  async getBatch(
    principal: Principal,
    cache: string,
    keys: readonly Uint8Array[],
  ): Promise<(Uint8Array | undefined)[]> {
    const ns = await this.namespace(principal, cache, 'read');
    validateBatchSize(keys.length, this.limits);
    for (const key of keys) validateKey(key);
    try {
      return await Promise.all(keys.map((key) => this.engine.get(ns, key)));
    } catch (e) {
      return this.rethrow(e, cache);
    }
  }

  /**
   * Stores every item. The whole batch is validated first, so an invalid item fails the call with nothing
   * stored rather than leaving it half-applied.
   */
  async setBatch(principal: Principal, cache: string, items: readonly BatchSetItem[]): Promise<void> {
    const ns = await this.namespace(principal, cache, 'write');
    validateBatchSize(items.length, this.limits);
    for (const item of items) this.validateWrite(item.key, item.value, item.ttlMs);
    try {
      await Promise.all(items.map((item) => this.engine.set(ns, item.key, item.value, item.ttlMs)));
    } catch (e) {
      this.rethrow(e, cache);
    }
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────

  private async namespace(
    principal: Principal,
    cache: string,
    permission: 'read' | 'write',
    alsoNeeds?: 'read',
  ): Promise<string> {
    if (cache === '') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'cache name must not be empty');
    authorize(principal, cache, permission);
    if (alsoNeeds) authorize(principal, cache, alsoNeeds);
    const record = await this.directory.resolve(principal.accountId, cache);
    return record.id;
  }

  private validateWrite(key: Uint8Array, value: Uint8Array, ttlMs: number): void {
    validateKey(key);
    validateTtlMs(ttlMs, this.limits);
    validateItemSize(key, value, this.limits);
  }

  /** Engines report a missing namespace by id; callers want the cache name. */
  private rethrow(e: unknown, cache: string): never {
    if (isCacheError(e, ErrorCode.NOT_FOUND)) throw cacheNotFound(cache);
    if (e instanceof CacheError) throw e;
    throw new CacheError(ErrorCode.INTERNAL, `internal error in the cache engine: ${(e as Error)?.message ?? e}`);
  }
}
