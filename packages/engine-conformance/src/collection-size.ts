/**
 * @module collection-size
 * A collection's total counts against the item-size limit (`ctx.maxItemBytes`): its key plus every field
 * and value, element, or member and 8 bytes per score. Writes that would pass it reject LIMIT_EXCEEDED
 * (`item_size_limit_exceeded`) and change nothing; the count is exact (replacements count their
 * difference, repeats count once, truncation is taken into account), so a collection can sit at the limit.
 */

import type { CacheEngine } from '@cachette/engine';
import type { Suite } from './harness.ts';

/** The limit of the group: an 18-byte key (label of one character, see the harness) plus 99 bytes of data. */
const LIMIT = 117;

/** Registers the collection-size tests. */
export function collectionSizeTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const TTL_MS = 60_000;
  const ttl = { ttlMs: TTL_MS, refreshTtl: true };
  const tooBig = { code: 'LIMIT_EXCEEDED', reason: 'item_size_limit_exceeded' };
  // Buffers: engines answer Buffers, and toEqual tells a Buffer from a plain Uint8Array.
  const bytes = (text: string) => Buffer.from(text, 'latin1');

  s.group('collection size', { maxItemBytes: LIMIT }, () => {
    s.test(
      'dictionary: fills to the limit exactly; one byte more is refused and changes nothing; replacements count their difference',
      async ({ engine, ns, key }) => {
        const k = key('k');
        await engine.dictionarySet(ns, k, [[bytes('a'), bytes('x'.repeat(48))]], ttl); // 1 + 49
        await engine.dictionarySet(ns, k, [[bytes('b'), bytes('y'.repeat(49))]], ttl); // 1 + 99 = 100
        await expect(engine.dictionarySet(ns, k, [[bytes('c'), bytes('')]], ttl)).rejects.toMatchObject(tooBig);
        await expect(engine.dictionarySet(ns, k, [[bytes('a'), bytes('x'.repeat(49))]], ttl)).rejects.toMatchObject(
          tooBig,
        );
        expect(await engine.dictionaryLength(ns, k)).toBe(2);
        // Same size, shorter, and a field named twice (last value wins, counted once): all fit.
        await engine.dictionarySet(ns, k, [[bytes('a'), bytes('z'.repeat(48))]], ttl);
        await engine.dictionarySet(
          ns,
          k,
          [
            [bytes('a'), bytes('q'.repeat(40))],
            [bytes('a'), bytes('r'.repeat(47))],
            [bytes('c'), bytes('')],
          ],
          ttl,
        );
        expect((await engine.dictionaryGet(ns, k, [bytes('a')]))?.[0]).toEqual(bytes('r'.repeat(47)));
      },
    );

    s.test(
      'dictionary increment: a result one digit longer is refused at the limit, one of the same length is not',
      async ({ engine, ns, key }) => {
        const k = key('k');
        await engine.dictionarySet(
          ns,
          k,
          [
            [bytes('a'), bytes('x'.repeat(96))],
            [bytes('n'), bytes('8')],
          ],
          ttl,
        ); // 100
        expect(await engine.dictionaryIncrement(ns, k, bytes('n'), 1n, ttl)).toBe(9n);
        await expect(engine.dictionaryIncrement(ns, k, bytes('n'), 1n, ttl)).rejects.toMatchObject(tooBig);
        await expect(engine.dictionaryIncrement(ns, k, bytes('m'), 1n, ttl)).rejects.toMatchObject(tooBig);
        expect((await engine.dictionaryGet(ns, k, [bytes('n')]))?.[0]).toEqual(bytes('9'));
      },
    );

    s.test(
      'list: a push past the limit is refused; with truncation that keeps it within the limit it is not',
      async ({ engine, ns, key }) => {
        const k = key('k');
        for (let i = 0; i < 9; i++) await engine.listConcatenate(ns, k, 'back', [bytes('0123456789')], ttl); // 1 + 90
        await expect(engine.listConcatenate(ns, k, 'back', [bytes('0123456789')], ttl)).rejects.toMatchObject(tooBig);
        expect(await engine.listLength(ns, k)).toBe(9);
        // A bounded queue at the limit keeps working: the element pushed makes another leave.
        expect(await engine.listConcatenate(ns, k, 'back', [bytes('abcdefghij')], ttl, 9)).toBe(9);
        expect(await engine.listConcatenate(ns, k, 'front', [bytes('ABCDEFGHIJ'), bytes('z')], ttl, 9)).toBe(9);
        const list = await engine.listFetch(ns, k, {});
        expect(list?.[0]).toEqual(bytes('ABCDEFGHIJ'));
        expect(list?.[1]).toEqual(bytes('z'));
        // Truncation that does not free enough: refused.
        await expect(
          engine.listConcatenate(ns, k, 'back', [bytes('x'.repeat(30)), bytes('y'.repeat(30))], ttl, 9),
        ).rejects.toMatchObject(tooBig);
        expect(await engine.listLength(ns, k)).toBe(9);
      },
    );

    s.test(
      'set: re-adding members costs nothing at the limit; a new member is refused',
      async ({ engine, ns, key }) => {
        const k = key('k');
        await engine.setAdd(ns, k, [bytes('m'.repeat(50)), bytes('n'.repeat(49))], ttl); // 1 + 99
        await engine.setAdd(ns, k, [bytes('m'.repeat(50)), bytes('m'.repeat(50))], ttl);
        await expect(engine.setAdd(ns, k, [bytes('o')], ttl)).rejects.toMatchObject(tooBig);
        await expect(engine.setAdd(ns, k, [bytes('o'), bytes('o')], ttl)).rejects.toMatchObject(tooBig);
        expect(await engine.setLength(ns, k)).toBe(2);
      },
    );

    s.test(
      'sorted set: each member counts its bytes plus 8 for the score; increments of members in place are free',
      async ({ engine, ns, key }) => {
        const k = key('k');
        await engine.sortedSetPut(ns, k, [{ value: bytes('a'.repeat(81)), score: 1 }], ttl); // 1 + 81 + 8 = 90
        await expect(
          engine.sortedSetPut(ns, k, [{ value: bytes('b'.repeat(3)), score: 1 }], ttl),
        ).rejects.toMatchObject(tooBig);
        await engine.sortedSetPut(ns, k, [{ value: bytes('b'), score: 1 }], ttl); // 99
        await engine.sortedSetPut(ns, k, [{ value: bytes('b'), score: 5 }], ttl);
        expect(await engine.sortedSetIncrement(ns, k, bytes('b'), 1, ttl)).toBe(6);
        await expect(engine.sortedSetIncrement(ns, k, bytes('c'), 1, ttl)).rejects.toMatchObject(tooBig);
        expect(await engine.sortedSetLength(ns, k)).toBe(2);
      },
    );

    s.test(
      'sorted-set union store: a union over the limit is refused and the destination stays as it was',
      async ({ engine, ns, key }) => {
        const [x, y, dest] = [key('x'), key('y'), key('d')];
        await engine.sortedSetPut(ns, x, [{ value: bytes('a'.repeat(50)), score: 1 }], ttl);
        await engine.sortedSetPut(ns, y, [{ value: bytes('b'.repeat(50)), score: 1 }], ttl);
        await engine.set(ns, dest, bytes('kept'), TTL_MS);
        const sources = [
          { key: x, weight: 1 },
          { key: y, weight: 1 },
        ];
        await expect(engine.sortedSetUnionStore(ns, dest, sources, 'sum', TTL_MS)).rejects.toMatchObject(tooBig);
        expect(await engine.get(ns, dest)).toEqual(bytes('kept'));
        expect(await engine.sortedSetUnionStore(ns, dest, [{ key: x, weight: 1 }], 'sum', TTL_MS)).toBe(1);
      },
    );

    s.test('a new collection larger than the limit is never created', async ({ engine, ns, key }) => {
      const k = key('k');
      await expect(engine.setAdd(ns, k, [bytes('s'.repeat(100))], ttl)).rejects.toMatchObject(tooBig);
      expect(await engine.itemGetType(ns, k)).toBeUndefined();
    });

    s.test(
      'removals give their bytes back: a full collection takes new data after each kind of removal',
      async ({ engine, ns, key }) => {
        const v = (c: string) => bytes(c.repeat(33)); // three of them fill the 99 bytes of data
        const refused = (p: Promise<unknown>) => expect(p).rejects.toMatchObject(tooBig);

        const d = key('d');
        await engine.dictionarySet(
          ns,
          d,
          [
            [bytes('a'), v('a').subarray(1)],
            [bytes('b'), v('b').subarray(1)],
            [bytes('c'), v('c').subarray(1)],
          ],
          ttl,
        );
        await refused(engine.dictionarySet(ns, d, [[bytes('e'), bytes('')]], ttl));
        await engine.dictionaryDelete(ns, d, [bytes('a'), bytes('a')]);
        await engine.dictionarySet(ns, d, [[bytes('e'), v('e').subarray(1)]], ttl);
        await refused(engine.dictionarySet(ns, d, [[bytes('f'), bytes('')]], ttl));

        const l = key('l');
        await engine.listConcatenate(ns, l, 'back', [v('a'), v('b'), v('c')], ttl);
        await refused(engine.listConcatenate(ns, l, 'back', [bytes('x')], ttl));
        await engine.listPop(ns, l, 'front');
        await engine.listConcatenate(ns, l, 'back', [v('d')], ttl);
        await engine.listRemoveValue(ns, l, v('b'));
        await engine.listConcatenate(ns, l, 'front', [v('e')], ttl);
        expect(await engine.listRetain(ns, l, { start: 1 }, ttl)).toBe(2);
        await engine.listConcatenate(ns, l, 'back', [v('f')], ttl);
        await engine.listErase(ns, l, [{ start: 0, count: 1 }]);
        await engine.listConcatenate(ns, l, 'back', [v('g')], ttl);
        await refused(engine.listConcatenate(ns, l, 'back', [bytes('x')], ttl));

        const st = key('s');
        await engine.setAdd(ns, st, [v('a'), v('b'), v('c')], ttl);
        await refused(engine.setAdd(ns, st, [bytes('x')], ttl));
        await engine.setRemove(ns, st, [v('a'), v('a')]);
        await engine.setAdd(ns, st, [v('d')], ttl);
        expect(await engine.setPop(ns, st, 1)).toHaveLength(1);
        await engine.setAdd(ns, st, [v('e')], ttl);
        await refused(engine.setAdd(ns, st, [bytes('x')], ttl));

        const z = key('z');
        const m = (c: string) => bytes(c.repeat(25)); // + 8 for the score: 33
        await engine.sortedSetPut(
          ns,
          z,
          [
            { value: m('a'), score: 1 },
            { value: m('b'), score: 2 },
            { value: m('c'), score: 3 },
          ],
          ttl,
        );
        await refused(engine.sortedSetPut(ns, z, [{ value: bytes(''), score: 1 }], ttl));
        await engine.sortedSetRemove(ns, z, [m('a'), m('a')]);
        await engine.sortedSetPut(ns, z, [{ value: m('d'), score: 4 }], ttl);
        await refused(engine.sortedSetIncrement(ns, z, bytes(''), 1, ttl));
      },
    );
  });
}
