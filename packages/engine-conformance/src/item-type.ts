/**
 * @module item-type
 * Every item type shares one key space: type reports, delete, TTL reads and updates, keysExist, flush,
 * scalar writes over collections, and wrong-type errors that change nothing.
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import { expectWrongType, many, refresh, TTL_MS, texts } from './collection-support.ts';
import type { Suite } from './harness.ts';

/** Registers the shared-key-space tests. */
export function itemTypeTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('item types', {}, () => {
    s.test('itemGetType reports scalar, dictionary, list, set and sortedSet', async ({ engine, ns, key }) => {
      const [a, b, c, d, e] = [key(), key(), key(), key(), key()];
      await engine.set(ns, a, utf8('v'), TTL_MS);
      await engine.dictionarySet(ns, b, [[utf8('f'), utf8('v')]], refresh());
      await engine.listConcatenate(ns, c, 'back', many('x'), refresh());
      await engine.setAdd(ns, d, many('x'), refresh());
      await engine.sortedSetPut(ns, e, [{ value: utf8('x'), score: 1 }], refresh());
      expect(await engine.itemGetType(ns, a)).toBe('scalar');
      expect(await engine.itemGetType(ns, b)).toBe('dictionary');
      expect(await engine.itemGetType(ns, c)).toBe('list');
      expect(await engine.itemGetType(ns, d)).toBe('set');
      expect(await engine.itemGetType(ns, e)).toBe('sortedSet');
      expect(await engine.keysExist(ns, [a, b, c, d, e, key()])).toEqual([true, true, true, true, true, false]);
    });

    s.test('delete removes a collection of any type', async ({ engine, ns, key }) => {
      const [b, c, d, e] = [key(), key(), key(), key()];
      await engine.dictionarySet(ns, b, [[utf8('f'), utf8('v')]], refresh());
      await engine.listConcatenate(ns, c, 'back', many('x'), refresh());
      await engine.setAdd(ns, d, many('x'), refresh());
      await engine.sortedSetPut(ns, e, [{ value: utf8('x'), score: 1 }], refresh());
      for (const k of [b, c, d, e]) await engine.delete(ns, k);
      expect(await engine.keysExist(ns, [b, c, d, e])).toEqual([false, false, false, false]);
      expect(await engine.dictionaryFetch(ns, b)).toBeUndefined();
      expect(await engine.listFetch(ns, c, {})).toBeUndefined();
    });

    s.test('itemGetTtl and updateTtl work on collections', async ({ engine, ns, key }) => {
      const k = key();
      await engine.setAdd(ns, k, many('x'), refresh(TTL_MS));
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      expect(await engine.updateTtl(ns, k, { kind: 'increaseTo', ttlMs: TTL_MS * 2 })).toBe('set');
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS * 2);
      expect(await engine.updateTtl(ns, k, { kind: 'decreaseTo', ttlMs: TTL_MS * 3 })).toBe('notSet');
      expect(await engine.updateTtl(ns, k, { kind: 'overwrite', ttlMs: 500 })).toBe('set');
      expect(await engine.itemGetTtl(ns, k)).toBe(500);
      expect(texts(await engine.setFetch(ns, k))).toEqual(['x']);
    });

    s.test(
      'a collection expires as a whole after its TTL',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.dictionarySet(ns, k, [[utf8('f'), utf8('v')]], refresh(1_000));
        clock.advance(999);
        expect(await engine.dictionaryLength(ns, k)).toBe(1);
        clock.advance(1);
        expect(await engine.dictionaryLength(ns, k)).toBeUndefined();
        expect(await engine.itemGetType(ns, k)).toBeUndefined();
        // A write after expiry starts a new collection with its own TTL.
        await engine.dictionarySet(ns, k, [[utf8('g'), utf8('w')]], refresh(2_000));
        expect(await engine.dictionaryFetch(ns, k)).toHaveLength(1);
        expect(await engine.itemGetTtl(ns, k)).toBe(2_000);
      },
      { needs: ['manualClock'] },
    );

    s.test('flushNamespace removes collections too', async ({ engine, ns, key }) => {
      const [a, b] = [key(), key()];
      await engine.listConcatenate(ns, a, 'back', many('x', 'y'), refresh());
      await engine.sortedSetPut(ns, b, [{ value: utf8('x'), score: 1 }], refresh());
      await engine.flushNamespace(ns);
      expect(await engine.keysExist(ns, [a, b])).toEqual([false, false]);
      expect(await engine.listLength(ns, a)).toBeUndefined();
      // Scalar calls see a flushed collection as absent, not as the wrong type.
      expect(await engine.get(ns, a)).toBeUndefined();
      expect(await engine.getWithHash(ns, b)).toBeUndefined();
      expect(await engine.itemGetTtl(ns, a)).toBeUndefined();
      expect(await engine.setIf(ns, b, utf8('5'), TTL_MS, { kind: 'absentOrEqual', value: utf8('x') })).toBe(true);
      expect(await engine.increment(ns, b, 2n, TTL_MS)).toBe(7n);
      // A flushed key accepts another type afterwards.
      await engine.setAdd(ns, a, many('z'), refresh());
      expect(await engine.itemGetType(ns, a)).toBe('set');
    });

    s.test('dropNamespace then createNamespace leaves no collection behind', async ({ engine, namespace, key }) => {
      const ns = await namespace();
      const k = key();
      await engine.dictionarySet(ns, k, [[utf8('f'), utf8('v')]], refresh());
      await engine.dropNamespace(ns);
      await expect(engine.dictionaryLength(ns, k)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await engine.createNamespace(ns);
      expect(await engine.dictionaryLength(ns, k)).toBeUndefined();
    });

    s.test('collection operations on a missing namespace reject NOT_FOUND', async ({ engine, key }) => {
      const ns = 'conformance-missing-namespace';
      await expect(engine.dictionarySet(ns, key(), [[utf8('f'), utf8('v')]], refresh())).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
      await expect(engine.listFetch(ns, key(), {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(engine.sortedSetLength(ns, key())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    s.test('set (scalar) replaces a collection, as Redis SET does', async ({ engine, ns, key }) => {
      const k = key();
      await engine.dictionarySet(ns, k, [[utf8('f'), utf8('v')]], refresh());
      await engine.set(ns, k, utf8('scalar'), TTL_MS);
      expect(await engine.itemGetType(ns, k)).toBe('scalar');
      expectBytes(expect, await engine.get(ns, k), utf8('scalar'));
      await expectWrongType(expect, engine.dictionaryLength(ns, k));
    });

    s.test(
      'scalar reads and compare-writes of a collection reject wrong_type and change nothing',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.listConcatenate(ns, k, 'back', many('a', 'b'), refresh());
        await expectWrongType(expect, engine.get(ns, k));
        await expectWrongType(expect, engine.increment(ns, k, 1n, TTL_MS));
        await expectWrongType(expect, engine.setIf(ns, k, utf8('v'), TTL_MS, { kind: 'equal', value: utf8('a') }));
        await expectWrongType(expect, engine.getWithHash(ns, k));
        // Presence conditions see the collection as present.
        expect(await engine.setIf(ns, k, utf8('v'), TTL_MS, { kind: 'absent' })).toBe(false);
        expect(texts(await engine.listFetch(ns, k, {}))).toEqual(['a', 'b']);
      },
    );

    s.test(
      'each collection operation on another type rejects wrong_type and changes nothing',
      async ({ engine, ns, key }) => {
        const scalar = key();
        const dict = key();
        await engine.set(ns, scalar, utf8('v'), TTL_MS);
        await engine.dictionarySet(ns, dict, [[utf8('f'), utf8('v')]], refresh());
        const r = refresh();
        for (const k of [scalar, dict]) {
          if (k !== dict) {
            await expectWrongType(expect, engine.dictionarySet(ns, k, [[utf8('f'), utf8('v')]], r));
            await expectWrongType(expect, engine.dictionaryGet(ns, k, many('f')));
            await expectWrongType(expect, engine.dictionaryIncrement(ns, k, utf8('n'), 1n, r));
            await expectWrongType(expect, engine.dictionaryDelete(ns, k, 'all'));
          }
          await expectWrongType(expect, engine.listConcatenate(ns, k, 'front', many('x'), r));
          await expectWrongType(expect, engine.listPop(ns, k, 'back'));
          await expectWrongType(expect, engine.listFetch(ns, k, {}));
          await expectWrongType(expect, engine.listRetain(ns, k, { start: 0, end: 1 }, r));
          await expectWrongType(expect, engine.setAdd(ns, k, many('x'), r));
          await expectWrongType(expect, engine.setRemove(ns, k, 'all'));
          await expectWrongType(expect, engine.setContains(ns, k, many('x')));
          await expectWrongType(expect, engine.setPop(ns, k, 1));
          await expectWrongType(expect, engine.sortedSetPut(ns, k, [{ value: utf8('x'), score: 1 }], r));
          await expectWrongType(expect, engine.sortedSetFetchByRank(ns, k, {}, 'ascending'));
          await expectWrongType(expect, engine.sortedSetIncrement(ns, k, utf8('x'), 1, r));
          await expectWrongType(expect, engine.sortedSetRemove(ns, k, 'all'));
        }
        expectBytes(expect, await engine.get(ns, scalar), utf8('v'));
        expect(texts(await engine.dictionaryGet(ns, dict, many('f')))).toEqual(['v']);
      },
    );
  });
}
