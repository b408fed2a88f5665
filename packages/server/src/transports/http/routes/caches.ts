/**
 * @module transports/http/routes/caches
 * The JSON REST surface for caches: `GET /v1/caches`, `PUT /v1/caches/:name` (create),
 * `DELETE /v1/caches/:name`, `POST /v1/caches/:name/flush`.
 */
import type { FastifyInstance } from 'fastify';
import type { CacheService } from '../../../service/cache-service.ts';
import type { Authenticator } from '../../../service/principal.ts';
import { tokenOfRequest } from '../request-auth.ts';

export function registerCaches(app: FastifyInstance, service: CacheService, auth: Authenticator): void {
  app.get('/v1/caches', async (request) => {
    const principal = await auth.authenticate(tokenOfRequest(request));
    return { caches: await service.listCaches(principal) };
  });

  app.put<{ Params: { name: string } }>('/v1/caches/:name', async (request, reply) => {
    const principal = await auth.authenticate(tokenOfRequest(request));
    await service.createCache(principal, request.params.name);
    return reply.status(201).send({ name: request.params.name });
  });

  app.delete<{ Params: { name: string } }>('/v1/caches/:name', async (request, reply) => {
    const principal = await auth.authenticate(tokenOfRequest(request));
    await service.deleteCache(principal, request.params.name);
    return reply.status(204).send();
  });

  app.post<{ Params: { name: string } }>('/v1/caches/:name/flush', async (request, reply) => {
    const principal = await auth.authenticate(tokenOfRequest(request));
    await service.flushCache(principal, request.params.name);
    return reply.status(204).send();
  });
}
