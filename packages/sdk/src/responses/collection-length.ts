/**
 * @module responses/collection-length
 * `dictionaryLength`, `listLength`, `setLength`, `sortedSetLength` and `sortedSetLengthByScore` answer
 * `Hit` with a count, `Miss` when the collection does not exist, or `Error`.
 */
import { ErrorResponse } from './common.ts';

/** The collection exists and holds {@link Hit.length} fields, elements or members (in range). */
export class Hit {
  readonly type = 'Hit' as const;
  readonly length: number;

  constructor(length: number) {
    this.length = length;
  }
}

/** No such collection (never written, emptied, expired, evicted or deleted). */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What a length call resolves to. */
export type Response = Hit | Miss | ErrorResponse;
