/**
 * The memory engine's value arena under churn: every value reads back exactly while segments are
 * compacted and dropped underneath, and dead space stays bounded.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEDICATED_ABOVE, SEGMENT_BYTES, ValueArena } from '../src/value-arena.ts';

/** A deterministic generator, so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

describe('ValueArena', () => {
  it('overwrite() rewrites a value of the same length in place, keeps the key, and refuses another length', () => {
    const arena = new ValueArena(4);
    const key = Buffer.from('the-key');
    arena.write(0, Buffer.alloc(100, 1), key);
    arena.write(1, Buffer.alloc(100, 2), Buffer.from('other'));
    const before = arena.segmentBytes();
    for (let i = 0; i < 50_000; i++) expect(arena.overwrite(0, Buffer.alloc(100, i & 255))).toBe(true);
    expect(arena.read(0)).toEqual(Buffer.alloc(100, 49_999 & 255));
    expect(arena.keyEquals(0, key)).toBe(true);
    expect(arena.read(1)).toEqual(Buffer.alloc(100, 2)); // its neighbour untouched
    // 5 MB rewritten, nothing appended: no dead bytes, no new segment.
    expect(arena.segmentBytes()).toBe(before);
    expect(arena.overwrite(0, Buffer.alloc(99))).toBe(false);
    expect(arena.read(0)).toEqual(Buffer.alloc(100, 49_999 & 255));
  });

  it('reads back every value exactly through 50 000 random writes, in-place overwrites and frees', () => {
    const random = rng(42);
    const slots = 2_000;
    const arena = new ValueArena(slots);
    const reference = new Map<number, Buffer>();
    for (let op = 0; op < 50_000; op++) {
      const slot = Math.floor(random() * slots);
      const held = reference.get(slot);
      if (held !== undefined && random() < 0.2) {
        // Same length: rewritten in place, while compactions move other values around it.
        const value = randomBytes(held.length);
        expect(arena.overwrite(slot, value)).toBe(true);
        reference.set(slot, value);
        continue;
      }
      if (held !== undefined) arena.free(slot);
      if (random() < 0.3) {
        reference.delete(slot);
      } else {
        const size = random() < 0.002 ? DEDICATED_ABOVE + 1 + Math.floor(random() * 1000) : Math.floor(random() * 3000);
        const value = randomBytes(size);
        arena.write(slot, value);
        reference.set(slot, value);
      }
      if (op % 5_000 === 0) {
        for (const [s, v] of reference) expect(arena.read(s).equals(v)).toBe(true);
      }
    }
    for (const [s, v] of reference) {
      expect(arena.read(s).equals(v), `slot ${s}`).toBe(true);
      expect(arena.equals(s, v)).toBe(true);
      expect(arena.lengthOf(s)).toBe(v.byteLength);
    }
  });

  it('moves keys and values intact when compaction copies them in runs across segment boundaries', () => {
    // Small items overwritten at random: compacted segments are mostly runs of adjacent live items, and a
    // compaction that fills the active segment seals it mid-run (and that segment may be compacted too).
    const random = rng(99);
    const slots = 30_000;
    const arena = new ValueArena(slots);
    const keys = Array.from({ length: slots }, (_, i) => Buffer.from(`key:${String(i).padStart(12, '0')}`));
    const values = new Array<Buffer | undefined>(slots);
    for (let op = 0; op < 300_000; op++) {
      const slot = Math.floor(random() * slots);
      if (values[slot] !== undefined) arena.free(slot);
      const value = Buffer.alloc(80 + Math.floor(random() * 40), op & 0xff);
      value.writeUInt32BE(op, 0);
      arena.write(slot, value, keys[slot]);
      values[slot] = value;
    }
    for (let slot = 0; slot < slots; slot++) {
      const v = values[slot];
      if (v === undefined) continue;
      expect(arena.keyEquals(slot, keys[slot]!), `key of slot ${slot}`).toBe(true);
      expect(arena.read(slot).equals(v), `value of slot ${slot}`).toBe(true);
    }
    // Compaction ran: far fewer bytes held than the 300 000 values written (≈ 40 MB).
    expect(arena.segmentBytes()).toBeLessThan(12 * SEGMENT_BYTES);
  });

  it('a compaction that seals a mostly-dead active segment (which is compacted in turn) loses no value', () => {
    const arena = new ValueArena(30_000);
    const key = (i: number) => Buffer.from(`key:${String(i).padStart(12, '0')}`);
    const value = (i: number) => Buffer.alloc(100, i & 0xff).fill(i >> 8, 0, 1);
    const perSegment = Math.floor(SEGMENT_BYTES / 116);
    // Segment A: full of live items.
    for (let i = 0; i < perSegment; i++) arena.write(i, value(i), key(i));
    // Segment B (now active): nearly filled, then every item freed — B stays active, so it is not reclaimed.
    const filler = perSegment - 1000;
    for (let i = 0; i < filler; i++) arena.write(perSegment + i, value(i), key(i));
    for (let i = 0; i < filler; i++) arena.free(perSegment + i);
    // Freeing a quarter of A compacts it into B; B fills after ~1 000 moves, is sealed with almost nothing
    // live, and is compacted itself while A's compaction is still running.
    const freed = Math.ceil(perSegment * 0.26);
    for (let i = 0; i < freed; i++) arena.free(i);
    for (let i = freed; i < perSegment; i++) {
      expect(arena.keyEquals(i, key(i)), `key of slot ${i}`).toBe(true);
      expect(arena.read(i).equals(value(i)), `value of slot ${i}`).toBe(true);
    }
    expect(arena.segmentBytes()).toBeLessThanOrEqual(2 * SEGMENT_BYTES);
  });

  it('keeps dead space bounded: segments stay within 4/3 of live bytes plus one segment per size class', () => {
    const random = rng(7);
    const slots = 20_000;
    const arena = new ValueArena(slots);
    let live = 0;
    const sizes = new Int32Array(slots).fill(-1);
    for (let op = 0; op < 200_000; op++) {
      const slot = Math.floor(random() * slots);
      if (sizes[slot]! >= 0) {
        arena.free(slot);
        live -= sizes[slot]!;
        sizes[slot] = -1;
      }
      if (random() < 0.6) {
        const size = 50 + Math.floor(random() * 200);
        arena.write(slot, Buffer.alloc(size, op & 0xff));
        sizes[slot] = size;
        live += size;
      }
    }
    // Sealed segments hold at least 3/4 live of what was written; the active one may be anything.
    expect(arena.segmentBytes()).toBeLessThanOrEqual(live / 0.75 + 2 * SEGMENT_BYTES);
  });

  it('drops a dedicated segment when its large value is freed, and every segment once all are freed', () => {
    const arena = new ValueArena(10);
    arena.write(0, Buffer.alloc(DEDICATED_ABOVE + 1, 1));
    arena.write(1, Buffer.alloc(100, 2));
    expect(arena.segmentBytes()).toBe(DEDICATED_ABOVE + 1 + SEGMENT_BYTES);
    arena.free(0);
    expect(arena.segmentBytes()).toBe(SEGMENT_BYTES);
    arena.free(1);
    expect(arena.segmentBytes()).toBeLessThanOrEqual(SEGMENT_BYTES); // the active segment may stay
  });

  it('returns copies: mutating what read() returned leaves the stored value unchanged', () => {
    const arena = new ValueArena(2);
    arena.write(0, Buffer.from('hello'));
    const copy = arena.read(0);
    copy.fill(0);
    expect(arena.read(0).toString()).toBe('hello');
  });

  it('stores empty values without a segment', () => {
    const arena = new ValueArena(2);
    arena.write(0, new Uint8Array(0));
    expect(arena.read(0).byteLength).toBe(0);
    expect(arena.equals(0, new Uint8Array(0))).toBe(true);
    expect(arena.segmentBytes()).toBe(0);
  });
});
