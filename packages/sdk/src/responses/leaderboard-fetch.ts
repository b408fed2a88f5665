/**
 * @module responses/leaderboard-fetch
 * A leaderboard fetch (by rank, by score) or rank lookup answers `Success` with its ranked elements (empty
 * for a leaderboard that does not exist, as on Momento), or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** One element of a leaderboard with its 0-based rank in the order asked for. */
export interface RankedElement {
  readonly id: number;
  readonly score: number;
  readonly rank: number;
}

/** The elements, in the order asked for. */
export class Success {
  readonly type = 'Success' as const;
  readonly elements: readonly RankedElement[];

  constructor(elements: readonly RankedElement[]) {
    this.elements = elements;
  }

  /** The elements as `{ id, score, rank }` objects (Momento's SDK spelling). */
  values(): RankedElement[] {
    return [...this.elements];
  }
}

export { ErrorResponse as Error };

/** What a leaderboard fetch or rank lookup resolves to. */
export type Response = Success | ErrorResponse;
