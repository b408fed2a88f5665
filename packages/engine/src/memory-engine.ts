/**
 * @module memory-engine
 * The embedded engine: every namespace lives in this process's heap, bounded by `maxBytes` with global
 * CLOCK eviction (an approximate LRU), with TTLs reclaimed actively by a bounded background sweep.
 *
 * Layout ("struct of arrays"): each item occupies an integer slot. Per slot we keep its key space (a
 * namespace's items or its leaderboards, as a small integer id) in an Int32Array, the absolute deadline in
 * a Float64Array, a reference byte for eviction ({@link ClockEviction}), an expiry-heap position
 * ({@link ExpiryHeap}), and the place of its key and value bytes in the {@link ValueArena}. One
 * open-addressing {@link KeyIndex} in typed arrays maps (key space, key bytes) to slots. So a scalar item is
 * no V8 heap object at all: the heap holds a constant number of objects whatever the item count, and a
 * major GC's work no longer grows with it (collections stay heap objects, one Map entry per collection).
 *
 * History: values moved from latin1 strings to the arena when `npm run bench` showed ~250 ms major-GC
 * pauses at 1 M items (→ 125 ms, 316 B/item RSS); keys and the per-namespace `Map<latin1, slot>` moved
 * off the heap next (issue #19) — see the README's memory section for the figures.
 *
 * Flushing or dropping a namespace scans the slot-to-key-space array (4 B per slot, a few ms per million
 * slots) and removes that space's items; it stops as soon as the space's item count reaches zero.
 *
 * Every operation runs synchronously inside its async method (no await before or while touching the
 * maps), so each one is atomic with respect to all others.
 */

import { CacheError, type Clock, ErrorCode, isInt64, systemClock } from '@cachette/core';
import { ClockEviction } from './clock-eviction.ts';
import {
  checkCollectionTtl,
  checkCount,
  checkIndexRange,
  checkScore,
  checkScoreBound,
  checkWriteTtl,
  sliceBounds,
  valueHash,
  wrongTypeError,
} from './collection-rules.ts';
import type {
  CacheEngine,
  CollectionTtl,
  EngineStats,
  ExistenceCondition,
  HashCondition,
  IndexRange,
  ItemType,
  LeaderboardElement,
  LeaderboardScoreRange,
  ListEnd,
  RankedElement,
  ScoreBound,
  ScoreRange,
  SetCondition,
  SetReturningResult,
  SortedSetAggregate,
  SortedSetElement,
  SortedSetSource,
  SortOrder,
  SyncScalarEngine,
  TtlUpdate,
  TtlUpdateResult,
  ValueWithHash,
  WriteTtl,
} from './engine.ts';
import { ExpiryHeap } from './expiry-heap.ts';
import { addInt64, notAnIntegerError, parseInt64 } from './increment.ts';
import { hashKey, KeyIndex, SLOT_BITS } from './key-index.ts';
import { bytesToLatin1 } from './latin1.ts';
import {
  checkLeaderboardElements,
  checkLeaderboardId,
  checkLeaderboardScoreRange,
  checkRankRange,
  idToLatin1,
  latin1ToId,
} from './leaderboard-rules.ts';
import {
  type CollectionItem,
  DICTIONARY_ENTRY_OVERHEAD,
  DictionaryItem,
  dataBytesOf,
  LEADERBOARD_ELEMENT_BYTES,
  LeaderboardItem,
  LIST_ELEMENT_OVERHEAD,
  ListItem,
  SCORE_BYTES,
  SET_ELEMENT_OVERHEAD,
  SetItem,
  SORTED_SET_ELEMENT_OVERHEAD,
  SortedSetItem,
} from './memory-collections.ts';
import { aboveMin, belowMax, type SkipNode } from './skip-list.ts';
import { ValueArena } from './value-arena.ts';

const GiB = 1024 ** 3;

/**
 * Bytes accounted per item on top of key and value bytes: the per-slot typed arrays (arena place 16,
 * deadline 8, reference byte 1, expiry heap 12, key space 2, kind 1, free list 4 once churned), the arena's resident
 * list (4), the key index (4 B per position at load 0.375–0.75: 5–11) and the arena's dead space between
 * compactions. `npm run bench` with 10 M items (16 B keys, 100 B values) measured 184 B/item of RSS
 * (0.71× Redis's used_memory) before the index moved to 4 B cells, i.e. ≤ 68 B/item beyond key and value;
 * under churn the arena holds up to a third more than the live bytes, so size the process with ~25% headroom
 * over maxBytes plus Node's own ~60 MB. (With keys as V8 strings in per-namespace Maps this was 150.)
 */
export const DEFAULT_PER_ITEM_OVERHEAD_BYTES = 64;

/**
 * Work per sweep call: reclaiming costs ~1 µs an item at 500 k items (index delete + heap sift, measured),
 * so a tick holds the event loop ~2 ms; a backlog continues via setImmediate, ~1 M items/s.
 */
const SWEEP_BATCH = 2_000;

/**
 * The key index packs `slot + 1` into 27 bits of a cell ({@link SLOT_BITS}); 67 M items is only reachable
 * with tiny items and a maxBytes of tens of GiB.
 */
const MAX_ITEMS = 2 ** (SLOT_BITS - 1);

const INITIAL_CAPACITY = 1024;
/** Slot count past which growth reserves for a full engine at once (see `nextCapacity`). */
const RESERVE_FROM = 65_536;
/** Key and value bytes per item assumed when reserving slots for `maxBytes`. */
const RESERVE_ITEM_BYTES = 32;

/** Key space ids are Uint16 per slot (2 B, not 4): two per namespace, so 32 767 caches per engine. */
const MAX_SPACE = 0xffff;

/** Options of {@link MemoryEngine}. */
export interface MemoryEngineOptions {
  /** Memory limit in accounted bytes (keys + values + per-item overhead). Default 1 GiB. */
  maxBytes?: number;
  /** Source of time for TTLs. Default {@link systemClock}. */
  clock?: Clock;
  /** Period of the background expiry sweep; `0` disables the timer. Default 1000 ms. */
  sweepIntervalMs?: number;
  /** Accounted bytes per item beyond key and value. Default {@link DEFAULT_PER_ITEM_OVERHEAD_BYTES}. */
  perItemOverheadBytes?: number;
  /**
   * The item-size limit a collection's total must respect: its key plus every field and value, element, or
   * member and 8 bytes per score. A write that would take a collection past it is refused with
   * LIMIT_EXCEEDED (`item_size_limit_exceeded`) and changes nothing. Default: no limit (the service checks
   * each request against its own limit; only the engine sees a collection's total).
   */
  maxItemBytes?: number;
}

/** A key space id: a namespace's items or its leaderboards. 0 marks a free slot. */
type Items = number;

/** Why an item left; decides which counter moves. Plain numbers: `const enum` does not survive isolatedModules. */
const Removal = { Deleted: 0, Evicted: 1, Expired: 2 } as const;
type Removal = (typeof Removal)[keyof typeof Removal];

/**
 * The in-process {@link CacheEngine}: namespaces are Maps, items carry absolute deadlines from the
 * injected clock, memory is bounded by `maxBytes` with global CLOCK eviction.
 *
 * @example
 * const engine = new MemoryEngine({ maxBytes: 64 * 1024 ** 2, clock });
 */
export class MemoryEngine implements CacheEngine {
  /**
   * Every operation runs synchronously inside its async method: the hot path may call the sync ones. A
   * subclass that must hold calls (a test's gated engine) sets it to `undefined`.
   */
  readonly sync: SyncScalarEngine | undefined = this;
  private readonly namespaces = new Map<string, Items>();
  /** Live items per key space id (index); ids of dropped namespaces are reused. */
  private spaceItems: number[] = [0];
  private freeSpaces: number[] = [];
  /**
   * Each namespace's leaderboards: a key space of their own (a leaderboard may share a cache key's name),
   * in slots like every other item, so eviction, TTL, accounting, flush and drop treat them alike.
   */
  private readonly boards = new Map<string, Items>();
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly maxItemBytes: number;
  private readonly overhead: number;

  // Slot storage; see the module comment.
  private capacity = INITIAL_CAPACITY;
  private nextUnused = 0;
  private readonly arena = new ValueArena(INITIAL_CAPACITY);
  /** Key space per slot (0: free slot; see MAX_SPACE). */
  private spaceOf = new Uint16Array(INITIAL_CAPACITY);
  private readonly index = new KeyIndex((slot) => this.arena.hashOf(slot, this.spaceOf[slot]!));
  /** The key being looked up, read by {@link matchProbe} (a bound arrow: lookups allocate nothing). */
  private probeSpace = 0;
  private probeKey: Uint8Array = EMPTY;
  private readonly matchProbe = (slot: number): boolean =>
    this.spaceOf[slot] === this.probeSpace && this.arena.keyEquals(slot, this.probeKey);
  /**
   * Per slot: 0 for a scalar, else the collection's {@link KIND} code; the collection itself lives in
   * `collections` (its arena value is empty). A byte per slot and a Map entry per collection, rather than a
   * plain array slot for every item: scalars keep their V8 heap footprint (+1 untraced byte each).
   */
  private kinds = new Uint8Array(INITIAL_CAPACITY);
  private readonly collections = new Map<number, CollectionItem>();
  private expiresAt = new Float64Array(INITIAL_CAPACITY);
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private readonly recency = new ClockEviction(INITIAL_CAPACITY);
  private readonly heap: ExpiryHeap;

  private itemCount = 0;
  private bytesUsed = 0;
  private evictions = 0;
  private expirations = 0;

  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /**
   * @param options.maxBytes accounted-bytes limit, default 1 GiB
   * @param options.clock time source, default `systemClock`
   * @param options.sweepIntervalMs expiry sweep period, default 1000; 0 disables the timer
   * @param options.perItemOverheadBytes per-item accounting constant, default 64
   */
  constructor(options: MemoryEngineOptions = {}) {
    this.maxBytes = options.maxBytes ?? GiB;
    this.clock = options.clock ?? systemClock;
    this.heap = new ExpiryHeap(INITIAL_CAPACITY, this.clock.nowMs());
    this.overhead = options.perItemOverheadBytes ?? DEFAULT_PER_ITEM_OVERHEAD_BYTES;
    this.maxItemBytes = options.maxItemBytes ?? Number.POSITIVE_INFINITY;
    if (!(this.maxItemBytes > 0)) throw invalid(`maxItemBytes must be a positive number, got ${this.maxItemBytes}`);
    if (!(this.maxBytes > 0)) throw invalid(`maxBytes must be a positive number, got ${this.maxBytes}`);
    if (!Number.isSafeInteger(this.overhead) || this.overhead < 0) {
      throw invalid(`perItemOverheadBytes must be a non-negative integer, got ${this.overhead}`);
    }
    const sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    if (sweepIntervalMs > 0) {
      // unref: an idle cache must never keep a CLI or test process alive.
      this.timer = setInterval(this.sweepTick, sweepIntervalMs).unref();
    }
  }

  // ---- namespaces ----------------------------------------------------------------------------------

  async createNamespace(ns: string): Promise<void> {
    if (this.closed) throw closedError();
    if (!this.namespaces.has(ns)) {
      this.namespaces.set(ns, this.newSpace());
      this.boards.set(ns, this.newSpace());
    }
  }

  async dropNamespace(ns: string): Promise<void> {
    const items = this.namespaces.get(ns);
    if (items === undefined) return;
    this.clearItems(items);
    this.namespaces.delete(ns);
    this.freeSpaces.push(items);
    const boards = this.boards.get(ns);
    if (boards !== undefined) {
      this.clearItems(boards);
      this.freeSpaces.push(boards);
    }
    this.boards.delete(ns);
  }

  async flushNamespace(ns: string): Promise<void> {
    this.clearItems(this.itemsOf(ns));
    this.clearItems(this.boardsOf(ns));
  }

  async hasNamespace(ns: string): Promise<boolean> {
    return this.namespaces.has(ns);
  }

  // ---- items ---------------------------------------------------------------------------------------

  async get(ns: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.getNow(ns, key);
  }

  async set(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    this.setNow(ns, key, value, ttlMs);
  }

  getNow(ns: string, key: Uint8Array): Uint8Array | undefined {
    const slot = this.liveSlot(this.itemsOf(ns), key);
    if (slot === undefined) return undefined;
    if (this.kinds[slot] !== 0) throw wrongTypeError();
    this.recency.touch(slot);
    return this.arena.read(slot);
  }

  setNow(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): void {
    const items = this.itemsOf(ns);
    checkTtl(ttlMs);
    this.checkSize(key, value.byteLength);
    this.store(items, key, value, ttlMs);
  }

  async setIf(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: SetCondition,
  ): Promise<boolean> {
    const items = this.itemsOf(ns);
    checkTtl(ttlMs);
    // Size is checked before the condition so an oversized write fails the same way whatever is stored.
    this.checkSize(key, value.byteLength);
    const slot = this.liveSlot(items, key);
    if (slot !== undefined && this.kinds[slot] !== 0 && condition.kind !== 'absent' && condition.kind !== 'present') {
      throw wrongTypeError();
    }
    if (!this.conditionHolds(condition, slot)) return false;
    this.store(items, key, value, ttlMs);
    return true;
  }

  async delete(ns: string, key: Uint8Array): Promise<void> {
    const items = this.itemsOf(ns);
    const slot = this.findSlot(items, key, this.hash(items, key));
    if (slot >= 0) this.remove(slot, Removal.Deleted);
  }

  async increment(ns: string, key: Uint8Array, amount: bigint, ttl: WriteTtl): Promise<bigint> {
    const items = this.itemsOf(ns);
    checkWriteTtl(ttl);
    if (!isInt64(amount)) {
      throw invalid(`amount must be a signed 64-bit integer (bigint), got ${String(amount)}`);
    }
    const slot = this.liveSlot(items, key);
    let current = 0n;
    if (slot !== undefined) {
      if (this.kinds[slot] !== 0) throw wrongTypeError();
      const parsed = parseInt64(this.arena.readLatin1(slot));
      if (parsed === undefined) throw notAnIntegerError();
      current = parsed;
    }
    const result = addInt64(current, amount);
    const v = Buffer.from(result.toString(), 'latin1');
    this.checkSize(key, v.byteLength);
    this.store(items, key, v, this.resolveTtl(ttl, slot));
    return result;
  }

  async setReturning(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttl: WriteTtl,
    condition: ExistenceCondition,
    returnPrevious: boolean,
  ): Promise<SetReturningResult> {
    const items = this.itemsOf(ns);
    checkWriteTtl(ttl);
    if (condition !== 'always' && condition !== 'absent' && condition !== 'present') {
      throw invalid(`unknown existence condition ${JSON.stringify(condition)}`);
    }
    this.checkSize(key, value.byteLength);
    const slot = this.liveSlot(items, key);
    let previous: Uint8Array | undefined;
    if (slot !== undefined && returnPrevious) {
      if (this.kinds[slot] !== 0) throw wrongTypeError();
      previous = this.arena.read(slot);
    }
    if ((condition === 'absent' && slot !== undefined) || (condition === 'present' && slot === undefined)) {
      return { stored: false, previous };
    }
    this.store(items, key, value, this.resolveTtl(ttl, slot));
    return { stored: true, previous };
  }

  async getAndExpire(ns: string, key: Uint8Array, expiry: number | 'delete'): Promise<Uint8Array | undefined> {
    const items = this.itemsOf(ns);
    if (expiry !== 'delete') checkTtl(expiry);
    const slot = this.liveSlot(items, key);
    if (slot === undefined) return undefined;
    if (this.kinds[slot] !== 0) throw wrongTypeError();
    const value = this.arena.read(slot); // a copy: the slot may be freed below
    if (expiry === 'delete') this.remove(slot, Removal.Deleted);
    else {
      this.recency.touch(slot);
      this.setDeadline(slot, this.clock.nowMs() + expiry);
    }
    return value;
  }

  async itemGetTtl(ns: string, key: Uint8Array): Promise<number | undefined> {
    const slot = this.liveSlot(this.itemsOf(ns), key);
    return slot === undefined ? undefined : this.expiresAt[slot]! - this.clock.nowMs();
  }

  async updateTtl(ns: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult> {
    const items = this.itemsOf(ns);
    checkTtl(update.ttlMs);
    const slot = this.liveSlot(items, key);
    if (slot === undefined) return 'missing';
    const nowMs = this.clock.nowMs();
    const remainingMs = this.expiresAt[slot]! - nowMs;
    switch (update.kind) {
      case 'overwrite':
        break;
      case 'increaseTo':
        if (!(update.ttlMs > remainingMs)) return 'notSet';
        break;
      case 'decreaseTo':
        if (!(update.ttlMs < remainingMs)) return 'notSet';
        break;
      default:
        throw invalid(`unknown TTL update kind ${JSON.stringify((update as { kind: unknown }).kind)}`);
    }
    this.setDeadline(slot, nowMs + update.ttlMs);
    return 'set';
  }

  async keysExist(ns: string, keys: readonly Uint8Array[]): Promise<boolean[]> {
    const items = this.itemsOf(ns);
    const result = new Array<boolean>(keys.length);
    for (let i = 0; i < keys.length; i++) {
      result[i] = this.liveSlot(items, keys[i]!) !== undefined;
    }
    return result;
  }

  async itemGetType(ns: string, key: Uint8Array): Promise<ItemType | undefined> {
    const slot = this.liveSlot(this.itemsOf(ns), key);
    return slot === undefined ? undefined : KIND_NAME[this.kinds[slot]!];
  }

  // ---- hash-conditioned scalars --------------------------------------------------------------------

  async getWithHash(ns: string, key: Uint8Array): Promise<ValueWithHash | undefined> {
    const value = await this.get(ns, key);
    return value === undefined ? undefined : { value, hash: valueHash(value) };
  }

  async setIfHash(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    ttlMs: number,
    condition: HashCondition,
  ): Promise<Uint8Array | undefined> {
    const items = this.itemsOf(ns);
    checkTtl(ttlMs);
    this.checkSize(key, value.byteLength);
    const slot = this.liveSlot(items, key);
    if (condition.kind !== 'unconditional') {
      if (slot !== undefined && this.kinds[slot] !== 0) throw wrongTypeError();
      const equal = slot !== undefined && Buffer.from(valueHash(this.arena.read(slot))).equals(condition.hash);
      const holds =
        condition.kind === 'presentAndHashEqual'
          ? equal
          : condition.kind === 'presentAndHashNotEqual'
            ? slot !== undefined && !equal
            : condition.kind === 'absentOrHashEqual'
              ? slot === undefined || equal
              : condition.kind === 'absentOrHashNotEqual'
                ? !equal
                : invalidCondition(condition);
      if (!holds) return undefined;
    }
    this.store(items, key, value, ttlMs);
    return valueHash(value);
  }

  // ---- dictionaries --------------------------------------------------------------------------------

  async dictionarySet(
    ns: string,
    key: Uint8Array,
    items: readonly (readonly [field: Uint8Array, value: Uint8Array])[],
    ttl: CollectionTtl,
  ): Promise<void> {
    let growth = 0;
    for (const [f, v] of items) growth += f.byteLength + v.byteLength + DICTIONARY_ENTRY_OVERHEAD;
    const size = (d: DictionaryItem | undefined) => {
      // Replaced fields give back their old value's bytes; a field named twice counts once, last value.
      let delta = 0;
      const seen = items.length > 1 ? new Map<string, number>() : undefined;
      for (const [f, v] of items) {
        const fk = bytesToLatin1(f);
        const prev = seen?.get(fk) ?? d?.map.get(fk)?.length;
        delta += prev === undefined ? f.byteLength + v.byteLength : v.byteLength - prev;
        seen?.set(fk, v.byteLength);
      }
      return delta;
    };
    this.writeCollection(
      ns,
      key,
      'dictionary',
      ttl,
      growth,
      true,
      (d: DictionaryItem) => {
        for (const [f, v] of items) d.set(bytesToLatin1(f), bytesToLatin1(v));
      },
      size,
    );
  }

  async dictionaryGet(
    ns: string,
    key: Uint8Array,
    fields: readonly Uint8Array[],
  ): Promise<(Uint8Array | undefined)[] | undefined> {
    const d = this.readCollection<DictionaryItem>(ns, key, 'dictionary');
    if (d === undefined) return undefined;
    return fields.map((f) => {
      const v = d.map.get(bytesToLatin1(f));
      return v === undefined ? undefined : latin1Bytes(v);
    });
  }

  async dictionaryFetch(ns: string, key: Uint8Array): Promise<[field: Uint8Array, value: Uint8Array][] | undefined> {
    const d = this.readCollection<DictionaryItem>(ns, key, 'dictionary');
    if (d === undefined) return undefined;
    const out: [Uint8Array, Uint8Array][] = [];
    for (const [f, v] of d.map) out.push([latin1Bytes(f), latin1Bytes(v)]);
    return out;
  }

  async dictionaryIncrement(
    ns: string,
    key: Uint8Array,
    field: Uint8Array,
    amount: bigint,
    ttl: CollectionTtl,
  ): Promise<bigint> {
    checkAmount(amount);
    const f = bytesToLatin1(field);
    // create = true: the result is always defined.
    return this.writeCollection(
      ns,
      key,
      'dictionary',
      ttl,
      f.length + 20 + DICTIONARY_ENTRY_OVERHEAD,
      true,
      (d: DictionaryItem) => {
        const old = d.map.get(f);
        let current = 0n;
        if (old !== undefined) {
          const parsed = parseInt64(old);
          if (parsed === undefined) throw notAnIntegerError();
          current = parsed;
        }
        // Both checks throw before anything changes, so a failed increment leaves the dictionary as it was.
        const result = addInt64(current, amount);
        d.set(f, result.toString());
        return result;
      },
      (d) => {
        const old = d?.map.get(f);
        const current = old === undefined ? 0n : parseInt64(old);
        // Not an integer, or past int64: mutate throws that error; the size is not the question then.
        if (current === undefined) return 0;
        const next = current + amount;
        if (!isInt64(next)) return 0;
        return next.toString().length - (old === undefined ? -f.length : old.length);
      },
    )!;
  }

  async dictionaryDelete(ns: string, key: Uint8Array, fields: readonly Uint8Array[] | 'all'): Promise<void> {
    this.shrinkCollection(ns, key, 'dictionary', (d: DictionaryItem) => {
      if (fields === 'all') {
        d.map.clear();
        d.bytes = 0;
      } else for (const f of fields) d.delete(bytesToLatin1(f));
    });
  }

  async dictionaryLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return this.readCollection<DictionaryItem>(ns, key, 'dictionary')?.size;
  }

  // ---- lists ---------------------------------------------------------------------------------------

  async listConcatenate(
    ns: string,
    key: Uint8Array,
    end: ListEnd,
    values: readonly Uint8Array[],
    ttl: CollectionTtl,
    truncateToSize?: number,
  ): Promise<number> {
    if (truncateToSize !== undefined) checkCount('truncateToSize', truncateToSize);
    checkEnd(end);
    let growth = 0;
    for (const v of values) growth += v.byteLength + LIST_ELEMENT_OVERHEAD;
    const size = (l: ListItem | undefined) => {
      let delta = growth - values.length * LIST_ELEMENT_OVERHEAD;
      const n = l?.size ?? 0;
      const drop = truncateToSize === undefined ? 0 : n + values.length - truncateToSize;
      // Truncation drops from the other end: existing elements first, then the new ones.
      for (let i = 0; i < drop; i++) {
        if (i < n) delta -= l!.at(end === 'back' ? i : n - 1 - i).length;
        else delta -= values[end === 'back' ? i - n : values.length - 1 - (i - n)]!.byteLength;
      }
      return delta;
    };
    return this.writeCollection(
      ns,
      key,
      'list',
      ttl,
      growth,
      true,
      (l: ListItem) => {
        if (end === 'back') for (const v of values) l.pushBack(bytesToLatin1(v));
        else for (let i = values.length - 1; i >= 0; i--) l.pushFront(bytesToLatin1(values[i]!));
        if (truncateToSize !== undefined) {
          while (l.size > truncateToSize) end === 'back' ? l.popFront() : l.popBack();
        }
        return l.size;
      },
      size,
    )!;
  }

  async listPop(ns: string, key: Uint8Array, end: ListEnd): Promise<{ value: Uint8Array; length: number } | undefined> {
    checkEnd(end);
    return this.shrinkCollection(ns, key, 'list', (l: ListItem) => {
      const value = latin1Bytes(end === 'front' ? l.popFront() : l.popBack());
      return { value, length: l.size };
    });
  }

  async listFetch(ns: string, key: Uint8Array, range: IndexRange): Promise<Uint8Array[] | undefined> {
    checkIndexRange(range);
    const l = this.readCollection<ListItem>(ns, key, 'list');
    if (l === undefined) return undefined;
    const [start, stop] = sliceBounds(l.size, range);
    const out = new Array<Uint8Array>(stop - start);
    for (let i = start; i < stop; i++) out[i - start] = latin1Bytes(l.at(i));
    return out;
  }

  async listLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return this.readCollection<ListItem>(ns, key, 'list')?.size;
  }

  async listRemoveValue(ns: string, key: Uint8Array, value: Uint8Array, count = 0): Promise<number | undefined> {
    if (!Number.isSafeInteger(count)) throw invalid(`count must be an integer, got ${String(count)}`);
    const v = bytesToLatin1(value);
    return this.shrinkCollection(ns, key, 'list', (l: ListItem) => {
      const all = l.toArray();
      let kept: string[];
      if (count === 0) kept = all.filter((e) => e !== v);
      else {
        // Drop the first |count| matches from the chosen end; keep everything else in order.
        let left = Math.abs(count);
        const drop = new Array<boolean>(all.length).fill(false);
        for (let n = 0; n < all.length && left > 0; n++) {
          const i = count > 0 ? n : all.length - 1 - n;
          if (all[i] === v) {
            drop[i] = true;
            left--;
          }
        }
        kept = all.filter((_, i) => !drop[i]);
      }
      if (kept.length !== l.size) l.replace(kept);
      return l.size;
    });
  }

  async listRetain(ns: string, key: Uint8Array, range: IndexRange, ttl: CollectionTtl): Promise<number | undefined> {
    checkIndexRange(range);
    return this.writeCollection(ns, key, 'list', ttl, 0, false, (l: ListItem) => {
      const [start, stop] = sliceBounds(l.size, range);
      if (start > 0 || stop < l.size) l.replace(l.toArray(start, stop));
      return l.size;
    });
  }

  async listErase(
    ns: string,
    key: Uint8Array,
    ranges: readonly { readonly start: number; readonly count: number }[] | 'all',
  ): Promise<number | undefined> {
    if (ranges !== 'all') {
      for (const r of ranges) {
        checkCount('start', r.start);
        checkCount('count', r.count);
      }
    }
    return this.shrinkCollection(ns, key, 'list', (l: ListItem) => {
      if (ranges === 'all') {
        l.replace([]);
        return 0;
      }
      const all = l.toArray();
      const drop = new Uint8Array(all.length);
      for (const r of ranges) drop.fill(1, Math.min(r.start, all.length), Math.min(r.start + r.count, all.length));
      l.replace(all.filter((_, i) => drop[i] === 0));
      return l.size;
    });
  }

  // ---- sets ----------------------------------------------------------------------------------------

  async setAdd(ns: string, key: Uint8Array, elements: readonly Uint8Array[], ttl: CollectionTtl): Promise<void> {
    let growth = 0;
    for (const e of elements) growth += e.byteLength + SET_ELEMENT_OVERHEAD;
    const size = (s: SetItem | undefined) => {
      let delta = 0;
      // A member named twice counts once; a single element needs no set to tell.
      const seen = elements.length > 1 ? new Set<string>() : undefined;
      for (const e of elements) {
        const m = bytesToLatin1(e);
        if (!seen?.has(m) && !s?.has(m)) delta += e.byteLength;
        seen?.add(m);
      }
      return delta;
    };
    this.writeCollection(
      ns,
      key,
      'set',
      ttl,
      growth,
      true,
      (s: SetItem) => {
        for (const e of elements) s.add(bytesToLatin1(e));
      },
      size,
    );
  }

  async setRemove(ns: string, key: Uint8Array, elements: readonly Uint8Array[] | 'all'): Promise<boolean> {
    const found = this.shrinkCollection(ns, key, 'set', (s: SetItem) => {
      if (elements === 'all') for (const m of [...s.members]) s.delete(m);
      else for (const e of elements) s.delete(bytesToLatin1(e));
      return true;
    });
    return found === true;
  }

  async setFetch(ns: string, key: Uint8Array): Promise<Uint8Array[] | undefined> {
    return this.readCollection<SetItem>(ns, key, 'set')?.members.map(latin1Bytes);
  }

  async setContains(ns: string, key: Uint8Array, elements: readonly Uint8Array[]): Promise<boolean[] | undefined> {
    const s = this.readCollection<SetItem>(ns, key, 'set');
    return s === undefined ? undefined : elements.map((e) => s.has(bytesToLatin1(e)));
  }

  async setLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return this.readCollection<SetItem>(ns, key, 'set')?.size;
  }

  async setSample(ns: string, key: Uint8Array, limit: number): Promise<Uint8Array[] | undefined> {
    checkCount('limit', limit);
    const s = this.readCollection<SetItem>(ns, key, 'set');
    if (s === undefined) return undefined;
    const n = s.size;
    if (limit >= n) return s.members.map(latin1Bytes);
    // Distinct random indexes: rejection sampling when the sample is small next to the set (O(limit)),
    // a partial Fisher–Yates over a copy when it is not (O(n), but then the answer is O(n) anyway).
    if (limit <= n / 2) {
      const picked = new Set<number>();
      while (picked.size < limit) picked.add(Math.floor(Math.random() * n));
      return [...picked].map((i) => latin1Bytes(s.members[i]!));
    }
    const copy = [...s.members];
    for (let i = 0; i < limit; i++) {
      const j = i + Math.floor(Math.random() * (n - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, limit).map(latin1Bytes);
  }

  async setPop(ns: string, key: Uint8Array, count: number): Promise<Uint8Array[] | undefined> {
    checkCount('count', count);
    return this.shrinkCollection(ns, key, 'set', (s: SetItem) => {
      const out: Uint8Array[] = [];
      while (out.length < count && s.size > 0) {
        const m = s.members[Math.floor(Math.random() * s.size)]!;
        s.delete(m);
        out.push(latin1Bytes(m));
      }
      return out;
    });
  }

  // ---- sorted sets ---------------------------------------------------------------------------------

  async sortedSetPut(
    ns: string,
    key: Uint8Array,
    elements: readonly SortedSetElement[],
    ttl: CollectionTtl,
  ): Promise<void> {
    let growth = 0;
    for (const e of elements) {
      checkScore(e.score);
      growth += e.value.byteLength + SORTED_SET_ELEMENT_OVERHEAD;
    }
    const size = (z: SortedSetItem | undefined) => {
      let delta = 0;
      const seen = elements.length > 1 ? new Set<string>() : undefined;
      for (const e of elements) {
        const m = bytesToLatin1(e.value);
        if (!seen?.has(m) && !z?.scores.has(m)) delta += e.value.byteLength + SCORE_BYTES;
        seen?.add(m);
      }
      return delta;
    };
    this.writeCollection(
      ns,
      key,
      'sortedSet',
      ttl,
      growth,
      true,
      (z: SortedSetItem) => {
        for (const e of elements) z.put(bytesToLatin1(e.value), e.score);
      },
      size,
    );
  }

  async sortedSetFetchByRank(
    ns: string,
    key: Uint8Array,
    range: IndexRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined> {
    checkIndexRange(range);
    const z = this.readCollection<SortedSetItem>(ns, key, 'sortedSet');
    if (z === undefined) return undefined;
    const n = z.size;
    const [start, stop] = sliceBounds(n, range);
    const out: SortedSetElement[] = [];
    if (start === stop) return out;
    const asc = order !== 'descending';
    let node = z.order.at(asc ? start : n - 1 - start);
    for (let i = start; i < stop && node !== null; i++) {
      out.push({ value: latin1Bytes(node.member), score: node.score });
      node = asc ? node.next[0]! : node.backward;
    }
    return out;
  }

  async sortedSetFetchByScore(
    ns: string,
    key: Uint8Array,
    range: ScoreRange,
    order: SortOrder,
  ): Promise<SortedSetElement[] | undefined> {
    checkScoreBound(range.min);
    checkScoreBound(range.max);
    const offset = range.offset ?? 0;
    checkCount('offset', offset);
    if (range.count !== undefined) checkCount('count', range.count);
    const z = this.readCollection<SortedSetItem>(ns, key, 'sortedSet');
    if (z === undefined) return undefined;
    const out: SortedSetElement[] = [];
    const limit = range.count ?? Number.POSITIVE_INFINITY;
    const asc = order !== 'descending';
    let node: SkipNode | null = asc ? z.order.firstFrom(range.min) : z.order.lastUpTo(range.max);
    if (node !== null && offset > 0) {
      // Jump over the offset by rank (O(log n)) instead of walking it.
      const rank = z.order.rankOf(node.score, node.member) + (asc ? offset : -offset);
      node = z.order.at(rank);
    }
    while (node !== null && out.length < limit && aboveMin(node.score, range.min) && belowMax(node.score, range.max)) {
      out.push({ value: latin1Bytes(node.member), score: node.score });
      node = asc ? node.next[0]! : node.backward;
    }
    return out;
  }

  async sortedSetGetScores(
    ns: string,
    key: Uint8Array,
    values: readonly Uint8Array[],
  ): Promise<(number | undefined)[] | undefined> {
    const z = this.readCollection<SortedSetItem>(ns, key, 'sortedSet');
    return z === undefined ? undefined : values.map((v) => z.scores.get(bytesToLatin1(v)));
  }

  async sortedSetGetRank(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    order: SortOrder,
  ): Promise<number | undefined> {
    const z = this.readCollection<SortedSetItem>(ns, key, 'sortedSet');
    if (z === undefined) return undefined;
    const m = bytesToLatin1(value);
    const score = z.scores.get(m);
    if (score === undefined) return undefined;
    const rank = z.order.rankOf(score, m);
    return order === 'descending' ? z.size - 1 - rank : rank;
  }

  async sortedSetIncrement(
    ns: string,
    key: Uint8Array,
    value: Uint8Array,
    amount: number,
    ttl: CollectionTtl,
  ): Promise<number> {
    checkScore(amount);
    const m = bytesToLatin1(value);
    return this.writeCollection(
      ns,
      key,
      'sortedSet',
      ttl,
      m.length + SORTED_SET_ELEMENT_OVERHEAD,
      true,
      (z: SortedSetItem) => {
        const score = (z.scores.get(m) ?? 0) + amount;
        if (Number.isNaN(score)) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'increment would make the score NaN');
        z.put(m, score);
        return score;
      },
      (z) => (z?.scores.has(m) ? 0 : m.length + SCORE_BYTES),
    )!;
  }

  async sortedSetRemove(ns: string, key: Uint8Array, values: readonly Uint8Array[] | 'all'): Promise<void> {
    this.shrinkCollection(ns, key, 'sortedSet', (z: SortedSetItem) => {
      if (values === 'all') for (const m of [...z.scores.keys()]) z.delete(m);
      else for (const v of values) z.delete(bytesToLatin1(v));
    });
  }

  async sortedSetLength(ns: string, key: Uint8Array): Promise<number | undefined> {
    return this.readCollection<SortedSetItem>(ns, key, 'sortedSet')?.size;
  }

  async sortedSetLengthByScore(
    ns: string,
    key: Uint8Array,
    min?: ScoreBound,
    max?: ScoreBound,
  ): Promise<number | undefined> {
    checkScoreBound(min);
    checkScoreBound(max);
    const z = this.readCollection<SortedSetItem>(ns, key, 'sortedSet');
    if (z === undefined) return undefined;
    const first = z.order.firstFrom(min);
    const last = z.order.lastUpTo(max);
    if (first === null || last === null) return 0;
    const n = z.order.rankOf(last.score, last.member) - z.order.rankOf(first.score, first.member) + 1;
    return Math.max(0, n);
  }

  async sortedSetUnionStore(
    ns: string,
    key: Uint8Array,
    sources: readonly SortedSetSource[],
    aggregate: SortedSetAggregate,
    ttlMs: number,
  ): Promise<number> {
    const items = this.itemsOf(ns);
    checkTtl(ttlMs);
    if (aggregate !== 'sum' && aggregate !== 'min' && aggregate !== 'max') {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `unknown aggregate ${JSON.stringify(aggregate)}`);
    }
    for (const src of sources) checkScore(src.weight);
    const union = new Map<string, number>();
    for (const src of sources) {
      const z = this.readCollection<SortedSetItem>(ns, src.key, 'sortedSet');
      if (z === undefined) continue;
      for (const [m, score] of z.scores) {
        // Redis: a weighted score of 0 * inf is 0, never NaN; a sum of +inf and -inf is 0 as well.
        let w = score * src.weight;
        if (Number.isNaN(w)) w = 0;
        const prev = union.get(m);
        let next = w;
        if (prev !== undefined)
          next = aggregate === 'sum' ? prev + w : aggregate === 'min' ? Math.min(prev, w) : Math.max(prev, w);
        union.set(m, Number.isNaN(next) ? 0 : next);
      }
    }
    let data = 0;
    for (const m of union.keys()) data += m.length + SCORE_BYTES;
    this.checkCollectionSize(key, data);
    const existing = this.liveSlot(items, key);
    if (existing !== undefined) this.remove(existing, Removal.Deleted);
    if (union.size === 0) return 0;
    let growth = 0;
    for (const m of union.keys()) growth += m.length + SORTED_SET_ELEMENT_OVERHEAD;
    this.writeCollection(ns, key, 'sortedSet', { ttlMs, refreshTtl: true }, growth, true, (z: SortedSetItem) => {
      for (const [m, score] of union) z.put(m, score);
    });
    return union.size;
  }

  // ---- leaderboards --------------------------------------------------------------------------------
  // Each op is O(log n) per element touched, plus k for the k elements a fetch returns.

  async leaderboardUpsert(
    ns: string,
    name: Uint8Array,
    elements: readonly LeaderboardElement[],
    ttlMs: number,
  ): Promise<void> {
    const boards = this.boardsOf(ns);
    checkLeaderboardElements(elements);
    this.writeCollectionIn(
      boards,
      name,
      'leaderboard',
      { ttlMs, refreshTtl: true },
      elements.length * LEADERBOARD_ELEMENT_BYTES,
      true,
      (b: LeaderboardItem) => {
        for (const e of elements) b.put(idToLatin1(e.id), e.score);
      },
    );
  }

  async leaderboardFetchByRank(
    ns: string,
    name: Uint8Array,
    start: number,
    end: number,
    order: SortOrder,
  ): Promise<RankedElement[]> {
    checkRankRange(start, end);
    const b = this.readBoard(ns, name);
    const out: RankedElement[] = [];
    if (b === undefined) return out;
    const n = b.size;
    const stop = Math.min(end, n);
    if (start >= stop) return out;
    const asc = order !== 'descending';
    let node = b.order.at(asc ? start : n - 1 - start);
    for (let rank = start; rank < stop && node !== null; rank++) {
      out.push({ id: latin1ToId(node.member), score: node.score, rank });
      node = asc ? node.next[0]! : node.backward;
    }
    return out;
  }

  async leaderboardFetchByScore(
    ns: string,
    name: Uint8Array,
    range: LeaderboardScoreRange,
    order: SortOrder,
  ): Promise<RankedElement[]> {
    checkLeaderboardScoreRange(range);
    const b = this.readBoard(ns, name);
    const out: RankedElement[] = [];
    if (b === undefined || range.count === 0) return out;
    const n = b.size;
    const { min, max } = range;
    const asc = order !== 'descending';
    // The first element in range, as a rank in `order`; the offset is then a jump by rank (O(log n)).
    let first: number;
    if (asc) {
      const node = b.order.firstFrom(min === undefined ? undefined : { score: min, exclusive: false });
      if (node === null) return out;
      first = b.order.rankOf(node.score, node.member);
    } else {
      const node = b.order.lastUpTo(max === undefined ? undefined : { score: max, exclusive: true });
      if (node === null) return out;
      first = n - 1 - b.order.rankOf(node.score, node.member);
    }
    let rank = first + range.offset;
    let node: SkipNode | null = b.order.at(asc ? rank : n - 1 - rank);
    while (node !== null && out.length < range.count) {
      if (asc ? max !== undefined && node.score >= max : min !== undefined && node.score < min) break;
      out.push({ id: latin1ToId(node.member), score: node.score, rank });
      rank++;
      node = asc ? node.next[0]! : node.backward;
    }
    return out;
  }

  async leaderboardGetRank(
    ns: string,
    name: Uint8Array,
    ids: readonly number[],
    order: SortOrder,
  ): Promise<RankedElement[]> {
    for (const id of ids) checkLeaderboardId(id);
    const b = this.readBoard(ns, name);
    const out: RankedElement[] = [];
    if (b === undefined) return out;
    for (const id of ids) {
      const m = idToLatin1(id);
      const score = b.scores.get(m);
      if (score === undefined) continue;
      const rank = b.order.rankOf(score, m);
      out.push({ id, score, rank: order === 'descending' ? b.size - 1 - rank : rank });
    }
    return out;
  }

  async leaderboardGetCompetitionRank(
    ns: string,
    name: Uint8Array,
    ids: readonly number[],
    order: SortOrder,
  ): Promise<RankedElement[]> {
    for (const id of ids) checkLeaderboardId(id);
    const b = this.readBoard(ns, name);
    const out: RankedElement[] = [];
    if (b === undefined) return out;
    for (const id of ids) {
      const score = b.scores.get(idToLatin1(id));
      if (score === undefined) continue;
      // Ascending: how many score lower (the rank of the first node with this score); descending: how many
      // score higher (everything after the last node with this score). Both nodes exist: `id` is one.
      let rank: number;
      if (order === 'descending') {
        const last = b.order.lastUpTo({ score, exclusive: false })!;
        rank = b.size - 1 - b.order.rankOf(last.score, last.member);
      } else {
        const first = b.order.firstFrom({ score, exclusive: false })!;
        rank = b.order.rankOf(first.score, first.member);
      }
      out.push({ id, score, rank });
    }
    return out;
  }

  async leaderboardLength(ns: string, name: Uint8Array): Promise<number> {
    return this.readBoard(ns, name)?.size ?? 0;
  }

  async leaderboardRemove(ns: string, name: Uint8Array, ids: readonly number[]): Promise<void> {
    for (const id of ids) checkLeaderboardId(id);
    const slot = this.collectionSlot(this.boardsOf(ns), name, 'leaderboard');
    if (slot === undefined) return;
    const b = this.collections.get(slot) as LeaderboardItem;
    const before = b.bytes;
    for (const id of ids) b.delete(idToLatin1(id));
    this.bytesUsed += b.bytes - before;
    if (b.size === 0) this.remove(slot, Removal.Deleted);
    else this.recency.touch(slot);
  }

  async leaderboardDelete(ns: string, name: Uint8Array): Promise<void> {
    const slot = this.liveSlot(this.boardsOf(ns), name);
    if (slot !== undefined) this.remove(slot, Removal.Deleted);
  }

  // ---- housekeeping --------------------------------------------------------------------------------

  stats(): EngineStats {
    return {
      items: this.itemCount,
      bytesUsed: this.bytesUsed,
      maxBytes: this.maxBytes,
      evictions: this.evictions,
      expirations: this.expirations,
    };
  }

  /**
   * Reclaims expired items, earliest deadline first, doing at most `maxItems` units of work (a unit
   * either reclaims one expired item or re-files one whose TTL was extended since it was filed), so a
   * call is bounded however many items expired at once. The background timer calls this; tests with a
   * `ManualClock` call it directly.
   *
   * @param maxItems work bound, default 2 000
   * @returns how many items were reclaimed
   */
  sweepExpired(maxItems = SWEEP_BATCH): number {
    const nowMs = this.clock.nowMs();
    let reclaimed = 0;
    for (let work = 0; work < maxItems && this.heap.topDeadline() <= nowMs; work++) {
      if (this.expireOrRefileTop(nowMs)) reclaimed++;
    }
    return reclaimed;
  }

  async close(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.closed = true;
    // Release the memory now rather than when the last reference to the engine goes away.
    this.namespaces.clear();
    this.boards.clear();
    this.recency.clear();
    this.heap.clear();
    this.index.clear();
    this.arena.clear();
    this.spaceOf.fill(0);
    this.collections.clear();
    this.kinds.fill(0);
    this.itemCount = 0;
    this.bytesUsed = 0;
  }

  // ---- internals -----------------------------------------------------------------------------------

  /**
   * Timer callback (an arrow property so `setInterval` gets no per-tick closure). When a batch ends with
   * expired items left, it continues on the next turn of the event loop instead of waiting a full period.
   */
  private readonly sweepTick = (): void => {
    if (this.closed) return;
    this.sweepExpired(SWEEP_BATCH);
    if (this.heap.topDeadline() <= this.clock.nowMs()) setImmediate(this.sweepTick).unref();
  };

  /** The leaderboards of `ns`; NOT_FOUND like {@link itemsOf} when the namespace does not exist. */
  private boardsOf(ns: string): Items {
    const boards = this.boards.get(ns);
    if (boards === undefined) return this.itemsOf(ns); // throws the missing-namespace error
    return boards;
  }

  /** The live leaderboard `name` of `ns` (marked used), or `undefined`. */
  private readBoard(ns: string, name: Uint8Array): LeaderboardItem | undefined {
    const slot = this.collectionSlot(this.boardsOf(ns), name, 'leaderboard');
    if (slot === undefined) return undefined;
    this.recency.touch(slot);
    return this.collections.get(slot) as LeaderboardItem;
  }

  private itemsOf(ns: string): Items {
    const items = this.namespaces.get(ns);
    if (items === undefined) {
      throw this.closed ? closedError() : new CacheError(ErrorCode.NOT_FOUND, 'cache not found', 'store_not_found');
    }
    return items;
  }

  /** The hash of `key` in key space `items`. */
  private hash(items: Items, key: Uint8Array): number {
    return hashKey(items, key, 0, key.byteLength);
  }

  /** The slot holding `key` in key space `items` (live or expired), or -1. */
  private findSlot(items: Items, key: Uint8Array, hash: number): number {
    this.probeSpace = items;
    this.probeKey = key;
    const slot = this.index.find(hash, this.matchProbe);
    this.probeKey = EMPTY; // keep no reference to the caller's bytes
    return slot;
  }

  /** The slot of a live item, reclaiming it on the spot when it has expired (so it is never returned). */
  private liveSlot(items: Items, k: Uint8Array, hash = this.hash(items, k), nowMs = Number.NaN): number | undefined {
    const slot = this.findSlot(items, k, hash);
    if (slot < 0) return undefined;
    // A caller that has just read the clock passes its reading (one clock read per write, not two).
    if (this.expiresAt[slot]! <= (Number.isNaN(nowMs) ? this.clock.nowMs() : nowMs)) {
      this.remove(slot, Removal.Expired);
      return undefined;
    }
    return slot;
  }

  /** A write's TTL in ms: the live item's remaining TTL for {@link KeepTtl}, else its fallback. */
  private resolveTtl(ttl: WriteTtl, slot: number | undefined): number {
    if (typeof ttl === 'number') return ttl;
    return slot === undefined ? ttl.keepOr : this.expiresAt[slot]! - this.clock.nowMs();
  }

  private checkSize(k: Uint8Array, valueBytes: number): void {
    const size = k.byteLength + valueBytes + this.overhead;
    if (size > this.maxBytes) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `item of ${size} bytes (key ${k.byteLength} + value ${valueBytes} + overhead ${this.overhead}) exceeds the engine's maxBytes of ${this.maxBytes}`,
        'item_size_limit_exceeded',
      );
    }
  }

  /** Stores a checked item (size ≤ maxBytes), evicting as needed; a rewritten item counts as used. */
  private store(items: Items, k: Uint8Array, v: Uint8Array, ttlMs: number): void {
    const size = k.byteLength + v.byteLength + this.overhead;
    const nowMs = this.clock.nowMs();
    const deadline = nowMs + ttlMs;
    const hash = this.hash(items, k);
    const existing = this.liveSlot(items, k, hash, nowMs);
    if (existing !== undefined) {
      // Un-account the old value first; making room never evicts this slot (it is protected), and since
      // size ≤ maxBytes, every other item gone is always room enough.
      this.bytesUsed -= this.arena.lengthOf(existing);
      if (this.kinds[existing] !== 0) {
        // A scalar set replaces a collection, as Redis SET does.
        this.bytesUsed -= this.collections.get(existing)!.bytes;
        this.collections.delete(existing);
        this.kinds[existing] = 0;
      }
      this.recency.touch(existing);
      // The new deadline first: making room may expire items, never this one.
      this.setDeadline(existing, deadline);
      this.makeRoom(v.byteLength, false, existing);
      // A value of the same length is rewritten in place. Otherwise freed only now: while making room the
      // index may re-hash this slot's key from its stored bytes; the key is rewritten beside the new value
      // (the caller's bytes equal the stored ones).
      if (!this.arena.overwrite(existing, v)) {
        this.arena.free(existing);
        this.arena.write(existing, v, k);
      }
      this.bytesUsed += v.byteLength;
      return;
    }
    this.makeRoom(size, true);
    const slot = this.allocateSlot();
    this.arena.write(slot, v, k);
    this.spaceOf[slot] = items;
    this.spaceItems[items]!++;
    this.expiresAt[slot] = deadline;
    this.recency.insert(slot);
    this.heap.push(slot, deadline);
    this.index.insert(hash, slot);
    this.bytesUsed += size;
    this.itemCount++;
  }

  /**
   * Frees memory until `extraBytes` more fit: expired items first (no live data lost), then CLOCK's victims,
   * never `protect` (the item growing or being rewritten, -1 for none).
   */
  private makeRoom(extraBytes: number, newItem: boolean, protect = -1): void {
    let nowMs = Number.NaN;
    while (this.bytesUsed + extraBytes > this.maxBytes || (newItem && this.itemCount >= MAX_ITEMS)) {
      if (Number.isNaN(nowMs)) nowMs = this.clock.nowMs();
      if (this.heap.topDeadline() <= nowMs) {
        this.expireOrRefileTop(nowMs);
        continue;
      }
      const victim = this.recency.victim(this.nextUnused, this.spaceOf, protect);
      if (victim < 0) return;
      this.remove(victim, Removal.Evicted);
    }
  }

  /** Reclaims the heap's top item when really expired (true), or re-files it at its real deadline. */
  private expireOrRefileTop(nowMs: number): boolean {
    const slot = this.heap.topSlot();
    const deadline = this.expiresAt[slot]!;
    if (deadline <= nowMs) {
      this.remove(slot, Removal.Expired);
      return true;
    }
    this.heap.refileTop(deadline);
    return false;
  }

  /** The live collection of `kind` at `key`, marked used; `undefined` when absent. */
  private readCollection<C extends CollectionItem>(ns: string, key: Uint8Array, kind: C['kind']): C | undefined {
    const slot = this.collectionSlot(this.itemsOf(ns), key, kind);
    if (slot === undefined) return undefined;
    this.recency.touch(slot);
    return this.collections.get(slot) as C;
  }

  /** The slot of the live collection of `kind` at `k`, `undefined` when absent; wrong type throws. */
  private collectionSlot(items: Items, k: Uint8Array, kind: CollectionItem['kind']): number | undefined {
    const slot = this.liveSlot(items, k);
    if (slot === undefined) return undefined;
    if (this.kinds[slot] !== KIND[kind]) throw wrongTypeError();
    return slot;
  }

  /**
   * A collection write: finds the collection (or, when `create`, makes a new one), makes room for up to
   * `growth` more accounted bytes, runs `mutate`, accounts the real change and applies the TTL rules.
   * `mutate` must throw, if at all, before it changes anything. A collection left empty is deleted, and
   * a new one that stays empty is never stored. `sizeDelta`, when given, says exactly how many data bytes
   * the write adds to the collection (`undefined`: a new one) so the item-size limit is checked before any
   * change, eviction included.
   */
  private writeCollection<C extends CollectionItem, R>(
    ns: string,
    key: Uint8Array,
    kind: C['kind'],
    ttl: CollectionTtl,
    growth: number,
    create: boolean,
    mutate: (c: C) => R,
    sizeDelta?: (c: C | undefined) => number,
  ): R | undefined {
    return this.writeCollectionIn(this.itemsOf(ns), key, kind, ttl, growth, create, mutate, sizeDelta);
  }

  /**
   * {@link writeCollection} in a given key space (a namespace's items or its leaderboards, which pass no
   * `sizeDelta`: memory, not the item-size limit, bounds a leaderboard).
   */
  private writeCollectionIn<C extends CollectionItem, R>(
    items: Items,
    key: Uint8Array,
    kind: C['kind'],
    ttl: CollectionTtl,
    growth: number,
    create: boolean,
    mutate: (c: C) => R,
    sizeDelta?: (c: C | undefined) => number,
  ): R | undefined {
    checkCollectionTtl(ttl);
    const slot = this.collectionSlot(items, key, kind);
    if (slot === undefined) {
      if (!create) return undefined;
      if (sizeDelta !== undefined && this.maxItemBytes !== Number.POSITIVE_INFINITY) {
        this.checkCollectionSize(key, sizeDelta(undefined));
      }
      this.checkItemBytes(key.byteLength + this.overhead + growth);
      this.makeRoom(key.byteLength + this.overhead + growth, true);
      const c = newCollection(kind) as C;
      const result = mutate(c);
      if (c.size > 0) this.installCollection(items, key, c, ttl.ttlMs);
      return result;
    }
    const c = this.collections.get(slot) as C;
    if (sizeDelta !== undefined && this.maxItemBytes !== Number.POSITIVE_INFINITY) {
      this.checkCollectionSize(key, dataBytesOf(c) + sizeDelta(c));
    }
    this.checkItemBytes(this.itemBytes(slot) + growth);
    this.recency.touch(slot);
    // Never this item: it is the one growing (see store()).
    if (growth > 0) this.makeRoom(growth, false, slot);
    const before = c.bytes;
    const result = mutate(c);
    this.bytesUsed += c.bytes - before;
    if (c.size === 0) this.remove(slot, Removal.Deleted);
    else if (ttl.refreshTtl) this.setDeadline(slot, this.clock.nowMs() + ttl.ttlMs);
    return result;
  }

  /** A collection write that only removes (no TTL change); `undefined` when the collection is missing. */
  private shrinkCollection<C extends CollectionItem, R>(
    ns: string,
    key: Uint8Array,
    kind: C['kind'],
    mutate: (c: C) => R,
  ): R | undefined {
    const slot = this.collectionSlot(this.itemsOf(ns), key, kind);
    if (slot === undefined) return undefined;
    const c = this.collections.get(slot) as C;
    const before = c.bytes;
    const result = mutate(c);
    this.bytesUsed += c.bytes - before;
    if (c.size === 0) this.remove(slot, Removal.Deleted);
    else this.recency.touch(slot);
    return result;
  }

  private installCollection(items: Items, k: Uint8Array, c: CollectionItem, ttlMs: number): void {
    const deadline = this.clock.nowMs() + ttlMs;
    const slot = this.allocateSlot();
    this.arena.write(slot, EMPTY, k);
    this.kinds[slot] = KIND[c.kind];
    this.collections.set(slot, c);
    this.spaceOf[slot] = items;
    this.spaceItems[items]!++;
    this.expiresAt[slot] = deadline;
    this.recency.insert(slot);
    this.heap.push(slot, deadline);
    this.index.insert(this.hash(items, k), slot);
    this.bytesUsed += k.byteLength + this.overhead + c.bytes;
    this.itemCount++;
  }

  private itemBytes(slot: number): number {
    return this.arena.keyLengthOf(slot) + this.arena.lengthOf(slot) + this.overhead + this.collectionBytes(slot);
  }

  private collectionBytes(slot: number): number {
    return this.kinds[slot] === 0 ? 0 : this.collections.get(slot)!.bytes;
  }

  /** Refuses a collection whose key plus data (see `maxItemBytes`) would pass the item-size limit. */
  private checkCollectionSize(k: Uint8Array, dataBytes: number): void {
    const size = k.byteLength + dataBytes;
    if (size > this.maxItemBytes) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `the collection would hold ${size} bytes (name and elements), over the item size limit of ${this.maxItemBytes} bytes`,
        'item_size_limit_exceeded',
      );
    }
  }

  private checkItemBytes(size: number): void {
    if (size > this.maxBytes) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `item of ${size} accounted bytes would exceed the engine's maxBytes of ${this.maxBytes}`,
        'item_size_limit_exceeded',
      );
    }
  }

  /** Whether `condition` holds for the live item in `slot` (`undefined`: absent). */
  private conditionHolds(condition: SetCondition, slot: number | undefined): boolean {
    switch (condition.kind) {
      case 'absent':
        return slot === undefined;
      case 'present':
        return slot !== undefined;
      case 'equal':
        return slot !== undefined && this.arena.equals(slot, condition.value);
      case 'notEqual':
        return slot === undefined || !this.arena.equals(slot, condition.value);
      case 'presentAndNotEqual':
        return slot !== undefined && !this.arena.equals(slot, condition.value);
      case 'absentOrEqual':
        return slot === undefined || this.arena.equals(slot, condition.value);
      default:
        throw invalid(`unknown set condition ${JSON.stringify((condition as { kind: unknown }).kind)}`);
    }
  }

  private setDeadline(slot: number, deadline: number): void {
    const before = this.expiresAt[slot]!;
    this.expiresAt[slot] = deadline;
    // The heap keeps a lower bound of the deadline; only an earlier one may need re-filing now (see
    // ExpiryHeap). Its entry is ≤ `before`, so a later deadline (an overwrite with the same TTL) skips the
    // heap's two cache misses.
    if (deadline < before && deadline < this.heap.deadlineOf(slot)) this.heap.lower(slot, deadline);
  }

  private remove(slot: number, why: Removal): void {
    this.index.remove(this.arena.hashOf(slot, this.spaceOf[slot]!), slot);
    this.release(slot);
    if (why === Removal.Evicted) this.evictions++;
    else if (why === Removal.Expired) this.expirations++;
  }

  /** Unlinks a slot from every structure except the key index and returns it to the free list. */
  private release(slot: number): void {
    this.bytesUsed -= this.itemBytes(slot);
    if (this.kinds[slot] !== 0) {
      this.collections.delete(slot);
      this.kinds[slot] = 0;
    }
    this.itemCount--;
    this.heap.remove(slot);
    this.arena.free(slot);
    this.spaceItems[this.spaceOf[slot]!]!--;
    this.spaceOf[slot] = 0;
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Removes every item of a key space, synchronously, like Redis FLUSHDB without ASYNC: a scan of the
   * slot-to-space array (stopping once the space is empty) rather than a per-namespace key set, which
   * would cost heap objects per item; a generation counter would add a check to every get. Dropping a
   * cache is rare; a scan of 10 M slots is a few ms plus the removals themselves.
   */
  private clearItems(items: Items): void {
    const spaceOf = this.spaceOf;
    for (let slot = 0; slot < this.nextUnused && this.spaceItems[items]! > 0; slot++) {
      if (spaceOf[slot] === items) this.remove(slot, Removal.Deleted);
    }
  }

  /** A fresh key space id (reusing a dropped namespace's: its slots were all removed). */
  private newSpace(): Items {
    const id = this.freeSpaces.pop() ?? this.spaceItems.length;
    if (id > MAX_SPACE) {
      throw new CacheError(ErrorCode.LIMIT_EXCEEDED, `at most ${MAX_SPACE >> 1} caches per engine`);
    }
    this.spaceItems[id] = 0;
    return id;
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.nextUnused === this.capacity) this.grow(this.nextCapacity());
    return this.nextUnused++;
  }

  /**
   * Doubling while small; past {@link RESERVE_FROM} slots, one jump to as many slots as `maxBytes` can
   * hold at {@link RESERVE_ITEM_BYTES} of key and value per item. Growing copies every per-slot array in one
   * call: 8 M slots → 16 M was a ~0.4 s stall. The reserve is zero-filled virtual memory that becomes
   * resident only as slots are used, so it costs address space, not RSS. Items smaller than assumed
   * outgrow it and fall back to doubling.
   */
  private nextCapacity(): number {
    const doubled = Math.min(this.capacity * 2, MAX_ITEMS);
    if (doubled < RESERVE_FROM) return doubled;
    const reserve = Math.floor(this.maxBytes / (this.overhead + RESERVE_ITEM_BYTES));
    return Math.max(doubled, Math.min(reserve, MAX_ITEMS));
  }

  /** Grows every per-slot array to `capacity`; amortised O(1) per insert. */
  private grow(capacity: number): void {
    const expiresAt = new Float64Array(capacity);
    expiresAt.set(this.expiresAt);
    this.expiresAt = expiresAt;
    const freeSlots = new Int32Array(capacity);
    // Only the used part: copying the rest would make never-used pages resident.
    freeSlots.set(this.freeSlots.subarray(0, this.freeCount));
    this.freeSlots = freeSlots;
    this.recency.grow(capacity);
    this.heap.grow(capacity);
    this.arena.grow(capacity);
    const kinds = new Uint8Array(capacity);
    kinds.set(this.kinds);
    this.kinds = kinds;
    const spaceOf = new Uint16Array(capacity);
    spaceOf.set(this.spaceOf);
    this.spaceOf = spaceOf;
    this.capacity = capacity;
  }
}

function checkTtl(ttlMs: number): void {
  // NaN, Infinity, fractions and non-numbers all fail isSafeInteger: no item is ever stored without a
  // real deadline, which the expiry heap relies on.
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw invalid(`ttlMs must be a positive integer number of milliseconds, got ${String(ttlMs)}`);
  }
}

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

function closedError(): CacheError {
  return new CacheError(ErrorCode.UNAVAILABLE, 'the engine is closed');
}

const EMPTY = new Uint8Array(0);

function newCollection(kind: CollectionItem['kind']): CollectionItem {
  switch (kind) {
    case 'dictionary':
      return new DictionaryItem();
    case 'list':
      return new ListItem();
    case 'set':
      return new SetItem();
    case 'sortedSet':
      return new SortedSetItem();
    case 'leaderboard':
      return new LeaderboardItem();
  }
}

/** A copy of a latin1 element as bytes (callers may keep or mutate it). */
function latin1Bytes(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

function checkAmount(amount: bigint): void {
  if (!isInt64(amount)) {
    throw invalid(`amount must be a signed 64-bit integer (bigint), got ${String(amount)}`);
  }
}

function checkEnd(end: ListEnd): void {
  if (end !== 'front' && end !== 'back') throw invalid(`list end must be 'front' or 'back', got ${String(end)}`);
}

function invalidCondition(condition: never): never {
  throw invalid(`unknown hash condition ${JSON.stringify((condition as { kind: unknown }).kind)}`);
}

/** Slot kind codes (0 is a scalar). */
const KIND: Record<CollectionItem['kind'], number> = { dictionary: 1, list: 2, set: 3, sortedSet: 4, leaderboard: 5 };
const KIND_NAME: readonly ItemType[] = ['scalar', 'dictionary', 'list', 'set', 'sortedSet'];
