/**
 * @module bench/service
 * Micro-benchmark of the service layer alone: `CacheService.get`/`set` over `MemoryEngine`, with the
 * production observers (Prometheus metrics, usage meter) and the plan limiter, but no transport. It shows
 * what the service wrapper costs per call, which the end-to-end bench cannot resolve on a shared machine
 * (there the gRPC layer dominates).
 *
 * Run: `node --min-semi-space-size=64 --max-semi-space-size=64 --import tsx bench/service.ts [ops]` (default 1 000 000 calls per
 * operation). Reports calls per second (best of 3 rounds) and heap bytes allocated per call, measured
 * over 5 000 calls between forced GCs with a young generation large enough that no GC runs in between.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { systemClock } from '@cachette/core';
import { MemoryEngine } from '@cachette/engine';
import { openSqliteMetadata } from '@cachette/metadata';
import { CacheService, defaultServiceLimits, type Principal } from '@cachette/server';
import { createMetrics } from '../packages/server/src/observability/metrics.ts';
import { combineObservers } from '../packages/server/src/service/observer.ts';
import { PlanLimiter } from '../packages/server/src/service/plan-limiter.ts';
import { UsageMeter } from '../packages/server/src/service/usage-meter.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const OPS = Number(process.argv[2] ?? 1_000_000);
const KEYS = 10_000;
const TTL_MS = 3_600_000;

let gcs = 0;
new PerformanceObserver((list) => {
  gcs += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

async function main(): Promise<void> {
  const clock = systemClock;
  const engine = new MemoryEngine({ clock });
  const metadata = await openSqliteMetadata({ path: ':memory:', clock });
  const account = await metadata.createAccount({
    email: 'bench@example.com',
    provider: 'aws',
    region: 'us-west-2',
    plan: 'unlimited',
  });
  const record = await metadata.createCache(account.id, 'bench');
  await engine.createNamespace(record.id);
  const meter = new UsageMeter({ metadata, clock, flushIntervalMs: 0 });
  const service = new CacheService({
    engine,
    metadata,
    clock,
    limits: defaultServiceLimits,
    observer: combineObservers([createMetrics(engine, () => 0), meter]),
    limiter: new PlanLimiter({ metadata, clock, limits: defaultServiceLimits }),
  });
  const principal: Principal = {
    accountId: account.id,
    keyId: 'bench',
    scope: { kind: 'all' },
    access: 'readWrite',
    canManage: true,
    expiresAtMs: null,
  };
  const keys = Array.from({ length: KEYS }, (_, i) => Buffer.from(`key:${i.toString().padStart(12, '0')}`));
  const missKeys = keys.map((k) => Buffer.concat([k, Buffer.from('-miss')]));
  const value = Buffer.alloc(100, 0x61);
  for (const key of keys) await service.set(principal, 'bench', key, value, TTL_MS);

  const cases: Record<string, (i: number) => Promise<unknown>> = {
    'get (hit)': (i) => service.get(principal, 'bench', keys[i % KEYS] as Buffer),
    'get (miss)': (i) => service.get(principal, 'bench', missKeys[i % KEYS] as Buffer),
    set: (i) => service.set(principal, 'bench', keys[i % KEYS] as Buffer, value, TTL_MS),
  };
  console.log(`CacheService over MemoryEngine, ${OPS.toLocaleString('en-US')} sequential calls per round`);
  for (const [name, call] of Object.entries(cases)) {
    let best = 0;
    for (let round = 0; round < 3; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < OPS; i++) await call(i);
      const perSecond = OPS / (Number(process.hrtime.bigint() - start) / 1e9);
      if (perSecond > best) best = perSecond;
    }
    const SAMPLE = 5_000;
    gc();
    gc();
    // GC entries reach the observer asynchronously: let the forced ones arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const gcsBefore = gcs;
    const heapBefore = process.memoryUsage().heapUsed;
    for (let i = 0; i < SAMPLE; i++) await call(i);
    const perCall = (process.memoryUsage().heapUsed - heapBefore) / SAMPLE;
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A GC inside the sample would hide allocations: say so rather than print a low figure.
    const note =
      gcs > gcsBefore ? ` (GC ran during the sample: run with --min-semi-space-size=64 --max-semi-space-size=64)` : '';
    console.log(
      `  ${name.padEnd(11)} ${Math.round(best).toLocaleString('en-US').padStart(10)} calls/s   ${perCall.toFixed(0).padStart(5)} B/call${note}`,
    );
  }
  await meter.close();
  await metadata.close();
  await engine.close();
}

await main();
