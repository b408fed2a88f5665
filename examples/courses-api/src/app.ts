/**
 * @module app
 * The seed's web API, in Fastify:
 *
 * - `GET /`        runs `SELECT * FROM free_courses` and returns the rows as JSON (every request hits PostgreSQL);
 * - `GET /cached`  returns the same JSON through `getOrSet` under the key `get_free_courses`, with the cache
 *                  client's default TTL: one query per TTL, not one per request;
 * - `POST /courses` inserts a course and deletes `get_free_courses`, so the next `/cached` reads it back.
 *
 * The cached value is the response body itself (JSON text as bytes), not the rows: a hit is sent as it
 * comes from Cachette, without parsing and re-serialising thousands of rows.
 */
import type { CacheClient, Serializer } from '@cachette/sdk';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { CoursesRepository, NewCourse } from './database.ts';

/** The key the seed's Flask app used. */
export const COURSES_CACHE_KEY = 'get_free_courses';

/** What {@link buildApp} wires together. */
export interface AppOptions {
  readonly repository: CoursesRepository;
  readonly cache: CacheClient;
  /** The Cachette cache holding `get_free_courses`. */
  readonly cacheName: string;
  /** Fastify's logger setting; default off. */
  readonly logger?: FastifyServerOptions['logger'];
}

// Bytes in, bytes out: the body is stored as-is and a hit is sent without a copy.
const bodyBytes: Serializer<Uint8Array> = { serialize: (body) => body, deserialize: (bytes) => bytes };

const newCourseSchema = {
  type: 'object',
  required: ['title', 'url', 'duration_minutes'],
  additionalProperties: false,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 300 },
    url: { type: 'string', minLength: 1, maxLength: 2000, pattern: '^https?://' },
    duration_minutes: { type: 'integer', minimum: 1, maximum: 100_000 },
    tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 50 }, maxItems: 20, default: [] },
  },
} as const;

/** The app, not yet listening. */
export function buildApp(options: AppOptions): FastifyInstance {
  const { repository, cache, cacheName } = options;
  const app = Fastify({ logger: options.logger ?? false });

  app.get('/', async () => repository.listCourses());

  app.get('/cached', async (_request, reply) => {
    let loaded = false;
    const body = await cache.getOrSet(
      cacheName,
      COURSES_CACHE_KEY,
      async () => {
        loaded = true;
        return new TextEncoder().encode(JSON.stringify(await repository.listCourses()));
      },
      { serializer: bodyBytes },
    );
    // MISS only for the request whose loader ran; requests that joined its flight or hit say HIT.
    reply.header('x-cache', loaded ? 'MISS' : 'HIT');
    return reply
      .type('application/json; charset=utf-8')
      .send(Buffer.from(body.buffer, body.byteOffset, body.byteLength));
  });

  app.post<{ Body: NewCourse }>('/courses', { schema: { body: newCourseSchema } }, async (request, reply) => {
    const course = await repository.addCourse(request.body);
    const invalidated = await cache.delete(cacheName, COURSES_CACHE_KEY);
    if (invalidated.type === 'Error') {
      // The row is in; the cached list will catch up when its TTL ends. Say so rather than fail the insert.
      request.log.warn({ code: invalidated.errorCode() }, 'could not invalidate get_free_courses');
      reply.header('x-cache-invalidated', 'false');
    }
    return reply.status(201).send(course);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  return app;
}
