/**
 * @module bench/lib/trend
 * The soak's verdict: does a per-interval series (RSS, p99) keep growing? Judged on the last half of the
 * run only (the first half is warm-up: the engine fills to `--max-memory`, V8 sizes its heap, JIT settles),
 * with the Theil–Sen slope (median of pairwise slopes), because on a shared machine single intervals spike
 * when another process takes the CPU, and an ordinary least-squares line follows such spikes.
 */

/** Median of `values` (mean of the two middle values for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Theil–Sen slope of `ys` against their index (units of y per interval); 0 for fewer than two points. */
export function theilSenSlope(ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    for (let j = i + 1; j < ys.length; j++) slopes.push((ys[j]! - ys[i]!) / (j - i));
  }
  return slopes.length === 0 ? 0 : median(slopes);
}

/** How much growth over the judged window is tolerated: the larger of a fraction of the median and a floor. */
export interface DriftRule {
  /** e.g. 0.05: growth up to 5 % of the window's median is noise. */
  readonly relative: number;
  /** Growth up to this many units is noise whatever the median (small values are noisy in absolute terms). */
  readonly absolute: number;
}

export interface DriftVerdict {
  /** Intervals judged (the last half, at least 3). */
  readonly points: number;
  /** Theil–Sen slope, units per interval. */
  readonly slopePerInterval: number;
  /** Slope × (points − 1): the trend's growth across the window. */
  readonly growth: number;
  /** The largest growth tolerated for this window. */
  readonly allowed: number;
  readonly median: number;
  readonly drifting: boolean;
}

/** Fewer judged intervals than this and there is no verdict (a 2-point "trend" is one noisy difference). */
export const MIN_JUDGED_POINTS = 3;

/**
 * Judges the last half of `series` (the later half when the count is odd): drifting when the Theil–Sen
 * trend grows by more than `max(relative × median, absolute)` across it. `undefined` when the window has
 * fewer than {@link MIN_JUDGED_POINTS} points.
 */
export function judgeDrift(series: readonly number[], rule: DriftRule): DriftVerdict | undefined {
  const window = series.slice(Math.floor(series.length / 2));
  if (window.length < MIN_JUDGED_POINTS) return undefined;
  const slopePerInterval = theilSenSlope(window);
  const growth = slopePerInterval * (window.length - 1);
  const mid = median(window);
  const allowed = Math.max(rule.relative * mid, rule.absolute);
  return { points: window.length, slopePerInterval, growth, allowed, median: mid, drifting: growth > allowed };
}
