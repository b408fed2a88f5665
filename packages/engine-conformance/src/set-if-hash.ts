/**
 * @module set-if-hash
 * Hash-conditioned scalar writes (Momento's GetWithHash / SetIfHash): the hash is SHA-1 of the value.
 */

import { createHash } from 'node:crypto';
import type { CacheEngine } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import type { Suite } from './harness.ts';

const TTL_MS = 10_000;
/** The hash engines report: SHA-1 of the value as 40 hex characters (printable, see collection-rules). */
const sha1 = (text: string) => new Uint8Array(Buffer.from(createHash('sha1').update(text).digest('hex'), 'latin1'));

/** Registers the hash-conditioned write tests. */
export function setIfHashTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('set if hash', {}, () => {
    s.test('getWithHash returns the value and its SHA-1 in hex, undefined on a miss', async ({ engine, ns, key }) => {
      const k = key();
      expect(await engine.getWithHash(ns, k)).toBeUndefined();
      await engine.set(ns, k, utf8('hello'), TTL_MS);
      const got = await engine.getWithHash(ns, k);
      expectBytes(expect, got?.value, utf8('hello'));
      expect(Buffer.from(got!.hash).toString('hex')).toBe(Buffer.from(sha1('hello')).toString('hex'));
    });

    s.test('setIfHash(unconditional) stores and returns the new hash', async ({ engine, ns, key }) => {
      const k = key();
      const hash = await engine.setIfHash(ns, k, utf8('a'), TTL_MS, { kind: 'unconditional' });
      expect(Buffer.from(hash!).toString('hex')).toBe(Buffer.from(sha1('a')).toString('hex'));
      expectBytes(expect, await engine.get(ns, k), utf8('a'));
    });

    s.test('setIfHash conditions hold exactly as named', async ({ engine, ns, key }) => {
      const cases = [
        // [condition kind, stored value or undefined, hash compared, expect stored]
        ['presentAndHashEqual', 'a', 'a', true],
        ['presentAndHashEqual', 'a', 'b', false],
        ['presentAndHashEqual', undefined, 'a', false],
        ['presentAndHashNotEqual', 'a', 'b', true],
        ['presentAndHashNotEqual', 'a', 'a', false],
        ['presentAndHashNotEqual', undefined, 'a', false],
        ['absentOrHashEqual', undefined, 'a', true],
        ['absentOrHashEqual', 'a', 'a', true],
        ['absentOrHashEqual', 'a', 'b', false],
        ['absentOrHashNotEqual', undefined, 'a', true],
        ['absentOrHashNotEqual', 'a', 'b', true],
        ['absentOrHashNotEqual', 'a', 'a', false],
      ] as const;
      for (const [kind, stored, compared, want] of cases) {
        const k = key();
        if (stored !== undefined) await engine.set(ns, k, utf8(stored), TTL_MS);
        const got = await engine.setIfHash(ns, k, utf8('new'), TTL_MS, { kind, hash: sha1(compared) });
        const label = `${kind} stored=${stored} compared=${compared}`;
        expect(got !== undefined, label).toBe(want);
        const now = await engine.get(ns, k);
        expect(now === undefined ? undefined : Buffer.from(now).toString(), label).toBe(want ? 'new' : stored);
      }
    });

    s.test('setIfHash sets the TTL when it stores', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('a'), TTL_MS);
      await engine.setIfHash(ns, k, utf8('b'), TTL_MS * 2, { kind: 'presentAndHashEqual', hash: sha1('a') });
      expect(await engine.itemGetTtl(ns, k)).toBe(TTL_MS * 2);
    });
  });
}
