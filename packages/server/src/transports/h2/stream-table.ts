/**
 * @module transports/h2/stream-table
 * A connection's open streams by id: an open-addressing table (linear probing, backward-shift deletion) in
 * two arrays that live as long as the connection.
 *
 * Why not a `Map`: a connection inserts and deletes one entry per call, and a V8 `Map` under that churn
 * rehashes into a new backing table every few dozen calls. The table it leaves keeps a pointer to its
 * successor (for live iterators) and its old entries. A full GC under load moves the current table to the
 * old generation; from then on each obsolete table there keeps the next one alive through young GCs, that
 * one the next, and each of them the finished streams it held with their calls. Measured (#19 notes): one
 * full GC under paced load started that chain, and from then on young GCs kept a third of all per-call
 * garbage and a full GC ran every second or so. Here, deleting a stream clears its slot, so a finished
 * stream is garbage at once, and the arrays are only replaced when the table grows.
 *
 * Stream ids from a client are odd and increasing, so `id >>> 1` spreads consecutive streams over
 * consecutive slots: probes are short without a hash function.
 */

const INITIAL_CAPACITY = 64;

export class StreamTable<T> {
  #ids = new Int32Array(INITIAL_CAPACITY);
  #values: (T | undefined)[] = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
  #mask = INITIAL_CAPACITY - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(id: number): T | undefined {
    const ids = this.#ids;
    const mask = this.#mask;
    for (let i = (id >>> 1) & mask; ; i = (i + 1) & mask) {
      const at = ids[i] as number;
      if (at === id) return this.#values[i];
      if (at === 0) return undefined;
    }
  }

  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** Adds or replaces the entry with this id (`id` > 0). */
  set(id: number, value: T): void {
    if ((this.#size + 1) * 2 > this.#ids.length) this.#grow();
    const ids = this.#ids;
    const mask = this.#mask;
    let i = (id >>> 1) & mask;
    while (ids[i] !== 0 && ids[i] !== id) i = (i + 1) & mask;
    if (ids[i] === 0) this.#size++;
    ids[i] = id;
    this.#values[i] = value;
  }

  /** Removes the entry with this id; whether it was there. */
  delete(id: number): boolean {
    const ids = this.#ids;
    const mask = this.#mask;
    let i = (id >>> 1) & mask;
    for (;;) {
      const at = ids[i] as number;
      if (at === 0) return false;
      if (at === id) break;
      i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the same probe run into the hole, so no tombstones build up. An
    // entry may move back to the hole unless its home slot lies cyclically in (hole, j].
    let hole = i;
    for (let j = (i + 1) & mask; ids[j] !== 0; j = (j + 1) & mask) {
      const home = ((ids[j] as number) >>> 1) & mask;
      const movable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (movable) {
        ids[hole] = ids[j] as number;
        this.#values[hole] = this.#values[j];
        hole = j;
      }
    }
    ids[hole] = 0;
    this.#values[hole] = undefined;
    this.#size--;
    return true;
  }

  /** The entries, in slot order, as a new array (the table may change while the caller goes through it). */
  values(): T[] {
    const out: T[] = [];
    const values = this.#values;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v !== undefined) out.push(v);
    }
    return out;
  }

  clear(): void {
    this.#ids.fill(0);
    this.#values.fill(undefined);
    this.#size = 0;
  }

  #grow(): void {
    const oldIds = this.#ids;
    const oldValues = this.#values;
    const capacity = oldIds.length * 2;
    this.#ids = new Int32Array(capacity);
    this.#values = new Array<T | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    this.#size = 0;
    for (let i = 0; i < oldIds.length; i++) {
      const id = oldIds[i] as number;
      if (id !== 0) this.set(id, oldValues[i] as T);
    }
  }
}
