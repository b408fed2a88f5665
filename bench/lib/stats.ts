/**
 * @module bench/lib/stats
 * Percentiles of latency samples, nearest-rank on a sorted copy.
 */

export interface Latency {
  /** Milliseconds. */
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
  readonly samples: number;
}

/** `samplesUs` are microseconds; the result is in milliseconds. */
export function latencyOf(samplesUs: Float64Array): Latency {
  const n = samplesUs.length;
  if (n === 0)
    return { p50: Number.NaN, p99: Number.NaN, p999: Number.NaN, max: Number.NaN, mean: Number.NaN, samples: 0 };
  const sorted = Float64Array.from(samplesUs).sort();
  const at = (q: number) => (sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] ?? Number.NaN) / 1000;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i] ?? 0;
  return {
    p50: at(0.5),
    p99: at(0.99),
    p999: at(0.999),
    max: (sorted[n - 1] ?? 0) / 1000,
    mean: sum / n / 1000,
    samples: n,
  };
}

/** A growable sample buffer, so recording a latency never allocates per call. */
export class Samples {
  #data = new Float64Array(1 << 16);
  #length = 0;

  push(us: number): void {
    if (this.#length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.#length++] = us;
  }

  get length(): number {
    return this.#length;
  }

  view(): Float64Array {
    return this.#data.subarray(0, this.#length);
  }
}
