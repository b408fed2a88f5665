/**
 * @module eviction
 * Global eviction under `maxBytes` that keeps what is used: keys neither read nor rewritten since they were
 * written go first, oldest first, and keys read or rewritten survive them. An exact LRU passes, and so does
 * CLOCK (MemoryEngine's), which approximates it the way Redis's sampled LRU does.
 *
 * Sizes: with 1000-byte values in a 1 MiB engine, at most ~1027 items fit with zero overhead and at
 * least ~745 with MAX_ITEM_OVERHEAD_BYTES, so writing 400 + 700 items always evicts, and always evicts
 * fewer than the 380 cold items written first: eviction never has to touch the 20 hot ones.
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, patterned } from './bytes.ts';
import type { Fixture, Suite } from './harness.ts';
import { FILL_VALUE_BYTES, SUITE_MAX_BYTES } from './limits.ts';

const TTL_MS = 600_000;
const COLD = 400;
const HOT = 20;
const FILL = 700;

async function writeMany<E extends CacheEngine>(fx: Fixture<E>, ns: string, n: number, label: string) {
  const keys: Uint8Array[] = [];
  const value = patterned(FILL_VALUE_BYTES);
  for (let i = 0; i < n; i++) {
    const k = fx.key(label);
    await fx.engine.set(ns, k, value, TTL_MS);
    keys.push(k);
  }
  return keys;
}

/** Registers the eviction tests. */
export function evictionTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('eviction', { maxBytes: SUITE_MAX_BYTES, needs: ['memoryLimit', 'eviction'] }, () => {
    s.test('set past maxBytes evicts the least recently used keys; keys read by get survive', async (fx) => {
      const cold = await writeMany(fx, fx.ns, COLD, 'cold');
      const hot = cold.slice(0, HOT);
      for (const k of hot) expect(await fx.engine.get(fx.ns, k)).toBeDefined();
      const fill = await writeMany(fx, fx.ns, FILL, 'fill');

      expect(await fx.engine.keysExist(fx.ns, hot)).toEqual(hot.map(() => true));
      // The oldest key nobody read is the first victim.
      expect(await fx.engine.get(fx.ns, cold[HOT]!)).toBeUndefined();
      expectBytes(expect, await fx.engine.get(fx.ns, fill.at(-1)!), patterned(FILL_VALUE_BYTES));
      expect(fx.engine.stats().evictions).toBeGreaterThan(0);
    });

    s.test('set(key) of an existing key makes it most recently used', async (fx) => {
      const cold = await writeMany(fx, fx.ns, COLD, 'cold');
      const rewritten = cold.slice(0, HOT);
      for (const k of rewritten) await fx.engine.set(fx.ns, k, patterned(FILL_VALUE_BYTES, 1), TTL_MS);
      await writeMany(fx, fx.ns, FILL, 'fill');

      expect(await fx.engine.keysExist(fx.ns, rewritten)).toEqual(rewritten.map(() => true));
      expect(await fx.engine.get(fx.ns, cold[HOT]!)).toBeUndefined();
    });

    s.test('eviction is global: writes to one namespace evict cold keys of another', async (fx) => {
      const other = await fx.namespace();
      const coldElsewhere = await writeMany(fx, other, COLD, 'other');
      const recent = await writeMany(fx, fx.ns, FILL + HOT, 'fill');

      expect(await fx.engine.get(other, coldElsewhere[0]!)).toBeUndefined();
      expect(await fx.engine.get(fx.ns, recent.at(-1)!)).toBeDefined();
    });

    s.test('an evicted key is absent from get, keysExist, itemGetTtl and itemGetType', async (fx) => {
      const [first] = await writeMany(fx, fx.ns, COLD + FILL, 'k');
      expect(await fx.engine.get(fx.ns, first!)).toBeUndefined();
      expect(await fx.engine.keysExist(fx.ns, [first!])).toEqual([false]);
      expect(await fx.engine.itemGetTtl(fx.ns, first!)).toBeUndefined();
      expect(await fx.engine.itemGetType(fx.ns, first!)).toBeUndefined();
    });
  });
}
