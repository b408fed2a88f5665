/**
 * @module responses/set-fetch
 * `setFetch`, `setSample` and `setPop` answer `Hit` with elements, `Miss` when the set does not exist, or
 * `Error`.
 */
import { utf8 } from '../bytes.ts';
import { ErrorResponse } from './common.ts';

/** The set exists; the elements (all of them for `setFetch`, the sample or the popped ones otherwise). */
export class Hit {
  readonly type = 'Hit' as const;
  private readonly elements: readonly Uint8Array[];

  constructor(elements: readonly Uint8Array[]) {
    this.elements = elements;
  }

  /** The elements as UTF-8 text. */
  valueSet(): Set<string> {
    return new Set(this.elements.map(utf8));
  }

  /** The elements as UTF-8 text, in the (unspecified) order the server sent them. */
  valueArray(): string[] {
    return this.elements.map(utf8);
  }

  /** The elements' bytes (not copies: do not mutate). */
  valueArrayBytes(): readonly Uint8Array[] {
    return this.elements;
  }
}

/** No such set. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `setFetch`, `setSample` and `setPop` resolve to. */
export type Response = Hit | Miss | ErrorResponse;
