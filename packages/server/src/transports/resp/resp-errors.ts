/**
 * @module transports/resp/resp-errors
 * The one mapping from {@link CacheError} codes to Redis error lines. Redis clients branch on the first
 * word (`WRONGTYPE`, `NOAUTH`, `NOPERM`…), so the words are Redis's own where Redis has one; the rest of the
 * line is the service's message, which says what to do.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { internalError, nextRequestId } from '../../service/unexpected-error.ts';

/** Reports an unexpected (non-CacheError) failure with the request id the client was given. */
export type UnexpectedErrorSink = (error: unknown, requestId: string) => void;

export const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
export const NOT_AN_INTEGER = 'ERR value is not an integer or out of range';
export const NOT_A_FLOAT = 'ERR value is not a valid float';
export const SYNTAX = 'ERR syntax error';
export const NOAUTH = 'NOAUTH Authentication required.';
export const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

const PREFIX: Record<ErrorCode, string> = {
  [ErrorCode.NOT_FOUND]: 'ERR',
  [ErrorCode.ALREADY_EXISTS]: 'ERR',
  [ErrorCode.INVALID_ARGUMENT]: 'ERR',
  [ErrorCode.FAILED_PRECONDITION]: 'ERR',
  [ErrorCode.UNAUTHENTICATED]: 'NOAUTH',
  [ErrorCode.PERMISSION_DENIED]: 'NOPERM',
  [ErrorCode.LIMIT_EXCEEDED]: 'ERR',
  [ErrorCode.UNIMPLEMENTED]: 'ERR',
  [ErrorCode.UNAVAILABLE]: 'TRYAGAIN',
  [ErrorCode.INTERNAL]: 'ERR',
};

/**
 * The error line (without `-` and CRLF) for `error`. Engine conditions Redis has words for get Redis's
 * exact text; anything that is not a CacheError is a bug: logged under a request id the client is given.
 */
export function respErrorLine(error: unknown, onUnexpected: UnexpectedErrorSink): string {
  if (!(error instanceof CacheError)) {
    const requestId = nextRequestId();
    onUnexpected(error, requestId);
    return `ERR ${internalError(requestId).message}`;
  }
  if (error.code === ErrorCode.FAILED_PRECONDITION) {
    switch (error.reason) {
      case 'wrong_type':
        return WRONGTYPE;
      case 'not_an_integer':
        return 'ERR value is not an integer or out of range';
      case 'overflow':
        return 'ERR increment or decrement would overflow';
    }
  }
  return `${PREFIX[error.code]} ${error.message}`;
}
