/**
 * @module leaderboard
 * Leaderboards (Momento's leaderboard service): upsert, fetch by rank and by score (min inclusive, max
 * exclusive, offset/count, both orders), ordinal and competition ranks, length, removal and deletion; their
 * own key space beside cache items; TTL, flush and drop; memory accounting and eviction as a whole; and a
 * randomized comparison against a naive sorted model.
 */

import type { CacheEngine, LeaderboardElement, RankedElement, SortOrder } from '@cachette/engine';
import { patterned, utf8 } from './bytes.ts';
import { text } from './collection-support.ts';
import type { Suite } from './harness.ts';
import { FILL_VALUE_BYTES, SUITE_MAX_BYTES } from './limits.ts';

const TTL_MS = 10_000;

/** `id:score@rank` texts, for readable assertions. */
function show(list: readonly RankedElement[]): string[] {
  return list.map((e) => `${e.id}:${e.score}@${e.rank}`);
}

/** A naive model: elements sorted by (score, id), the order every engine must agree with. */
function modelOrder(model: Map<number, number>, order: SortOrder): LeaderboardElement[] {
  const asc = [...model].map(([id, score]) => ({ id, score })).sort((a, b) => a.score - b.score || a.id - b.id);
  return order === 'descending' ? asc.reverse() : asc;
}

/** Registers the leaderboard tests. */
export function leaderboardTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const el = (id: number, score: number): LeaderboardElement => ({ id, score });
  /** Ids 1..5 scored 10, 20, 20, 30, 40: one tie, for rank tests. */
  const seed = (engine: E, ns: string, name: Uint8Array) =>
    engine.leaderboardUpsert(ns, name, [el(5, 40), el(3, 20), el(1, 10), el(2, 20), el(4, 30)], TTL_MS);

  s.group('leaderboard', {}, () => {
    s.test('leaderboard reads of a missing leaderboard are empty, its length 0', async ({ engine, ns, key }) => {
      const name = key('board');
      expect(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending')).toEqual([]);
      expect(await engine.leaderboardFetchByScore(ns, name, { offset: 0, count: 10 }, 'descending')).toEqual([]);
      expect(await engine.leaderboardGetRank(ns, name, [1, 2], 'ascending')).toEqual([]);
      expect(await engine.leaderboardGetCompetitionRank(ns, name, [1], 'descending')).toEqual([]);
      expect(await engine.leaderboardLength(ns, name)).toBe(0);
      await engine.leaderboardRemove(ns, name, [1]);
      await engine.leaderboardDelete(ns, name);
      expect(await engine.leaderboardLength(ns, name)).toBe(0);
    });

    s.test('leaderboardUpsert orders by score then id and replaces scores', async ({ engine, ns, key }) => {
      const name = key('board');
      await engine.leaderboardUpsert(ns, name, [el(7, 1), el(3, 1), el(9, -2.5)], TTL_MS);
      await engine.leaderboardUpsert(ns, name, [el(9, 10), el(1, Number.NEGATIVE_INFINITY), el(2, 0.1)], TTL_MS);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 100, 'ascending'))).toEqual([
        '1:-Infinity@0',
        '2:0.1@1',
        '3:1@2',
        '7:1@3',
        '9:10@4',
      ]);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 100, 'descending'))).toEqual([
        '9:10@0',
        '7:1@1',
        '3:1@2',
        '2:0.1@3',
        '1:-Infinity@4',
      ]);
      expect(await engine.leaderboardLength(ns, name)).toBe(5);
    });

    s.test('leaderboardFetchByRank takes [start, end) in either order, clamped', async ({ engine, ns, key }) => {
      const name = key('board');
      await seed(engine, ns, name);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 1, 3, 'ascending'))).toEqual(['2:20@1', '3:20@2']);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 1, 3, 'descending'))).toEqual(['4:30@1', '3:20@2']);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 3, 99, 'ascending'))).toEqual(['4:30@3', '5:40@4']);
      expect(await engine.leaderboardFetchByRank(ns, name, 5, 10, 'ascending')).toEqual([]);
      expect(await engine.leaderboardFetchByRank(ns, name, 3, 3, 'ascending')).toEqual([]);
      expect(await engine.leaderboardFetchByRank(ns, name, 4, 2, 'descending')).toEqual([]);
    });

    s.test(
      'leaderboardFetchByScore: min inclusive, max exclusive, offset, count, ranks in the order asked',
      async ({ engine, ns, key }) => {
        const name = key('board');
        await seed(engine, ns, name);
        const f = async (min: number | undefined, max: number | undefined, order: SortOrder, offset = 0, count = 100) =>
          show(await engine.leaderboardFetchByScore(ns, name, { min, max, offset, count }, order));
        expect(await f(20, 40, 'ascending')).toEqual(['2:20@1', '3:20@2', '4:30@3']);
        expect(await f(20, 40, 'descending')).toEqual(['4:30@1', '3:20@2', '2:20@3']);
        expect(await f(undefined, undefined, 'ascending', 1, 2)).toEqual(['2:20@1', '3:20@2']);
        expect(await f(undefined, undefined, 'descending', 3, 5)).toEqual(['2:20@3', '1:10@4']);
        expect(await f(15, undefined, 'ascending', 1, 2)).toEqual(['3:20@2', '4:30@3']);
        expect(await f(undefined, 30, 'descending', 1)).toEqual(['2:20@3', '1:10@4']);
        expect(await f(20, 20, 'ascending')).toEqual([]);
        expect(await f(30, 20, 'ascending')).toEqual([]);
        expect(await f(41, undefined, 'ascending')).toEqual([]);
        expect(await f(undefined, 10, 'descending')).toEqual([]);
        expect(await f(undefined, undefined, 'ascending', 5)).toEqual([]);
        expect(await f(undefined, undefined, 'ascending', 0, 0)).toEqual([]);
        expect(await f(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY, 'descending', 0, 1)).toEqual(['5:40@0']);
      },
    );

    s.test('leaderboardFetchByScore keeps infinite scores inside unbounded ranges', async ({ engine, ns, key }) => {
      const name = key('board');
      await engine.leaderboardUpsert(
        ns,
        name,
        [el(1, Number.NEGATIVE_INFINITY), el(2, 0), el(3, Number.POSITIVE_INFINITY)],
        TTL_MS,
      );
      const all = { offset: 0, count: 10 };
      expect(show(await engine.leaderboardFetchByScore(ns, name, all, 'ascending'))).toEqual([
        '1:-Infinity@0',
        '2:0@1',
        '3:Infinity@2',
      ]);
      expect(show(await engine.leaderboardFetchByScore(ns, name, { ...all, max: 0 }, 'descending'))).toEqual([
        '1:-Infinity@2',
      ]);
    });

    s.test(
      'leaderboardGetRank answers ordinal ranks for present ids, in the order asked',
      async ({ engine, ns, key }) => {
        const name = key('board');
        await seed(engine, ns, name);
        expect(show(await engine.leaderboardGetRank(ns, name, [3, 99, 1, 2], 'ascending'))).toEqual([
          '3:20@2',
          '1:10@0',
          '2:20@1',
        ]);
        expect(show(await engine.leaderboardGetRank(ns, name, [5, 2, 3], 'descending'))).toEqual([
          '5:40@0',
          '2:20@3',
          '3:20@2',
        ]);
        expect(await engine.leaderboardGetRank(ns, name, [], 'ascending')).toEqual([]);
      },
    );

    s.test('leaderboardGetCompetitionRank gives ties one rank and skips after them', async ({ engine, ns, key }) => {
      const name = key('board');
      await seed(engine, ns, name);
      await engine.leaderboardUpsert(ns, name, [el(6, 20)], TTL_MS);
      // Ascending: 10, 20, 20, 20, 30, 40 → 0, 1, 1, 1, 4, 5. Descending: 40, 30, 20×3, 10 → 0, 1, 2, 2, 2, 5.
      expect(show(await engine.leaderboardGetCompetitionRank(ns, name, [1, 2, 3, 6, 4, 5, 77], 'ascending'))).toEqual([
        '1:10@0',
        '2:20@1',
        '3:20@1',
        '6:20@1',
        '4:30@4',
        '5:40@5',
      ]);
      expect(show(await engine.leaderboardGetCompetitionRank(ns, name, [5, 4, 3, 2, 6, 1], 'descending'))).toEqual([
        '5:40@0',
        '4:30@1',
        '3:20@2',
        '2:20@2',
        '6:20@2',
        '1:10@5',
      ]);
    });

    s.test(
      'leaderboardRemove drops ids; removing the last one deletes the leaderboard',
      async ({ engine, ns, key }) => {
        const name = key('board');
        await seed(engine, ns, name);
        await engine.leaderboardRemove(ns, name, [2, 42, 4]);
        expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending'))).toEqual([
          '1:10@0',
          '3:20@1',
          '5:40@2',
        ]);
        await engine.leaderboardRemove(ns, name, [1, 3, 5]);
        expect(await engine.leaderboardLength(ns, name)).toBe(0);
        await engine.leaderboardUpsert(ns, name, [el(8, 1)], TTL_MS);
        expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending'))).toEqual(['8:1@0']);
      },
    );

    s.test('leaderboardDelete removes the whole leaderboard and nothing else', async ({ engine, ns, key }) => {
      const name = key('board');
      const other = key('other');
      await seed(engine, ns, name);
      await engine.leaderboardUpsert(ns, other, [el(1, 1)], TTL_MS);
      await engine.leaderboardDelete(ns, name);
      expect(await engine.leaderboardLength(ns, name)).toBe(0);
      expect(await engine.leaderboardLength(ns, other)).toBe(1);
    });

    s.test('leaderboards have their own key space beside cache items of the same name', async ({ engine, ns, key }) => {
      const name = key('shared');
      await engine.set(ns, name, utf8('scalar'), TTL_MS);
      await seed(engine, ns, name);
      expect(text(await engine.get(ns, name))).toBe('scalar');
      expect(await engine.itemGetType(ns, name)).toBe('scalar');
      await engine.delete(ns, name);
      expect(await engine.leaderboardLength(ns, name)).toBe(5);
      await engine.sortedSetPut(ns, name, [{ value: utf8('m'), score: 1 }], { ttlMs: TTL_MS, refreshTtl: true });
      await engine.leaderboardDelete(ns, name);
      expect(await engine.sortedSetLength(ns, name)).toBe(1);
      expect(await engine.keysExist(ns, [name])).toEqual([true]);
    });

    s.test('flushNamespace and dropNamespace remove leaderboards; other namespaces keep theirs', async (fx) => {
      const { engine, ns, key } = fx;
      const other = await fx.namespace();
      const name = key('board');
      await seed(engine, ns, name);
      await seed(engine, other, name);
      await engine.flushNamespace(ns);
      expect(await engine.leaderboardLength(ns, name)).toBe(0);
      expect(await engine.leaderboardLength(other, name)).toBe(5);
      await engine.leaderboardUpsert(ns, name, [el(1, 1)], TTL_MS);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending'))).toEqual(['1:1@0']);
      await engine.dropNamespace(other);
      await engine.createNamespace(other);
      expect(await engine.leaderboardLength(other, name)).toBe(0);
    });

    s.test(
      'a leaderboard expires as a whole ttlMs after its last upsert',
      async ({ engine, ns, key, clock }) => {
        const name = key('board');
        await seed(engine, ns, name);
        clock.advance(TTL_MS - 1000);
        await engine.leaderboardUpsert(ns, name, [el(9, 9)], TTL_MS);
        clock.advance(TTL_MS - 1);
        expect(await engine.leaderboardLength(ns, name)).toBe(6);
        clock.advance(1);
        expect(await engine.leaderboardLength(ns, name)).toBe(0);
        expect(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending')).toEqual([]);
        // A new upsert starts from nothing: the expired elements never come back.
        await engine.leaderboardUpsert(ns, name, [el(1, 1)], TTL_MS);
        expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending'))).toEqual(['1:1@0']);
      },
      { needs: ['manualClock'] },
    );

    s.test('leaderboard ids span 0..2^53-1 and keep numeric order on ties', async ({ engine, ns, key }) => {
      const name = key('board');
      const ids = [Number.MAX_SAFE_INTEGER, 2 ** 32, 2 ** 32 - 1, 256, 255, 1, 0];
      await engine.leaderboardUpsert(
        ns,
        name,
        ids.map((id) => el(id, 7)),
        TTL_MS,
      );
      const fetched = await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending');
      expect(fetched.map((e) => e.id)).toEqual([...ids].reverse());
      expect((await engine.leaderboardGetRank(ns, name, [2 ** 32], 'descending'))[0]?.rank).toBe(1);
    });

    s.test('leaderboard calls reject bad arguments and change nothing', async ({ engine, ns, key }) => {
      const name = key('board');
      await seed(engine, ns, name);
      const invalid = { code: 'INVALID_ARGUMENT' };
      await expect(engine.leaderboardUpsert(ns, name, [el(6, 1), el(7, Number.NaN)], TTL_MS)).rejects.toMatchObject(
        invalid,
      );
      await expect(engine.leaderboardUpsert(ns, name, [el(-1, 1)], TTL_MS)).rejects.toMatchObject(invalid);
      await expect(engine.leaderboardUpsert(ns, name, [el(1.5, 1)], TTL_MS)).rejects.toMatchObject(invalid);
      await expect(engine.leaderboardUpsert(ns, name, [el(2 ** 53, 1)], TTL_MS)).rejects.toMatchObject(invalid);
      await expect(engine.leaderboardUpsert(ns, name, [el(6, 1)], 0)).rejects.toMatchObject(invalid);
      await expect(engine.leaderboardFetchByRank(ns, name, -1, 3, 'ascending')).rejects.toMatchObject(invalid);
      await expect(
        engine.leaderboardFetchByScore(ns, name, { min: Number.NaN, offset: 0, count: 1 }, 'ascending'),
      ).rejects.toMatchObject(invalid);
      await expect(
        engine.leaderboardFetchByScore(ns, name, { offset: -1, count: 1 }, 'ascending'),
      ).rejects.toMatchObject(invalid);
      await expect(engine.leaderboardGetRank(ns, name, [-3], 'ascending')).rejects.toMatchObject(invalid);
      await expect(engine.leaderboardRemove(ns, name, [0.5])).rejects.toMatchObject(invalid);
      expect(show(await engine.leaderboardFetchByRank(ns, name, 0, 10, 'ascending'))).toHaveLength(5);
      expect(await engine.leaderboardGetRank(ns, name, [6], 'ascending')).toEqual([]);
    });

    s.test('leaderboard calls on a missing namespace reject with NOT_FOUND', async ({ engine, key }) => {
      const name = key('board');
      const gone = { code: 'NOT_FOUND', reason: 'store_not_found' };
      await expect(engine.leaderboardUpsert('no-such-ns', name, [el(1, 1)], TTL_MS)).rejects.toMatchObject(gone);
      await expect(engine.leaderboardLength('no-such-ns', name)).rejects.toMatchObject(gone);
      await expect(engine.leaderboardFetchByRank('no-such-ns', name, 0, 1, 'ascending')).rejects.toMatchObject(gone);
      await expect(engine.leaderboardDelete('no-such-ns', name)).rejects.toMatchObject(gone);
    });

    s.test('leaderboard operations match a naive sorted model (randomized)', async ({ engine, ns, key }) => {
      const name = key('board');
      const model = new Map<number, number>();
      // A small score alphabet makes ties common; a seeded generator keeps failures reproducible.
      let seedState = 42;
      const rand = (n: number) => {
        seedState = (seedState * 1103515245 + 12345) % 2 ** 31;
        return seedState % n;
      };
      for (let round = 0; round < 30; round++) {
        const batch: LeaderboardElement[] = [];
        for (let i = 0; i < 8; i++) batch.push(el(rand(60), rand(12) - 4));
        await engine.leaderboardUpsert(ns, name, batch, TTL_MS);
        for (const e of batch) model.set(e.id, e.score);
        const removed = [rand(60), rand(60)];
        await engine.leaderboardRemove(ns, name, removed);
        for (const id of removed) model.delete(id);

        const order: SortOrder = round % 2 === 0 ? 'ascending' : 'descending';
        const sorted = modelOrder(model, order);
        const start = rand(model.size + 2);
        const end = start + rand(10);
        const byRank = await engine.leaderboardFetchByRank(ns, name, start, end, order);
        expect(show(byRank)).toEqual(show(sorted.slice(start, end).map((e, i) => ({ ...e, rank: start + i }))));

        const min = rand(12) - 5;
        const max = min + rand(6);
        const offset = rand(4);
        const count = 1 + rand(8);
        const inRange = sorted.map((e, rank) => ({ ...e, rank })).filter((e) => e.score >= min && e.score < max);
        const byScore = await engine.leaderboardFetchByScore(ns, name, { min, max, offset, count }, order);
        expect(show(byScore)).toEqual(show(inRange.slice(offset, offset + count)));

        const probe = [rand(60), rand(60), rand(60)];
        const ranks = await engine.leaderboardGetRank(ns, name, probe, order);
        const expected = probe
          .filter((id) => model.has(id))
          .map((id) => ({ id, score: model.get(id)!, rank: sorted.findIndex((e) => e.id === id) }));
        expect(show(ranks)).toEqual(show(expected));
        const competition = await engine.leaderboardGetCompetitionRank(ns, name, probe, order);
        const ahead = (score: number) =>
          sorted.filter((e) => (order === 'ascending' ? e.score < score : e.score > score)).length;
        expect(show(competition)).toEqual(show(expected.map((e) => ({ ...e, rank: ahead(e.score) }))));
        expect(await engine.leaderboardLength(ns, name)).toBe(model.size);
      }
    });
  });

  s.group('leaderboard memory', { maxBytes: SUITE_MAX_BYTES, needs: ['memoryLimit'] }, () => {
    s.test('leaderboard elements count in bytesUsed; delete and flush return it to baseline', async (fx) => {
      const { engine, ns, key } = fx;
      const baseline = engine.stats().bytesUsed;
      const name = key('board');
      const batch = Array.from({ length: 100 }, (_, i) => el(i, i));
      await engine.leaderboardUpsert(ns, name, batch, TTL_MS);
      const full = engine.stats().bytesUsed;
      expect(full - baseline).toBeGreaterThanOrEqual(name.byteLength + 100 * 16);
      await engine.leaderboardUpsert(ns, name, batch, TTL_MS);
      expect(engine.stats().bytesUsed).toBe(full);
      await engine.leaderboardRemove(ns, name, [0, 1]);
      expect(engine.stats().bytesUsed).toBeLessThan(full);
      await engine.leaderboardDelete(ns, name);
      expect(engine.stats().bytesUsed).toBe(baseline);
      await engine.leaderboardUpsert(ns, name, batch, TTL_MS);
      await engine.flushNamespace(ns);
      expect(engine.stats().bytesUsed).toBe(baseline);
      expect(engine.stats().items).toBe(0);
    });

    s.test('an upsert that cannot fit maxBytes is refused with LIMIT_EXCEEDED', async ({ engine, ns, key }) => {
      const name = key('board');
      const huge = Array.from({ length: SUITE_MAX_BYTES / 8 }, (_, i) => el(i, i));
      await expect(engine.leaderboardUpsert(ns, name, huge, TTL_MS)).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
      expect(await engine.leaderboardLength(ns, name)).toBe(0);
    });
  });

  s.group('leaderboard eviction', { maxBytes: SUITE_MAX_BYTES, needs: ['memoryLimit', 'eviction'] }, () => {
    s.test('a cold leaderboard is evicted as a whole by LRU', async ({ engine, ns, key }) => {
      const name = key('board');
      await engine.leaderboardUpsert(
        ns,
        name,
        Array.from({ length: 50 }, (_, i) => el(i, i)),
        TTL_MS,
      );
      const value = patterned(FILL_VALUE_BYTES);
      for (let i = 0; i < 1100; i++) await engine.set(ns, key('fill'), value, TTL_MS);
      expect(await engine.leaderboardLength(ns, name)).toBe(0);
      expect(engine.stats().evictions).toBeGreaterThan(0);
    });
  });

  // Momento bounds leaderboards by element count, not bytes: the item-size limit of collections does not
  // apply (a million 16-byte elements is an ordinary leaderboard).
  s.group('leaderboard size', { maxItemBytes: 200 }, () => {
    s.test('a leaderboard grows past the item-size limit that bounds collections', async ({ engine, ns, key }) => {
      const name = key('big');
      for (let batch = 0; batch < 4; batch++) {
        await engine.leaderboardUpsert(
          ns,
          name,
          Array.from({ length: 100 }, (_, i) => el(batch * 100 + i, i)),
          TTL_MS,
        );
      }
      expect(await engine.leaderboardLength(ns, name)).toBe(400);
    });
  });
}
