/**
 * @module observability/metrics
 * Prometheus metrics (prom-client): requests by operation and outcome, hits and misses, latency, bytes,
 * and the engine's own counters read at scrape time. One registry per server, so several servers in one
 * process (tests) do not share counters.
 */
import type { CacheEngine } from '@cachette/engine';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Operation, OperationObserver, Outcome } from '../service/observer.ts';
import { TallyCounter, TallyHistogram } from './tallies.ts';

export interface ServerMetrics extends OperationObserver {
  readonly registry: Registry;
}

/**
 * Builds the registry and an observer feeding it. `engine` and `meteringLagSeconds` (seconds since usage
 * last reached the metadata store) are read on each scrape.
 */
export function createMetrics(engine: CacheEngine, meteringLagSeconds: () => number): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'cachette_process_' });

  // Per-call series are tallies (see tallies.ts): no label hashing per call.
  const requests = new TallyCounter(
    'cachette_requests_total',
    'Finished service operations by operation and outcome (ok, hit, miss or an error code).',
    ['operation', 'outcome'],
    registry,
  );
  const latency = new TallyHistogram(
    'cachette_request_duration_seconds',
    'Service time of operations, from admission to answer (excludes transport decode/encode).',
    'operation',
    [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registry,
  );
  const bytesIn = new Counter({
    name: 'cachette_bytes_in_total',
    help: 'Key and value bytes received by successful data-plane operations.',
    registers: [registry],
  });
  const bytesOut = new Counter({
    name: 'cachette_bytes_out_total',
    help: 'Value bytes returned by successful data-plane operations.',
    registers: [registry],
  });
  const hits = new Counter({
    name: 'cachette_cache_hits_total',
    help: 'Reads that found the item.',
    registers: [registry],
  });
  const misses = new Counter({
    name: 'cachette_cache_misses_total',
    help: 'Reads that missed.',
    registers: [registry],
  });

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('cachette_items', 'Items held by the engine.', () => engine.stats().items);
  gauge(
    'cachette_bytes_used',
    'Bytes the engine accounts for (keys, values, per-item overhead).',
    () => engine.stats().bytesUsed,
  );
  gauge('cachette_bytes_max', 'The engine memory limit (+Inf when delegated).', () => engine.stats().maxBytes);
  // Engine evictions/expirations are monotonic totals kept by the engine; exposed as gauges of a counter
  // value (prom-client counters cannot be set), named *_total so rate() reads them as counters.
  gauge('cachette_evictions_total', 'Items evicted to stay under the memory limit.', () => engine.stats().evictions);
  gauge('cachette_expirations_total', 'Items removed because their TTL elapsed.', () => engine.stats().expirations);
  gauge(
    'cachette_metering_flush_lag_seconds',
    'Seconds since usage counters were last written to the metadata store.',
    meteringLagSeconds,
  );

  return {
    registry,
    observe(
      op: Operation,
      _accountId: string,
      _cache: string,
      outcome: Outcome,
      durationMs: number,
      bIn: number,
      bOut: number,
    ) {
      requests.inc(op, outcome);
      latency.observe(op, durationMs / 1000);
      if (outcome === 'hit') hits.inc();
      else if (outcome === 'miss') misses.inc();
      if (bIn > 0) bytesIn.inc(bIn);
      if (bOut > 0) bytesOut.inc(bOut);
    },
  };
}

/** What `/metrics` shows of the failed-authentication throttle. */
export interface AuthThrottleMetrics {
  failed(): void;
  refused(): void;
}

/**
 * Registers `cachette_auth_failures_total`, `cachette_auth_throttled_total` (attempts refused without a
 * lookup) and `cachette_auth_throttled_clients` (addresses refused right now, read at scrape time).
 */
export function registerAuthThrottleMetrics(registry: Registry, throttledClients: () => number): AuthThrottleMetrics {
  const failures = new Counter({
    name: 'cachette_auth_failures_total',
    help: 'Authentications that failed (unknown, revoked or expired key), counted per attempt.',
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'cachette_auth_throttled_total',
    help: 'Attempts refused with LIMIT_EXCEEDED because their address failed too often (key guessing).',
    registers: [registry],
  });
  new Gauge({
    name: 'cachette_auth_throttled_clients',
    help: 'Client addresses whose unknown keys are refused right now.',
    registers: [registry],
    collect() {
      this.set(throttledClients());
    },
  });
  return { failed: () => failures.inc(), refused: () => refusals.inc() };
}
