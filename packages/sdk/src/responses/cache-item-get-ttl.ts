/**
 * @module responses/cache-item-get-ttl
 * `itemGetTtl` answers `Hit` with the remaining TTL, `Miss`, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The item exists and expires in {@link Hit.remainingTtlMs} ms. */
export class Hit {
  readonly type = 'Hit' as const;
  readonly remainingTtlMs: number;

  constructor(remainingTtlMs: number) {
    this.remainingTtlMs = remainingTtlMs;
  }
}

/** No such item. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `itemGetTtl` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
