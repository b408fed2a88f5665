/**
 * @module transports/http/errors
 * The one mapping from {@link ErrorCode} to HTTP status codes, and the JSON error body
 * `{ "error": { "code", "message" } }` every route answers with.
 */
import { type CacheError, ErrorCode } from '@cachette/engine';
import type { FastifyReply } from 'fastify';

const HTTP_STATUS: Record<ErrorCode, number> = {
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

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly reason?: string };
}

/** HTTP status for `error`: 413 for an oversized item, else the table above. */
export function httpStatusOf(error: CacheError): number {
  if (error.reason === 'item_size_limit_exceeded' || error.reason === 'request_size_limit_exceeded') return 413;
  return HTTP_STATUS[error.code];
}

/** Sends `error` as the JSON error body, with `Retry-After` when the error says when to retry. */
export function sendError(reply: FastifyReply, error: CacheError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  if (error.code === ErrorCode.UNAUTHENTICATED) reply.header('www-authenticate', 'Bearer realm="cachette"');
  const body: ErrorBody = {
    error:
      error.reason === undefined
        ? { code: error.code, message: error.message }
        : { code: error.code, message: error.message, reason: error.reason },
  };
  return reply.status(httpStatusOf(error)).type('application/json').send(body);
}
