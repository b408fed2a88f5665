/**
 * @module responses/set-contains
 * `setContainsElements` (and `setContainsElement`) answer `Hit` with one boolean per element asked, `Miss`
 * when the set does not exist, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The set exists; {@link Hit.contains} says, per element asked and in order, whether it is a member. */
export class Hit {
  readonly type = 'Hit' as const;
  readonly contains: readonly boolean[];

  constructor(contains: readonly boolean[]) {
    this.contains = contains;
  }

  /** Whether the first (for `setContainsElement`: the only) element asked is a member. */
  containsElement(): boolean {
    return this.contains[0] === true;
  }
}

/** No such set. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What a set membership test resolves to. */
export type Response = Hit | Miss | ErrorResponse;
