/**
 * @module transports/http/request-auth
 * The token of an HTTP request, as Momento's HTTP API takes it: the `Authorization` header (bare or
 * `Bearer …`) or the `token` query parameter.
 */
import type { FastifyRequest } from 'fastify';

/** The caller's token, or `undefined`. */
export function tokenOfRequest(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header !== '') {
    return header.startsWith('Bearer ') ? header.slice(7).trim() : header.trim();
  }
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}
