/**
 * @module errors
 * The one error type of the SDK. Its `code` is the server's Momento-style code (the table in
 * `@cachette/core`, which every Cachette transport maps), plus `TIMEOUT` for a deadline the client itself
 * enforced. `UNAVAILABLE` also covers a server that could not be reached at all (refused, reset, DNS).
 */
import { asErrorCode as asServerCode, ErrorCode as ServerCode } from '@cachette/core';

/** Momento-style error codes. Server codes arrive in the JSON error body; `TIMEOUT` is client-side. */
export const ErrorCode = {
  ...ServerCode,
  /** No complete answer within `timeoutMs`: the request was aborted by the client. */
  TIMEOUT: 'TIMEOUT',
} as const;

/** One of {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Fallback code by HTTP status, for answers without a Cachette JSON error body (e.g. a proxy's 502). */
export function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.INVALID_ARGUMENT;
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.PERMISSION_DENIED;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.ALREADY_EXISTS;
    case 413:
    case 429:
      return ErrorCode.LIMIT_EXCEEDED;
    case 501:
      return ErrorCode.UNIMPLEMENTED;
    case 502:
    case 503:
    case 504:
      return ErrorCode.UNAVAILABLE;
    default:
      return ErrorCode.INTERNAL;
  }
}

/** `value` as an {@link ErrorCode} when it is one. */
export function asErrorCode(value: unknown): ErrorCode | undefined {
  return value === ErrorCode.TIMEOUT ? ErrorCode.TIMEOUT : asServerCode(value);
}

/** Details of a {@link CachetteError} beyond its code and message. */
export interface CachetteErrorDetails {
  /** Machine-readable detail from the server, e.g. `item_size_limit_exceeded`. */
  readonly reason?: string | undefined;
  /** HTTP status of the answer; absent when there was no answer (network error, timeout). */
  readonly httpStatus?: number | undefined;
  /** Seconds the server asked us to wait (`Retry-After`, sent with `LIMIT_EXCEEDED`). */
  readonly retryAfterSeconds?: number | undefined;
  /** The underlying exception (network error, abort) when there is one. */
  readonly cause?: unknown;
}

/** An error from Cachette or from talking to it. */
export class CachetteError extends Error {
  override readonly name = 'CachetteError';
  readonly code: ErrorCode;
  readonly reason: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, details: CachetteErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.reason = details.reason;
    this.httpStatus = details.httpStatus;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** `error` as a {@link CachetteError}; anything else becomes `INTERNAL` with its message. */
export function toCachetteError(error: unknown): CachetteError {
  if (error instanceof CachetteError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CachetteError(ErrorCode.INTERNAL, message, { cause: error });
}
