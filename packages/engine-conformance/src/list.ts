/**
 * @module list
 * Lists: push/concatenate at both ends with truncation, pop, fetch and retain by slice, remove, erase.
 */

import type { CacheEngine } from '@cachette/engine';
import { utf8 } from './bytes.ts';
import { keep, many, refresh, text, texts } from './collection-support.ts';
import type { Suite } from './harness.ts';

/** Registers the list tests. */
export function listTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const seed = async (engine: E, ns: string, k: Uint8Array, ...values: string[]) =>
    engine.listConcatenate(ns, k, 'back', many(...values), refresh());

  s.group('list', {}, () => {
    s.test('list reads of a missing list return undefined (Miss)', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.listFetch(ns, k, {})).toBeUndefined();
      expect(await engine.listLength(ns, k)).toBeUndefined();
      expect(await engine.listPop(ns, k, 'front')).toBeUndefined();
      expect(await engine.listRemoveValue(ns, k, utf8('x'))).toBeUndefined();
      expect(await engine.listRetain(ns, k, { start: 0, end: 1 }, refresh())).toBeUndefined();
      expect(await engine.listErase(ns, k, 'all')).toBeUndefined();
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test(
      'listConcatenate keeps the given order at either end and returns the length',
      async ({ engine, ns, key }) => {
        const k = key();
        expect(await engine.listConcatenate(ns, k, 'back', many('c', 'd'), refresh())).toBe(2);
        expect(await engine.listConcatenate(ns, k, 'front', many('a', 'b'), refresh())).toBe(4);
        expect(await engine.listConcatenate(ns, k, 'back', many('e'), refresh())).toBe(5);
        expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['a', 'b', 'c', 'd', 'e']);
      },
    );

    s.test('listConcatenate truncates the other end to truncateToSize', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k, 'a', 'b', 'c');
      expect(await engine.listConcatenate(ns, k, 'back', many('d', 'e'), refresh(), 3)).toBe(3);
      expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['c', 'd', 'e']);
      expect(await engine.listConcatenate(ns, k, 'front', many('x'), refresh(), 2)).toBe(2);
      expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['x', 'c']);
    });

    s.test('listPop removes from either end; the emptied list disappears', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k, 'a', 'b', 'c');
      const popped = await engine.listPop(ns, k, 'front');
      expect([text(popped?.value), popped?.length]).toEqual(['a', 2]);
      expect(text((await engine.listPop(ns, k, 'back'))?.value)).toBe('c');
      expect(await engine.listPop(ns, k, 'back')).toMatchObject({ length: 0 });
      expect(await engine.listPop(ns, k, 'back')).toBeUndefined();
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('listFetch takes Python-style slices with negative indexes', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k, 'a', 'b', 'c', 'd', 'e');
      const f = async (start?: number, end?: number) => texts(await engine.listFetch(ns, k, { start, end }));
      expect(await f(1, 3)).toEqual(['b', 'c']);
      expect(await f(-2)).toEqual(['d', 'e']);
      expect(await f(undefined, -3)).toEqual(['a', 'b']);
      expect(await f(-100, 100)).toEqual(['a', 'b', 'c', 'd', 'e']);
      expect(await f(3, 1)).toEqual([]);
      expect(await f(10)).toEqual([]);
      expect(await engine.listLength(ns, k)).toBe(5);
    });

    s.test('listRemoveValue removes every occurrence', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k, 'a', 'x', 'b', 'x', 'x');
      expect(await engine.listRemoveValue(ns, k, utf8('x'))).toBe(2);
      expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['a', 'b']);
      await engine.listRemoveValue(ns, k, utf8('a'));
      expect(await engine.listRemoveValue(ns, k, utf8('b'))).toBe(0);
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('listRetain keeps only the slice; an empty slice deletes the list', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k, 'a', 'b', 'c', 'd', 'e');
      expect(await engine.listRetain(ns, k, { start: 1, end: -1 }, refresh())).toBe(3);
      expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['b', 'c', 'd']);
      await engine.listRetain(ns, k, { start: 2, end: 2 }, refresh());
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('listErase removes ranges by position, or everything', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k, 'a', 'b', 'c', 'd', 'e', 'f');
      const left = await engine.listErase(ns, k, [
        { start: 0, count: 1 },
        { start: 3, count: 2 },
      ]);
      expect(left).toBe(3);
      expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['b', 'c', 'f']);
      await engine.listErase(ns, k, 'all');
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test(
      'list writes refresh the TTL only with refreshTtl',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.listConcatenate(ns, k, 'back', many('a'), keep(1_000));
        clock.advance(300);
        await engine.listConcatenate(ns, k, 'back', many('b'), keep(9_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(700);
        await engine.listConcatenate(ns, k, 'front', many('c'), refresh(9_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(9_000);
        await engine.listPop(ns, k, 'front');
        expect(await engine.itemGetTtl(ns, k)).toBe(9_000);
      },
      { needs: ['manualClock'] },
    );

    s.test('a list of 10 000 elements fetches a middle slice exactly', async ({ engine, ns, key }) => {
      const k = key();
      const values = Array.from({ length: 10_000 }, (_, i) => `v${i}`);
      await engine.listConcatenate(ns, k, 'back', many(...values.slice(5_000)), refresh());
      await engine.listConcatenate(ns, k, 'front', many(...values.slice(0, 5_000)), refresh());
      expect(texts(await engine.listFetch(ns, k, { start: 4_998, end: 5_002 }))).toEqual(values.slice(4_998, 5_002));
      expect(await engine.listLength(ns, k)).toBe(10_000);
    });
  });
}
