/**
 * @module increment
 * Signed 64-bit decimal counters: missing keys, signs, strict parsing, overflow and TTL.
 */

import { INT64_MAX, INT64_MIN } from '@cachette/core';
import type { CacheEngine } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import type { Suite } from './harness.ts';

const TTL_MS = 10_000;

/** Registers the increment tests. */
export function incrementTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('increment', {}, () => {
    s.test(
      'increment(missing key, amount) returns amount and stores it as decimal text',
      async ({ engine, ns, key }) => {
        const k = key();
        expect(await engine.increment(ns, k, 5n, TTL_MS)).toBe(5n);
        expectBytes(expect, await engine.get(ns, k), utf8('5'));
      },
    );

    s.test('increment(key, amount) adds to an existing decimal value', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('41'), TTL_MS);
      expect(await engine.increment(ns, k, 1n, TTL_MS)).toBe(42n);
      expect(await engine.increment(ns, k, 100n, TTL_MS)).toBe(142n);
      expectBytes(expect, await engine.get(ns, k), utf8('142'));
    });

    s.test('increment(key, negative amount) decrements and can cross zero', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('3'), TTL_MS);
      expect(await engine.increment(ns, k, -5n, TTL_MS)).toBe(-2n);
      expectBytes(expect, await engine.get(ns, k), utf8('-2'));
      expect(await engine.increment(ns, k, 2n, TTL_MS)).toBe(0n);
      expectBytes(expect, await engine.get(ns, k), utf8('0'));
    });

    s.test('increment(key, 0) returns the stored value', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('-17'), TTL_MS);
      expect(await engine.increment(ns, k, 0n, TTL_MS)).toBe(-17n);
    });

    s.test('increment reaches exactly int64 max and int64 min', async ({ engine, ns, key }) => {
      const [hi, lo] = [key('hi'), key('lo')];
      await engine.set(ns, hi, utf8((INT64_MAX - 1n).toString()), TTL_MS);
      expect(await engine.increment(ns, hi, 1n, TTL_MS)).toBe(INT64_MAX);
      await engine.set(ns, lo, utf8((INT64_MIN + 1n).toString()), TTL_MS);
      expect(await engine.increment(ns, lo, -1n, TTL_MS)).toBe(INT64_MIN);
    });

    s.test(
      'increment past int64 max rejects FAILED_PRECONDITION (overflow) and keeps the value',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.set(ns, k, utf8(INT64_MAX.toString()), TTL_MS);
        await expect(engine.increment(ns, k, 1n, TTL_MS)).rejects.toMatchObject({
          code: 'FAILED_PRECONDITION',
          reason: 'overflow',
        });
        expectBytes(expect, await engine.get(ns, k), utf8(INT64_MAX.toString()));
      },
    );

    s.test('increment below int64 min rejects FAILED_PRECONDITION (overflow)', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8(INT64_MIN.toString()), TTL_MS);
      await expect(engine.increment(ns, k, -1n, TTL_MS)).rejects.toMatchObject({
        code: 'FAILED_PRECONDITION',
        reason: 'overflow',
      });
    });

    s.test(
      'increment of a non-integer value rejects FAILED_PRECONDITION (not_an_integer) and keeps it',
      async ({ engine, ns, key }) => {
        // Canonical decimal only, as Redis/Valkey INCRBY: no spaces, '+', leading zeros, "-0" or fractions.
        const bad = ['abc', '', '1.5', ' 1', '1 ', '+1', '007', '-0', '1e3', '0x10', '9223372036854775808'];
        for (const text of bad) {
          const k = key();
          await engine.set(ns, k, utf8(text), TTL_MS);
          await expect(engine.increment(ns, k, 1n, TTL_MS), JSON.stringify(text)).rejects.toMatchObject({
            code: 'FAILED_PRECONDITION',
            reason: 'not_an_integer',
          });
          expectBytes(expect, await engine.get(ns, k), utf8(text));
        }
      },
    );

    s.test('increment of binary bytes rejects FAILED_PRECONDITION (not_an_integer)', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, Uint8Array.of(0x31, 0x00, 0x32), TTL_MS);
      await expect(engine.increment(ns, k, 1n, TTL_MS)).rejects.toMatchObject({ reason: 'not_an_integer' });
    });

    s.test('increment(key, amount, ttlMs) sets the item TTL to ttlMs', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('1'), TTL_MS * 5);
      await engine.increment(ns, k, 1n, TTL_MS);
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS);
    });

    s.test(
      'increment of an expired key starts from 0 and the result expires after ttlMs',
      async ({ engine, ns, key, clock }) => {
        const k = key();
        await engine.set(ns, k, utf8('100'), 1_000);
        clock.advance(1_000);
        expect(await engine.increment(ns, k, 7n, TTL_MS)).toBe(7n);
        clock.advance(TTL_MS);
        expect(await engine.get(ns, k)).toBeUndefined();
      },
      { needs: ['manualClock'] },
    );

    s.test('increment rejects INVALID_ARGUMENT for an invalid ttlMs', async ({ engine, ns, key }) => {
      await expect(engine.increment(ns, key(), 1n, Number.NaN)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });
}
