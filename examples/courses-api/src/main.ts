/**
 * @module main
 * `npm start -w examples/courses-api`: serves the API on `PORT` (default 3000).
 *
 * | variable | default |
 * |---|---|
 * | `DATABASE_URL` | `postgres://127.0.0.1:5432/test` |
 * | `DB_SCHEMA` | the connection's default `search_path` |
 * | `CACHETTE_API_KEY` | else the `cachette configure` profile (`~/.cachette/credentials`) |
 * | `CACHETTE_CACHE` | `courses` (created at start when missing) |
 * | `CACHETTE_TTL_SECONDS` | the profile's `ttl`, else 600 |
 * | `HOST`, `PORT` | `127.0.0.1`, `3000` |
 */
import { CacheClient } from '@cachette/sdk/node';
import { buildApp } from './app.ts';
import { CoursesRepository, createPool, DEFAULT_DATABASE_URL } from './database.ts';

const env = process.env;
const pool = createPool(env.DATABASE_URL ?? DEFAULT_DATABASE_URL, env.DB_SCHEMA || undefined);
const cacheName = env.CACHETTE_CACHE || 'courses';
const cache = new CacheClient({
  defaultTtlSeconds: env.CACHETTE_TTL_SECONDS ? Number(env.CACHETTE_TTL_SECONDS) : undefined,
});
const app = buildApp({
  repository: new CoursesRepository(pool),
  cache,
  cacheName,
  logger: env.LOG_LEVEL === 'silent' ? false : { level: env.LOG_LEVEL ?? 'info' },
});

const created = await cache.createCache(cacheName);
if (created.type === 'Error') {
  console.error(`courses-api: cannot use cache '${cacheName}' at ${cache.baseUrl}: ${created.message()}`);
  process.exit(1);
}

const shutdown = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());

const address = await app.listen({ host: env.HOST ?? '127.0.0.1', port: Number(env.PORT ?? 3000) });
// One machine-readable line for scripts (the bench waits for it), then the human one from Fastify's logger.
console.log(JSON.stringify({ ready: address, cache: cacheName, ttlSeconds: cache.defaultTtlSeconds }));
