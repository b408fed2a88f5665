/**
 * @module bench/engine
 * Micro-benchmark of MemoryEngine: memory per item and get/set throughput.
 *
 * Run: `node --import tsx bench/engine.ts [items]` (default 1 000 000 items, 16 B keys, 100 B values,
 * the shape of DESIGN's Redis figure). Bytes per item are reported three ways: the engine's own
 * accounting, V8 heap growth and RSS growth, each measured after a forced GC.
 */

import { type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock } from '@cachette/core';
import { MemoryEngine } from '@cachette/engine';

// Exposes gc() without requiring --expose-gc on the command line, so measurements start from a clean heap.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ITEMS = Number(process.argv[2] ?? 1_000_000);

/** The longest GC pause seen since the last {@link takeMaxGc}, in ms. */
let maxGcMs = 0;
let maxGcKind = 0;
let gcCount = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gcCount++;
    if (e.duration > maxGcMs) {
      maxGcMs = e.duration;
      maxGcKind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
    }
  }
}).observe({ entryTypes: ['gc'] });
/** perf_hooks GC kinds: 1 minor, 2 major, 4 incremental marking, 8 weak callbacks. */
const GC_KIND: Record<number, string> = { 1: 'minor', 2: 'major', 4: 'incremental', 8: 'weak callbacks' };
/** Lets the observer's queued entries be delivered (they come on a later turn of the event loop). */
async function takeMaxGc(): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, 10));
  const text = `${maxGcMs.toFixed(1)} ms (${GC_KIND[maxGcKind] ?? 'none'}, ${gcCount} GCs)`;
  maxGcMs = 0;
  maxGcKind = 0;
  gcCount = 0;
  return text;
}
const VALUE_BYTES = 100;
const TTL_MS = 3_600_000;
const NS = 'bench';

/** A 16-byte key for index `i`, e.g. `key:000000000042`. */
function keyOf(i: number): Buffer {
  return Buffer.from(`key:${i.toString().padStart(12, '0')}`, 'latin1');
}

function settle(): NodeJS.MemoryUsage {
  for (let i = 0; i < 3; i++) gc();
  return process.memoryUsage();
}

function rate(ops: number, startNs: bigint): string {
  const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
  return `${Math.round(ops / seconds).toLocaleString('en-US')} ops/s`;
}

async function main(): Promise<void> {
  const engine = new MemoryEngine();
  await engine.createNamespace(NS);
  const value = Buffer.alloc(VALUE_BYTES, 0x61);

  const before = settle();
  await takeMaxGc();
  let start = process.hrtime.bigint();
  // The slowest single insert: growth of the slot arrays and of the key index happens inside one call.
  let slowestNs = 0n;
  for (let i = 0; i < ITEMS; i++) {
    const key = keyOf(i);
    const t = process.hrtime.bigint();
    await engine.set(NS, key, value, TTL_MS);
    const took = process.hrtime.bigint() - t;
    if (took > slowestNs) slowestNs = took;
  }
  const insertRate = rate(ITEMS, start);
  const loadGc = await takeMaxGc();
  const after = settle();
  await takeMaxGc();
  // A full mark-compact with every item resident: what a major GC costs at this item count.
  let fullGcMs = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t = process.hrtime.bigint();
    gc();
    fullGcMs = Math.min(fullGcMs, Number(process.hrtime.bigint() - t) / 1e6);
  }

  const stats = engine.stats();
  const per = (n: number) => (n / ITEMS).toFixed(0);
  console.log(`MemoryEngine, ${ITEMS.toLocaleString('en-US')} items, 16 B keys, ${VALUE_BYTES} B values`);
  console.log(`  bytes/item  engine accounting ${per(stats.bytesUsed)} B`);
  console.log(`  bytes/item  V8 heap delta     ${per(after.heapUsed - before.heapUsed)} B`);
  console.log(`  bytes/item  RSS delta         ${per(after.rss - before.rss)} B`);

  // Throughput on a pre-built key set, so key construction is not timed.
  const SAMPLE = Math.min(ITEMS, 100_000);
  const keys = Array.from({ length: SAMPLE }, (_, i) => keyOf((i * 7919) % ITEMS));
  const OPS = 2_000_000;
  let hits = 0;
  start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) if ((await engine.get(NS, keys[i % SAMPLE]!)) !== undefined) hits++;
  const getRate = rate(OPS, start);
  start = process.hrtime.bigint();
  for (let i = 0; i < OPS; i++) await engine.set(NS, keys[i % SAMPLE]!, value, TTL_MS);
  const setRate = rate(OPS, start);

  const opsGc = await takeMaxGc();
  console.log(
    `  set (insert)                  ${insertRate}, slowest insert ${(Number(slowestNs) / 1e6).toFixed(1)} ms`,
  );
  console.log(`  forced full GC                ${fullGcMs.toFixed(1)} ms (best of 3, every item resident)`);
  console.log(`  longest GC pause              loading ${loadGc}, get/set loop ${opsGc}`);
  console.log(`  get (hit ${((hits / OPS) * 100).toFixed(0)}%)                  ${getRate}`);
  console.log(`  set (overwrite)               ${setRate}`);
  await engine.close();

  // Cost of one bounded sweep tick (the default batch) when a large cohort expires at once.
  const clock = new ManualClock();
  const expiring = new MemoryEngine({ clock, sweepIntervalMs: 0 });
  await expiring.createNamespace(NS);
  for (let i = 0; i < 200_000; i++) await expiring.set(NS, keyOf(i), value, 1_000 + (i % 1_000));
  clock.advance(2_000);
  start = process.hrtime.bigint();
  const reclaimed = expiring.sweepExpired();
  const sweepMs = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`  sweepExpired() tick           ${reclaimed.toLocaleString('en-US')} items in ${sweepMs.toFixed(1)} ms`);
  await expiring.close();
}

await main();
