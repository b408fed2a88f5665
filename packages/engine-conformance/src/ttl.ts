/**
 * @module ttl
 * Expiry driven by the ManualClock, remaining TTLs, updateTtl, and active reclamation.
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import type { Suite } from './harness.ts';

const TTL_MS = 10_000;

/** Registers the TTL tests. */
export function ttlTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('ttl', { needs: ['manualClock'] }, () => {
    s.test('get(key) returns the value until just before ttlMs elapses', async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      clock.advance(TTL_MS - 1);
      expectBytes(expect, await engine.get(ns, k), utf8('v'));
    });

    s.test('get(key) returns undefined after ttlMs elapses', async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      clock.advance(TTL_MS);
      expect(await engine.get(ns, k)).toBeUndefined();
    });

    s.test('set(key) of an existing key replaces its TTL', async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('v1'), TTL_MS);
      clock.advance(TTL_MS - 100);
      await engine.set(ns, k, utf8('v2'), TTL_MS);
      clock.advance(200);
      expectBytes(expect, await engine.get(ns, k), utf8('v2'));
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS - 200);
    });

    s.test('set(key) with a shorter TTL than before expires at the shorter TTL', async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('v1'), TTL_MS * 10);
      await engine.set(ns, k, utf8('v2'), 100);
      clock.advance(100);
      expect(await engine.get(ns, k)).toBeUndefined();
    });

    s.test('itemGetTtl(key) returns the remaining ms as the clock advances', async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      clock.advance(2_500);
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS - 2_500);
    });

    s.test('itemGetTtl(key) returns undefined for a missing or expired key', async ({ engine, ns, key, clock }) => {
      const k = key();
      expect(await engine.itemGetTtl(ns, k)).toBeUndefined();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      clock.advance(TTL_MS);
      expect(await engine.itemGetTtl(ns, k)).toBeUndefined();
    });

    s.test('keysExist and itemGetType treat an expired key as absent', async ({ engine, ns, key, clock }) => {
      const [live, dead] = [key('live'), key('dead')];
      await engine.set(ns, dead, utf8('v'), 1_000);
      await engine.set(ns, live, utf8('v'), TTL_MS);
      clock.advance(1_000);
      expect(await engine.keysExist(ns, [live, dead])).toEqual([true, false]);
      expect(await engine.itemGetType(ns, dead)).toBeUndefined();
    });

    s.test("updateTtl(overwrite) returns 'set' and replaces the remaining TTL", async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      clock.advance(1_000);
      expect(await engine.updateTtl(ns, k, { kind: 'overwrite', ttlMs: 500 })).toBe('set');
      expect(await engine.itemGetTtl(ns, k)).toBe(500);
      clock.advance(500);
      expect(await engine.get(ns, k)).toBeUndefined();
    });

    s.test(
      'updateTtl(overwrite) with a longer TTL keeps the item past its old expiry',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), 1_000);
        expect(await engine.updateTtl(ns, k, { kind: 'overwrite', ttlMs: TTL_MS })).toBe('set');
        clock.advance(5_000);
        expectBytes(expect, await engine.get(ns, k), utf8('v'));
      },
    );

    s.test("updateTtl(increaseTo) returns 'set' when ttlMs exceeds the remaining TTL", async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      expect(await engine.updateTtl(ns, k, { kind: 'increaseTo', ttlMs: TTL_MS * 2 })).toBe('set');
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS * 2);
    });

    s.test(
      "updateTtl(increaseTo) returns 'notSet' and keeps the TTL when ttlMs is not greater",
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), TTL_MS);
        expect(await engine.updateTtl(ns, k, { kind: 'increaseTo', ttlMs: TTL_MS / 2 })).toBe('notSet');
        expect(await engine.updateTtl(ns, k, { kind: 'increaseTo', ttlMs: TTL_MS })).toBe('notSet');
        expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      },
    );

    s.test("updateTtl(decreaseTo) returns 'set' when ttlMs is below the remaining TTL", async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      expect(await engine.updateTtl(ns, k, { kind: 'decreaseTo', ttlMs: 1_000 })).toBe('set');
      expect(await engine.itemGetTtl(ns, k)).toBe(1_000);
    });

    s.test(
      "updateTtl(decreaseTo) returns 'notSet' and keeps the TTL when ttlMs is not smaller",
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), TTL_MS);
        expect(await engine.updateTtl(ns, k, { kind: 'decreaseTo', ttlMs: TTL_MS * 2 })).toBe('notSet');
        expect(await engine.updateTtl(ns, k, { kind: 'decreaseTo', ttlMs: TTL_MS })).toBe('notSet');
        expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      },
    );

    s.test(
      "updateTtl returns 'missing' for a missing or expired key, for every kind",
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), 1_000);
        clock.advance(1_000);
        for (const kind of ['overwrite', 'increaseTo', 'decreaseTo'] as const) {
          expect(await engine.updateTtl(ns, key(), { kind, ttlMs: TTL_MS }), kind).toBe('missing');
          expect(await engine.updateTtl(ns, k, { kind, ttlMs: TTL_MS }), kind).toBe('missing');
        }
        expect(await engine.get(ns, k)).toBeUndefined();
      },
    );

    s.test(
      'updateTtl rejects INVALID_ARGUMENT for a non-positive or non-integer ttlMs',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), TTL_MS);
        for (const ttlMs of [0, -5, 0.5, Number.NaN]) {
          await expect(engine.updateTtl(ns, k, { kind: 'overwrite', ttlMs }), `ttlMs ${ttlMs}`).rejects.toMatchObject({
            code: 'INVALID_ARGUMENT',
          });
        }
        expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
      },
    );

    s.test('an expired key can be set again', async ({ engine, ns, key, clock }) => {
      const k = key();
      await engine.set(ns, k, utf8('old'), 1_000);
      clock.advance(1_000);
      await engine.set(ns, k, utf8('new'), TTL_MS);
      expectBytes(expect, await engine.get(ns, k), utf8('new'));
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
    });

    s.test(
      'reclaiming expired items drops stats().items and counts stats().expirations without any read',
      async ({ engine, ns, key, clock, reclaimExpired }) => {
        for (let i = 0; i < 20; i++) await engine.set(ns, key('short'), utf8('v'), 1_000);
        for (let i = 0; i < 5; i++) await engine.set(ns, key('long'), utf8('v'), TTL_MS);
        const before = engine.stats();
        expect(before.items).toBe(25);
        clock.advance(1_000);
        await reclaimExpired();
        const after = engine.stats();
        expect(after.items).toBe(5);
        expect(after.expirations - before.expirations).toBe(20);
        expect(after.bytesUsed).toBeLessThan(before.bytesUsed);
      },
      { needs: ['reclaimExpired'] },
    );
  });
}
