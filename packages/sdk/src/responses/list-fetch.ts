/**
 * @module responses/list-fetch
 * `listFetch` answers `Hit` with the elements in the range asked, `Miss`, or `Error`.
 */
import { utf8 } from '../bytes.ts';
import { ErrorResponse } from './common.ts';

/** The list exists; its elements (in the range asked), front to back. */
export class Hit {
  readonly type = 'Hit' as const;
  private readonly values: readonly Uint8Array[];

  constructor(values: readonly Uint8Array[]) {
    this.values = values;
  }

  /** The elements as UTF-8 text. */
  valueList(): string[] {
    return this.values.map(utf8);
  }

  /** The elements' bytes (not copies: do not mutate). */
  valueListBytes(): readonly Uint8Array[] {
    return this.values;
  }
}

/** No such list. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `listFetch` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
