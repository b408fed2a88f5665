/**
 * @module responses/sorted-set-get-score
 * `sortedSetGetScore` answers `Hit` with the member's score, `Miss` when the sorted set or the member does
 * not exist, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The value is a member with {@link Hit.score}. */
export class Hit {
  readonly type = 'Hit' as const;
  private readonly value: number;

  constructor(score: number) {
    this.value = score;
  }

  /** The member's score. */
  score(): number {
    return this.value;
  }
}

/** No such sorted set, or the value is not a member. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `sortedSetGetScore` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
