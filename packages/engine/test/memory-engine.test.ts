import { ManualClock } from '@cachette/core';
import { engineConformance } from '@cachette/engine-conformance';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryEngine } from '../src/index.ts';
import {
  DICTIONARY_ENTRY_OVERHEAD,
  LIST_ELEMENT_OVERHEAD,
  SET_ELEMENT_OVERHEAD,
  SORTED_SET_ELEMENT_OVERHEAD,
} from '../src/memory-collections.ts';

engineConformance(
  { describe, it, expect, beforeEach, afterEach },
  // sweepIntervalMs 0: expiry in the suite is driven only by the ManualClock and reclaimExpired.
  ({ clock, maxBytes, maxItemBytes }) => new MemoryEngine({ clock, maxBytes, maxItemBytes, sweepIntervalMs: 0 }),
  {
    reclaimExpired: async (engine) => {
      engine.sweepExpired(Number.POSITIVE_INFINITY);
    },
  },
);

const TTL_MS = 60_000;
const bytes = (s: string) => Buffer.from(s, 'latin1');

describe('MemoryEngine', () => {
  let clock: ManualClock;
  let engine: MemoryEngine;
  beforeEach(async () => {
    clock = new ManualClock();
    engine = new MemoryEngine({ clock, sweepIntervalMs: 0, maxBytes: 1024 * 1024, perItemOverheadBytes: 100 });
    await engine.createNamespace('ns');
  });
  afterEach(async () => {
    await engine.close();
  });

  it('sweepExpired(maxItems) reclaims at most maxItems per call, earliest deadline first', async () => {
    const startMs = clock.nowMs();
    for (let i = 0; i < 100; i++) await engine.set('ns', bytes(`k${i}`), bytes('v'), 1_000 + i);
    await engine.set('ns', bytes('live'), bytes('v'), TTL_MS);
    clock.advance(1_000 + 99);
    expect(engine.sweepExpired(10)).toBe(10);
    expect(engine.stats().items).toBe(91);
    // The ten earliest deadlines went first: rewind the clock to look without expiring anything on read.
    clock.set(startMs);
    expect(await engine.keysExist('ns', [bytes('k9'), bytes('k10')])).toEqual([false, true]);
    clock.advance(1_000 + 99);
    expect(engine.sweepExpired(1_000)).toBe(90);
    expect(engine.stats()).toMatchObject({ items: 1, expirations: 100 });
    expect(engine.sweepExpired()).toBe(0);
  });

  it('sweepExpired() re-files an item whose TTL was extended instead of reclaiming it', async () => {
    await engine.set('ns', bytes('k'), bytes('v'), 1_000);
    await engine.set('ns', bytes('k'), bytes('v'), 5_000);
    await engine.updateTtl('ns', bytes('other'), { kind: 'overwrite', ttlMs: 1 });
    clock.advance(1_000);
    expect(engine.sweepExpired()).toBe(0);
    expect(await engine.get('ns', bytes('k'))).toBeDefined();
    clock.advance(4_000);
    expect(engine.sweepExpired()).toBe(1);
    expect(engine.stats().items).toBe(0);
  });

  it('sweepExpired() honours a TTL lowered by updateTtl(decreaseTo)', async () => {
    await engine.set('ns', bytes('k'), bytes('v'), TTL_MS);
    expect(await engine.updateTtl('ns', bytes('k'), { kind: 'decreaseTo', ttlMs: 10 })).toBe('set');
    clock.advance(10);
    expect(engine.sweepExpired()).toBe(1);
  });

  it('the background timer reclaims expired items on its own', async () => {
    const timed = new MemoryEngine({ clock, sweepIntervalMs: 5 });
    try {
      await timed.createNamespace('ns');
      await timed.set('ns', bytes('k'), bytes('v'), 1_000);
      clock.advance(1_000);
      await expect.poll(() => timed.stats().items, { timeout: 2_000 }).toBe(0);
      expect(timed.stats().expirations).toBe(1);
    } finally {
      await timed.close();
    }
  });

  it("the sweep timer is unref()'d and close() clears it", async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timeouts();
    const timed = new MemoryEngine({ sweepIntervalMs: 10 });
    // An unref'd timer is not listed as an active resource keeping the event loop alive.
    expect(timeouts()).toBe(before);
    await timed.close();
    await expect(timed.get('ns', bytes('k'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(timed.createNamespace('ns')).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('bytesUsed is key + value + perItemOverheadBytes per item and returns to 0 after deleting everything', async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => bytes(`key-${i}`));
    let expected = 0;
    for (const [i, k] of keys.entries()) {
      await engine.set('ns', k, new Uint8Array(i % 300), TTL_MS);
      expected += k.byteLength + (i % 300) + 100;
    }
    expect(engine.stats().bytesUsed).toBe(expected);
    for (const k of keys) await engine.delete('ns', k);
    expect(engine.stats()).toMatchObject({ items: 0, bytesUsed: 0 });
  });

  it('flushNamespace and dropNamespace free their bytes and slots for reuse', async () => {
    await engine.createNamespace('other');
    for (let i = 0; i < 500; i++) {
      await engine.set('ns', bytes(`a${i}`), new Uint8Array(50), TTL_MS);
      await engine.set('other', bytes(`b${i}`), new Uint8Array(50), TTL_MS);
    }
    const half = engine.stats().bytesUsed / 2;
    await engine.flushNamespace('ns');
    expect(engine.stats()).toMatchObject({ items: 500, bytesUsed: half });
    await engine.dropNamespace('other');
    expect(engine.stats()).toMatchObject({ items: 0, bytesUsed: 0 });
    // Freed slots are reused: eviction state and the heap stay consistent across reuse.
    await engine.set('ns', bytes('again'), bytes('v'), TTL_MS);
    expect(await engine.get('ns', bytes('again'))).toEqual(bytes('v'));
  });

  it('set evicts expired items before live ones when memory is short', async () => {
    const small = new MemoryEngine({ clock, sweepIntervalMs: 0, maxBytes: 10_000, perItemOverheadBytes: 0 });
    try {
      await small.createNamespace('ns');
      await small.set('ns', bytes('old-live'), new Uint8Array(4_000), TTL_MS);
      await small.set('ns', bytes('dying'), new Uint8Array(4_000), 1_000);
      clock.advance(1_000);
      await small.set('ns', bytes('new'), new Uint8Array(4_000), TTL_MS);
      expect(small.stats()).toMatchObject({ evictions: 0, expirations: 1, items: 2 });
      expect(await small.get('ns', bytes('old-live'))).toBeDefined();
    } finally {
      await small.close();
    }
  });

  it('a rewrite or a growing collection that needs every other item’s room evicts them all, never itself', async () => {
    const small = new MemoryEngine({ clock, sweepIntervalMs: 0, maxBytes: 10_000, perItemOverheadBytes: 0 });
    try {
      await small.createNamespace('ns');
      // The item being rewritten sits first, where the eviction hand starts, and every other item was read:
      // the hand's first turn clears every reference, so its second would reach the rewritten item first.
      await small.set('ns', bytes('big'), new Uint8Array(3_000), TTL_MS);
      for (let i = 0; i < 6; i++) await small.set('ns', bytes(`o${i}`), new Uint8Array(1_000), TTL_MS);
      for (let i = 0; i < 6; i++) await small.get('ns', bytes(`o${i}`));
      await small.set('ns', bytes('big'), Buffer.alloc(9_990, 7), TTL_MS);
      expect(await small.get('ns', bytes('big'))).toEqual(Buffer.alloc(9_990, 7));
      expect(small.stats()).toMatchObject({ items: 1, evictions: 6, bytesUsed: 9_993 });

      await small.flushNamespace('ns');
      const ttl = { ttlMs: TTL_MS, refreshTtl: true };
      await small.listConcatenate('ns', bytes('list'), 'back', [new Uint8Array(10)], ttl);
      for (let i = 0; i < 4; i++) await small.set('ns', bytes(`o${i}`), new Uint8Array(2_000), TTL_MS);
      for (let i = 0; i < 4; i++) await small.get('ns', bytes(`o${i}`));
      await small.listConcatenate('ns', bytes('list'), 'back', [new Uint8Array(9_000)], ttl);
      expect(await small.listLength('ns', bytes('list'))).toBe(2);
      expect(small.stats().items).toBe(1);
    } finally {
      await small.close();
    }
  });

  it('get of an expired item reclaims it immediately', async () => {
    await engine.set('ns', bytes('k'), bytes('v'), 1_000);
    clock.advance(1_000);
    expect(await engine.get('ns', bytes('k'))).toBeUndefined();
    expect(engine.stats()).toMatchObject({ items: 0, bytesUsed: 0, expirations: 1 });
  });

  it('increment rejects INVALID_ARGUMENT for an amount outside int64', async () => {
    await expect(engine.increment('ns', bytes('k'), 2n ** 63n, TTL_MS)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('eviction and the expiry heap stay consistent under random operations', async () => {
    const tiny = new MemoryEngine({ clock, sweepIntervalMs: 0, maxBytes: 5_000, perItemOverheadBytes: 10 });
    const model = new Map<string, { value: string; expiresAtMs: number }>();
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    try {
      await tiny.createNamespace('ns');
      for (let step = 0; step < 20_000; step++) {
        const k = `k${rand(200)}`;
        const op = rand(10);
        if (op < 4) {
          const value = 'x'.repeat(rand(60));
          const ttlMs = 1 + rand(500);
          await tiny.set('ns', bytes(k), bytes(value), ttlMs);
          model.set(k, { value, expiresAtMs: clock.nowMs() + ttlMs });
        } else if (op < 7) {
          const got = await tiny.get('ns', bytes(k));
          const m = model.get(k);
          // Eviction may drop live items, but never return stale or expired data.
          if (got !== undefined) {
            expect(m).toBeDefined();
            expect(Buffer.from(got).toString('latin1')).toBe(m?.value);
            expect(m!.expiresAtMs).toBeGreaterThan(clock.nowMs());
          }
        } else if (op < 8) {
          await tiny.delete('ns', bytes(k));
          model.delete(k);
        } else if (op < 9) {
          clock.advance(rand(50));
        } else {
          tiny.sweepExpired(rand(20));
        }
        expect(tiny.stats().bytesUsed).toBeLessThanOrEqual(5_000);
      }
      clock.advance(1_000);
      tiny.sweepExpired(Number.POSITIVE_INFINITY);
      expect(tiny.stats()).toMatchObject({ items: 0, bytesUsed: 0 });
    } finally {
      await tiny.close();
    }
  });
});

describe('MemoryEngine collections accounting', () => {
  const OVERHEAD = 100;
  let clock: ManualClock;
  let engine: MemoryEngine;
  beforeEach(async () => {
    clock = new ManualClock();
    engine = new MemoryEngine({ clock, sweepIntervalMs: 0, maxBytes: 64 * 1024, perItemOverheadBytes: OVERHEAD });
    await engine.createNamespace('ns');
  });
  afterEach(async () => {
    await engine.close();
  });
  const ttl = { ttlMs: TTL_MS, refreshTtl: true };

  it('every field, element and member is accounted in bytesUsed and released when removed', async () => {
    await engine.dictionarySet('ns', bytes('d'), [[bytes('ff'), bytes('vvv')]], ttl);
    expect(engine.stats().bytesUsed).toBe(1 + OVERHEAD + 2 + 3 + DICTIONARY_ENTRY_OVERHEAD);
    await engine.dictionarySet('ns', bytes('d'), [[bytes('ff'), bytes('v')]], ttl);
    expect(engine.stats().bytesUsed).toBe(1 + OVERHEAD + 2 + 1 + DICTIONARY_ENTRY_OVERHEAD);
    await engine.listConcatenate('ns', bytes('l'), 'back', [bytes('abcd'), bytes('e')], ttl);
    await engine.setAdd('ns', bytes('s'), [bytes('xy')], ttl);
    await engine.sortedSetPut('ns', bytes('z'), [{ value: bytes('m'), score: 1 }], ttl);
    const expected =
      4 * (1 + OVERHEAD) +
      (2 + 1 + DICTIONARY_ENTRY_OVERHEAD) +
      (5 + 2 * LIST_ELEMENT_OVERHEAD) +
      (2 + SET_ELEMENT_OVERHEAD) +
      (1 + SORTED_SET_ELEMENT_OVERHEAD);
    expect(engine.stats().bytesUsed).toBe(expected);
    expect(engine.stats().items).toBe(4);
    await engine.listPop('ns', bytes('l'), 'front');
    expect(engine.stats().bytesUsed).toBe(expected - 4 - LIST_ELEMENT_OVERHEAD);
    await engine.dictionaryDelete('ns', bytes('d'), 'all');
    await engine.listErase('ns', bytes('l'), 'all');
    await engine.setPop('ns', bytes('s'), 10);
    await engine.sortedSetRemove('ns', bytes('z'), [bytes('m')]);
    expect(engine.stats()).toMatchObject({ bytesUsed: 0, items: 0 });
  });

  it('a scalar set over a collection releases the collection bytes', async () => {
    await engine.setAdd('ns', bytes('k'), [bytes('a'), bytes('b')], ttl);
    await engine.set('ns', bytes('k'), bytes('v'), TTL_MS);
    expect(engine.stats().bytesUsed).toBe(1 + 1 + OVERHEAD);
  });

  it('a collection write that would exceed maxBytes rejects LIMIT_EXCEEDED and changes nothing', async () => {
    await engine.listConcatenate('ns', bytes('l'), 'back', [bytes('a')], ttl);
    const before = engine.stats().bytesUsed;
    const big = new Uint8Array(64 * 1024);
    await expect(engine.listConcatenate('ns', bytes('l'), 'back', [big], ttl)).rejects.toMatchObject({
      code: 'LIMIT_EXCEEDED',
      reason: 'item_size_limit_exceeded',
    });
    expect(await engine.listLength('ns', bytes('l'))).toBe(1);
    expect(engine.stats().bytesUsed).toBe(before);
  });

  it('growing collections evict least recently used items whole and stay within maxBytes', async () => {
    for (let i = 0; i < 200; i++) {
      await engine.dictionarySet('ns', bytes(`d${i}`), [[bytes('f'), new Uint8Array(500)]], ttl);
      expect(engine.stats().bytesUsed).toBeLessThanOrEqual(64 * 1024);
    }
    expect(engine.stats().evictions).toBeGreaterThan(0);
    expect(await engine.dictionaryLength('ns', bytes('d0'))).toBeUndefined();
    expect(await engine.dictionaryLength('ns', bytes('d199'))).toBe(1);
    // Accounting stays exact through evictions: removing everything left returns to zero.
    await engine.flushNamespace('ns');
    expect(engine.stats()).toMatchObject({ bytesUsed: 0, items: 0 });
  });

  it('an expired collection is reclaimed by the sweep like a scalar', async () => {
    await engine.sortedSetPut('ns', bytes('z'), [{ value: bytes('m'), score: 1 }], { ttlMs: 1_000, refreshTtl: true });
    clock.advance(1_000);
    expect(engine.sweepExpired()).toBe(1);
    expect(engine.stats()).toMatchObject({ bytesUsed: 0, items: 0, expirations: 1 });
  });
});

describe('MemoryEngine maxItemBytes', () => {
  // The limit's semantics are in the conformance suite (collection-size.ts); here only the option's check.
  it('must be a positive number', () => {
    expect(() => new MemoryEngine({ maxItemBytes: 0 })).toThrow(/maxItemBytes/);
  });
});
