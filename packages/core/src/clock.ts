/**
 * @module clock
 * Time is injected everywhere so tests advance a fake clock instead of sleeping.
 */

/** A source of wall-clock milliseconds. */
export interface Clock {
  nowMs(): number;
}

/** The real clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** A clock that only moves when told to; for tests and conformance suites. */
export class ManualClock implements Clock {
  constructor(private currentMs = 1_700_000_000_000) {}
  nowMs(): number {
    return this.currentMs;
  }
  advance(ms: number): void {
    this.currentMs += ms;
  }
  set(ms: number): void {
    this.currentMs = ms;
  }
}
