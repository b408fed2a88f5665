/**
 * @module errors
 * The one error type every Cachette package throws or returns at its edges, with a code from a single
 * table. Each transport maps this table exactly once (gRPC status + `err` trailer; HTTP status + JSON);
 * the HTTP statuses live here because the server sends them and the SDK reads them.
 */

/** Error codes, named after the Momento SDK error classes they become on the wire. */
export const ErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  UNIMPLEMENTED: 'UNIMPLEMENTED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A failure with a code from {@link ErrorCode}, a message a user can act on, and an optional machine
 * reason (Momento's `err` trailer values such as `item_size_limit_exceeded` or `store_not_found`).
 */
export class CacheError extends Error {
  override readonly name = 'CacheError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly reason?: string,
    /** For LIMIT_EXCEEDED: seconds after which a retry may succeed (HTTP `Retry-After`). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** True when `e` is a {@link CacheError}, optionally with the given code. */
export function isCacheError(e: unknown, code?: ErrorCode): e is CacheError {
  return e instanceof CacheError && (code === undefined || e.code === code);
}

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** `value` as an {@link ErrorCode} when it is one (e.g. the `code` of a JSON error body). */
export function asErrorCode(value: unknown): ErrorCode | undefined {
  return typeof value === 'string' && KNOWN_CODES.has(value) ? (value as ErrorCode) : undefined;
}

/**
 * HTTP status of each code on the HTTP API. Two codes share 409 (a conflict either way); an oversized
 * item is 413 whatever its code, which the server decides from the error's reason.
 */
export const HTTP_STATUS_OF_CODE: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.ALREADY_EXISTS]: 409,
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.FAILED_PRECONDITION]: 409,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.PERMISSION_DENIED]: 403,
  [ErrorCode.LIMIT_EXCEEDED]: 429,
  [ErrorCode.UNIMPLEMENTED]: 501,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.INTERNAL]: 500,
};
