/**
 * @module clock-eviction
 * Which item to evict: CLOCK (second chance), an approximation of LRU over integer slots with one byte per
 * slot, in the spirit of Redis's sampled LRU.
 *
 * Why not an exact LRU: a doubly linked recency list costs 8 bytes per slot and every read rewrites links in
 * four places spread over two arrays — four cache lines, usually four pages, per GET (measured: the largest
 * part of a hit's time in the engine on a paravirtualised machine, where page walks are expensive). Here a
 * read writes one byte, and a slot costs one byte.
 *
 * How: a hand walks the slots in order. A slot read or rewritten since the hand last passed it has its
 * reference byte set: the hand clears it and moves on (its second chance); the first live slot without it
 * is the victim. A new item starts unreferenced — it usually takes the slot just freed behind the hand, so
 * the hand reaches it last — which keeps a scan of never-read keys from pushing out items that are read.
 * Two turns always find a victim when one exists (the first clears every byte it passes); the cost is
 * amortised O(1) per eviction, since each step either evicts or clears a byte set by an earlier access.
 */

/** The CLOCK state of every slot: reference bytes and the hand. */
export class ClockEviction {
  private referenced: Uint8Array;
  private hand = 0;

  constructor(capacity: number) {
    this.referenced = new Uint8Array(capacity);
  }

  /** Grows slot capacity, keeping reference bytes. */
  grow(capacity: number): void {
    const referenced = new Uint8Array(capacity);
    referenced.set(this.referenced);
    this.referenced = referenced;
  }

  /** `slot` now holds a new item: unreferenced until it is read or rewritten. */
  insert(slot: number): void {
    this.referenced[slot] = 0;
  }

  /** `slot` was read or rewritten: the hand spares it once. */
  touch(slot: number): void {
    this.referenced[slot] = 1;
  }

  /**
   * The next victim among slots `0..used-1` whose `live` entry is non-zero, never `protect` (an item being
   * rewritten while room is made for it); -1 when there is none. Advances the hand past it.
   */
  victim(used: number, live: ArrayLike<number>, protect: number): number {
    const referenced = this.referenced;
    let slot = this.hand;
    for (let steps = 2 * used; steps > 0; steps--) {
      if (slot >= used) slot = 0;
      const s = slot++;
      if (live[s] === 0 || s === protect) continue;
      if (referenced[s] !== 0) {
        referenced[s] = 0;
        continue;
      }
      this.hand = slot;
      return s;
    }
    this.hand = slot;
    return -1;
  }

  /** Forgets every reference and rewinds the hand. */
  clear(): void {
    this.referenced.fill(0);
    this.hand = 0;
  }
}
