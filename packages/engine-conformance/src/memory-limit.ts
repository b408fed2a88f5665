/**
 * @module memory-limit
 * `maxBytes` accounting: the bound holds, big-but-fitting items are accepted, oversized ones rejected,
 * and bytes come back on overwrite, delete and flush.
 */

import type { CacheEngine } from '@cachette/engine';
import { expectBytes, patterned, utf8 } from './bytes.ts';
import type { Suite } from './harness.ts';
import { FILL_VALUE_BYTES, MAX_ITEM_OVERHEAD_BYTES, SUITE_MAX_BYTES } from './limits.ts';

const TTL_MS = 600_000;
const tooBig = { code: 'LIMIT_EXCEEDED', reason: 'item_size_limit_exceeded' };

/** Registers the memory-limit tests. */
export function memoryLimitTests<E extends CacheEngine>(s: Suite<E>): void {
  const { expect } = s;
  s.group('memory-limit', { maxBytes: SUITE_MAX_BYTES, needs: ['memoryLimit'] }, () => {
    s.test('stats().maxBytes reports the configured maxBytes', async ({ engine }) => {
      expect(engine.stats().maxBytes).toBe(SUITE_MAX_BYTES);
    });

    s.test(
      'stats().bytesUsed never exceeds maxBytes by more than one item while writing 3 × maxBytes',
      async ({ engine, ns, key }) => {
        const value = patterned(FILL_VALUE_BYTES);
        const n = Math.ceil((3 * SUITE_MAX_BYTES) / FILL_VALUE_BYTES);
        let worst = 0;
        let k = key();
        for (let i = 0; i < n; i++) {
          k = key();
          await engine.set(ns, k, value, TTL_MS);
          worst = Math.max(worst, engine.stats().bytesUsed);
        }
        const oneItem = k.byteLength + FILL_VALUE_BYTES + MAX_ITEM_OVERHEAD_BYTES;
        expect(worst).toBeLessThanOrEqual(SUITE_MAX_BYTES + oneItem);
        expect(engine.stats().items).toBeLessThan(n);
        expect(engine.stats().evictions).toBeGreaterThan(0);
        expectBytes(expect, await engine.get(ns, k), value);
      },
    );

    s.test('set of an item just under maxBytes is accepted, evicting whatever it must', async ({ engine, ns, key }) => {
      for (let i = 0; i < 200; i++) await engine.set(ns, key('small'), patterned(FILL_VALUE_BYTES), TTL_MS);
      const big = patterned(SUITE_MAX_BYTES - 64 - MAX_ITEM_OVERHEAD_BYTES, 3);
      const [a, b] = [key('a'), key('b')];
      await engine.set(ns, a, big, TTL_MS);
      expectBytes(expect, await engine.get(ns, a), big);
      // A second one can only fit by evicting the first.
      await engine.set(ns, b, big, TTL_MS);
      expectBytes(expect, await engine.get(ns, b), big);
      expect(await engine.get(ns, a)).toBeUndefined();
      expect(engine.stats().bytesUsed).toBeLessThanOrEqual(SUITE_MAX_BYTES);
    });

    s.test(
      'set of an item larger than maxBytes rejects LIMIT_EXCEEDED (item_size_limit_exceeded) and changes nothing',
      async ({ engine, ns, key }) => {
        const [kept, fresh] = [key('kept'), key('fresh')];
        await engine.set(ns, kept, utf8('small'), TTL_MS);
        const before = engine.stats();
        const huge = new Uint8Array(SUITE_MAX_BYTES + 1);
        await expect(engine.set(ns, fresh, huge, TTL_MS)).rejects.toMatchObject(tooBig);
        await expect(engine.set(ns, kept, huge, TTL_MS)).rejects.toMatchObject(tooBig);
        await expect(engine.setIf(ns, fresh, huge, TTL_MS, { kind: 'absent' })).rejects.toMatchObject(tooBig);
        expectBytes(expect, await engine.get(ns, kept), utf8('small'));
        expect(await engine.get(ns, fresh)).toBeUndefined();
        expect(engine.stats().bytesUsed).toBe(before.bytesUsed);
        expect(engine.stats().evictions).toBe(before.evictions);
      },
    );

    s.test('set(key) overwriting the same key repeatedly does not grow bytesUsed', async ({ engine, ns, key }) => {
      const k = key();
      await engine.set(ns, k, patterned(FILL_VALUE_BYTES), TTL_MS);
      const once = engine.stats().bytesUsed;
      for (let i = 0; i < 50; i++) await engine.set(ns, k, patterned(FILL_VALUE_BYTES, i), TTL_MS);
      expect(engine.stats().bytesUsed).toBe(once);
      expect(engine.stats().items).toBe(1);
    });

    s.test('set(key) grows bytesUsed by at least the key and value bytes', async ({ engine, ns, key }) => {
      const before = engine.stats().bytesUsed;
      const k = key();
      await engine.set(ns, k, patterned(10_000), TTL_MS);
      expect(engine.stats().bytesUsed - before).toBeGreaterThanOrEqual(k.byteLength + 10_000);
    });

    s.test('delete and flushNamespace return bytesUsed to its baseline', async ({ engine, ns, key }) => {
      const baseline = engine.stats().bytesUsed;
      const keys = [];
      for (let i = 0; i < 100; i++) {
        const k = key();
        keys.push(k);
        await engine.set(ns, k, patterned(i * 10), TTL_MS);
      }
      for (const k of keys.slice(0, 50)) await engine.delete(ns, k);
      await engine.flushNamespace(ns);
      expect(engine.stats().bytesUsed).toBe(baseline);
      expect(engine.stats().items).toBe(0);
    });
  });
}
