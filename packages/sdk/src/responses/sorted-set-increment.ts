/**
 * @module responses/sorted-set-increment
 * `sortedSetIncrementScore` answers `Success` with the member's new score, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The member now has {@link Success.score}. */
export class Success {
  readonly type = 'Success' as const;
  readonly score: number;

  constructor(score: number) {
    this.score = score;
  }
}

export { ErrorResponse as Error };

/** What `sortedSetIncrementScore` resolves to. */
export type Response = Success | ErrorResponse;
