/**
 * @module responses/sorted-set-get-rank
 * `sortedSetGetRank` answers `Hit` with the member's 0-based rank, `Miss` when the sorted set or the
 * member does not exist, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The value is a member at {@link Hit.rank} (0 is the lowest score, or the highest when descending). */
export class Hit {
  readonly type = 'Hit' as const;
  readonly rank: number;

  constructor(rank: number) {
    this.rank = rank;
  }
}

/** No such sorted set, or the value is not a member. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `sortedSetGetRank` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
