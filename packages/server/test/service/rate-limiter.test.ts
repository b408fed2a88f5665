/** RateLimiter on its own, with a manual clock. */
import { CacheError, ErrorCode, ManualClock } from '@cachette/core';
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/service/rate-limiter.ts';

function refusal(take: () => void): CacheError {
  try {
    take();
  } catch (e) {
    if (e instanceof CacheError) return e;
    throw e;
  }
  throw new Error('expected take() to throw');
}

describe('RateLimiter', () => {
  it('take() allows `limit` requests per window, then LIMIT_EXCEEDED with the seconds left', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock, { limit: 2, windowMs: 60_000 });
    limiter.take('a@example.com', 'e-mail address');
    limiter.take('a@example.com', 'e-mail address');
    clock.advance(15_000);
    const e = refusal(() => limiter.take('a@example.com', 'e-mail address'));
    expect(e.code).toBe(ErrorCode.LIMIT_EXCEEDED);
    expect(e.reason).toBe('operations_rate_limit_exceeded');
    expect(e.retryAfterSeconds).toBe(45);
    // The message names what was limited, never the key itself.
    expect(e.message).toBe('too many requests from this e-mail address; try again in 45 s');
  });

  it('a new window starts once the old one has passed', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock, { limit: 1, windowMs: 1000 });
    limiter.take('k', 'client');
    expect(() => limiter.take('k', 'client')).toThrow(CacheError);
    clock.advance(999);
    expect(() => limiter.take('k', 'client')).toThrow(CacheError);
    clock.advance(1);
    limiter.take('k', 'client');
  });

  it('keys are counted separately', () => {
    const limiter = new RateLimiter(new ManualClock(), { limit: 1, windowMs: 1000 });
    limiter.take('a', 'client');
    limiter.take('b', 'client');
    expect(() => limiter.take('a', 'client')).toThrow(CacheError);
  });

  it('the retry hint is at least one second', () => {
    const clock = new ManualClock();
    const limiter = new RateLimiter(clock, { limit: 1, windowMs: 1000 });
    limiter.take('k', 'client');
    clock.advance(999);
    expect(refusal(() => limiter.take('k', 'client')).retryAfterSeconds).toBe(1);
  });
});
