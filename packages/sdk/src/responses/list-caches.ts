/**
 * @module responses/list-caches
 * `listCaches` answers `Success` with the caches the key may see, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** Limits the server reports for a cache (Momento's ListCaches fields). */
export interface CacheLimits {
  readonly maxTrafficRate: number;
  readonly maxThroughputKbps: number;
  readonly maxItemSizeKb: number;
  readonly maxTtlSeconds: number;
}

/** One cache. */
export interface CacheInfo {
  readonly name: string;
  readonly limits: CacheLimits;
}

/** The caches, in the server's order. */
export class Success {
  readonly type = 'Success' as const;
  readonly caches: readonly CacheInfo[];

  constructor(caches: readonly CacheInfo[]) {
    this.caches = caches;
  }

  /** Just the names. */
  names(): string[] {
    return this.caches.map((c) => c.name);
  }
}

export { ErrorResponse as Error };

/** What `listCaches` resolves to. */
export type Response = Success | ErrorResponse;
