/**
 * @module sorted-set
 * Sorted sets: put, fetch by rank and by score (orders, bounds, offset/count), scores, ranks, increments,
 * removal, lengths and union-store, plus a randomized comparison against a naive sorted model.
 */

import type { CacheEngine, SortedSetElement } from '@cachette/engine';
import { utf8 } from './bytes.ts';
import { expectWrongType, keep, many, refresh, TTL_MS, text } from './collection-support.ts';
import type { Suite } from './harness.ts';

/** Registers the sorted-set tests. */
export function sortedSetTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const el = (value: string, score: number) => ({ value: utf8(value), score });
  const show = (list: SortedSetElement[] | undefined) => list?.map((e) => `${text(e.value)}:${e.score}`);
  const seed = (engine: E, ns: string, k: Uint8Array) =>
    engine.sortedSetPut(ns, k, [el('a', 1), el('b', 2), el('c', 3), el('d', 4), el('e', 5)], refresh());

  s.group('sorted set', {}, () => {
    s.test('sorted-set reads of a missing set return undefined (Miss)', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.sortedSetFetchByRank(ns, k, {}, 'ascending')).toBeUndefined();
      expect(await engine.sortedSetFetchByScore(ns, k, {}, 'ascending')).toBeUndefined();
      expect(await engine.sortedSetGetScores(ns, k, many('a'))).toBeUndefined();
      expect(await engine.sortedSetGetRank(ns, k, utf8('a'), 'ascending')).toBeUndefined();
      expect(await engine.sortedSetLength(ns, k)).toBeUndefined();
      expect(await engine.sortedSetLengthByScore(ns, k)).toBeUndefined();
      await engine.sortedSetRemove(ns, k, many('a'));
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('sortedSetPut orders by score then member bytes and replaces scores', async ({ engine, ns, key }) => {
      const k = key();
      await engine.sortedSetPut(ns, k, [el('b', 1), el('a', 1), el('c', -2.5)], refresh());
      await engine.sortedSetPut(ns, k, [el('c', 10), el('d', Number.NEGATIVE_INFINITY)], refresh());
      expect(show(await engine.sortedSetFetchByRank(ns, k, {}, 'ascending'))).toEqual([
        'd:-Infinity',
        'a:1',
        'b:1',
        'c:10',
      ]);
      expect(show(await engine.sortedSetFetchByRank(ns, k, {}, 'descending'))).toEqual([
        'c:10',
        'b:1',
        'a:1',
        'd:-Infinity',
      ]);
      expect(await engine.sortedSetLength(ns, k)).toBe(4);
    });

    s.test('sortedSetFetchByRank takes slices in either order', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k);
      const f = async (start: number | undefined, end: number | undefined, order: 'ascending' | 'descending') =>
        show(await engine.sortedSetFetchByRank(ns, k, { start, end }, order));
      expect(await f(1, 3, 'ascending')).toEqual(['b:2', 'c:3']);
      expect(await f(1, 3, 'descending')).toEqual(['d:4', 'c:3']);
      expect(await f(-2, undefined, 'ascending')).toEqual(['d:4', 'e:5']);
      expect(await f(undefined, -4, 'descending')).toEqual(['e:5']);
      expect(await f(4, 2, 'ascending')).toEqual([]);
    });

    s.test(
      'sortedSetFetchByScore honours bounds, exclusivity, order, offset and count',
      async ({ engine, ns, key }) => {
        const k = key();
        await seed(engine, ns, k);
        const f = async (
          min: [number, boolean] | undefined,
          max: [number, boolean] | undefined,
          order: 'ascending' | 'descending',
          offset?: number,
          count?: number,
        ) =>
          show(
            await engine.sortedSetFetchByScore(
              ns,
              k,
              {
                min: min && { score: min[0], exclusive: min[1] },
                max: max && { score: max[0], exclusive: max[1] },
                offset,
                count,
              },
              order,
            ),
          );
        expect(await f([2, false], [4, false], 'ascending')).toEqual(['b:2', 'c:3', 'd:4']);
        expect(await f([2, true], [4, true], 'ascending')).toEqual(['c:3']);
        expect(await f([2, false], [4, false], 'descending')).toEqual(['d:4', 'c:3', 'b:2']);
        expect(await f(undefined, [2.5, false], 'ascending')).toEqual(['a:1', 'b:2']);
        expect(await f([3, false], undefined, 'descending', 1, 1)).toEqual(['d:4']);
        expect(await f(undefined, undefined, 'ascending', 1, 2)).toEqual(['b:2', 'c:3']);
        expect(await f(undefined, undefined, 'ascending', 10)).toEqual([]);
        expect(await f([4, false], [2, false], 'ascending')).toEqual([]);
      },
    );

    s.test('sortedSetGetScores and sortedSetGetRank answer per member', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k);
      expect(await engine.sortedSetGetScores(ns, k, many('c', 'zz', 'a'))).toEqual([3, undefined, 1]);
      expect(await engine.sortedSetGetRank(ns, k, utf8('b'), 'ascending')).toBe(1);
      expect(await engine.sortedSetGetRank(ns, k, utf8('b'), 'descending')).toBe(3);
      expect(await engine.sortedSetGetRank(ns, k, utf8('zz'), 'ascending')).toBeUndefined();
    });

    s.test('sortedSetIncrement adds to a score, starting from 0', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.sortedSetIncrement(ns, k, utf8('x'), 2.5, refresh())).toBe(2.5);
      expect(await engine.sortedSetIncrement(ns, k, utf8('x'), -1, refresh())).toBe(1.5);
      expect(await engine.sortedSetGetScores(ns, k, many('x'))).toEqual([1.5]);
    });

    s.test('sortedSetIncrement to NaN rejects INVALID_ARGUMENT and changes nothing', async ({ engine, ns, key }) => {
      const k = key();
      await engine.sortedSetPut(ns, k, [el('x', Number.POSITIVE_INFINITY)], refresh());
      await expect(
        engine.sortedSetIncrement(ns, k, utf8('x'), Number.NEGATIVE_INFINITY, refresh()),
      ).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(await engine.sortedSetGetScores(ns, k, many('x'))).toEqual([Number.POSITIVE_INFINITY]);
    });

    s.test('sortedSetPut rejects a NaN score INVALID_ARGUMENT and stores nothing', async ({ engine, ns, key }) => {
      const k = key();
      await expect(engine.sortedSetPut(ns, k, [el('a', 1), el('b', Number.NaN)], refresh())).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('sortedSetRemove removes members; the emptied set disappears', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k);
      await engine.sortedSetRemove(ns, k, many('a', 'c', 'zz'));
      expect(show(await engine.sortedSetFetchByRank(ns, k, {}, 'ascending'))).toEqual(['b:2', 'd:4', 'e:5']);
      await engine.sortedSetRemove(ns, k, 'all');
      expect(await engine.keysExist(ns, [k])).toEqual([false]);
    });

    s.test('sortedSetLengthByScore counts members within the bounds', async ({ engine, ns, key }) => {
      const k = key();
      await seed(engine, ns, k);
      expect(await engine.sortedSetLengthByScore(ns, k)).toBe(5);
      expect(
        await engine.sortedSetLengthByScore(ns, k, { score: 2, exclusive: false }, { score: 4, exclusive: true }),
      ).toBe(2);
      expect(await engine.sortedSetLengthByScore(ns, k, { score: 5, exclusive: true })).toBe(0);
      expect(
        await engine.sortedSetLengthByScore(ns, k, { score: 4, exclusive: false }, { score: 2, exclusive: false }),
      ).toBe(0);
    });

    s.test('sortedSetUnionStore combines weighted sources with sum, min and max', async ({ engine, ns, key }) => {
      const [x, y, dest] = [key('x'), key('y'), key('dest')];
      await engine.sortedSetPut(ns, x, [el('a', 1), el('b', 2)], refresh());
      await engine.sortedSetPut(ns, y, [el('b', 10), el('c', 20)], refresh());
      const sources = [
        { key: x, weight: 2 },
        { key: y, weight: 1 },
        { key: key('missing'), weight: 5 },
      ];
      expect(await engine.sortedSetUnionStore(ns, dest, sources, 'sum', TTL_MS)).toBe(3);
      expect(show(await engine.sortedSetFetchByRank(ns, dest, {}, 'ascending'))).toEqual(['a:2', 'b:14', 'c:20']);
      await engine.sortedSetUnionStore(ns, dest, sources, 'min', TTL_MS);
      expect(await engine.sortedSetGetScores(ns, dest, many('b'))).toEqual([4]);
      await engine.sortedSetUnionStore(ns, dest, sources, 'max', TTL_MS);
      expect(await engine.sortedSetGetScores(ns, dest, many('b'))).toEqual([10]);
      expect(await engine.itemGetTtl(ns, dest)).toBe(TTL_MS);
    });

    s.test(
      'sortedSetUnionStore replaces the destination and an empty union deletes it',
      async ({ engine, ns, key }) => {
        const [dest, missing] = [key('dest'), key('missing')];
        await engine.set(ns, dest, utf8('scalar'), TTL_MS);
        await engine.sortedSetPut(ns, missing, [el('a', 1)], refresh());
        await engine.sortedSetUnionStore(ns, dest, [{ key: missing, weight: 1 }], 'sum', TTL_MS);
        expect(await engine.itemGetType(ns, dest)).toBe('sortedSet');
        await engine.sortedSetRemove(ns, missing, 'all');
        expect(await engine.sortedSetUnionStore(ns, dest, [{ key: missing, weight: 1 }], 'sum', TTL_MS)).toBe(0);
        expect(await engine.keysExist(ns, [dest])).toEqual([false]);
      },
    );

    s.test(
      'sortedSetUnionStore into one of its own sources loses no write made while it runs (point in time)',
      async ({ engine, ns, key }) => {
        const [dest, other] = [key('dest'), key('other')];
        await engine.sortedSetPut(ns, dest, [el('seed', 0)], refresh());
        await engine.sortedSetPut(ns, other, [el('o', 1)], refresh());
        const sources = [
          { key: dest, weight: 1 },
          { key: other, weight: 1 },
        ];
        // Issued without waiting: an engine that reads the sources, then writes the union in a later step,
        // overwrites the puts that landed in between.
        const calls: Promise<unknown>[] = [];
        const members: string[] = [];
        for (let i = 0; i < 40; i++) {
          members.push(`m${i}`);
          calls.push(engine.sortedSetPut(ns, dest, [el(`m${i}`, 1)], refresh()));
          if (i % 4 === 0) calls.push(engine.sortedSetUnionStore(ns, dest, sources, 'max', TTL_MS));
        }
        await Promise.all(calls);
        const scores = await engine.sortedSetGetScores(ns, dest, many(...members, 'seed', 'o'));
        expect(scores?.map((x, i) => (x === undefined ? `lost ${[...members, 'seed', 'o'][i]}` : x))).toEqual([
          ...members.map(() => 1),
          0,
          1,
        ]);
      },
    );

    s.test(
      'sortedSetUnionStore with a source of another type fails with wrong type and changes nothing',
      async ({ engine, ns, key }) => {
        const [dest, good, bad] = [key('dest'), key('good'), key('bad')];
        await engine.sortedSetPut(ns, dest, [el('kept', 7)], refresh());
        await engine.sortedSetPut(ns, good, [el('a', 1)], refresh());
        await engine.setAdd(ns, bad, many('x'), refresh());
        const sources = [
          { key: good, weight: 1 },
          { key: bad, weight: 1 },
        ];
        await expectWrongType(expect, engine.sortedSetUnionStore(ns, dest, sources, 'sum', TTL_MS));
        expect(show(await engine.sortedSetFetchByRank(ns, dest, {}, 'ascending'))).toEqual(['kept:7']);
      },
    );

    s.test(
      'sorted-set writes refresh the TTL only with refreshTtl',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.sortedSetPut(ns, k, [el('a', 1)], keep(1_000));
        clock.advance(100);
        await engine.sortedSetIncrement(ns, k, utf8('a'), 1, keep(5_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(900);
        await engine.sortedSetPut(ns, k, [el('b', 1)], refresh(5_000));
        expect(await engine.itemGetTtl(ns, k)).toBe(5_000);
      },
      { needs: ['manualClock'] },
    );

    s.test('random puts and removes agree with a naive sorted model', async ({ engine, ns, key }) => {
      const k = key();
      const model = new Map<string, number>();
      let seedValue = 7;
      const rand = (n: number) => {
        seedValue = (seedValue * 1103515245 + 12345) % 2 ** 31;
        return seedValue % n;
      };
      for (let round = 0; round < 20; round++) {
        const puts: SortedSetElement[] = [];
        for (let i = 0; i < 20; i++) {
          const m = `m${rand(60)}`;
          const score = rand(15) - 7;
          puts.push(el(m, score));
        }
        await engine.sortedSetPut(ns, k, puts, refresh());
        for (const p of puts) model.set(text(p.value)!, p.score);
        const removed = [`m${rand(60)}`, `m${rand(60)}`];
        await engine.sortedSetRemove(ns, k, many(...removed));
        for (const m of removed) model.delete(m);
      }
      const want = [...model].sort(([am, as], [bm, bs]) => as - bs || (am < bm ? -1 : am > bm ? 1 : 0));
      const wantShow = want.map(([m, sc]) => `${m}:${sc}`);
      expect(show(await engine.sortedSetFetchByRank(ns, k, {}, 'ascending'))).toEqual(wantShow);
      expect(show(await engine.sortedSetFetchByRank(ns, k, { start: 3, end: 9 }, 'descending'))).toEqual(
        [...wantShow].reverse().slice(3, 9),
      );
      for (const [i, [m]] of want.entries()) {
        expect(await engine.sortedSetGetRank(ns, k, utf8(m), 'ascending'), m).toBe(i);
      }
      const inRange = want.filter(([, sc]) => sc > -3 && sc <= 2).map(([m, sc]) => `${m}:${sc}`);
      const byScore = await engine.sortedSetFetchByScore(
        ns,
        k,
        { min: { score: -3, exclusive: true }, max: { score: 2, exclusive: false }, offset: 2, count: 5 },
        'ascending',
      );
      expect(show(byScore)).toEqual(inRange.slice(2, 7));
      expect(
        await engine.sortedSetLengthByScore(ns, k, { score: -3, exclusive: true }, { score: 2, exclusive: false }),
      ).toBe(inRange.length);
    });
  });
}
