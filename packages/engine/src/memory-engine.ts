/**
 * @module memory-engine
 * The embedded engine: every namespace lives in this process's heap, bounded by `maxBytes` with a global
 * LRU, with TTLs reclaimed actively by a bounded background sweep.
 *
 * Layout ("struct of arrays"): each item occupies an integer slot. Per slot we keep the key as a latin1
 * string in a plain array, the owning namespace's Map, the absolute deadline in a Float64Array, LRU links
 * in two Int32Arrays ({@link LruList}), an expiry-heap position ({@link ExpiryHeap}), and the value's
 * place in the {@link ValueArena}. Each namespace is a `Map<latin1 key, slot>`. So an item is two heap
 * objects (Map entry, key string); its value lives in large append-only segments the GC does not trace.
 *
 * Values moved from latin1 strings to the arena after `npm run bench` showed major-GC pauses of ~250 ms
 * with 1 M items: with the arena the V8 heap holds ~90 B/item instead of ~210 B, the longest GC pause at
 * 70 % of peak halved (≈ 125 ms), and RSS dropped from ~360 to ~315 B/item (Redis: ~241). Keys stay
 * strings: Map lookups on latin1 strings beat hashing bytes in JS.
 *
 * Every operation runs synchronously inside its async method (no await before or while touching the
 * maps), so each one is atomic with respect to all others.
 */

import { CacheError, type Clock, ErrorCode, isInt64, systemClock } from '@cachette/core';
import type { CacheEngine, EngineStats, ItemType, SetCondition, TtlUpdate, TtlUpdateResult } from './engine.ts';
import { ExpiryHeap } from './expiry-heap.ts';
import { addInt64, notAnIntegerError, parseInt64 } from './increment.ts';
import { bytesToLatin1 } from './latin1.ts';
import { LruList } from './lru-list.ts';
import { ValueArena } from './value-arena.ts';

const GiB = 1024 ** 3;

/**
 * Bytes accounted per item on top of key and value bytes: the Map entry (≈ 37 B at V8's load factor), the
 * key string's header (16 B), a plain-array slot (8 B), typed-array slots (deadline 8, LRU links 8, heap 16,
 * free list 4, arena place 12) and their doubling slack, plus the arena's dead space between compactions.
 * `npm run bench` (1 M items, 16 B keys, 100 B values) measured 315 B/item of RSS for 266 B/item accounted:
 * size the process with ~20% headroom over maxBytes.
 */
export const DEFAULT_PER_ITEM_OVERHEAD_BYTES = 150;

/**
 * Work per sweep call: reclaiming costs ~1 µs an item at 500 k items (Map delete + heap sift, measured),
 * so a tick holds the event loop ~2 ms; a backlog continues via setImmediate, ~1 M items/s.
 */
const SWEEP_BATCH = 2_000;

/**
 * V8 Maps hold at most 2^24 entries; capping the global item count below that means no namespace Map
 * can throw "Map maximum size exceeded". Only reachable with tiny items and a maxBytes of several GiB.
 */
const MAX_ITEMS = 2 ** 24 - 1;

const INITIAL_CAPACITY = 1024;

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
}

type Items = Map<string, number>;

/** Why an item left; decides which counter moves. Plain numbers: `const enum` does not survive isolatedModules. */
const Removal = { Deleted: 0, Evicted: 1, Expired: 2 } as const;
type Removal = (typeof Removal)[keyof typeof Removal];

/**
 * The in-process {@link CacheEngine}: namespaces are Maps, items carry absolute deadlines from the
 * injected clock, memory is bounded by `maxBytes` with global LRU eviction.
 *
 * @example
 * const engine = new MemoryEngine({ maxBytes: 64 * 1024 ** 2, clock });
 */
export class MemoryEngine implements CacheEngine {
  private readonly namespaces = new Map<string, Items>();
  private readonly clock: Clock;
  private readonly maxBytes: number;
  private readonly overhead: number;

  // Slot storage; see the module comment.
  private capacity = INITIAL_CAPACITY;
  private nextUnused = 0;
  private keys: string[] = [];
  private readonly arena = new ValueArena(INITIAL_CAPACITY);
  private owners: (Items | undefined)[] = [];
  private expiresAt = new Float64Array(INITIAL_CAPACITY);
  private freeSlots = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;
  private readonly lru = new LruList(INITIAL_CAPACITY);
  private readonly heap = new ExpiryHeap(INITIAL_CAPACITY);

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
   * @param options.perItemOverheadBytes per-item accounting constant, default 150
   */
  constructor(options: MemoryEngineOptions = {}) {
    this.maxBytes = options.maxBytes ?? GiB;
    this.clock = options.clock ?? systemClock;
    this.overhead = options.perItemOverheadBytes ?? DEFAULT_PER_ITEM_OVERHEAD_BYTES;
    if (!(this.maxBytes > 0)) throw invalid(`maxBytes must be a positive number, got ${this.maxBytes}`);
    if (!Number.isSafeInteger(this.overhead) || this.overhead < 0) {
      throw invalid(`perItemOverheadBytes must be a non-negative integer, got ${this.overhead}`);
    }
    this.fillSlotArrays(INITIAL_CAPACITY);
    const sweepIntervalMs = options.sweepIntervalMs ?? 1000;
    if (sweepIntervalMs > 0) {
      // unref: an idle cache must never keep a CLI or test process alive.
      this.timer = setInterval(this.sweepTick, sweepIntervalMs).unref();
    }
  }

  // ---- namespaces ----------------------------------------------------------------------------------

  async createNamespace(ns: string): Promise<void> {
    if (this.closed) throw closedError();
    if (!this.namespaces.has(ns)) this.namespaces.set(ns, new Map());
  }

  async dropNamespace(ns: string): Promise<void> {
    const items = this.namespaces.get(ns);
    if (items === undefined) return;
    this.clearItems(items);
    this.namespaces.delete(ns);
  }

  async flushNamespace(ns: string): Promise<void> {
    this.clearItems(this.itemsOf(ns));
  }

  async hasNamespace(ns: string): Promise<boolean> {
    return this.namespaces.has(ns);
  }

  // ---- items ---------------------------------------------------------------------------------------

  async get(ns: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    const slot = this.liveSlot(this.itemsOf(ns), bytesToLatin1(key));
    if (slot === undefined) return undefined;
    this.lru.touch(slot);
    return this.arena.read(slot);
  }

  async set(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    const items = this.itemsOf(ns);
    checkTtl(ttlMs);
    const k = bytesToLatin1(key);
    this.checkSize(k, value.byteLength);
    this.store(items, k, value, ttlMs);
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
    const k = bytesToLatin1(key);
    // Size is checked before the condition so an oversized write fails the same way whatever is stored.
    this.checkSize(k, value.byteLength);
    const slot = this.liveSlot(items, k);
    if (!this.conditionHolds(condition, slot)) return false;
    this.store(items, k, value, ttlMs);
    return true;
  }

  async delete(ns: string, key: Uint8Array): Promise<void> {
    const slot = this.itemsOf(ns).get(bytesToLatin1(key));
    if (slot !== undefined) this.remove(slot, Removal.Deleted);
  }

  async increment(ns: string, key: Uint8Array, amount: bigint, ttlMs: number): Promise<bigint> {
    const items = this.itemsOf(ns);
    checkTtl(ttlMs);
    if (!isInt64(amount)) {
      throw invalid(`amount must be a signed 64-bit integer (bigint), got ${String(amount)}`);
    }
    const k = bytesToLatin1(key);
    const slot = this.liveSlot(items, k);
    let current = 0n;
    if (slot !== undefined) {
      const parsed = parseInt64(this.arena.readLatin1(slot));
      if (parsed === undefined) throw notAnIntegerError();
      current = parsed;
    }
    const result = addInt64(current, amount);
    const v = Buffer.from(result.toString(), 'latin1');
    this.checkSize(k, v.byteLength);
    this.store(items, k, v, ttlMs);
    return result;
  }

  async itemGetTtl(ns: string, key: Uint8Array): Promise<number | undefined> {
    const slot = this.liveSlot(this.itemsOf(ns), bytesToLatin1(key));
    return slot === undefined ? undefined : this.expiresAt[slot]! - this.clock.nowMs();
  }

  async updateTtl(ns: string, key: Uint8Array, update: TtlUpdate): Promise<TtlUpdateResult> {
    const items = this.itemsOf(ns);
    checkTtl(update.ttlMs);
    const slot = this.liveSlot(items, bytesToLatin1(key));
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
      result[i] = this.liveSlot(items, bytesToLatin1(keys[i]!)) !== undefined;
    }
    return result;
  }

  async itemGetType(ns: string, key: Uint8Array): Promise<ItemType | undefined> {
    return this.liveSlot(this.itemsOf(ns), bytesToLatin1(key)) === undefined ? undefined : 'scalar';
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
    this.lru.clear();
    this.heap.clear();
    this.keys = [];
    this.arena.clear();
    this.owners = [];
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

  private itemsOf(ns: string): Items {
    const items = this.namespaces.get(ns);
    if (items === undefined) {
      throw this.closed ? closedError() : new CacheError(ErrorCode.NOT_FOUND, 'cache not found', 'store_not_found');
    }
    return items;
  }

  /** The slot of a live item, reclaiming it on the spot when it has expired (so it is never returned). */
  private liveSlot(items: Items, k: string): number | undefined {
    const slot = items.get(k);
    if (slot === undefined) return undefined;
    if (this.expiresAt[slot]! <= this.clock.nowMs()) {
      this.remove(slot, Removal.Expired);
      return undefined;
    }
    return slot;
  }

  private checkSize(k: string, valueBytes: number): void {
    const size = k.length + valueBytes + this.overhead;
    if (size > this.maxBytes) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `item of ${size} bytes (key ${k.length} + value ${valueBytes} + overhead ${this.overhead}) exceeds the engine's maxBytes of ${this.maxBytes}`,
        'item_size_limit_exceeded',
      );
    }
  }

  /** Stores a checked item (size ≤ maxBytes), evicting as needed; the item becomes most recently used. */
  private store(items: Items, k: string, v: Uint8Array, ttlMs: number): void {
    const size = k.length + v.byteLength + this.overhead;
    const deadline = this.clock.nowMs() + ttlMs;
    const existing = this.liveSlot(items, k);
    if (existing !== undefined) {
      // Release the old value first and make the slot MRU, so eviction reaches every other item before
      // it; since size ≤ maxBytes, the loop in makeRoom stops before it could evict this slot.
      this.bytesUsed -= this.arena.lengthOf(existing);
      this.arena.free(existing);
      this.lru.touch(existing);
      this.makeRoom(v.byteLength, false);
      this.arena.write(existing, v);
      this.bytesUsed += v.byteLength;
      this.setDeadline(existing, deadline);
      return;
    }
    this.makeRoom(size, true);
    const slot = this.allocateSlot();
    this.keys[slot] = k;
    this.arena.write(slot, v);
    this.owners[slot] = items;
    this.expiresAt[slot] = deadline;
    this.lru.pushFront(slot);
    this.heap.push(slot, deadline);
    items.set(k, slot);
    this.bytesUsed += size;
    this.itemCount++;
  }

  /** Frees memory until `extraBytes` more fit: expired items first (no live data lost), then the LRU. */
  private makeRoom(extraBytes: number, newItem: boolean): void {
    let nowMs = Number.NaN;
    while (this.bytesUsed + extraBytes > this.maxBytes || (newItem && this.itemCount >= MAX_ITEMS)) {
      if (Number.isNaN(nowMs)) nowMs = this.clock.nowMs();
      if (this.heap.topDeadline() <= nowMs) {
        this.expireOrRefileTop(nowMs);
        continue;
      }
      const victim = this.lru.tail;
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
    this.expiresAt[slot] = deadline;
    // The heap keeps a lower bound; only an earlier deadline needs re-filing now (see ExpiryHeap).
    if (deadline < this.heap.deadlineOf(slot)) this.heap.lower(slot, deadline);
  }

  private remove(slot: number, why: Removal): void {
    this.owners[slot]!.delete(this.keys[slot]!);
    this.release(slot);
    if (why === Removal.Evicted) this.evictions++;
    else if (why === Removal.Expired) this.expirations++;
  }

  /** Unlinks a slot from every structure except its namespace Map and returns it to the free list. */
  private release(slot: number): void {
    this.bytesUsed -= this.keys[slot]!.length + this.arena.lengthOf(slot) + this.overhead;
    this.itemCount--;
    this.lru.unlink(slot);
    this.heap.remove(slot);
    // Drop the references so the key can be collected while the slot waits for reuse.
    this.arena.free(slot);
    this.keys[slot] = '';
    this.owners[slot] = undefined;
    this.freeSlots[this.freeCount++] = slot;
  }

  /**
   * Removes every item of a namespace. O(items in the namespace), synchronously, like Redis FLUSHDB
   * without ASYNC; dropping a cache is rare and the alternative (a generation counter) would add a check
   * to every get.
   */
  private clearItems(items: Items): void {
    for (const slot of items.values()) this.release(slot);
    items.clear();
  }

  private allocateSlot(): number {
    if (this.freeCount > 0) return this.freeSlots[--this.freeCount]!;
    if (this.nextUnused === this.capacity) this.grow(this.capacity * 2);
    return this.nextUnused++;
  }

  /** Doubles every per-slot array; amortised O(1) per insert. */
  private grow(capacity: number): void {
    const expiresAt = new Float64Array(capacity);
    expiresAt.set(this.expiresAt);
    this.expiresAt = expiresAt;
    const freeSlots = new Int32Array(capacity);
    freeSlots.set(this.freeSlots);
    this.freeSlots = freeSlots;
    this.lru.grow(capacity);
    this.heap.grow(capacity);
    this.arena.grow(capacity);
    this.fillSlotArrays(capacity);
    this.capacity = capacity;
  }

  /** Extends the plain arrays with pushes (not `length =`) so V8 keeps them packed, never holey. */
  private fillSlotArrays(capacity: number): void {
    for (let i = this.keys.length; i < capacity; i++) {
      this.keys.push('');
      this.owners.push(undefined);
    }
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
