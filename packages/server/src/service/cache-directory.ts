/**
 * @module service/cache-directory
 * (account, cache name) → cache record, cached in process so the data plane does not query the metadata
 * store on every call.
 */
import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import type { CacheRecord, MetadataStore } from '@cachette/metadata';

type Entry = { readonly record: CacheRecord | undefined; readonly expiresAtMs: number };

const MAX_ENTRIES = 100_000;

/**
 * Resolves cache names. Changes made through this process are seen at once; changes made by another
 * gateway sharing the metadata store within `ttlMs` (a deleted cache keeps answering from the engine's
 * namespace until then; a created one is seen within `negativeTtlMs`).
 */
export class CacheDirectory {
  // account id → cache name → entry: two lookups instead of building an `account/name` key per call.
  private readonly entries = new Map<string, Map<string, Entry>>();
  private size = 0;

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly ttlMs = 5000,
    private readonly negativeTtlMs = 1000,
  ) {}

  /**
   * The cache when this process knows it now (no metadata query, no promise): the data plane's common case.
   * `undefined` when it must be looked up: call {@link resolve}. Throws NOT_FOUND for a cache known absent.
   */
  cached(accountId: string, name: string): CacheRecord | undefined {
    const entry = this.entries.get(accountId)?.get(name);
    if (entry === undefined || entry.expiresAtMs <= this.clock.nowMs()) return undefined;
    if (entry.record === undefined) throw cacheNotFound(name);
    return entry.record;
  }

  /** The cache, or NOT_FOUND naming it. */
  async resolve(accountId: string, name: string): Promise<CacheRecord> {
    const known = this.cached(accountId, name);
    if (known !== undefined) return known;
    const now = this.clock.nowMs();
    const record = await this.metadata.getCache(accountId, name);
    if (this.size >= MAX_ENTRIES) this.clear();
    let caches = this.entries.get(accountId);
    if (caches === undefined) {
      caches = new Map();
      this.entries.set(accountId, caches);
    }
    if (!caches.has(name)) this.size++;
    caches.set(name, { record, expiresAtMs: now + (record ? this.ttlMs : this.negativeTtlMs) });
    if (record === undefined) throw cacheNotFound(name);
    return record;
  }

  /** Forgets every cache (another server changed caches). */
  clear(): void {
    this.entries.clear();
    this.size = 0;
  }

  /** Forgets one cache (after a create or delete through this process). */
  forget(accountId: string, name: string): void {
    if (this.entries.get(accountId)?.delete(name)) this.size--;
  }
}

/** The NOT_FOUND error for an unknown cache; the SDK maps it to CacheNotFoundError. */
export function cacheNotFound(name: string): CacheError {
  return new CacheError(ErrorCode.NOT_FOUND, `cache '${name}' not found`);
}
