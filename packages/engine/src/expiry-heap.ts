/**
 * @module expiry-heap
 * An indexed binary min-heap of (deadline, slot), driving active expiry.
 *
 * Why a heap: the sweep must find expired items without scanning live ones, so it needs the earliest
 * deadline first; a heap gives that in O(log n) with three typed arrays (12 bytes per item, invisible to
 * the GC). A timer wheel would make inserts O(1) but Momento TTLs span milliseconds to days, which needs
 * a hierarchical wheel; the heap is simpler and the lazy trick below removes most of its write cost.
 *
 * Lazy deadlines: each slot has exactly one heap entry whose deadline is a lower bound of the item's real
 * `expiresAtMs`. Extending a TTL (the common case: overwriting a key with the same TTL) only writes the
 * real deadline elsewhere and leaves the heap untouched, O(1). When the sweep pops an entry whose real
 * deadline is later, it re-files it once (one sift-down). Shortening a TTL must keep the lower bound, so
 * it sifts up, which is cheap because the entry moves toward the root.
 *
 * Compact deadlines: the heap files deadlines as Float32 milliseconds relative to the engine's start
 * (12 B per item, not 16), rounded down, so a filed deadline stays a lower bound and nothing is ever
 * reclaimed early. Float32 is exact to the millisecond for 4.6 h of uptime and coarser after (8 ms after a
 * day, 256 ms after 50 days). The one place a deadline is rounded up is {@link ExpiryHeap.refileTop}, which
 * files an item the sweep found still live: rounding down there could file it again at or before now, and
 * the sweep would spin; rounding up delays that item's reclamation by at most one Float32 step (reads are
 * unaffected: the engine checks its exact Float64 deadline on every read).
 */

const f32 = new Float32Array(1);
const bits = new Int32Array(f32.buffer);

/** The largest Float32 ≤ x. */
function floor32(x: number): number {
  f32[0] = x;
  const f = f32[0]!;
  if (f <= x) return f;
  // Rounded up: step one ulp toward -∞ (on the bit pattern: down for positives, up for negatives).
  if (f > 0) bits[0]!--;
  else if (f < 0) bits[0]!++;
  else return -1.401298464324817e-45;
  return f32[0]!;
}

/** The smallest Float32 ≥ x. */
function ceil32(x: number): number {
  return -floor32(-x);
}

/** The heap; positions are indexes into `deadlines`/`slots`, `pos[slot]` finds a slot's entry. */
export class ExpiryHeap {
  size = 0;
  /** Filed deadlines, Float32 ms relative to `baseMs` (see the module comment). */
  private deadlines: Float32Array;
  private slots: Int32Array;
  private pos: Int32Array;
  private readonly baseMs: number;

  /** @param baseMs the origin of filed deadlines: the engine's start (its clock's now) */
  constructor(capacity: number, baseMs = 0) {
    this.baseMs = baseMs;
    this.deadlines = new Float32Array(capacity);
    this.slots = new Int32Array(capacity);
    this.pos = new Int32Array(capacity);
  }

  /** Grows capacity (heap size never exceeds the number of slots). */
  grow(capacity: number): void {
    const deadlines = new Float32Array(capacity);
    deadlines.set(this.deadlines);
    this.deadlines = deadlines;
    const slots = new Int32Array(capacity);
    slots.set(this.slots);
    this.slots = slots;
    const pos = new Int32Array(capacity);
    pos.set(this.pos);
    this.pos = pos;
  }

  /** The earliest (lower-bound) deadline, or `Infinity` when empty. */
  topDeadline(): number {
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.baseMs + this.deadlines[0]!;
  }

  /** The slot with the earliest deadline; only meaningful when `size > 0`. */
  topSlot(): number {
    return this.slots[0]!;
  }

  /** The deadline currently filed for `slot`. */
  deadlineOf(slot: number): number {
    return this.baseMs + this.deadlines[this.pos[slot]!]!;
  }

  /** Adds `slot` (not currently in the heap). */
  push(slot: number, deadline: number): void {
    const i = this.size++;
    this.siftUp(i, slot, floor32(deadline - this.baseMs));
  }

  /** Removes `slot` from the heap. */
  remove(slot: number): void {
    const i = this.pos[slot]!;
    const last = --this.size;
    if (i === last) return;
    const movedSlot = this.slots[last]!;
    const movedDeadline = this.deadlines[last]!;
    // The moved entry may belong above or below `i`; try up first, then down.
    if (i > 0 && movedDeadline < this.deadlines[(i - 1) >> 1]!) this.siftUp(i, movedSlot, movedDeadline);
    else this.siftDown(i, movedSlot, movedDeadline);
  }

  /** Files an earlier deadline for `slot` (must be ≤ the current one). */
  lower(slot: number, deadline: number): void {
    this.siftUp(this.pos[slot]!, slot, floor32(deadline - this.baseMs));
  }

  /** Re-files the top entry at a later deadline. */
  refileTop(deadline: number): void {
    this.siftDown(0, this.slots[0]!, ceil32(deadline - this.baseMs));
  }

  /** Empties the heap. */
  clear(): void {
    this.size = 0;
  }

  // Both sifts move a "hole" instead of swapping, writing each displaced entry once.
  private siftUp(i: number, slot: number, deadline: number): void {
    const { deadlines, slots, pos } = this;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentDeadline = deadlines[parent]!;
      if (parentDeadline <= deadline) break;
      const parentSlot = slots[parent]!;
      deadlines[i] = parentDeadline;
      slots[i] = parentSlot;
      pos[parentSlot] = i;
      i = parent;
    }
    deadlines[i] = deadline;
    slots[i] = slot;
    pos[slot] = i;
  }

  private siftDown(i: number, slot: number, deadline: number): void {
    const { deadlines, slots, pos, size } = this;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let childDeadline = deadlines[child]!;
      const right = child + 1;
      if (right < size && deadlines[right]! < childDeadline) {
        child = right;
        childDeadline = deadlines[right]!;
      }
      if (deadline <= childDeadline) break;
      const childSlot = slots[child]!;
      deadlines[i] = childDeadline;
      slots[i] = childSlot;
      pos[childSlot] = i;
      i = child;
    }
    deadlines[i] = deadline;
    slots[i] = slot;
    pos[slot] = i;
  }
}
