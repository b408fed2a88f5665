/**
 * The soak's verdict rule: a steady series with noise passes, a steady climb fails, one spike does not
 * decide, and a run too short to judge gives no verdict.
 */
import { describe, expect, it } from 'vitest';
import { judgeDrift, median, theilSenSlope } from './trend.ts';

const rule = { relative: 0.05, absolute: 16 };

describe('judgeDrift()', () => {
  it('passes a flat series with noise and one large spike in the judged half', () => {
    const rss = [150, 190, 200, 201, 199, 203, 198, 400, 202, 200, 199, 201];
    const v = judgeDrift(rss, rule);
    expect(v?.drifting).toBe(false);
    expect(v?.points).toBe(6);
  });

  it('fails a series that keeps growing by 4 MiB an interval in the judged half', () => {
    const rss = Array.from({ length: 12 }, (_, i) => 200 + 4 * i);
    const v = judgeDrift(rss, rule);
    expect(v?.slopePerInterval).toBe(4);
    expect(v?.growth).toBe(20); // 4 × (6 − 1)
    expect(v?.drifting).toBe(true);
  });

  it('ignores growth during the first half (warm-up: the engine filling)', () => {
    const rss = [50, 100, 150, 200, 250, 300, 300, 301, 300, 299, 300, 300];
    expect(judgeDrift(rss, rule)?.drifting).toBe(false);
  });

  it('gives no verdict with fewer than 3 judged points', () => {
    expect(judgeDrift([1, 2, 3, 4], rule)).toBeUndefined();
    expect(judgeDrift([1, 2, 3, 4, 5], rule)?.points).toBe(3); // odd count: the later, larger half
  });
});

describe('theilSenSlope() and median()', () => {
  it('are the median pairwise slope and the middle value', () => {
    expect(theilSenSlope([1, 3, 5, 7])).toBe(2);
    expect(theilSenSlope([5])).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });
});
