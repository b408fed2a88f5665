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
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly metadata: MetadataStore,
    private readonly clock: Clock,
    private readonly ttlMs = 5000,
    private readonly negativeTtlMs = 1000,
  ) {}

  /** The cache, or NOT_FOUND naming it. */
  async resolve(accountId: string, name: string): Promise<CacheRecord> {
    const id = `${accountId}/${name}`;
    const now = this.clock.nowMs();
    let entry = this.entries.get(id);
    if (entry === undefined || entry.expiresAtMs <= now) {
      const record = await this.metadata.getCache(accountId, name);
      entry = { record, expiresAtMs: now + (record ? this.ttlMs : this.negativeTtlMs) };
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(id, entry);
    }
    if (entry.record === undefined) throw cacheNotFound(name);
    return entry.record;
  }

  /** Forgets every cache (another server changed caches). */
  clear(): void {
    this.entries.clear();
  }

  /** Forgets one cache (after a create or delete through this process). */
  forget(accountId: string, name: string): void {
    this.entries.delete(`${accountId}/${name}`);
  }
}

/** The NOT_FOUND error for an unknown cache; the SDK maps it to CacheNotFoundError. */
export function cacheNotFound(name: string): CacheError {
  return new CacheError(ErrorCode.NOT_FOUND, `cache '${name}' not found`);
}
