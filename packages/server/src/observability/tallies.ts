/**
 * @module observability/tallies
 * Per-call metrics kept as plain numbers and handed to Prometheus only when it scrapes.
 *
 * Why: prom-client hashes a call's labels into a string on every `inc`/`observe`, even through a
 * `labels(...)` child — about 0.5 KB of garbage and a sort per call on the data plane, more than the
 * engine's own work for a Get. Here a call adds to a number found through two Map lookups; the registry
 * sees ordinary counter and histogram series (same names, labels and `le` buckets) built at scrape time.
 */
import type { Registry } from 'prom-client';

/** One series as prom-client's registry formats it. */
interface SeriesValue {
  readonly value: number;
  readonly labels: Record<string, string | number>;
  readonly metricName?: string;
}

interface MetricSnapshot {
  readonly name: string;
  readonly help: string;
  readonly type: string;
  readonly values: SeriesValue[];
  readonly aggregator: string;
}

/** The shape `Registry#registerMetric` needs of a metric: prom-client calls `get()` per scrape. */
interface RegistrableMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly aggregator: string;
  get(): Promise<MetricSnapshot>;
  reset(): void;
}

/** A counter labelled by two values (e.g. operation and outcome). */
export class TallyCounter implements RegistrableMetric {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  readonly #counts = new Map<string, Map<string, { n: number }>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly [string, string],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  inc(first: string, second: string): void {
    let inner = this.#counts.get(first);
    if (inner === undefined) {
      inner = new Map();
      this.#counts.set(first, inner);
    }
    const cell = inner.get(second);
    if (cell === undefined) inner.set(second, { n: 1 });
    else cell.n++;
  }

  async get(): Promise<MetricSnapshot> {
    const values: SeriesValue[] = [];
    const [a, b] = this.labelNames;
    for (const [first, inner] of this.#counts) {
      for (const [second, cell] of inner) values.push({ value: cell.n, labels: { [a]: first, [b]: second } });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#counts.clear();
  }
}

/** Bucket counts, sum and count of one label value. */
interface HistogramCell {
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A histogram labelled by one value (e.g. operation), with fixed upper bounds. */
export class TallyHistogram implements RegistrableMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly #cells = new Map<string, HistogramCell>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly upperBounds: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  observe(label: string, value: number): void {
    let cell = this.#cells.get(label);
    if (cell === undefined) {
      cell = { buckets: new Float64Array(this.upperBounds.length), sum: 0, count: 0 };
      this.#cells.set(label, cell);
    }
    // Non-cumulative here (one slot per bound, values above the last in none); cumulated at scrape time.
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        cell.buckets[i] = (cell.buckets[i] as number) + 1;
        break;
      }
    }
    cell.sum += value;
    cell.count++;
  }

  async get(): Promise<MetricSnapshot> {
    const values: SeriesValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const [label, cell] of this.#cells) {
      let cumulative = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        cumulative += cell.buckets[i] as number;
        values.push({
          value: cumulative,
          labels: { le: this.upperBounds[i] as number, [this.labelName]: label },
          metricName: bucketName,
        });
      }
      values.push({ value: cell.count, labels: { le: '+Inf', [this.labelName]: label }, metricName: bucketName });
      values.push({ value: cell.sum, labels: { [this.labelName]: label }, metricName: `${this.name}_sum` });
      values.push({ value: cell.count, labels: { [this.labelName]: label }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.#cells.clear();
  }
}
