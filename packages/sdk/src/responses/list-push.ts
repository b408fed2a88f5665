/**
 * @module responses/list-push
 * `listPushFront/Back` and `listConcatenateFront/Back` answer `Success` with the list's new length, or
 * `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The values were added; the list now holds {@link Success.listLength} elements (after any truncation). */
export class Success {
  readonly type = 'Success' as const;
  readonly listLength: number;

  constructor(listLength: number) {
    this.listLength = listLength;
  }
}

export { ErrorResponse as Error };

/** What a list push resolves to. */
export type Response = Success | ErrorResponse;
