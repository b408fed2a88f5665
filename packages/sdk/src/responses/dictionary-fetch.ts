/**
 * @module responses/dictionary-fetch
 * `dictionaryFetch` answers `Hit` with every field and value, `Miss`, or `Error`.
 */
import { utf8 } from '../bytes.ts';
import { ErrorResponse } from './common.ts';

/** The dictionary exists; read its fields as text or bytes. */
export class Hit {
  readonly type = 'Hit' as const;
  private readonly items: ReadonlyArray<readonly [Uint8Array, Uint8Array]>;

  constructor(items: ReadonlyArray<readonly [Uint8Array, Uint8Array]>) {
    this.items = items;
  }

  /** Fields and values as UTF-8 text in a plain object. */
  valueRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [f, v] of this.items) out[utf8(f)] = utf8(v);
    return out;
  }

  /** Fields and values as UTF-8 text in a `Map`. */
  valueMap(): Map<string, string> {
    return new Map(this.items.map(([f, v]) => [utf8(f), utf8(v)]));
  }

  /** `[field, value]` byte pairs (not copies: do not mutate), for binary fields or values. */
  valueItemsBytes(): ReadonlyArray<readonly [Uint8Array, Uint8Array]> {
    return this.items;
  }

  /** The number of fields. */
  length(): number {
    return this.items.length;
  }
}

/** No such dictionary. */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `dictionaryFetch` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
