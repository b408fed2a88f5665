/**
 * @module service/plan-limiter
 * Per-account plans, enforced per cache with token buckets: requests per second and bytes per second
 * (in + out), plus the plan's item size, TTL and cache count. A request over a limit is refused before
 * anything is applied, with Momento's `err` cause and the seconds until a retry can succeed.
 *
 * Single process (the default): token buckets in memory, no I/O on the hot path. With a shared counter
 * (`--engine valkey`, several gateways): per-second budgets in the cluster, leased a slice at a time (see
 * shared-budget.ts), so N gateways together stay within the plan. Throughput is admitted while the bucket is not in debt and then charged in full, so one
 * 5 MB item passes a 1 MB/s plan and the following calls wait for the debt to refill.
 */
import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import type { CacheRecord, MetadataStore, Plan } from '@cachette/metadata';
import type { RequestLimiter } from './cache-service.ts';
import type { ReportedCacheLimits, ServiceLimits } from './limits.ts';
import type { Principal } from './principal.ts';
import type { SharedCounter } from './shared-budget.ts';
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
  /** Budgets shared by every gateway (Valkey deployments); unset = per-process token buckets. */
  readonly shared?: SharedCounter | undefined;
  /** Share of a plan rate one lease takes from the shared budget. Default 0.1. */
  readonly leaseFraction?: number;
}

/** What this gateway may still spend of a cache's shared budget in one window. */
type Lease = { windowStartMs: number; requests: number; bytes: number };
const WINDOW_MS = 1000;

/** The {@link RequestLimiter} backed by plans in the metadata store. */
export class PlanLimiter implements RequestLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly leases = new Map<string, Lease>();
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
    return this.admitWith(plan, cache, bytesIn, largestItemBytes, longestTtlMs);
  }

  private admitWith(
    plan: Plan,
    cache: CacheRecord,
    bytesIn: number,
    largestItemBytes: number,
    longestTtlMs: number,
  ): void | Promise<void> {
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
    if (this.options.shared) return this.admitShared(this.options.shared, plan, cache, bytesIn, rps, bps);
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
    const lease = this.leases.get(cache.id);
    if (lease !== undefined) lease.bytes -= bytesOut;
  }

  /**
   * Admission against the shared budget: spends this gateway's lease, and leases more from the cluster
   * (one round trip) only when the lease is spent. Throughput debt (one item larger than the lease) stays on
   * this gateway's lease until later grants pay it off.
   */
  private admitShared(
    shared: SharedCounter,
    plan: Plan,
    cache: CacheRecord,
    bytesIn: number,
    rps: number | null,
    bps: number | null,
  ): void | Promise<void> {
    const now = this.options.clock.nowMs();
    const windowStartMs = now - (now % WINDOW_MS);
    let lease = this.leases.get(cache.id);
    if (lease === undefined || lease.windowStartMs !== windowStartMs) {
      if (lease === undefined && this.leases.size >= MAX_BUCKETS) this.leases.clear();
      // Unspent grants of an old window are gone; a byte debt is carried over.
      lease = { windowStartMs, requests: 0, bytes: Math.min(0, lease?.bytes ?? 0) };
      this.leases.set(cache.id, lease);
    }
    const needRequests = rps !== null && lease.requests < 1;
    const needBytes = bps !== null && lease.bytes <= 0;
    if (!needRequests && !needBytes) {
      lease.requests -= 1;
      lease.bytes -= bytesIn;
      return;
    }
    const l = lease;
    const fraction = this.options.leaseFraction ?? 0.1;
    const grant = async (resource: string, limit: number): Promise<number> => {
      const slice = Math.max(1, Math.ceil(limit * fraction));
      const total = await shared.add(`${resource}:${cache.id}:${windowStartMs}`, slice);
      return Math.max(0, Math.min(slice, limit - (total - slice)));
    };
    return (async () => {
      if (needRequests && rps !== null) l.requests += await grant('req', rps);
      if (needBytes && bps !== null) l.bytes += await grant('bytes', bps);
      const retryAfterS = Math.max(1, Math.ceil((windowStartMs + WINDOW_MS - this.options.clock.nowMs()) / 1000));
      if (rps !== null && l.requests < 1) {
        throw new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `cache '${cache.name}' is over its ${plan.name} plan's limit of ${rps} requests per second`,
          'operations_rate_limit_exceeded',
          retryAfterS,
        );
      }
      if (bps !== null && l.bytes <= 0) {
        throw new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `cache '${cache.name}' is over its ${plan.name} plan's throughput limit of ${bps} bytes per second`,
          'throughput_rate_limit_exceeded',
          retryAfterS,
        );
      }
      l.requests -= 1;
      l.bytes -= bytesIn;
    })();
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
