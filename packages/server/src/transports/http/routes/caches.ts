/**
 * @module transports/http/routes/caches
 * The JSON REST surface for caches: `GET /v1/caches`, `PUT /v1/caches/:name` (create),
 * `DELETE /v1/caches/:name`, `POST /v1/caches/:name/flush`.
 */
import type { FastifyInstance } from 'fastify';
import type { CacheService } from '../../../service/cache-service.ts';

export function registerCaches(app: FastifyInstance, service: CacheService): void {
  app.get('/v1/caches', async (request) => {
    return { caches: await service.listCaches(request.principal) };
  });

  app.put<{ Params: { name: string } }>('/v1/caches/:name', async (request, reply) => {
    await service.createCache(request.principal, request.params.name);
    return reply.status(201).send({ name: request.params.name });
  });

  app.delete<{ Params: { name: string } }>('/v1/caches/:name', async (request, reply) => {
    await service.deleteCache(request.principal, request.params.name);
    return reply.status(204).send();
  });

  app.post<{ Params: { name: string } }>('/v1/caches/:name/flush', async (request, reply) => {
    await service.flushCache(request.principal, request.params.name);
    return reply.status(204).send();
  });
}
