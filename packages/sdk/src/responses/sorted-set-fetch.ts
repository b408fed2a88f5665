/**
 * @module responses/sorted-set-fetch
 * `sortedSetFetchByRank` and `sortedSetFetchByScore` answer `Hit` with members and scores in the order
 * asked, `Miss` when the sorted set does not exist, or `Error`.
 */
import { utf8 } from '../bytes.ts';
import { ErrorResponse } from './common.ts';

/** A sorted-set member with its score. */
export interface SortedSetElement<V = string> {
  readonly value: V;
  readonly score: number;
}

/** The sorted set exists; the members in the range asked, in the order asked. */
export class Hit {
  readonly type = 'Hit' as const;
  private readonly elements: ReadonlyArray<SortedSetElement<Uint8Array>>;

  constructor(elements: ReadonlyArray<SortedSetElement<Uint8Array>>) {
    this.elements = elements;
  }

  /** Members as UTF-8 text with their scores. */
  valueArray(): Array<SortedSetElement> {
    return this.elements.map((e) => ({ value: utf8(e.value), score: e.score }));
  }

  /** Members as bytes (not copies: do not mutate) with their scores. */
  valueArrayBytes(): ReadonlyArray<SortedSetElement<Uint8Array>> {
    return this.elements;
  }
}

/** No such sorted set. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What a sorted-set fetch resolves to. */
export type Response = Hit | Miss | ErrorResponse;
