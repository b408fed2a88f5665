/**
 * @module memory-collections
 * The collection items of {@link MemoryEngine}: one heap object per collection, referenced from its slot,
 * elements held as latin1 strings (one byte per char, no ArrayBuffer per element). Each structure keeps
 * `bytes`, the exact sum of what it accounts: element bytes plus a per-element constant for the heap
 * structure around them, so `maxBytes` covers collections like scalars.
 *
 * The per-element constants are V8's measured cost on Node 20 (`node --import tsx bench/collections.ts
 * --memory-only`: V8 heap growth per element of 100 000-element collections with 16 B members), rounded
 * up so accounting never undercounts the heap: a dictionary field ≈ 188 B with 116 B of bytes, a list
 * element ≈ 132 B with 100 B, a set member ≈ 78 B with 16 B, a sorted-set member ≈ 252 B with 16 B (skip
 * list node: object + two arrays, ~1.33 links on average, plus the member → score Map entry).
 */

import { SkipList } from './skip-list.ts';

/** Accounted bytes per dictionary field beyond field and value bytes. */
export const DICTIONARY_ENTRY_OVERHEAD = 80;
/** Accounted bytes per list element beyond its bytes. */
export const LIST_ELEMENT_OVERHEAD = 36;
/** Accounted bytes per set element beyond its bytes. */
export const SET_ELEMENT_OVERHEAD = 64;
/** Accounted bytes per sorted-set member beyond its bytes (score included). */
export const SORTED_SET_ELEMENT_OVERHEAD = 240;

/** A dictionary: field → value, both latin1. */
export class DictionaryItem {
  readonly kind = 'dictionary';
  readonly map = new Map<string, string>();
  bytes = 0;

  get size(): number {
    return this.map.size;
  }

  set(field: string, value: string): void {
    const old = this.map.get(field);
    if (old === undefined) this.bytes += field.length + value.length + DICTIONARY_ENTRY_OVERHEAD;
    else this.bytes += value.length - old.length;
    this.map.set(field, value);
  }

  delete(field: string): void {
    const old = this.map.get(field);
    if (old === undefined) return;
    this.bytes -= field.length + old.length + DICTIONARY_ENTRY_OVERHEAD;
    this.map.delete(field);
  }
}

/**
 * A list as a ring buffer of latin1 strings: push/pop at both ends O(1) amortised, index access O(1), so
 * a fetch of k elements is O(k) wherever they sit.
 */
export class ListItem {
  readonly kind = 'list';
  private buf: string[] = new Array<string>(8).fill('');
  private head = 0;
  size = 0;
  bytes = 0;

  at(i: number): string {
    return this.buf[(this.head + i) & (this.buf.length - 1)]!;
  }

  pushBack(v: string): void {
    if (this.size === this.buf.length) this.grow();
    this.buf[(this.head + this.size) & (this.buf.length - 1)] = v;
    this.size++;
    this.bytes += v.length + LIST_ELEMENT_OVERHEAD;
  }

  pushFront(v: string): void {
    if (this.size === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = v;
    this.size++;
    this.bytes += v.length + LIST_ELEMENT_OVERHEAD;
  }

  popFront(): string {
    const v = this.buf[this.head]!;
    this.buf[this.head] = '';
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.size--;
    this.bytes -= v.length + LIST_ELEMENT_OVERHEAD;
    this.maybeShrink();
    return v;
  }

  popBack(): string {
    const i = (this.head + this.size - 1) & (this.buf.length - 1);
    const v = this.buf[i]!;
    this.buf[i] = '';
    this.size--;
    this.bytes -= v.length + LIST_ELEMENT_OVERHEAD;
    this.maybeShrink();
    return v;
  }

  /** Replaces the contents with `values` (used by remove/retain/erase, which are O(n) by nature). */
  replace(values: string[]): void {
    const n = values.length;
    let bytes = 0;
    for (const v of values) bytes += v.length + LIST_ELEMENT_OVERHEAD;
    let cap = 8;
    while (cap < n) cap *= 2;
    this.buf = values;
    for (let i = n; i < cap; i++) this.buf.push('');
    this.head = 0;
    this.size = n;
    this.bytes = bytes;
  }

  toArray(start = 0, end = this.size): string[] {
    const out = new Array<string>(end - start);
    for (let i = start; i < end; i++) out[i - start] = this.at(i);
    return out;
  }

  private grow(): void {
    const old = this.buf;
    this.buf = this.toArray();
    for (let i = this.size; i < old.length * 2; i++) this.buf.push('');
    this.head = 0;
  }

  /** Halves a mostly empty buffer so a drained queue gives its memory back. */
  private maybeShrink(): void {
    if (this.buf.length > 64 && this.size < this.buf.length / 4) {
      const values = this.toArray();
      const bytes = this.bytes;
      this.replace(values);
      this.bytes = bytes;
    }
  }
}

/**
 * A set as an array of members plus member → index, so a random member (sample, pop) is O(1): removal
 * swaps the last member into the hole.
 */
export class SetItem {
  readonly kind = 'set';
  readonly members: string[] = [];
  private readonly index = new Map<string, number>();
  bytes = 0;

  get size(): number {
    return this.members.length;
  }

  has(m: string): boolean {
    return this.index.has(m);
  }

  add(m: string): void {
    if (this.index.has(m)) return;
    this.index.set(m, this.members.length);
    this.members.push(m);
    this.bytes += m.length + SET_ELEMENT_OVERHEAD;
  }

  delete(m: string): void {
    const i = this.index.get(m);
    if (i === undefined) return;
    const last = this.members.pop()!;
    if (i < this.members.length) {
      this.members[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(m);
    this.bytes -= m.length + SET_ELEMENT_OVERHEAD;
  }
}

/** A sorted set: member → score for point lookups, a {@link SkipList} for order. */
export class SortedSetItem {
  readonly kind = 'sortedSet';
  readonly scores = new Map<string, number>();
  readonly order = new SkipList();
  bytes = 0;

  get size(): number {
    return this.scores.size;
  }

  put(member: string, value: number): void {
    // -0 and 0 are one score (as in Redis); normalising keeps Object.is below and the skip list agreeing.
    const score = value === 0 ? 0 : value;
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (Object.is(old, score)) return;
      this.order.delete(old, member);
    } else {
      this.bytes += member.length + SORTED_SET_ELEMENT_OVERHEAD;
    }
    this.scores.set(member, score);
    this.order.insert(score, member);
  }

  delete(member: string): void {
    const old = this.scores.get(member);
    if (old === undefined) return;
    this.order.delete(old, member);
    this.scores.delete(member);
    this.bytes -= member.length + SORTED_SET_ELEMENT_OVERHEAD;
  }
}

/**
 * Accounted bytes per leaderboard element: a sorted-set member's overhead plus its 8-byte id member
 * (see leaderboard-rules.ts), so a leaderboard costs what the same sorted set would.
 */
export const LEADERBOARD_ELEMENT_BYTES = 8 + SORTED_SET_ELEMENT_OVERHEAD;

/**
 * A leaderboard: id (as an 8-char big-endian latin1 member) → score, a {@link SkipList} for order and
 * ranks. The same structure as a sorted set, kept apart because it lives in its own key space.
 */
export class LeaderboardItem {
  readonly kind = 'leaderboard';
  readonly scores = new Map<string, number>();
  readonly order = new SkipList();
  bytes = 0;

  get size(): number {
    return this.scores.size;
  }

  put(member: string, value: number): void {
    const score = value === 0 ? 0 : value; // -0 and 0 are one score, as in SortedSetItem
    const old = this.scores.get(member);
    if (old !== undefined) {
      if (Object.is(old, score)) return;
      this.order.delete(old, member);
    } else {
      this.bytes += LEADERBOARD_ELEMENT_BYTES;
    }
    this.scores.set(member, score);
    this.order.insert(score, member);
  }

  delete(member: string): void {
    const old = this.scores.get(member);
    if (old === undefined) return;
    this.order.delete(old, member);
    this.scores.delete(member);
    this.bytes -= LEADERBOARD_ELEMENT_BYTES;
  }
}

/** Any collection item (leaderboards included: they share the slot machinery). */
export type CollectionItem = DictionaryItem | ListItem | SetItem | SortedSetItem | LeaderboardItem;

/** Bytes a score counts for in a collection's size (a double). */
export const SCORE_BYTES = 8;

/**
 * The collection's size as the item-size limit counts it: its data alone (fields and values, elements,
 * members plus 8 bytes per score), without the heap overhead `bytes` also accounts.
 */
export function dataBytesOf(c: CollectionItem): number {
  switch (c.kind) {
    case 'dictionary':
      return c.bytes - c.size * DICTIONARY_ENTRY_OVERHEAD;
    case 'list':
      return c.bytes - c.size * LIST_ELEMENT_OVERHEAD;
    case 'set':
      return c.bytes - c.size * SET_ELEMENT_OVERHEAD;
    case 'sortedSet':
      return c.bytes - c.size * (SORTED_SET_ELEMENT_OVERHEAD - SCORE_BYTES);
    case 'leaderboard':
      // Leaderboards are bounded by the engine's memory, not the item-size limit (Momento publishes no
      // byte limit for them; a million elements is an ordinary leaderboard).
      return 0;
  }
}
