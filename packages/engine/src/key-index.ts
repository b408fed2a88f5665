/**
 * @module key-index
 * The memory engine's key → slot index: an open-addressing hash table in two typed arrays, so the V8 heap
 * holds no object per item (a `Map<string, slot>` cost two: the entry and the key string, and every major
 * GC walked them — 123 ms pauses at 1 M items).
 *
 * - **Layout.** One Int32Array: a position holds `slot + 1` (0: empty) and a 5-bit tag of the hash, so a
 *   probe skips 31 of 32 non-matching entries without touching key bytes; a tag match compares keys,
 *   bytewise, in the {@link ValueArena} (keys live beside their values). 4 bytes per position, untraced
 *   (an earlier layout kept the full hash beside the slot: 8 B, ~7 B/item more at 10 M items, no faster).
 *   Deletion and growth need entries' home positions: the full hash is then recomputed from the key.
 * - **Linear probing with backward-shift deletion**: no tombstones, so a table under churn never slows down
 *   or needs a clean-up rehash. The load factor stays ≤ {@link MAX_LOAD}.
 * - **Incremental growth.** At {@link MAX_LOAD} a table twice the size is allocated and the old one is
 *   drained a few whole clusters per insert or delete ({@link MIGRATE_PER_STEP} entries at least), so no
 *   single operation re-hashes millions of entries (a full rehash of 8 M entries is a ~100 ms pause).
 *   Draining moves whole clusters (runs of occupied positions), starting just after an empty position: a
 *   cluster that stays in the old table is untouched, so every probe chain in it is intact. While draining,
 *   lookups try the new table then the old; inserts go to the new one only.
 * - **Identity** is (namespace id, key bytes): the namespace id seeds the hash and is compared first.
 *
 * The hash ({@link hashKey}) is a seeded 32-bit multiply–rotate over 4 bytes at a time with a per-process
 * random seed, so a client cannot precompute keys that collide in every process (hash flooding). It is not
 * a keyed PRF like SipHash: a determined attacker probing timings could in principle still learn enough;
 * linear probing then degrades that attacker's own namespace lookups, it never breaks correctness.
 */

/** Grow (double) when entries exceed this fraction of positions: short probe runs with linear probing. */
export const MAX_LOAD = 0.75;
/** Entries moved from the old table per insert/delete while growing (whole clusters, so at least this). */
export const MIGRATE_PER_STEP = 16;

const MIN_CAPACITY = 1024;

/** The per-process seed: fresh random bits, so collisions found against one process fail on the next. */
const SEED = (Math.random() * 0x1_0000_0000) >>> 0;

/**
 * 32-bit hash of `bytes[start..end)` for namespace `ns`: MurmurHash3's block mix with the seed and the
 * namespace folded into the initial state, 4 bytes per round (little-endian), fmix32 finaliser.
 * Allocation-free; works on caller keys and on the arena's segments alike.
 */
export function hashKey(ns: number, bytes: Uint8Array, start: number, end: number): number {
  let h = SEED ^ Math.imul(ns + 1, 0x9e3779b1);
  let i = start;
  const blocksEnd = start + ((end - start) & ~3);
  for (; i < blocksEnd; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < end) {
    // The 1–3 trailing bytes, little-endian, as one last (unrotated-state) block.
    let k = bytes[i]!;
    if (i + 1 < end) k |= bytes[i + 1]! << 8;
    if (i + 2 < end) k |= bytes[i + 2]! << 16;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= end - start;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Bits of a cell holding `slot + 1`; the 5 bits above hold a tag, the hash's top bits. */
export const SLOT_BITS = 27;
const SLOT_MASK = (1 << SLOT_BITS) - 1;

/** The tag bits of a hash, in cell position. */
function tagOf(hash: number): number {
  return (hash >>> SLOT_BITS) << SLOT_BITS;
}

/** The full hash of an indexed slot's key, recomputed from its stored bytes (the engine supplies it). */
export type SlotHasher = (slot: number) => number;

/**
 * One open-addressing table: a cell is `slot + 1` (0: empty) with a 5-bit tag of the hash above it, 4 B
 * per position. The tag filters 31 of 32 non-matching probes without touching the key; the full hash
 * (for a cell's home position when shifting or migrating) is recomputed from the key bytes, which only
 * deletions and growth need.
 */
class Table {
  readonly cells: Int32Array;
  readonly mask: number;
  readonly capacity: number;
  size = 0;

  constructor(capacity: number) {
    // Zero-filled by the allocator: pages are only made resident as they are written.
    this.cells = new Int32Array(capacity);
    this.capacity = capacity;
    this.mask = capacity - 1;
  }

  insert(hash: number, slot: number): void {
    const { cells, mask } = this;
    let i = hash & mask;
    while (cells[i] !== 0) i = (i + 1) & mask;
    cells[i] = tagOf(hash) | (slot + 1);
    this.size++;
  }

  /** Position of `slot` (whose hash is `hash`), or -1. */
  positionOf(hash: number, slot: number): number {
    const { cells, mask } = this;
    const want = slot + 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const e = cells[i]!;
      if ((e & SLOT_MASK) === want) return i;
      if (e === 0) return -1;
    }
  }

  /** Empties position `i`, shifting later entries of its cluster back so no probe chain breaks. */
  removeAt(i: number, hashOf: SlotHasher): void {
    const { cells, mask } = this;
    let hole = i;
    for (let j = (i + 1) & mask; cells[j] !== 0; j = (j + 1) & mask) {
      const home = hashOf((cells[j]! & SLOT_MASK) - 1) & mask;
      // The entry at j may fill the hole unless its home lies in the cyclic range (hole, j].
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        cells[hole] = cells[j]!;
        hole = j;
      }
    }
    cells[hole] = 0;
    this.size--;
  }
}

/**
 * Decides whether the item in `slot` is the key being looked up (namespace and bytes); the engine supplies
 * it, bound once, so lookups allocate nothing.
 */
export type SlotMatcher = (slot: number) => boolean;

/** The index. Callers hash with {@link hashKey} and pass a matcher for the key they look for. */
export class KeyIndex {
  private table = new Table(MIN_CAPACITY);
  private readonly hashOf: SlotHasher;
  /** The table being drained into `table` while growing, else `undefined`. */
  private old: Table | undefined;
  /** Next position of `old` to drain, and how many positions remain to visit. */
  private cursor = 0;
  private remaining = 0;

  /** @param hashOf the hash of an indexed slot's key (as {@link hashKey} computed it at insert) */
  constructor(hashOf: SlotHasher) {
    this.hashOf = hashOf;
  }

  /** Entries in the index. */
  get size(): number {
    return this.table.size + (this.old?.size ?? 0);
  }

  /** Table positions allocated (for accounting and diagnostics). */
  get positions(): number {
    return this.table.capacity + (this.old?.capacity ?? 0);
  }

  /** The slot whose key has `hash` and satisfies `matches`, or -1. */
  find(hash: number, matches: SlotMatcher): number {
    const found = lookup(this.table, hash, matches);
    if (found >= 0 || this.old === undefined) return found;
    return lookup(this.old, hash, matches);
  }

  /** Adds `slot` under `hash` (the key must not be indexed yet). */
  insert(hash: number, slot: number): void {
    if (this.old !== undefined) this.migrateStep();
    else if (this.table.size + 1 > this.table.capacity * MAX_LOAD) this.startGrowth();
    this.table.insert(hash, slot);
  }

  /** Removes `slot`, indexed under `hash`; a no-op when it is not indexed. */
  remove(hash: number, slot: number): void {
    let at = this.table.positionOf(hash, slot);
    if (at >= 0) this.table.removeAt(at, this.hashOf);
    else if (this.old !== undefined) {
      at = this.old.positionOf(hash, slot);
      if (at >= 0) this.old.removeAt(at, this.hashOf);
    }
    if (this.old !== undefined) this.migrateStep();
  }

  /** Forgets every entry and shrinks back to the initial size. */
  clear(): void {
    this.table = new Table(MIN_CAPACITY);
    this.old = undefined;
  }

  private startGrowth(): void {
    const old = this.table;
    this.table = new Table(old.capacity * 2);
    this.old = old;
    // Start just after an empty position (one exists: load ≤ MAX_LOAD), so no cluster is split.
    let start = 0;
    while (old.cells[start] !== 0) start++;
    this.cursor = (start + 1) & old.mask;
    this.remaining = old.capacity;
  }

  /** Moves whole clusters from the old table until MIGRATE_PER_STEP entries moved or it is drained. */
  private migrateStep(): void {
    const old = this.old!;
    const { cells, mask } = old;
    let moved = 0;
    while (this.remaining > 0) {
      if (cells[this.cursor] !== 0) {
        // A whole cluster, so the clusters left behind keep every probe chain intact.
        do {
          const slot = (cells[this.cursor]! & SLOT_MASK) - 1;
          this.table.insert(this.hashOf(slot), slot);
          cells[this.cursor] = 0;
          old.size--;
          moved++;
          this.cursor = (this.cursor + 1) & mask;
          this.remaining--;
        } while (cells[this.cursor] !== 0);
        if (moved >= MIGRATE_PER_STEP) return;
      } else {
        this.cursor = (this.cursor + 1) & mask;
        this.remaining--;
        // Bound the empty positions visited too, so one step stays short on a sparse table.
        if (++moved >= MIGRATE_PER_STEP * 4) return;
      }
    }
    if (old.size === 0) this.old = undefined;
  }
}

function lookup(table: Table, hash: number, matches: SlotMatcher): number {
  const { cells, mask } = table;
  const tag = tagOf(hash);
  for (let i = hash & mask; ; i = (i + 1) & mask) {
    const e = cells[i]!;
    if (e === 0) return -1;
    if ((e & ~SLOT_MASK) === tag && matches((e & SLOT_MASK) - 1)) return (e & SLOT_MASK) - 1;
  }
}
