/**
 * @module transports/http/routes/items
 * Momento's HTTP API for items, for edge runtimes and browsers that cannot speak gRPC:
 * `GET|PUT|DELETE /cache/{cache}?key=K` (or `key_base64=`), `PUT` with `ttl_seconds=N` and the raw value
 * as the body. Same service, permissions and errors as gRPC.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CacheService } from '../../../service/cache-service.ts';
import { sendError } from '../errors.ts';

type ItemQuery = { key?: string; key_base64?: string; ttl_seconds?: string; token?: string };
type ItemRequest = FastifyRequest<{ Params: { cache: string }; Querystring: ItemQuery }>;

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** The key from `key` (UTF-8) or `key_base64` (standard or URL-safe base64); INVALID_ARGUMENT otherwise. */
function keyOf(query: ItemQuery): Uint8Array {
  if (query.key !== undefined && query.key_base64 !== undefined) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'give either key or key_base64, not both');
  }
  if (query.key !== undefined) return Buffer.from(query.key, 'utf8');
  if (query.key_base64 !== undefined) {
    // A '+' left unescaped in a URL arrives as a space; base64 never contains spaces, so map them back.
    const b64 = query.key_base64.replaceAll(' ', '+');
    if (!BASE64.test(b64)) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'key_base64 is not valid base64');
    return Buffer.from(b64, b64.includes('-') || b64.includes('_') ? 'base64url' : 'base64');
  }
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'missing query parameter key (or key_base64)');
}

function ttlMsOf(query: ItemQuery): number {
  const raw = query.ttl_seconds;
  if (raw === undefined) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'missing query parameter ttl_seconds');
  // Momento allows fractional seconds (e.g. 0.5); the service checks the range.
  const seconds = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `ttl_seconds must be a positive number, got '${raw}'`);
  }
  return Math.round(seconds * 1000);
}

/** Registers the item routes in their own context, where every body is read as raw bytes. */
export function registerItems(app: FastifyInstance, service: CacheService): void {
  app.register(async (scope) => {
    // A value is opaque bytes whatever its content type: no JSON or text parsing here.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.get('/cache/:cache', async (request: ItemRequest, reply) => {
      const value = await service.get(request.principal, request.params.cache, keyOf(request.query));
      if (value === undefined) {
        return sendError(reply, new CacheError(ErrorCode.NOT_FOUND, 'key not found', 'item_not_found'));
      }
      return reply
        .status(200)
        .type('application/octet-stream')
        .send(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    });

    scope.put('/cache/:cache', async (request: ItemRequest, reply) => {
      const body = request.body;
      const value = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
      await service.set(request.principal, request.params.cache, keyOf(request.query), value, ttlMsOf(request.query));
      return reply.status(204).send();
    });

    scope.delete('/cache/:cache', async (request: ItemRequest, reply) => {
      await service.delete(request.principal, request.params.cache, keyOf(request.query));
      return reply.status(204).send();
    });
  });
}
