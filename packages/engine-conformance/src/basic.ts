/**
 * @module basic
 * get/set/delete/keysExist/itemGetType and byte fidelity.
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, patterned, utf8 } from './bytes.ts';
import type { Suite } from './harness.ts';

const TTL_MS = 60_000;
const MiB = 1024 * 1024;

/** Registers the basic tests. */
export function basicTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('basic', {}, () => {
    s.test('get(key) returns undefined for a key never set', async ({ engine, ns, key }) => {
      expect(await engine.get(ns, key())).toBeUndefined();
    });

    s.test('get(key) returns the bytes set(key, value) stored', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('hello'), TTL_MS);
      expectBytes(expect, await engine.get(ns, k), utf8('hello'));
    });

    s.test('set(key, value) replaces the previous value', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('first value, longer'), TTL_MS);
      await engine.set(ns, k, utf8('second'), TTL_MS);
      expectBytes(expect, await engine.get(ns, k), utf8('second'));
    });

    s.test('get(key) round-trips every byte value 0x00..0xff', async ({ engine, ns, key }) => {
      const k = key();
      const value = patterned(256 * 4);
      await engine.set(ns, k, value, TTL_MS);
      expectBytes(expect, await engine.get(ns, k), value);
    });

    s.test('get(key) round-trips invalid UTF-8 such as 0xff 0xfe 0x00', async ({ engine, ns, key }) => {
      const k = key();
      const value = Uint8Array.of(0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80);
      await engine.set(ns, k, value, TTL_MS);
      expectBytes(expect, await engine.get(ns, k), value);
    });

    s.test('get(key) returns an empty value, not a miss, after set(key, empty)', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, new Uint8Array(0), TTL_MS);
      const got = await engine.get(ns, k);
      expect(got).toBeInstanceOf(Uint8Array);
      expect(got?.byteLength).toBe(0);
    });

    s.test('get(key) round-trips a 5 MB value', async ({ engine, ns, key }) => {
      const k = key();
      const value = patterned(5 * MiB, 7);
      await engine.set(ns, k, value, TTL_MS);
      expectBytes(expect, await engine.get(ns, k), value);
    });

    s.test('keys with 0x00 and 0xff bytes are distinct keys', async ({ engine, ns }) => {
      const a = Uint8Array.of(0x00, 0x01);
      const b = Uint8Array.of(0xff, 0x01);
      const c = Uint8Array.of(0x00, 0x01, 0x00);
      await engine.set(ns, a, utf8('a'), TTL_MS);
      await engine.set(ns, b, utf8('b'), TTL_MS);
      await engine.set(ns, c, utf8('c'), TTL_MS);
      expectBytes(expect, await engine.get(ns, a), utf8('a'));
      expectBytes(expect, await engine.get(ns, b), utf8('b'));
      expectBytes(expect, await engine.get(ns, c), utf8('c'));
    });

    s.test('set/get honour byteOffset of key and value views', async ({ engine, ns, key }) => {
      const k = key();
      const backing = new Uint8Array(64).fill(0xaa);
      backing.set(k, 10);
      backing.set(utf8('payload'), 40);
      const keyView = backing.subarray(10, 10 + k.byteLength);
      await engine.set(ns, keyView, backing.subarray(40, 47), TTL_MS);
      expectBytes(expect, await engine.get(ns, k), utf8('payload'));
    });

    s.test(
      'mutating the value passed to set or returned by get leaves the stored item unchanged',
      async ({ engine, ns, key }) => {
        const k = key();
        const value = utf8('original');
        await engine.set(ns, k, value, TTL_MS);
        value.fill(0x21);
        const got = await engine.get(ns, k);
        got?.fill(0x22);
        expectBytes(expect, await engine.get(ns, k), utf8('original'));
      },
    );

    s.test('delete(key) makes get(key) return undefined', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      await engine.delete(ns, k);
      expect(await engine.get(ns, k)).toBeUndefined();
    });

    s.test('delete(key) of a missing key resolves', async ({ engine, ns, key }) => {
      await expect(engine.delete(ns, key())).resolves.toBeUndefined();
    });

    s.test('delete(key) leaves other keys in place', async ({ engine, ns, key }) => {
      const [a, b] = [key('a'), key('b')];
      await engine.set(ns, a, utf8('a'), TTL_MS);
      await engine.set(ns, b, utf8('b'), TTL_MS);
      await engine.delete(ns, a);
      expectBytes(expect, await engine.get(ns, b), utf8('b'));
    });

    s.test('keysExist(keys) reports each key in order', async ({ engine, ns, key }) => {
      const [a, b, c] = [key('a'), key('b'), key('c')];
      await engine.set(ns, a, utf8('a'), TTL_MS);
      await engine.set(ns, c, utf8('c'), TTL_MS);
      expect(await engine.keysExist(ns, [a, b, c, a])).toEqual([true, false, true, true]);
    });

    s.test('keysExist([]) returns []', async ({ engine, ns }) => {
      expect(await engine.keysExist(ns, [])).toEqual([]);
    });

    s.test(
      'itemGetType(key) returns scalar for a set key and undefined for a missing one',
      async ({ engine, ns, key }) => {
        const k = key();
        await engine.set(ns, k, utf8('v'), TTL_MS);
        expect(await engine.itemGetType(ns, k)).toBe('scalar');
        expect(await engine.itemGetType(ns, key())).toBeUndefined();
      },
    );

    s.test('stats().items counts stored items', async ({ engine, ns, key }) => {
      const before = engine.stats().items;
      for (let i = 0; i < 5; i++) await engine.set(ns, key(), utf8('v'), TTL_MS);
      expect(engine.stats().items).toBe(before + 5);
    });

    s.test(
      'set(key, value, ttlMs) rejects INVALID_ARGUMENT for ttlMs 0, negative, fractional, NaN or Infinity',
      async ({ engine, ns, key }) => {
        const k = key();
        for (const ttlMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
          await expect(engine.set(ns, k, utf8('v'), ttlMs), `ttlMs ${ttlMs}`).rejects.toMatchObject({
            code: 'INVALID_ARGUMENT',
          });
        }
        expect(await engine.get(ns, k)).toBeUndefined();
      },
    );
  });
}
