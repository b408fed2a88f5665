/**
 * @module responses/dictionary-get-fields
 * `dictionaryGetFields` answers `Hit` with one `Hit | Miss` per field asked (a field the dictionary lacks
 * is a `Miss`), `Miss` when the dictionary does not exist, or `Error`.
 */
import * as CacheGet from './cache-get.ts';
import { ErrorResponse } from './common.ts';

/** The dictionary exists; {@link Hit.results} answers each field asked, in order. */
export class Hit {
  readonly type = 'Hit' as const;
  /** One result per requested field, in request order. */
  readonly results: ReadonlyArray<CacheGet.Hit | CacheGet.Miss>;
  private readonly fields: readonly string[];

  constructor(fields: readonly string[], results: ReadonlyArray<CacheGet.Hit | CacheGet.Miss>) {
    this.fields = fields;
    this.results = results;
  }

  /** The fields found, as UTF-8 text, in a plain object (absent fields are left out). */
  valueRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    this.results.forEach((r, i) => {
      if (r instanceof CacheGet.Hit) out[this.fields[i] as string] = r.valueString();
    });
    return out;
  }

  /** Each value as UTF-8 text, `undefined` for an absent field, in request order. */
  valuesString(): Array<string | undefined> {
    return this.results.map((r) => (r instanceof CacheGet.Hit ? r.valueString() : undefined));
  }
}

/** No such dictionary. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `dictionaryGetFields` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
