/**
 * @module transports/grpc/status
 * The one mapping from {@link ErrorCode} to gRPC status codes, with Momento's `err` trailer where the SDK
 * reads it (RESOURCE_EXHAUSTED → LimitExceededError cause).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { internalError, nextRequestId } from '../../service/unexpected-error.ts';

const STATUS: Record<ErrorCode, status> = {
  [ErrorCode.NOT_FOUND]: status.NOT_FOUND,
  [ErrorCode.ALREADY_EXISTS]: status.ALREADY_EXISTS,
  [ErrorCode.INVALID_ARGUMENT]: status.INVALID_ARGUMENT,
  [ErrorCode.FAILED_PRECONDITION]: status.FAILED_PRECONDITION,
  [ErrorCode.UNAUTHENTICATED]: status.UNAUTHENTICATED,
  [ErrorCode.PERMISSION_DENIED]: status.PERMISSION_DENIED,
  [ErrorCode.LIMIT_EXCEEDED]: status.RESOURCE_EXHAUSTED,
  [ErrorCode.UNIMPLEMENTED]: status.UNIMPLEMENTED,
  [ErrorCode.UNAVAILABLE]: status.UNAVAILABLE,
  [ErrorCode.INTERNAL]: status.INTERNAL,
};

// A lone UTF-16 surrogate (a cache name decoded from invalid UTF-8 and quoted in a message) makes grpc-js's
// encodeURI of grpc-message throw inside its own callback, which crashed the process: replace them.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with every lone surrogate replaced by U+FFFD, so it can be percent-encoded. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Reports an unexpected (non-CacheError) failure, e.g. to the logger with its stack; `requestId` is the
 * id the client was given.
 */
export type UnexpectedErrorSink = (error: unknown, requestId: string) => void;

/**
 * A grpc-js error for `error`. Anything that is not a {@link CacheError} is a bug: the client gets INTERNAL
 * with a generic message and a request id; the error itself goes to `onUnexpected` under that id.
 */
export function toGrpcError(error: unknown, onUnexpected?: UnexpectedErrorSink): Partial<ServiceError> {
  if (!(error instanceof CacheError)) {
    // gRPC calls carry no id of their own: one is made only when needed, so successful calls pay nothing.
    const requestId = nextRequestId();
    onUnexpected?.(error, requestId);
    return { code: status.INTERNAL, details: internalError(requestId).message };
  }
  const result: Partial<ServiceError> = { code: STATUS[error.code], details: wellFormed(error.message) };
  // The SDK only reads `err` to pick a LimitExceededError cause; on NOT_FOUND/ALREADY_EXISTS some values would
  // turn a cache error into a "store" error, so the trailer is sent only where it means what the SDK expects.
  if (error.reason !== undefined && error.code === ErrorCode.LIMIT_EXCEEDED) {
    const metadata = new Metadata();
    metadata.set('err', error.reason);
    result.metadata = metadata;
  }
  return result;
}
