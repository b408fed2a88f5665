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
 * Keep a live item's remaining TTL (Redis `KEEPTTL`, `INCR`); a write where no item lives gets `orMs`.
 */
export interface KeepTtl {
  readonly keepOr: number;
}

/** A write's TTL: ms from now, or {@link KeepTtl}. */
export type WriteTtl = number | KeepTtl;

/** The condition of {@link CacheEngine.setReturning}: Redis SET's NX (`absent`), XX (`present`) or none. */
export type ExistenceCondition = 'always' | 'absent' | 'present';

/** What {@link CacheEngine.setReturning} did. */
export interface SetReturningResult {
  readonly stored: boolean;
  /** The scalar that was there (only when asked for; `undefined` on a miss). */
  readonly previous: Uint8Array | undefined;
}

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

/** The type of an item, as `ItemGetType` reports it. Every type lives in the same key space. */
export type ItemType = 'scalar' | 'dictionary' | 'list' | 'set' | 'sortedSet';

/**
 * Momento's `CollectionTtl` for a collection write: a write that creates the collection gives it `ttlMs`;
 * a write to an existing one resets its TTL to `ttlMs` only when `refreshTtl` is true (Momento's default),
 * else leaves the remaining TTL alone.
 */
export interface CollectionTtl {
  readonly ttlMs: number;
  readonly refreshTtl: boolean;
}

/** Which end of a list. */
export type ListEnd = 'front' | 'back';

/**
 * A slice of a list or of a sorted set's ranks, as Momento's `ListFetch`/`ListRetain`/`SortedSetFetch`
 * by index: `start` inclusive, `end` exclusive, negative values count from the end (-1 is the last
 * element), omitted means unbounded. Out-of-range bounds are clamped, like a Python slice.
 */
export interface IndexRange {
  readonly start?: number;
  readonly end?: number;
}

/** Sort order of a sorted-set read. */
export type SortOrder = 'ascending' | 'descending';

/** One bound of a score range; omitted bounds are unbounded. */
export interface ScoreBound {
  readonly score: number;
  readonly exclusive: boolean;
}

/** A sorted-set range by score: `offset` elements skipped, at most `count` returned (all when omitted). */
export interface ScoreRange {
  readonly min?: ScoreBound;
  readonly max?: ScoreBound;
  readonly offset?: number;
  readonly count?: number;
}

/** A sorted-set member and its score. */
export interface SortedSetElement {
  readonly value: Uint8Array;
  readonly score: number;
}

/** A source of {@link CacheEngine.sortedSetUnionStore}: a sorted set (by key) and the weight of its scores. */
export interface SortedSetSource {
  readonly key: Uint8Array;
  readonly weight: number;
}

/** How {@link CacheEngine.sortedSetUnionStore} combines the weighted scores of a member found in several sources. */
export type SortedSetAggregate = 'sum' | 'min' | 'max';

/**
 * Condition of {@link CacheEngine.setIfHash}. `hash` is what {@link CacheEngine.getWithHash} returned:
 * the SHA-1 of the stored value as 40 hex characters, an opaque version tag to Momento clients.
 */
export type HashCondition =
  | { readonly kind: 'unconditional' }
  | { readonly kind: 'presentAndHashEqual'; readonly hash: Uint8Array }
  | { readonly kind: 'presentAndHashNotEqual'; readonly hash: Uint8Array }
  | { readonly kind: 'absentOrHashEqual'; readonly hash: Uint8Array }
  | { readonly kind: 'absentOrHashNotEqual'; readonly hash: Uint8Array };

/** A scalar value with its hash (see {@link HashCondition}). */
export interface ValueWithHash {
  readonly value: Uint8Array;
  readonly hash: Uint8Array;
}

/**
 * One leaderboard element (Momento's leaderboard service): an integer id (0 ≤ id ≤ 2^53 − 1; Momento's
 * wire carries uint32) and a score (a double, never NaN).
 */
export interface LeaderboardElement {
  readonly id: number;
  readonly score: number;
}

/** A leaderboard element with its 0-based rank in the order asked for. */
export interface RankedElement {
  readonly id: number;
  readonly score: number;
  readonly rank: number;
}

/**
 * A leaderboard range by score, as Momento's `GetByScore`: `min` inclusive, `max` exclusive (omitted:
 * unbounded), `offset` matching elements skipped, at most `count` returned.
 */
export interface LeaderboardScoreRange {
  readonly min?: number;
  readonly max?: number;
  readonly offset: number;
  readonly count: number;
}

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
/**
 * The scalar read and write an in-process engine answers synchronously. The service's hot path calls these
 * when present and skips the promise (and the microtask hop) of the async methods; an engine behind a
 * network (Valkey) does not offer them. Same semantics and errors as `get`/`set`, thrown instead of rejected.
 */
export interface SyncScalarEngine {
  getNow(ns: string, key: Uint8Array): Uint8Array | undefined;
  setNow(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): void;
}

export interface CacheEngine {
  /** Present when the engine can answer scalar gets and sets synchronously (see {@link SyncScalarEngine}). */
  readonly sync?: SyncScalarEngine;
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
   * stores the result as decimal text with `ttl` (`{ keepOr }`: a live counter keeps its remaining TTL, as
   * Redis INCR does). Rejects with FAILED_PRECONDITION when the stored value
   * is not a decimal integer, and with FAILED_PRECONDITION (reason `overflow`) when the result leaves int64.
   */
  increment(ns: string, key: Uint8Array, amount: bigint, ttl: WriteTtl): Promise<bigint>;
  /**
   * Redis `SET … [NX|XX] [GET] [KEEPTTL]` in one atomic step: stores `value` with `ttl` when `condition`
   * holds (existence of a live item of any type) and answers whether it stored and, with `returnPrevious`,
   * the scalar that was there. With `returnPrevious`, a live collection at the key rejects with the
   * wrong-type error and nothing is stored (Redis's `SET … GET` on a hash); without, it is replaced, as by
   * {@link set}.
   */
  setReturning(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttl: WriteTtl,
    condition: ExistenceCondition,
    returnPrevious: boolean,
  ): Promise<SetReturningResult>;
  /**
   * The scalar value, and in the same atomic step: `'delete'` removes the item (Redis `GETDEL`), a number
   * sets its TTL in ms (`GETEX EX|PX`). `undefined` on a miss, with nothing changed; a live collection
   * rejects with the wrong-type error, unchanged.
   */
  getAndExpire(ns: string, key: Uint8Array, expiry: number | 'delete'): Promise<Uint8Array | undefined>;
  /** Remaining TTL in ms, or `undefined` on a miss. */
  itemGetTtl(ns: string, key: Uint8Array): Promise<number | undefined>;
  /** Changes an item's TTL; see {@link TtlUpdate}. */
  updateTtl(ns: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult>;
  /** For each key, whether it holds a live item. */
  keysExist(ns: string, keys: readonly Uint8Array[]): Promise<boolean[]>;
  /** The item's type, or `undefined` on a miss. */
  itemGetType(ns: string, key: Uint8Array): Promise<ItemType | undefined>;

  // ---- hash-conditioned scalars ------------------------------------------------------------------------
  // Scalar reads and conditional writes on a key holding a collection reject with the wrong-type error
  // (FAILED_PRECONDITION, reason `wrong_type`); a plain `set` replaces whatever is stored, as Redis SET does.

  /** The scalar value and its SHA-1 hash, or `undefined` on a miss. */
  getWithHash(ns: string, key: Uint8Array): Promise<ValueWithHash | undefined>;
  /** Stores when `condition` holds, atomically; returns the new value's hash when stored, else `undefined`. */
  setIfHash(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: HashCondition,
  ): Promise<Uint8Array | undefined>;

  // ---- collections ------------------------------------------------------------------------------------
  // Common rules: a read of a missing collection answers `undefined` (Momento's Miss); any operation on a
  // key holding another type rejects with FAILED_PRECONDITION (reason `wrong_type`) and changes nothing;
  // a collection that becomes empty is deleted; writes never create an empty collection; a write that would
  // take a collection past the engine's item-size limit (key plus fields and values, elements, or members
  // and 8 bytes per score) rejects LIMIT_EXCEEDED (reason `item_size_limit_exceeded`) and changes nothing.

  /** Sets (adds or replaces) fields of a dictionary. */
  dictionarySet(
    ns: string,
    key: Uint8Array,
    items: readonly (readonly [field: Uint8Array, value: Uint8Array])[],
    ttl: CollectionTtl,
  ): Promise<void>;
  /** The values of `fields` (`undefined` for an absent field), or `undefined` when the dictionary is missing. */
  dictionaryGet(
    ns: string,
    key: Uint8Array,
    fields: readonly Uint8Array[],
  ): Promise<(Uint8Array | undefined)[] | undefined>;
  /** Every field and value, or `undefined` when missing. */
  dictionaryFetch(ns: string, key: Uint8Array): Promise<[field: Uint8Array, value: Uint8Array][] | undefined>;
  /**
   * Adds `amount` to the int64 decimal stored in `field` (absent: 0) and returns the result. Rejects
   * FAILED_PRECONDITION (`not_an_integer`) when the field holds anything else, (`overflow`) past int64.
   */
  dictionaryIncrement(
    ns: string,
    key: Uint8Array,
    field: Uint8Array,
    amount: bigint,
    ttl: CollectionTtl,
  ): Promise<bigint>;
  /** Removes `fields` (or the whole dictionary for `'all'`). */
  dictionaryDelete(ns: string, key: Uint8Array, fields: readonly Uint8Array[] | 'all'): Promise<void>;
  /** The number of fields, or `undefined` when missing. */
  dictionaryLength(ns: string, key: Uint8Array): Promise<number | undefined>;

  /**
   * Adds `values` at `end` of a list, keeping their order (so pushing `[a, b]` at the front gives `a, b, …`),
   * then, when `truncateToSize` is given, drops elements from the *other* end until at most that many
   * remain. Returns the new length.
   */
  listConcatenate(
    ns: string,
    key: Uint8Array,
    end: ListEnd,
    values: readonly Uint8Array[],
    ttl: CollectionTtl,
    truncateToSize?: number,
  ): Promise<number>;
  /** Removes and returns the element at `end` with the length left, or `undefined` when the list is missing. */
  listPop(ns: string, key: Uint8Array, end: ListEnd): Promise<{ value: Uint8Array; length: number } | undefined>;
  /** The elements in `range`, or `undefined` when the list is missing. */
  listFetch(ns: string, key: Uint8Array, range: IndexRange): Promise<Uint8Array[] | undefined>;
  /** The number of elements, or `undefined` when missing. */
  listLength(ns: string, key: Uint8Array): Promise<number | undefined>;
  /**
   * Removes elements equal to `value`, atomically: every one (`count` 0, the default), else the first
   * `count` from the front (positive) or the back (negative), as Redis `LREM`. The length left, or
   * `undefined` when the list is missing.
   */
  listRemoveValue(ns: string, key: Uint8Array, value: Uint8Array, count?: number): Promise<number | undefined>;
  /** Keeps only the elements in `range` (TTL rules as for writes); the length left, `undefined` when missing. */
  listRetain(ns: string, key: Uint8Array, range: IndexRange, ttl: CollectionTtl): Promise<number | undefined>;
  /**
   * Removes `count` elements from each `start` (positions before any removal), or everything for `'all'`;
   * the length left, or `undefined` when the list is missing.
   */
  listErase(
    ns: string,
    key: Uint8Array,
    ranges: readonly { readonly start: number; readonly count: number }[] | 'all',
  ): Promise<number | undefined>;

  /** Adds elements to a set. */
  setAdd(ns: string, key: Uint8Array, elements: readonly Uint8Array[], ttl: CollectionTtl): Promise<void>;
  /** Removes elements (or the whole set for `'all'`); false when the set was missing. */
  setRemove(ns: string, key: Uint8Array, elements: readonly Uint8Array[] | 'all'): Promise<boolean>;
  /** Every element (unspecified order), or `undefined` when missing. */
  setFetch(ns: string, key: Uint8Array): Promise<Uint8Array[] | undefined>;
  /** Whether each element is a member, or `undefined` when missing. */
  setContains(ns: string, key: Uint8Array, elements: readonly Uint8Array[]): Promise<boolean[] | undefined>;
  /** The number of elements, or `undefined` when missing. */
  setLength(ns: string, key: Uint8Array): Promise<number | undefined>;
  /** Up to `limit` distinct random elements, or `undefined` when missing. */
  setSample(ns: string, key: Uint8Array, limit: number): Promise<Uint8Array[] | undefined>;
  /** Removes and returns up to `count` random elements, or `undefined` when missing. */
  setPop(ns: string, key: Uint8Array, count: number): Promise<Uint8Array[] | undefined>;

  /** Adds members or replaces their scores. Scores are finite or infinite doubles, never NaN. */
  sortedSetPut(ns: string, key: Uint8Array, elements: readonly SortedSetElement[], ttl: CollectionTtl): Promise<void>;
  /** Members by rank (ascending: rank 0 is the lowest score; ties by member bytes), or `undefined` when missing. */
  sortedSetFetchByRank(
    ns: string,
    key: Uint8Array,
    range: IndexRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined>;
  /** Members with a score in `range`, in `order`, or `undefined` when missing. */
  sortedSetFetchByScore(
    ns: string,
    key: Uint8Array,
    range: ScoreRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined>;
  /** The score of each value (`undefined` for a non-member), or `undefined` when the set is missing. */
  sortedSetGetScores(
    ns: string,
    key: Uint8Array,
    values: readonly Uint8Array[],
  ): Promise<(number | undefined)[] | undefined>;
  /** The 0-based rank of `value` in `order`, or `undefined` when it (or the set) is missing. */
  sortedSetGetRank(ns: string, key: Uint8Array, value: Uint8Array, order: SortOrder): Promise<number | undefined>;
  /** Adds `amount` to the member's score (absent: 0) and returns it; INVALID_ARGUMENT if the result is NaN. */
  sortedSetIncrement(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    amount: number,
    ttl: CollectionTtl,
  ): Promise<number>;
  /** Removes members (or the whole set for `'all'`). */
  sortedSetRemove(ns: string, key: Uint8Array, values: readonly Uint8Array[] | 'all'): Promise<void>;
  /** The number of members, or `undefined` when missing. */
  sortedSetLength(ns: string, key: Uint8Array): Promise<number | undefined>;
  /** The number of members with a score in the bounds, or `undefined` when missing. */
  sortedSetLengthByScore(ns: string, key: Uint8Array, min?: ScoreBound, max?: ScoreBound): Promise<number | undefined>;
  /**
   * Stores at `key` the union of `sources` (missing sources count as empty; each score times its weight,
   * combined with `aggregate`), replacing whatever `key` held, with `ttlMs`. An empty union deletes `key`.
   * Returns the number of members stored.
   */
  sortedSetUnionStore(
    ns: string,
    key: Uint8Array,
    sources: readonly SortedSetSource[],
    aggregate: SortedSetAggregate,
    ttlMs: number,
  ): Promise<number>;

  // ---- leaderboards -----------------------------------------------------------------------------------
  // Leaderboards live in a key space of their own inside the namespace (a leaderboard and a cache item may
  // share a name), but are items for everything else: they count against memory, are evicted and expire as
  // a whole, and flushNamespace/dropNamespace remove them. Order: by score, ties by id; descending is the
  // exact reverse. Ranks are 0-based. A missing leaderboard reads as empty (Momento has no Miss here).

  /** Adds elements or replaces their scores, creating the leaderboard; its TTL becomes `ttlMs`. */
  leaderboardUpsert(
    ns: string,
    name: Uint8Array,
    elements: readonly LeaderboardElement[],
    ttlMs: number,
  ): Promise<void>;
  /** Elements at ranks `[start, end)` in `order` (clamped to the length). */
  leaderboardFetchByRank(
    ns: string,
    name: Uint8Array,
    start: number,
    end: number,
    order: SortOrder,
  ): Promise<RankedElement[]>;
  /** Elements with a score in `range`, in `order`, each with its rank in that order. */
  leaderboardFetchByScore(
    ns: string,
    name: Uint8Array,
    range: LeaderboardScoreRange,
    order: SortOrder,
  ): Promise<RankedElement[]>;
  /** Each present id's element with its ordinal rank (unique, ties by id), in the order of `ids`. */
  leaderboardGetRank(ns: string, name: Uint8Array, ids: readonly number[], order: SortOrder): Promise<RankedElement[]>;
  /**
   * Each present id's element with its competition rank: the number of elements strictly ahead of it in
   * `order`, so ties share a rank and the next score skips (0, 1, 1, 3).
   */
  leaderboardGetCompetitionRank(
    ns: string,
    name: Uint8Array,
    ids: readonly number[],
    order: SortOrder,
  ): Promise<RankedElement[]>;
  /** The number of elements (0 when missing). */
  leaderboardLength(ns: string, name: Uint8Array): Promise<number>;
  /** Removes elements by id; absent ids are ignored. */
  leaderboardRemove(ns: string, name: Uint8Array, ids: readonly number[]): Promise<void>;
  /** Removes the whole leaderboard; a no-op when missing. */
  leaderboardDelete(ns: string, name: Uint8Array): Promise<void>;

  /** Current counters. */
  stats(): EngineStats;
  /** Stops background work (expiry sweeps, connections). The engine is unusable afterwards. */
  close(): Promise<void>;
}
