/**
 * @module service/rate-limiter
 * A fixed-window counter per key (e.g. per e-mail address, per client IP) for unauthenticated endpoints
 * such as signup. In memory, per process: with several gateways the effective limit is N × the limit.
 */
import { CacheError, type Clock, ErrorCode } from '@cachette/core';

type Window = { count: number; resetAtMs: number };

export interface RateLimit {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

// Bounded so a flood of distinct keys cannot grow memory without limit.
const MAX_KEYS = 100_000;

/** Counts requests per key; {@link RateLimiter.take} throws LIMIT_EXCEEDED once a key is over its limit. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly clock: Clock,
    private readonly rate: RateLimit,
  ) {}

  /**
   * Counts one request for `key`; throws LIMIT_EXCEEDED (reason `operations_rate_limit_exceeded`) with the
   * seconds to wait when the window is full. `what` names the key in the message (never the key itself).
   */
  take(key: string, what: string): void {
    const now = this.clock.nowMs();
    let w = this.windows.get(key);
    if (w === undefined || w.resetAtMs <= now) {
      if (this.windows.size >= MAX_KEYS) this.prune(now);
      w = { count: 0, resetAtMs: now + this.rate.windowMs };
      this.windows.set(key, w);
    }
    if (w.count >= this.rate.limit) {
      const retryAfterS = Math.max(1, Math.ceil((w.resetAtMs - now) / 1000));
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `too many requests from this ${what}; try again in ${retryAfterS} s`,
        'operations_rate_limit_exceeded',
        retryAfterS,
      );
    }
    w.count++;
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAtMs <= now) this.windows.delete(k);
    if (this.windows.size >= MAX_KEYS) this.windows.clear();
  }
}
