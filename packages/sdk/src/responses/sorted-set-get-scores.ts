/**
 * @module responses/sorted-set-get-scores
 * `sortedSetGetScores` answers `Hit` with one score (or `undefined` for a non-member) per value asked,
 * `Miss` when the sorted set does not exist, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The sorted set exists; {@link Hit.scores} answers each value asked, in order. */
export class Hit {
  readonly type = 'Hit' as const;
  /** The score of each value asked, `undefined` for a value that is not a member. */
  readonly scores: ReadonlyArray<number | undefined>;
  private readonly values: readonly string[];

  constructor(values: readonly string[], scores: ReadonlyArray<number | undefined>) {
    this.values = values;
    this.scores = scores;
  }

  /** The members found and their scores in a plain object (non-members are left out). */
  valueRecord(): Record<string, number> {
    const out: Record<string, number> = {};
    this.scores.forEach((score, i) => {
      if (score !== undefined) out[this.values[i] as string] = score;
    });
    return out;
  }
}

/** No such sorted set. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `sortedSetGetScores` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
