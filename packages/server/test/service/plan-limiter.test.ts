/**
 * PlanLimiter on its own, with an in-memory SQLite store and a manual clock: token buckets refill with
 * time, never with sleeps.
 */
import { ErrorCode, ManualClock } from '@cachette/core';
import { type CacheRecord, type MetadataStore, openSqliteMetadata, type Plan } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultServiceLimits } from '../../src/service/limits.ts';
import { PlanLimiter } from '../../src/service/plan-limiter.ts';
import type { Principal } from '../../src/service/principal.ts';

const SMALL: Plan = {
  name: 'small',
  maxRequestsPerSecond: 2,
  maxThroughputBytesPerSecond: 1000,
  maxItemSizeBytes: 500,
  maxTtlMs: 60_000,
  maxCaches: 3,
};

describe('PlanLimiter', () => {
  let clock: ManualClock;
  let metadata: MetadataStore;
  let limiter: PlanLimiter;
  let principal: Principal;
  let cache: CacheRecord;

  beforeEach(async () => {
    clock = new ManualClock();
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
    await metadata.putPlan(SMALL);
    const account = await metadata.createAccount({ provider: 'aws', region: 'us-west-2', plan: 'small' });
    principal = {
      accountId: account.id,
      keyId: 'k',
      scope: { kind: 'all' },
      access: 'readWrite',
      canManage: true,
      expiresAtMs: null,
    };
    cache = await metadata.createCache(account.id, 'c');
    limiter = new PlanLimiter({ metadata, clock, limits: defaultServiceLimits });
  });
  afterEach(() => metadata.close());

  // admit() throws synchronously once the plan is cached: a promise either way keeps the assertions uniform.
  async function admit(p: Principal, c: CacheRecord, bytesIn: number, largest: number, longest: number) {
    await limiter.admit(p, c, bytesIn, largest, longest);
  }

  it('admit() allows the plan’s requests per second, then LIMIT_EXCEEDED with a retry hint; time refills the bucket', async () => {
    await admit(principal, cache, 1, 0, 0);
    await admit(principal, cache, 1, 0, 0);
    await expect(admit(principal, cache, 1, 0, 0)).rejects.toMatchObject({
      code: ErrorCode.LIMIT_EXCEEDED,
      reason: 'operations_rate_limit_exceeded',
      retryAfterSeconds: 1,
    });
    clock.advance(500); // half a second refills one request at 2/s
    await admit(principal, cache, 1, 0, 0);
    await expect(admit(principal, cache, 1, 0, 0)).rejects.toMatchObject({ code: ErrorCode.LIMIT_EXCEEDED });
  });

  it('a large request passes while the byte bucket is not in debt, then calls wait until the debt is refilled', async () => {
    await admit(principal, cache, 5000, 0, 0); // 1000 - 5000 = 4000 bytes of debt
    clock.advance(1000); // requests refill; bytes back to -3000
    await expect(admit(principal, cache, 1, 0, 0)).rejects.toMatchObject({
      code: ErrorCode.LIMIT_EXCEEDED,
      reason: 'throughput_rate_limit_exceeded',
      retryAfterSeconds: 4,
    });
    clock.advance(3001);
    await admit(principal, cache, 1, 0, 0);
  });

  it('charge() counts response bytes against the same bucket', async () => {
    await admit(principal, cache, 10, 0, 0);
    limiter.charge(cache, 990); // the bucket is now empty
    await expect(admit(principal, cache, 1, 0, 0)).rejects.toMatchObject({
      reason: 'throughput_rate_limit_exceeded',
    });
  });

  it('buckets are per cache', async () => {
    const other = await metadata.createCache(principal.accountId, 'd');
    await admit(principal, cache, 1, 0, 0);
    await admit(principal, cache, 1, 0, 0);
    await admit(principal, other, 1, 0, 0);
  });

  it('an item or TTL beyond the plan is refused before any bucket is touched', async () => {
    await expect(admit(principal, cache, 600, 600, 1000)).rejects.toMatchObject({
      code: ErrorCode.LIMIT_EXCEEDED,
      reason: 'item_size_limit_exceeded',
    });
    await expect(admit(principal, cache, 1, 1, 60_001)).rejects.toMatchObject({
      code: ErrorCode.INVALID_ARGUMENT,
    });
    // Both refusals left the two requests of this second untouched.
    await admit(principal, cache, 1, 0, 0);
    await admit(principal, cache, 1, 0, 0);
  });

  it('maxCaches() and reportedLimits() are the plan narrowed by the server limits; unlimited is reported as uint32 max', async () => {
    expect(await limiter.maxCaches(principal.accountId)).toBe(3);
    expect(await limiter.reportedLimits(principal.accountId)).toEqual({
      maxTrafficRate: 2,
      maxThroughputKbps: 0,
      maxItemSizeKb: 0,
      maxTtlSeconds: 60,
    });
    await metadata.setAccountPlan(principal.accountId, 'unlimited');
    limiter.forgetPlans();
    expect(await limiter.maxCaches(principal.accountId)).toBe(defaultServiceLimits.maxCachesPerAccount);
    expect((await limiter.reportedLimits(principal.accountId)).maxTrafficRate).toBe(4_294_967_295);
  });

  it('the plan is reused for planCacheMs: a change is seen after that window, or at once after forgetPlans()', async () => {
    expect(await limiter.maxCaches(principal.accountId)).toBe(3);
    await metadata.setAccountPlan(principal.accountId, 'unlimited');
    expect(await limiter.maxCaches(principal.accountId)).toBe(3);
    clock.advance(10_000);
    expect(await limiter.maxCaches(principal.accountId)).toBe(100);
    await metadata.setAccountPlan(principal.accountId, 'small');
    limiter.forgetPlans();
    expect(await limiter.maxCaches(principal.accountId)).toBe(3);
  });

  it('an account that no longer exists is UNAUTHENTICATED', async () => {
    const ghost = { ...principal, accountId: 'no-such-account' };
    await expect(admit(ghost, cache, 1, 0, 0)).rejects.toMatchObject({ code: ErrorCode.UNAUTHENTICATED });
  });
});
