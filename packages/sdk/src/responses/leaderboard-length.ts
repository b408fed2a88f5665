/**
 * @module responses/leaderboard-length
 * `Leaderboard.length` answers `Success` with the number of elements (0 when the leaderboard does not
 * exist), or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The number of elements. */
export class Success {
  readonly type = 'Success' as const;
  readonly count: number;

  constructor(count: number) {
    this.count = count;
  }

  /** The number of elements (Momento's SDK spelling). */
  length(): number {
    return this.count;
  }
}

export { ErrorResponse as Error };

/** What `length` resolves to. */
export type Response = Success | ErrorResponse;
