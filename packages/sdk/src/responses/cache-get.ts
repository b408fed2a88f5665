/**
 * @module responses/cache-get
 * `get` answers `Hit | Miss | Error`: a miss is a value, not an exception.
 */
import { utf8 } from '../bytes.ts';
import { ErrorResponse } from './common.ts';

/** The item exists; read its value as bytes, text or JSON. */
export class Hit {
  readonly type = 'Hit' as const;
  private readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  /** The value's raw bytes (not a copy: do not mutate). */
  valueBytes(): Uint8Array {
    return this.bytes;
  }

  /** The value decoded as UTF-8 (invalid sequences become U+FFFD). */
  valueString(): string {
    return utf8(this.bytes);
  }

  /** The value parsed as JSON; throws `SyntaxError` when it is not JSON. The type `T` is not checked. */
  valueJson<T = unknown>(): T {
    return JSON.parse(utf8(this.bytes)) as T;
  }

  toString(): string {
    return `Hit: ${this.bytes.byteLength} bytes`;
  }
}

/** No such item (never set, expired, evicted or deleted). */
export class Miss {
  readonly type = 'Miss' as const;
}

export { ErrorResponse as Error };

/** What `get` resolves to. */
export type Response = Hit | Miss | ErrorResponse;
