/**
 * @module namespaces
 * Namespace (cache) isolation and lifecycle, and NOT_FOUND for every operation on a missing namespace.
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, utf8 } from './bytes.ts';
import type { Suite } from './harness.ts';

const TTL_MS = 60_000;

/** Registers the namespace tests. */
export function namespaceTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  const notFound = { code: 'NOT_FOUND', reason: 'store_not_found' };

  s.group('namespaces', {}, () => {
    s.test('the same key in two namespaces holds two independent values', async ({ engine, ns, namespace, key }) => {
      const other = await namespace();
      const k = key();
      await engine.set(ns, k, utf8('in first'), TTL_MS);
      expect(await engine.get(other, k)).toBeUndefined();
      await engine.set(other, k, utf8('in second'), TTL_MS);
      expectBytes(expect, await engine.get(ns, k), utf8('in first'));
      expectBytes(expect, await engine.get(other, k), utf8('in second'));
      await engine.delete(other, k);
      expectBytes(expect, await engine.get(ns, k), utf8('in first'));
    });

    s.test(
      'hasNamespace is true after createNamespace and false after dropNamespace',
      async ({ engine, namespace }) => {
        const other = await namespace();
        expect(await engine.hasNamespace(other)).toBe(true);
        await engine.dropNamespace(other);
        expect(await engine.hasNamespace(other)).toBe(false);
      },
    );

    s.test('createNamespace of an existing namespace keeps its items', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      await engine.createNamespace(ns);
      expectBytes(expect, await engine.get(ns, k), utf8('v'));
    });

    s.test('dropNamespace of a missing namespace resolves', async ({ engine }) => {
      await expect(engine.dropNamespace(`never-created-${Date.now()}`)).resolves.toBeUndefined();
    });

    s.test(
      'flushNamespace removes every item of that namespace only, and keeps it usable',
      async ({ engine, ns, namespace, key }) => {
        const other = await namespace();
        const keys = [key('a'), key('b'), key('c')];
        for (const k of keys) {
          await engine.set(ns, k, utf8('v'), TTL_MS);
          await engine.set(other, k, utf8('kept'), TTL_MS);
        }
        await engine.flushNamespace(ns);
        expect(await engine.keysExist(ns, keys)).toEqual([false, false, false]);
        expect(await engine.keysExist(other, keys)).toEqual([true, true, true]);
        expect(await engine.hasNamespace(ns)).toBe(true);
        await engine.set(ns, keys[0]!, utf8('again'), TTL_MS);
        expectBytes(expect, await engine.get(ns, keys[0]!), utf8('again'));
      },
    );

    s.test('a dropped then re-created namespace is empty', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      await engine.dropNamespace(ns);
      await engine.createNamespace(ns);
      expect(await engine.get(ns, k)).toBeUndefined();
    });

    s.test(
      'every item operation on a missing namespace rejects NOT_FOUND (store_not_found)',
      async ({ engine, key }) => {
        const missing = `missing-${Date.now()}`;
        const k = key();
        const v = utf8('v');
        const calls: [string, () => Promise<unknown>][] = [
          ['get', () => engine.get(missing, k)],
          ['set', () => engine.set(missing, k, v, TTL_MS)],
          ['setIf', () => engine.setIf(missing, k, v, TTL_MS, { kind: 'absent' })],
          ['delete', () => engine.delete(missing, k)],
          ['increment', () => engine.increment(missing, k, 1n, TTL_MS)],
          ['itemGetTtl', () => engine.itemGetTtl(missing, k)],
          ['updateTtl', () => engine.updateTtl(missing, k, { kind: 'overwrite', ttlMs: TTL_MS })],
          ['keysExist', () => engine.keysExist(missing, [k])],
          ['itemGetType', () => engine.itemGetType(missing, k)],
          ['flushNamespace', () => engine.flushNamespace(missing)],
        ];
        for (const [name, call] of calls) await expect(call(), name).rejects.toMatchObject(notFound);
        expect(await engine.hasNamespace(missing)).toBe(false);
      },
    );

    s.test('operations on a dropped namespace reject NOT_FOUND (store_not_found)', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, utf8('v'), TTL_MS);
      await engine.dropNamespace(ns);
      await expect(engine.get(ns, k)).rejects.toMatchObject(notFound);
      await expect(engine.set(ns, k, utf8('v'), TTL_MS)).rejects.toMatchObject(notFound);
    });
  });
}
