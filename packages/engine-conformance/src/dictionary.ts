/**
 * @module dictionary
 * Dictionaries: set/get/fetch/delete/length, int64 field increments, CollectionTtl and emptiness.
 */

import type { CacheEngine } from '@cachette/engine';
import { utf8 } from './bytes.ts';
import { keep, many, refresh, TTL_MS, text, texts } from './collection-support.ts';
import type { Suite } from './harness.ts';

const INT64_MAX = 2n ** 63n - 1n;

/** Registers the dictionary tests. */
export function dictionaryTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const pair = (f: string, v: string) => [utf8(f), utf8(v)] as const;
  const fetchSorted = async (engine: E, ns: string, k: Uint8Array) =>
    (await engine.dictionaryFetch(ns, k))?.map(([f, v]) => `${text(f)}=${text(v)}`).sort();

  s.group('dictionary', {}, () => {
    s.test('dictionary reads of a missing dictionary return undefined (Miss)', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.dictionaryGet(ns, k, many('f'))).toBeUndefined();
      expect(await engine.dictionaryFetch(ns, k)).toBeUndefined();
      expect(await engine.dictionaryLength(ns, k)).toBeUndefined();
      await engine.dictionaryDelete(ns, k, many('f'));
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('dictionarySet adds and replaces fields; dictionaryGet answers per field', async ({ engine, ns, key }) => {
      const k = key();
      await engine.dictionarySet(ns, k, [pair('a', '1'), pair('b', '2')], refresh());
      await engine.dictionarySet(ns, k, [pair('b', 'two'), pair('c', '3')], refresh());
      expect(texts(await engine.dictionaryGet(ns, k, many('a', 'b', 'c', 'zz')))).toEqual(['1', 'two', '3', undefined]);
      expect(await fetchSorted(engine, ns, k)).toEqual(['a=1', 'b=two', 'c=3']);
      expect(await engine.dictionaryLength(ns, k)).toBe(3);
    });

    s.test('dictionary fields and values are arbitrary bytes, including empty', async ({ engine, ns, key }) => {
      const k = key();
      const field = Uint8Array.of(0, 255, 10);
      await engine.dictionarySet(
        ns,
        k,
        [
          [field, Uint8Array.of(1, 0, 2)],
          [new Uint8Array(0), new Uint8Array(0)],
        ],
        refresh(),
      );
      const [v, empty] = (await engine.dictionaryGet(ns, k, [field, new Uint8Array(0)]))!;
      expect([...v!]).toEqual([1, 0, 2]);
      expect(empty?.byteLength).toBe(0);
    });

    s.test('dictionaryDelete removes fields and the emptied dictionary disappears', async ({ engine, ns, key }) => {
      const k = key();
      await engine.dictionarySet(ns, k, [pair('a', '1'), pair('b', '2')], refresh());
      await engine.dictionaryDelete(ns, k, many('a', 'nope'));
      expect(await fetchSorted(engine, ns, k)).toEqual(['b=2']);
      await engine.dictionaryDelete(ns, k, many('b'));
      expect(await engine.dictionaryFetch(ns, k)).toBeUndefined();
      expect(await engine.itemGetType(ns, k)).toBeUndefined();
    });

    s.test('dictionaryDelete(all) deletes the whole dictionary', async ({ engine, ns, key }) => {
      const k = key();
      await engine.dictionarySet(ns, k, [pair('a', '1'), pair('b', '2')], refresh());
      await engine.dictionaryDelete(ns, k, 'all');
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('dictionarySet with no items creates nothing', async ({ engine, ns, key }) => {
      const k = key();
      await engine.dictionarySet(ns, k, [], refresh());
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('dictionaryIncrement counts from 0, adds, and stores decimal text', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.dictionaryIncrement(ns, k, utf8('n'), 5n, refresh())).toBe(5n);
      expect(await engine.dictionaryIncrement(ns, k, utf8('n'), -7n, refresh())).toBe(-2n);
      expect(texts(await engine.dictionaryGet(ns, k, many('n')))).toEqual(['-2']);
      await engine.dictionarySet(ns, k, [pair('m', '40')], refresh());
      expect(await engine.dictionaryIncrement(ns, k, utf8('m'), 2n, refresh())).toBe(42n);
    });

    s.test(
      'dictionaryIncrement of a non-integer field rejects not_an_integer and changes nothing',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.dictionarySet(ns, k, [pair('x', 'abc'), pair('y', '1')], refresh(TTL_MS));
        await expect(engine.dictionaryIncrement(ns, k, utf8('x'), 1n, refresh(TTL_MS * 9))).rejects.toMatchObject({
          code: 'FAILED_PRECONDITION',
          reason: 'not_an_integer',
        });
        expect(await fetchSorted(engine, ns, k)).toEqual(['x=abc', 'y=1']);
        expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      },
    );

    s.test('dictionaryIncrement past int64 rejects overflow and keeps the field', async ({ engine, ns, key }) => {
      const k = key();
      await engine.dictionarySet(ns, k, [pair('x', INT64_MAX.toString())], refresh());
      await expect(engine.dictionaryIncrement(ns, k, utf8('x'), 1n, refresh())).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
        reason: 'overflow',
      });
      expect(texts(await engine.dictionaryGet(ns, k, many('x')))).toEqual([INT64_MAX.toString()]);
    });

    s.test(
      'dictionaryIncrement on a missing dictionary that fails leaves nothing behind',
      async ({ engine, ns, key }) => {
        const k = key();
        await expect(engine.dictionaryIncrement(ns, k, utf8('x'), 2n ** 63n, refresh())).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
        });
        expect(await engine.keysExist(ns, [k])).toEqual([false]);
      },
    );

    s.test(
      'a write with refreshTtl resets the TTL; without it the TTL is kept',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.dictionarySet(ns, k, [pair('a', '1')], keep(1_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(1_000);
        clock.advance(400);
        await engine.dictionarySet(ns, k, [pair('b', '2')], keep(5_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(600);
        await engine.dictionaryIncrement(ns, k, utf8('n'), 1n, refresh(5_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(5_000);
      },
      { needs: ['manualClock'] },
    );

    s.test('dictionarySet rejects INVALID_ARGUMENT for an invalid ttlMs', async ({ engine, ns, key }) => {
      await expect(
        engine.dictionarySet(ns, key(), [pair('a', '1')], { ttlMs: 0, refreshTtl: true }),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });
  });
}
