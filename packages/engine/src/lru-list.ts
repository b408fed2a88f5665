/**
 * @module lru-list
 * A doubly linked recency list over integer slots, stored in two Int32Arrays.
 *
 * Why not the classic "delete + re-set on a Map" trick: the engine has one Map per namespace but one
 * global LRU order (eviction is global across namespaces), and Map deletion leaves tombstones that force
 * periodic rehashing. Two typed arrays cost 8 bytes per slot, are invisible to the GC, and make `touch`
 * six integer writes with no allocation.
 */

const NONE = -1;

/** Most recently used at `head`, least recently used at `tail`; `-1` means "none". */
export class LruList {
  head = NONE;
  tail = NONE;
  private prev: Int32Array;
  private next: Int32Array;

  constructor(capacity: number) {
    this.prev = new Int32Array(capacity);
    this.next = new Int32Array(capacity);
  }

  /** Grows slot capacity, keeping links. */
  grow(capacity: number): void {
    const prev = new Int32Array(capacity);
    prev.set(this.prev);
    this.prev = prev;
    const next = new Int32Array(capacity);
    next.set(this.next);
    this.next = next;
  }

  /** Inserts `slot` (not currently linked) as the most recently used. */
  pushFront(slot: number): void {
    this.prev[slot] = NONE;
    this.next[slot] = this.head;
    if (this.head !== NONE) this.prev[this.head] = slot;
    else this.tail = slot;
    this.head = slot;
  }

  /** Removes `slot` from the list. */
  unlink(slot: number): void {
    const p = this.prev[slot]!;
    const n = this.next[slot]!;
    if (p !== NONE) this.next[p] = n;
    else this.head = n;
    if (n !== NONE) this.prev[n] = p;
    else this.tail = p;
  }

  /** Marks `slot` as the most recently used. */
  touch(slot: number): void {
    if (slot === this.head) return;
    this.unlink(slot);
    this.pushFront(slot);
  }

  /** Forgets every slot (O(1): links are rewritten on the next insert). */
  clear(): void {
    this.head = NONE;
    this.tail = NONE;
  }
}
