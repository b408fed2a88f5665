/**
 * @module responses/sorted-set-union-store
 * `sortedSetUnionStore` answers `Success` with the number of members stored, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The union was stored; it has {@link Success.length} members (0: the destination was deleted). */
export class Success {
  readonly type = 'Success' as const;
  readonly length: number;

  constructor(length: number) {
    this.length = length;
  }
}

export { ErrorResponse as Error };

/** What `sortedSetUnionStore` resolves to. */
export type Response = Success | ErrorResponse;
