/**
 * Long churn against a reference model: the off-heap key index, the arena's keys and the slot accounting
 * must agree with a plain Map through hundreds of thousands of random sets, gets, deletes, expiries,
 * flushes, drops and evictions (small maxBytes, several namespaces, binary keys that share prefixes and
 * hash-colliding table positions). Deterministic: a fixed-seed generator drives every choice.
 */

import { ManualClock } from '@cachette/core';
import { describe, expect, it } from 'vitest';
import { MemoryEngine } from '../src/index.ts';
import { KeyIndex } from '../src/key-index.ts';

/** xorshift32: deterministic, fast, good enough to drive a test. */
function generator(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

const OVERHEAD = 20;
const MAX_BYTES = 40_000;
const NAMESPACES = ['a', 'b', 'c'] as const;

interface Entry {
  readonly ns: string;
  readonly key: Buffer;
  value: Buffer;
  expiresAtMs: number;
}

describe('MemoryEngine churn against a reference model', () => {
  it('every present key reads back its value, accounting is exact and bytesUsed never exceeds maxBytes', async () => {
    const clock = new ManualClock();
    const engine = new MemoryEngine({ clock, sweepIntervalMs: 0, maxBytes: MAX_BYTES, perItemOverheadBytes: OVERHEAD });
    const rand = generator(0x5eed);
    // 4 000 distinct keys per namespace (≈ 700 items fit): eviction, index growth and slot reuse all happen.
    const keyOf = (i: number): Buffer => {
      // Lengths 0–40, binary bytes, many keys sharing long prefixes (byte comparison past the hash).
      const len = i % 41;
      const k = Buffer.alloc(len, 0xab);
      for (let j = 0; j < len && j < 4; j++) k[len - 1 - j] = (i >>> (8 * j)) & 0xff;
      return k;
    };
    const model = new Map<string, Entry>();
    const id = (ns: string, key: Buffer) => `${ns}/${key.toString('hex')}`;
    let maxItems = 0;
    let evictionsSeen = 0;

    /** Checks every model key against the engine and the accounting against what is present. */
    const verify = async () => {
      let present = 0;
      let bytes = 0;
      for (const ns of NAMESPACES) {
        const entries = [...model.values()].filter((e) => e.ns === ns);
        // keysExist reclaims expired items on the spot, so afterwards the engine holds only live ones.
        const exists = await engine.keysExist(
          ns,
          entries.map((e) => e.key),
        );
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i]!;
          if (!exists[i]) continue;
          expect(e.expiresAtMs).toBeGreaterThan(clock.nowMs());
          const got = await engine.get(ns, e.key);
          expect(got === undefined ? undefined : Buffer.from(got).toString('hex')).toBe(e.value.toString('hex'));
          present++;
          bytes += e.key.byteLength + e.value.byteLength + OVERHEAD;
        }
      }
      // Nothing outside the model is stored, and every stored byte is accounted exactly once.
      expect(engine.stats()).toMatchObject({ items: present, bytesUsed: bytes });
      maxItems = Math.max(maxItems, present);
    };

    try {
      for (const ns of NAMESPACES) await engine.createNamespace(ns);
      for (let step = 1; step <= 100_000; step++) {
        const ns = NAMESPACES[rand(NAMESPACES.length)]!;
        const key = keyOf(rand(4_000));
        const op = rand(1_000);
        if (op < 450) {
          const value = Buffer.alloc(rand(40), rand(256));
          const ttlMs = 1 + rand(20_000);
          await engine.set(ns, key, value, ttlMs);
          model.set(id(ns, key), { ns, key, value, expiresAtMs: clock.nowMs() + ttlMs });
        } else if (op < 800) {
          const got = await engine.get(ns, key);
          const m = model.get(id(ns, key));
          // Eviction may drop live items, but a present item is never stale, expired or someone else's.
          if (got !== undefined) {
            expect(m).toBeDefined();
            expect(Buffer.from(got).equals(m!.value)).toBe(true);
            expect(m!.expiresAtMs).toBeGreaterThan(clock.nowMs());
          }
        } else if (op < 900) {
          await engine.delete(ns, key);
          model.delete(id(ns, key));
        } else if (op < 960) {
          clock.advance(rand(200));
        } else if (op < 990) {
          engine.sweepExpired(rand(50));
        } else if (op < 998) {
          await engine.updateTtl(ns, key, { kind: 'overwrite', ttlMs: 1 + rand(2_000) });
          const m = model.get(id(ns, key));
          // Only a live item's TTL changes; refresh the model from the engine's answer.
          if (m !== undefined) {
            const left = await engine.itemGetTtl(ns, key);
            if (left !== undefined) m.expiresAtMs = clock.nowMs() + left;
          }
        } else if (op < 999) {
          await engine.flushNamespace(ns);
          for (const [k, e] of model) if (e.ns === ns) model.delete(k);
        } else {
          await engine.dropNamespace(ns);
          await engine.createNamespace(ns);
          for (const [k, e] of model) if (e.ns === ns) model.delete(k);
        }
        expect(engine.stats().bytesUsed).toBeLessThanOrEqual(MAX_BYTES);
        if (step % 10_000 === 0) await verify();
      }
      await verify();
      evictionsSeen = engine.stats().evictions;
      // The run really exercised eviction and a large index (not a handful of items).
      expect(evictionsSeen).toBeGreaterThan(500);
      expect(maxItems).toBeGreaterThan(300);
      clock.advance(100_000);
      engine.sweepExpired(Number.POSITIVE_INFINITY);
      expect(engine.stats()).toMatchObject({ items: 0, bytesUsed: 0 });
    } finally {
      await engine.close();
    }
  }, 60_000);
});

describe('KeyIndex', () => {
  it('finds, inserts and removes like a Map through growth, with colliding and wrapping hashes', () => {
    // Slot → hash, the model; see below for the hashes that force clusters, wrap-around and backward shifts.
    const hashOf = new Map<number, number>();
    const index = new KeyIndex((slot) => hashOf.get(slot)!);
    const rand = generator(7);
    let nextSlot = 0;
    const free: number[] = [];
    const live: number[] = [];
    for (let step = 0; step < 100_000; step++) {
      const op = rand(10);
      if (op < 6 || hashOf.size === 0) {
        const slot = free.pop() ?? nextSlot++;
        // One in 64 from 64 values at the top of the range (equal hashes, clusters wrapping past the end
        // of the table), the rest spread out.
        const hash = rand(64) === 0 ? 2 ** 32 - 1 - rand(64) : rand(2 ** 32);
        index.insert(hash >>> 0, slot);
        hashOf.set(slot, hash >>> 0);
        live.push(slot);
      } else {
        const at = rand(live.length);
        const slot = live[at]!;
        live[at] = live[live.length - 1]!;
        live.pop();
        index.remove(hashOf.get(slot)!, slot);
        hashOf.delete(slot);
        free.push(slot);
      }
      if (step % 9_973 === 0) {
        for (const [slot, hash] of hashOf) expect(index.find(hash, (s) => s === slot)).toBe(slot);
        expect(index.size).toBe(hashOf.size);
      }
    }
    for (const [slot, hash] of hashOf) expect(index.find(hash, (s) => s === slot)).toBe(slot);
    expect(index.size).toBe(hashOf.size);
  });
});
