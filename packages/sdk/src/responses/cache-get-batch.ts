/**
 * @module responses/cache-get-batch
 * `getBatch` answers `Success` with one `Hit | Miss` per key, in the order asked, or `Error`.
 */
import { Hit, type Miss } from './cache-get.ts';
import { ErrorResponse } from './common.ts';

/** Every key was looked up. */
export class Success {
  readonly type = 'Success' as const;
  /** One result per requested key, in request order. */
  readonly results: ReadonlyArray<Hit | Miss>;

  constructor(results: ReadonlyArray<Hit | Miss>) {
    this.results = results;
  }

  /** Each value as UTF-8 text, `undefined` for a miss, in request order. */
  valuesString(): Array<string | undefined> {
    return this.results.map((r) => (r instanceof Hit ? r.valueString() : undefined));
  }
}

export { ErrorResponse as Error };

/** What `getBatch` resolves to. */
export type Response = Success | ErrorResponse;
