/**
 * @module service/unexpected-error
 * What a client sees when the server fails unexpectedly (anything that is not a {@link CacheError}): INTERNAL
 * with a request id, never the error's own text, which may reveal internals. The transport that caught the
 * error logs it with its stack under the same id, so an operator can find it from a user's report.
 */
import { randomBytes } from 'node:crypto';
import { CacheError, ErrorCode } from '@cachette/core';

// A random prefix per process keeps ids unique across restarts and gateways; a counter keeps them cheap
// (HTTP assigns one to every request).
const PREFIX = randomBytes(4).toString('hex');
let counter = 0;

/** A new request id, e.g. `9f2c41d0-1a`: unique across processes, cheap enough for every request. */
export function nextRequestId(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `${PREFIX}-${counter.toString(36)}`;
}

/** The error a client gets for an unexpected failure of request `requestId`. */
export function internalError(requestId: string): CacheError {
  return new CacheError(ErrorCode.INTERNAL, `internal server error (request id ${requestId})`);
}
