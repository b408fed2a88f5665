/**
 * @module service/limits
 * Service limits, Momento's published defaults unless configured otherwise.
 */

/** Limits the service enforces on every request. All sizes in bytes, all durations in ms. */
export interface ServiceLimits {
  /** Largest key + value a single item may take. Momento: 5 MB. */
  readonly maxItemSizeBytes: number;
  /** Longest TTL a write may ask for. Momento: 24 h. */
  readonly maxTtlMs: number;
  /** Caches one account may own. */
  readonly maxCachesPerAccount: number;
  /** Keys in one GetBatch/SetBatch/KeysExist call. */
  readonly maxBatchKeys: number;
}

export const MiB = 1024 * 1024;

/** Momento's defaults: 5 MB items, 24 h TTL; caches per account is ours (Momento's free tier allows 10+). */
export const defaultServiceLimits: ServiceLimits = {
  maxItemSizeBytes: 5 * MiB,
  maxTtlMs: 24 * 60 * 60 * 1000,
  maxCachesPerAccount: 100,
  maxBatchKeys: 1000,
};

/** Per-cache limits reported by ListCaches, in Momento's units. */
export interface ReportedCacheLimits {
  readonly maxTrafficRate: number;
  readonly maxThroughputKbps: number;
  readonly maxItemSizeKb: number;
  readonly maxTtlSeconds: number;
}

/**
 * What ListCaches reports for every cache. Rate and throughput are Momento's defaults; they are reported,
 * not yet enforced (per-account plans and token buckets land with metering).
 */
export function reportedCacheLimits(limits: ServiceLimits): ReportedCacheLimits {
  return {
    maxTrafficRate: 100,
    maxThroughputKbps: 1024,
    maxItemSizeKb: Math.floor(limits.maxItemSizeBytes / 1024),
    maxTtlSeconds: Math.floor(limits.maxTtlMs / 1000),
  };
}
