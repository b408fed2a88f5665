/**
 * @module observability/metrics
 * Prometheus metrics (prom-client): requests by operation and outcome, hits and misses, latency, bytes,
 * and the engine's own counters read at scrape time. One registry per server, so several servers in one
 * process (tests) do not share counters.
 */
import type { CacheEngine } from '@cachette/engine';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Operation, OperationObserver, Outcome } from '../service/observer.ts';

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

  const requests = new Counter({
    name: 'cachette_requests_total',
    help: 'Finished service operations by operation and outcome (ok, hit, miss or an error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'cachette_request_duration_seconds',
    help: 'Service time of operations, from admission to answer (excludes transport decode/encode).',
    labelNames: ['operation'] as const,
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5],
    registers: [registry],
  });
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

  // Label children are looked up once per (operation, outcome) and reused: no per-call label objects or
  // key strings on the hot path.
  const requestChildren = new Map<Operation, Map<Outcome, ReturnType<typeof requests.labels>>>();
  const latencyChildren = new Map<Operation, ReturnType<typeof latency.labels>>();

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
      let byOutcome = requestChildren.get(op);
      if (byOutcome === undefined) {
        byOutcome = new Map();
        requestChildren.set(op, byOutcome);
      }
      let counter = byOutcome.get(outcome);
      if (counter === undefined) {
        counter = requests.labels(op, outcome);
        byOutcome.set(outcome, counter);
      }
      counter.inc();
      let histogram = latencyChildren.get(op);
      if (histogram === undefined) {
        histogram = latency.labels(op);
        latencyChildren.set(op, histogram);
      }
      histogram.observe(durationMs / 1000);
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
