/**
 * @module responses/common
 * Shapes shared by every response family: the error response and the plain success. Every response has a
 * `readonly type` discriminant, so callers branch with a `switch` and the compiler checks it is exhaustive.
 */
import type { CachetteError, ErrorCode } from '../errors.ts';

/** The call failed; nothing is thrown, the error is carried here. */
export class ErrorResponse {
  readonly type = 'Error' as const;
  readonly error: CachetteError;

  constructor(error: CachetteError) {
    this.error = error;
  }

  /** The Momento-style code, e.g. `NOT_FOUND` for an unknown cache. */
  errorCode(): ErrorCode {
    return this.error.code;
  }

  /** What went wrong, from the server (or the client, for `TIMEOUT` and network errors). */
  message(): string {
    return this.error.message;
  }

  toString(): string {
    return `Error: ${this.error.code}: ${this.error.message}`;
  }
}

/** The call did what it was asked. */
export class SuccessResponse {
  readonly type = 'Success' as const;
}
