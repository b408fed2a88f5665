/**
 * @module transports/http/errors
 * Sending a {@link CacheError} over HTTP: its status (the table `HTTP_STATUS_OF_CODE` in `@cachette/core`)
 * and the JSON error body `{ "error": { "code", "message" } }` every route answers with.
 */
import { type CacheError, ErrorCode, HTTP_STATUS_OF_CODE } from '@cachette/core';
import type { FastifyReply } from 'fastify';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly reason?: string };
}

/** HTTP status for `error`: 413 for an oversized item, else the code's status from the core table. */
export function httpStatusOf(error: CacheError): number {
  if (error.reason === 'item_size_limit_exceeded' || error.reason === 'request_size_limit_exceeded') return 413;
  return HTTP_STATUS_OF_CODE[error.code];
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
