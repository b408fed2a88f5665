/**
 * @module set
 * Sets: add, remove (some or all), fetch, contains, length, sample, pop.
 */

import type { CacheEngine } from '@cachette/engine';
import { many, refresh, texts } from './collection-support.ts';
import type { Suite } from './harness.ts';

/** Registers the set tests. */
export function setTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const sorted = (list: Uint8Array[] | undefined) => texts(list)?.sort();

  s.group('set', {}, () => {
    s.test('set reads of a missing set return undefined (Miss)', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.setFetch(ns, k)).toBeUndefined();
      expect(await engine.setContains(ns, k, many('a'))).toBeUndefined();
      expect(await engine.setLength(ns, k)).toBeUndefined();
      expect(await engine.setSample(ns, k, 3)).toBeUndefined();
      expect(await engine.setPop(ns, k, 1)).toBeUndefined();
      expect(await engine.setRemove(ns, k, many('a'))).toBe(false);
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('setAdd adds distinct elements; setFetch returns them all', async ({ engine, ns, key }) => {
      const k = key();
      await engine.setAdd(ns, k, many('a', 'b', 'a'), refresh());
      await engine.setAdd(ns, k, many('c', 'b'), refresh());
      expect(sorted(await engine.setFetch(ns, k))).toEqual(['a', 'b', 'c']);
      expect(await engine.setLength(ns, k)).toBe(3);
      expect(await engine.setContains(ns, k, many('a', 'z', 'c'))).toEqual([true, false, true]);
    });

    s.test('setRemove removes elements; the emptied set disappears', async ({ engine, ns, key }) => {
      const k = key();
      await engine.setAdd(ns, k, many('a', 'b'), refresh());
      expect(await engine.setRemove(ns, k, many('a', 'zz'))).toBe(true);
      expect(sorted(await engine.setFetch(ns, k))).toEqual(['b']);
      await engine.setRemove(ns, k, many('b'));
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
      await engine.setAdd(ns, k, many('x', 'y'), refresh());
      await engine.setRemove(ns, k, 'all');
      expect(await engine.setFetch(ns, k)).toBeUndefined();
    });

    s.test('setSample returns distinct members, at most limit', async ({ engine, ns, key }) => {
      const k = key();
      const all = Array.from({ length: 20 }, (_, i) => `m${i}`);
      await engine.setAdd(ns, k, many(...all), refresh());
      for (const limit of [0, 1, 5, 15, 20, 50]) {
        const got = texts(await engine.setSample(ns, k, limit))!;
        expect(got).toHaveLength(Math.min(limit, 20));
        expect(new Set(got).size).toBe(got.length);
        for (const m of got) expect(all).toContain(m);
      }
      expect(await engine.setLength(ns, k)).toBe(20);
    });

    s.test(
      'setPop removes and returns up to count members; popping all deletes the set',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.setAdd(ns, k, many('a', 'b', 'c'), refresh());
        const first = texts(await engine.setPop(ns, k, 2))!;
        expect(first).toHaveLength(2);
        const rest = texts(await engine.setFetch(ns, k))!;
        expect([...first, ...rest].sort()).toEqual(['a', 'b', 'c']);
        expect(texts(await engine.setPop(ns, k, 5))).toEqual(rest);
        expect(await engine.keysExist(ns, [k])).toEqual([false]);
      },
    );
  });
}
