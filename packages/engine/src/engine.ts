/**
 * @module engine
 * The storage contract. Engines store bytes under byte keys inside namespaces (one per cache) and know
 * nothing about accounts, protocols or limits; the service layer does.
 *
 * Every item has a TTL (Momento has no immortal items), so every write takes a positive `ttlMs`.
 * Operations on a namespace that does not exist reject with `CacheError(NOT_FOUND, …, 'store_not_found')`.
 * Engine failures (a shard down, a timeout) reject with `CacheError(UNAVAILABLE)`; never a wrong answer.
 */

/** Condition for {@link CacheEngine.setIf}. `value` is compared byte for byte with the stored value. */
export type SetCondition =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present' }
  | { readonly kind: 'equal'; readonly value: Uint8Array }
  | { readonly kind: 'notEqual'; readonly value: Uint8Array }
  | { readonly kind: 'presentAndNotEqual'; readonly value: Uint8Array }
  | { readonly kind: 'absentOrEqual'; readonly value: Uint8Array };

/**
 * A TTL change for {@link CacheEngine.updateTtl}: `overwrite` always applies; `increaseTo` applies only
 * when `ttlMs` is greater than the remaining TTL; `decreaseTo` only when it is smaller.
 */
export type TtlUpdate =
  | { readonly kind: 'overwrite'; readonly ttlMs: number }
  | { readonly kind: 'increaseTo'; readonly ttlMs: number }
  | { readonly kind: 'decreaseTo'; readonly ttlMs: number };

/** Outcome of {@link CacheEngine.updateTtl}. */
export type TtlUpdateResult = 'set' | 'notSet' | 'missing';

/** The type of an item, as `ItemGetType` reports it. Collections come later. */
export type ItemType = 'scalar';

/** Counters an engine keeps about itself, for metrics and `bytes per item` benchmarks. */
export interface EngineStats {
  /** Live items (expired-but-not-yet-reclaimed items may still be counted). */
  readonly items: number;
  /** Bytes the engine accounts for: keys, values and per-item overhead. */
  readonly bytesUsed: number;
  /** The configured limit, or `Infinity` when the engine delegates memory (e.g. to a cluster). */
  readonly maxBytes: number;
  /** Items removed to stay under `maxBytes`. */
  readonly evictions: number;
  /** Items removed because their TTL elapsed. */
  readonly expirations: number;
}

/** The storage contract every engine implements and `engineConformance` verifies. */
export interface CacheEngine {
  /** Creates a namespace; a no-op when it already exists (servers re-create caches at start). */
  createNamespace(ns: string): Promise<void>;
  /** Drops a namespace and all its items; a no-op when it does not exist. */
  dropNamespace(ns: string): Promise<void>;
  /** Removes every item of a namespace, keeping the namespace. */
  flushNamespace(ns: string): Promise<void>;
  /** True when the namespace exists. */
  hasNamespace(ns: string): Promise<boolean>;

  /** The stored value, or `undefined` on a miss (absent or expired). */
  get(ns: string, key: Uint8Array): Promise<Uint8Array | undefined>;
  /** Stores `value` under `key`, replacing any previous value and TTL. */
  set(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void>;
  /** Stores only when `condition` holds, atomically; returns whether it stored. */
  setIf(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number, condition: SetCondition): Promise<boolean>;
  /** Removes `key`; a no-op when absent. */
  delete(ns: string, key: Uint8Array): Promise<void>;
  /**
   * Adds `amount` to the signed 64-bit decimal integer stored at `key` (a missing key counts as 0) and
   * stores the result as decimal text with `ttlMs`. Rejects with FAILED_PRECONDITION when the stored value
   * is not a decimal integer, and with FAILED_PRECONDITION (reason `overflow`) when the result leaves int64.
   */
  increment(ns: string, key: Uint8Array, amount: bigint, ttlMs: number): Promise<bigint>;
  /** Remaining TTL in ms, or `undefined` on a miss. */
  itemGetTtl(ns: string, key: Uint8Array): Promise<number | undefined>;
  /** Changes an item's TTL; see {@link TtlUpdate}. */
  updateTtl(ns: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult>;
  /** For each key, whether it holds a live item. */
  keysExist(ns: string, keys: readonly Uint8Array[]): Promise<boolean[]>;
  /** The item's type, or `undefined` on a miss. */
  itemGetType(ns: string, key: Uint8Array): Promise<ItemType | undefined>;

  /** Current counters. */
  stats(): EngineStats;
  /** Stops background work (expiry sweeps, connections). The engine is unusable afterwards. */
  close(): Promise<void>;
}
