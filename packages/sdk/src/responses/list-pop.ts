/**
 * @module responses/list-pop
 * `listPopFront/Back` answer `Hit` with the removed element, `Miss` when the list does not exist, or
 * `Error`.
 */

import { Hit as ValueHit } from './cache-get.ts';
import { ErrorResponse } from './common.ts';

/** An element was removed; read it with `valueString()`, `valueBytes()` or `valueJson()`. */
export class Hit extends ValueHit {
  /** Elements left in the list (0 means the list is gone). */
  readonly listLength: number;

  constructor(bytes: Uint8Array, listLength: number) {
    super(bytes);
    this.listLength = listLength;
  }
}

/** No such list. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What a list pop resolves to. */
export type Response = Hit | Miss | ErrorResponse;
