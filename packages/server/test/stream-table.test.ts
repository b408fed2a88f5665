import { describe, expect, it } from 'vitest';
import { Rng } from '../../../fuzz/lib/rng.ts';
import { StreamTable } from '../src/transports/h2/stream-table.ts';

function expectSame(table: StreamTable<string>, model: Map<number, string>, probes: readonly number[]): void {
  expect(table.size).toBe(model.size);
  expect([...table.values()].sort()).toEqual([...model.values()].sort());
  for (const id of probes) {
    expect(table.get(id)).toBe(model.get(id));
    expect(table.has(id)).toBe(model.has(id));
  }
}

describe('StreamTable', () => {
  it('follows a Map through a connection-like life: odd increasing ids, up to 100 open, closed in any order', () => {
    const rng = new Rng(19); // seeded: a failure replays
    const next = () => rng.next();
    const table = new StreamTable<string>();
    const model = new Map<number, string>();
    let id = 1;
    const open: number[] = [];
    for (let step = 0; step < 50_000; step++) {
      if (open.length < 100 && (open.length === 0 || next() < 0.5)) {
        table.set(id, `s${id}`);
        model.set(id, `s${id}`);
        open.push(id);
        id += 2;
      } else {
        const at = Math.floor(next() * open.length);
        const gone = open[at] as number;
        open[at] = open[open.length - 1] as number;
        open.pop();
        expect(table.delete(gone)).toBe(true);
        model.delete(gone);
      }
      if (step % 997 === 0) expectSame(table, model, [...open, id, id + 1, id + 2, 1, 2]);
    }
    expectSame(table, model, open);
  });

  it('keeps every entry reachable when ids collide on their home slot and probe runs wrap around the end', () => {
    // With 64 slots, ids 2k+1 and 2k+1+128 share a home slot; ids near 127 put runs across the end.
    const rng = new Rng(7); // seeded: a failure replays
    const next = () => rng.next();
    const table = new StreamTable<string>();
    const model = new Map<number, string>();
    const pool = Array.from({ length: 24 }, (_, i) => [125 + i * 2, 125 + i * 2 + 128, 125 + i * 2 + 256]).flat();
    for (let step = 0; step < 20_000; step++) {
      const key = pool[Math.floor(next() * pool.length)] as number;
      if (next() < 0.55) {
        table.set(key, `v${step}`);
        model.set(key, `v${step}`);
      } else {
        expect(table.delete(key)).toBe(model.delete(key));
      }
      if (step % 101 === 0) expectSame(table, model, pool);
    }
    expectSame(table, model, pool);
  });

  it('grows past its first capacity, replaces an existing id in place, and clears', () => {
    const table = new StreamTable<string>();
    for (let id = 1; id < 2_000; id += 2) table.set(id, `a${id}`);
    expect(table.size).toBe(1_000);
    table.set(999, 'replaced');
    expect(table.size).toBe(1_000);
    expect(table.get(999)).toBe('replaced');
    expect(table.delete(4)).toBe(false);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(1)).toBeUndefined();
    expect(table.values()).toEqual([]);
    table.set(3, 'again');
    expect(table.values()).toEqual(['again']);
  });

  it('lets the caller delete while going through values() (a sweep resetting streams)', () => {
    const table = new StreamTable<number>();
    for (let id = 1; id < 200; id += 2) table.set(id, id);
    for (const v of table.values()) if (v % 3 === 0) table.delete(v);
    expect(table.values().every((v) => v % 3 !== 0)).toBe(true);
    expect(table.size).toBe(100 - 33);
  });
});
