/**
 * @module read-modify-write
 * The single-step read-and-write operations Redis commands need to be atomic: `getAndExpire` (GETDEL,
 * GETEX), `setReturning` (SET … [NX|XX] GET KEEPTTL), `increment` keeping the TTL (INCR) and
 * `listRemoveValue` with a count (LREM). Atomicity
 * itself is checked with concurrent calls: N concurrent GETDELs of one key must hand the value to exactly
 * one caller, N concurrent SET … GETs must each see a distinct previous value (a chain, no lost update).
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import { expectWrongType, many, refresh, text } from './collection-support.ts';
import type { Suite } from './harness.ts';

const TTL_MS = 10_000;

/** Registers the read-modify-write tests. */
export function readModifyWriteTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('read-modify-write', {}, () => {
    s.test('getAndExpire(delete) returns the value and removes it; a miss returns undefined', async (f) => {
      const { engine, ns, key } = f;
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      expectBytes(expect, await engine.getAndExpire(ns, k, 'delete'), utf8('v'));
      expect(await engine.get(ns, k)).toBeUndefined();
      expect(await engine.getAndExpire(ns, k, 'delete')).toBeUndefined();
    });

    s.test(
      'getAndExpire(ttlMs) returns the value and sets its TTL; a miss creates nothing',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), TTL_MS);
        expectBytes(expect, await engine.getAndExpire(ns, k, 500), utf8('v'));
        expect(await engine.itemGetTtl(ns, k)).toBe(500);
        clock.advance(500);
        expect(await engine.get(ns, k)).toBeUndefined();
        expect(await engine.getAndExpire(ns, k, 500)).toBeUndefined();
        expect(await engine.keysExist(ns, [k])).toEqual([false]);
      },
      { needs: ['manualClock'] },
    );

    s.test('getAndExpire of a collection rejects wrong_type and changes nothing', async ({ engine, ns, key }) => {
      const k = key();
      await engine.listConcatenate(ns, k, 'back', many('a'), refresh());
      await expectWrongType(expect, engine.getAndExpire(ns, k, 'delete'));
      await expectWrongType(expect, engine.getAndExpire(ns, k, 100));
      expect(await engine.listLength(ns, k)).toBe(1);
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
    });

    s.test('concurrent getAndExpire(delete) of one key: exactly one caller gets the value', async (f) => {
      const { engine, ns, key } = f;
      for (let round = 0; round < 5; round++) {
        const k = key();
        await engine.set(ns, k, utf8(`v${round}`), TTL_MS);
        const got = await Promise.all(Array.from({ length: 20 }, () => engine.getAndExpire(ns, k, 'delete')));
        expect(got.filter((v) => v !== undefined).map(text)).toEqual([`v${round}`]);
      }
    });

    s.test('setReturning(always, previous) stores and returns the old value (undefined on a miss)', async (f) => {
      const { engine, ns, key } = f;
      const k = key();
      expect(await engine.setReturning(ns, k, utf8('a'), TTL_MS, 'always', true)).toEqual({
        stored: true,
        previous: undefined,
      });
      const r = await engine.setReturning(ns, k, utf8('b'), TTL_MS, 'always', true);
      expect(r.stored).toBe(true);
      expectBytes(expect, r.previous, utf8('a'));
      expectBytes(expect, await engine.get(ns, k), utf8('b'));
    });

    s.test('setReturning with absent / present stores only when that holds, still returning the value', async (f) => {
      const { engine, ns, key } = f;
      const k = key();
      expect((await engine.setReturning(ns, k, utf8('x'), TTL_MS, 'present', true)).stored).toBe(false);
      expect(await engine.get(ns, k)).toBeUndefined();
      expect((await engine.setReturning(ns, k, utf8('a'), TTL_MS, 'absent', true)).stored).toBe(true);
      const refused = await engine.setReturning(ns, k, utf8('b'), TTL_MS, 'absent', true);
      expect(refused.stored).toBe(false);
      expectBytes(expect, refused.previous, utf8('a'));
      const replaced = await engine.setReturning(ns, k, utf8('c'), TTL_MS, 'present', false);
      expect(replaced).toEqual({ stored: true, previous: undefined });
      expectBytes(expect, await engine.get(ns, k), utf8('c'));
    });

    s.test(
      'setReturning with keepOr keeps a live item’s remaining TTL, and gives a new item the fallback',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.set(ns, k, utf8('a'), 1_000);
        clock.advance(400);
        await engine.setReturning(ns, k, utf8('b'), { keepOr: TTL_MS }, 'always', false);
        expect(await engine.itemGetTtl(ns, k)).toBe(600);
        expectBytes(expect, await engine.get(ns, k), utf8('b'));
        clock.advance(600);
        expect(await engine.get(ns, k)).toBeUndefined();
        await engine.setReturning(ns, k, utf8('c'), { keepOr: 2_000 }, 'always', false);
        expect(await engine.itemGetTtl(ns, k)).toBe(2_000);
      },
      { needs: ['manualClock'] },
    );

    s.test(
      'setReturning of a collection: with previous it rejects wrong_type unchanged; without it replaces it',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.listConcatenate(ns, k, 'back', many('a'), refresh());
        await expectWrongType(expect, engine.setReturning(ns, k, utf8('v'), TTL_MS, 'always', true));
        expect(await engine.listLength(ns, k)).toBe(1);
        expect((await engine.setReturning(ns, k, utf8('v'), TTL_MS, 'absent', false)).stored).toBe(false);
        expect((await engine.setReturning(ns, k, utf8('v'), TTL_MS, 'always', false)).stored).toBe(true);
        expect(await engine.itemGetType(ns, k)).toBe('scalar');
        expectBytes(expect, await engine.get(ns, k), utf8('v'));
      },
    );

    s.test('setReturning rejects INVALID_ARGUMENT for a bad TTL and stores nothing', async ({ engine, ns, key }) => {
      const k = key();
      await expect(engine.setReturning(ns, k, utf8('v'), 0, 'always', true)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(engine.setReturning(ns, k, utf8('v'), { keepOr: -1 }, 'always', true)).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      expect(await engine.get(ns, k)).toBeUndefined();
    });

    s.test('concurrent setReturning(previous) of one key: every previous value is seen exactly once', async (f) => {
      const { engine, ns, key } = f;
      const k = key();
      await engine.set(ns, k, utf8('start'), TTL_MS);
      const n = 30;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => engine.setReturning(ns, k, utf8(`w${i}`), TTL_MS, 'always', true)),
      );
      const previous = results.map((r) => text(r.previous));
      const final = text(await engine.get(ns, k));
      // The writes form one chain: start → … → final, each value handed on once (no lost update).
      expect(new Set(previous).size).toBe(n);
      expect(previous).toContain('start');
      expect(previous).not.toContain(final);
    });

    s.test(
      'increment with keepOr keeps a live counter’s remaining TTL; a new counter gets the fallback',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        expect(await engine.increment(ns, k, 1n, { keepOr: 1_000 })).toBe(1n);
        expect(await engine.itemGetTtl(ns, k)).toBe(1_000);
        clock.advance(300);
        expect(await engine.increment(ns, k, 5n, { keepOr: TTL_MS })).toBe(6n);
        expect(await engine.itemGetTtl(ns, k)).toBe(700);
        clock.advance(700);
        expect(await engine.increment(ns, k, 1n, { keepOr: TTL_MS })).toBe(1n);
        expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      },
      { needs: ['manualClock'] },
    );

    s.test(
      'listRemoveValue with a count removes the first matches from the front (+) or the back (−)',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.listConcatenate(ns, k, 'back', many('a', 'x', 'b', 'x', 'c', 'x'), refresh());
        expect(await engine.listRemoveValue(ns, k, utf8('x'), 1)).toBe(5);
        expect((await engine.listFetch(ns, k, {}))?.map(text)).toEqual(['a', 'b', 'x', 'c', 'x']);
        expect(await engine.listRemoveValue(ns, k, utf8('x'), -1)).toBe(4);
        expect((await engine.listFetch(ns, k, {}))?.map(text)).toEqual(['a', 'b', 'x', 'c']);
        expect(await engine.listRemoveValue(ns, k, utf8('x'), 10)).toBe(3);
        expect(await engine.listRemoveValue(ns, k, utf8('zz'), -2)).toBe(3);
        expect(await engine.listRemoveValue(ns, k, utf8('a'), 0)).toBe(2);
        expect((await engine.listFetch(ns, k, {}))?.map(text)).toEqual(['b', 'c']);
      },
    );

    s.test('concurrent increments with keepOr lose no update and keep the TTL', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('0'), 5_000);
      await Promise.all(Array.from({ length: 50 }, () => engine.increment(ns, k, 1n, { keepOr: TTL_MS })));
      expectBytes(expect, await engine.get(ns, k), utf8('50'));
      const ttl = await engine.itemGetTtl(ns, k);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(5_000);
    });
  });
}
