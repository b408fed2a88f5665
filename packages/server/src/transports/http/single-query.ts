/**
 * @module transports/http/single-query
 * Refuses a request that repeats a query parameter. Fastify's parser turns `?key=a&key=b` into an array,
 * which routes would otherwise read as one value: keys built from arrays alias unrelated items, a repeated
 * `token` read as "no token" would fall back to anonymous access, and other parameters crashed with 500.
 * No route takes a list through the query string, so a repeat is always a client mistake (or an attack).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyRequest } from 'fastify';

/** `onRequest` hook: INVALID_ARGUMENT (400) naming the first repeated query parameter. */
export async function refuseRepeatedQueryParameters(request: FastifyRequest): Promise<void> {
  const query = request.query as Record<string, unknown> | undefined;
  if (query === undefined || query === null) return;
  for (const name in query) {
    if (Array.isArray(query[name])) {
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        `query parameter '${name}' is given more than once; give it once`,
      );
    }
  }
}
