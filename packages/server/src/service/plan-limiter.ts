/**
 * @module service/plan-limiter
 * Per-account plans, enforced per cache with token buckets: requests per second and bytes per second
 * (in + out), plus the plan's item size, TTL and cache count. A request over a limit is refused before
 * anything is applied, with Momento's `err` cause and the seconds until a retry can succeed.
 *
 * Buckets live in each server's memory: with N gateways behind a load balancer a cache can reach up to N×
 * its plan rate. Throughput is admitted while the bucket is not in debt and then charged in full, so one
 * 5 MB item passes a 1 MB/s plan and the following calls wait for the debt to refill.
 */
import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import type { CacheRecord, MetadataStore, Plan } from '@cachette/metadata';
import type { RequestLimiter } from './cache-service.ts';
import type { ReportedCacheLimits, ServiceLimits } from './limits.ts';
import type { Principal } from './principal.ts';
import { formatTtl } from './validation.ts';

type Bucket = { requests: number; bytes: number; lastMs: number };
type CachedPlan = { plan: Plan; expiresAtMs: number };

const MAX_BUCKETS = 100_000;
// ListCaches fields are uint32: "no limit" is reported as the largest value.
const UNLIMITED_REPORTED = 4_294_967_295;

export interface PlanLimiterOptions {
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  /** Server-wide limits; a plan can only narrow them. */
  readonly limits: ServiceLimits;
  /** How long an account's plan is reused before re-reading it. Default 10 000 ms. */
  readonly planCacheMs?: number;
}

/** The {@link RequestLimiter} backed by plans in the metadata store. */
export class PlanLimiter implements RequestLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly plans = new Map<string, CachedPlan>();
  private readonly planCacheMs: number;

  constructor(private readonly options: PlanLimiterOptions) {
    this.planCacheMs = options.planCacheMs ?? 10_000;
  }

  /** The account's plan; cached, so the hot path reads the metadata store at most every `planCacheMs`. */
  planFor(accountId: string): Plan | Promise<Plan> {
    const cached = this.plans.get(accountId);
    if (cached !== undefined && cached.expiresAtMs > this.options.clock.nowMs()) return cached.plan;
    return this.loadPlan(accountId);
  }

  /** Forgets cached plans (after an operator changed one through this process). */
  forgetPlans(): void {
    this.plans.clear();
  }

  private async loadPlan(accountId: string): Promise<Plan> {
    const account = await this.options.metadata.getAccount(accountId);
    if (account === undefined)
      throw new CacheError(ErrorCode.UNAUTHENTICATED, 'the account of this API key no longer exists');
    const plan = await this.options.metadata.getPlan(account.plan);
    if (plan === undefined) {
      throw new CacheError(ErrorCode.INTERNAL, `account plan '${account.plan}' is missing from the metadata store`);
    }
    if (this.plans.size >= MAX_BUCKETS) this.plans.clear();
    this.plans.set(accountId, { plan, expiresAtMs: this.options.clock.nowMs() + this.planCacheMs });
    return plan;
  }

  admit(
    principal: Principal,
    cache: CacheRecord,
    bytesIn: number,
    largestItemBytes: number,
    longestTtlMs: number,
  ): void | Promise<void> {
    const plan = this.planFor(principal.accountId);
    if (plan instanceof Promise) {
      return plan.then((p) => this.admitWith(p, cache, bytesIn, largestItemBytes, longestTtlMs));
    }
    this.admitWith(plan, cache, bytesIn, largestItemBytes, longestTtlMs);
  }

  private admitWith(
    plan: Plan,
    cache: CacheRecord,
    bytesIn: number,
    largestItemBytes: number,
    longestTtlMs: number,
  ): void {
    if (largestItemBytes > plan.maxItemSizeBytes) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `item size ${largestItemBytes} bytes exceeds the ${plan.name} plan's item size limit of ${plan.maxItemSizeBytes} bytes`,
        'item_size_limit_exceeded',
      );
    }
    if (longestTtlMs > plan.maxTtlMs) {
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        `ttl of ${formatTtl(longestTtlMs)} exceeds the ${plan.name} plan's maximum of ${formatTtl(plan.maxTtlMs)}`,
      );
    }
    const rps = plan.maxRequestsPerSecond;
    const bps = plan.maxThroughputBytesPerSecond;
    if (rps === null && bps === null) return;
    const bucket = this.refill(cache.id, rps, bps);
    if (rps !== null && bucket.requests < 1) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `cache '${cache.name}' is over its ${plan.name} plan's limit of ${rps} requests per second`,
        'operations_rate_limit_exceeded',
        Math.max(1, Math.ceil((1 - bucket.requests) / rps)),
      );
    }
    if (bps !== null && bucket.bytes <= 0) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `cache '${cache.name}' is over its ${plan.name} plan's throughput limit of ${bps} bytes per second`,
        'throughput_rate_limit_exceeded',
        Math.max(1, Math.ceil((1 - bucket.bytes) / bps)),
      );
    }
    bucket.requests -= 1;
    bucket.bytes -= bytesIn;
  }

  charge(cache: CacheRecord, bytesOut: number): void {
    const bucket = this.buckets.get(cache.id);
    if (bucket !== undefined) bucket.bytes -= bytesOut;
  }

  async reportedLimits(accountId: string): Promise<ReportedCacheLimits> {
    const plan = await this.planFor(accountId);
    const { limits } = this.options;
    return {
      maxTrafficRate: plan.maxRequestsPerSecond ?? UNLIMITED_REPORTED,
      maxThroughputKbps:
        plan.maxThroughputBytesPerSecond === null
          ? UNLIMITED_REPORTED
          : Math.floor(plan.maxThroughputBytesPerSecond / 1024),
      maxItemSizeKb: Math.floor(Math.min(plan.maxItemSizeBytes, limits.maxItemSizeBytes) / 1024),
      maxTtlSeconds: Math.floor(Math.min(plan.maxTtlMs, limits.maxTtlMs) / 1000),
    };
  }

  async maxCaches(accountId: string): Promise<number> {
    const plan = await this.planFor(accountId);
    return Math.min(plan.maxCaches ?? Number.POSITIVE_INFINITY, this.options.limits.maxCachesPerAccount);
  }

  /** Tops the cache's buckets up for the time elapsed; a new bucket starts full (one second of burst). */
  private refill(cacheId: string, rps: number | null, bps: number | null): Bucket {
    const now = this.options.clock.nowMs();
    let b = this.buckets.get(cacheId);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
      b = { requests: rps ?? 0, bytes: bps ?? 0, lastMs: now };
      this.buckets.set(cacheId, b);
      return b;
    }
    const elapsedS = Math.max(0, now - b.lastMs) / 1000;
    b.lastMs = now;
    if (rps !== null) b.requests = Math.min(rps, b.requests + elapsedS * rps);
    if (bps !== null) b.bytes = Math.min(bps, b.bytes + elapsedS * bps);
    return b;
  }
}
