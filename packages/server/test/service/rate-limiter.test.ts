/** RateLimiter over an in-memory SQLite metadata store (where its counters live), with a manual clock. */
import { CacheError, ErrorCode, ManualClock } from '@cachette/core';
import { type MetadataStore, openSqliteMetadata } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clientBucketOf, RateLimiter } from '../../src/service/rate-limiter.ts';

async function refusal(take: () => Promise<void>): Promise<CacheError> {
  try {
    await take();
  } catch (e) {
    if (e instanceof CacheError) return e;
    throw e;
  }
  throw new Error('expected take() to throw');
}

// Fixed windows start at multiples of the window length: start the clock on a minute boundary.
const MINUTE_BOUNDARY_MS = 60_000 * 28_333_333;

describe('RateLimiter', () => {
  let clock: ManualClock;
  let metadata: MetadataStore;
  beforeEach(async () => {
    clock = new ManualClock(MINUTE_BOUNDARY_MS);
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
  });
  afterEach(async () => {
    await metadata.close();
  });

  it('take() allows `limit` requests per window, then LIMIT_EXCEEDED with the seconds left', async () => {
    const limiter = new RateLimiter(metadata, clock, 'signup:email', { limit: 2, windowMs: 60_000 });
    await limiter.take('a@example.com', 'e-mail address');
    await limiter.take('a@example.com', 'e-mail address');
    clock.advance(15_000);
    const e = await refusal(() => limiter.take('a@example.com', 'e-mail address'));
    expect(e.code).toBe(ErrorCode.LIMIT_EXCEEDED);
    expect(e.reason).toBe('operations_rate_limit_exceeded');
    expect(e.retryAfterSeconds).toBe(45);
    // The message names what was limited, never the key itself.
    expect(e.message).toBe('too many requests from this e-mail address; try again in 45 s');
  });

  it('a new window starts once the old one has passed', async () => {
    const limiter = new RateLimiter(metadata, clock, 't', { limit: 1, windowMs: 1000 });
    await limiter.take('k', 'client');
    await expect(limiter.take('k', 'client')).rejects.toThrow(CacheError);
    clock.advance(999);
    await expect(limiter.take('k', 'client')).rejects.toThrow(CacheError);
    clock.advance(1);
    await limiter.take('k', 'client');
  });

  it('keys, and limiters of different names, are counted separately', async () => {
    const limiter = new RateLimiter(metadata, clock, 'one', { limit: 1, windowMs: 1000 });
    const other = new RateLimiter(metadata, clock, 'two', { limit: 1, windowMs: 1000 });
    await limiter.take('a', 'client');
    await limiter.take('b', 'client');
    await other.take('a', 'client');
    await expect(limiter.take('a', 'client')).rejects.toThrow(CacheError);
  });

  it('the retry hint is at least one second', async () => {
    const limiter = new RateLimiter(metadata, clock, 't', { limit: 1, windowMs: 1000 });
    await limiter.take('k', 'client');
    clock.advance(999);
    expect((await refusal(() => limiter.take('k', 'client'))).retryAfterSeconds).toBe(1);
  });

  it('clientBucketOf counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(clientBucketOf('2001:db8:1:2:aaaa::1')).toBe(clientBucketOf('2001:db8:1:2:bbbb::9'));
    expect(clientBucketOf('2001:db8:1:3::1')).not.toBe(clientBucketOf('2001:db8:1:2::1'));
    expect(clientBucketOf('::ffff:192.0.2.7')).toBe(clientBucketOf('192.0.2.7'));
  });
});
