import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheClient } from '@cachette/sdk';
import { type CachetteServer, createLogger, createServerFromSettings } from '@cachette/server';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildApp,
  COURSES_CACHE_KEY,
  type Course,
  CoursesRepository,
  createPool,
  generateCourses,
  quoteIdent,
  seedCourses,
} from '../src/index.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SEEDED = 300;

// A schema of its own per run: parallel runs and other suites never see these rows.
const schema = `courses_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
let admin: pg.Pool;
let pool: pg.Pool;
let server: CachetteServer;
let dataDir: string;
let cache: CacheClient;
let repository: CoursesRepository;
let app: FastifyInstance;
const cacheName = 'courses';

beforeAll(async () => {
  admin = createPool(POSTGRES_URL);
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  pool = createPool(POSTGRES_URL, schema);
  expect(await seedCourses(pool, SEEDED)).toBe(SEEDED);

  dataDir = mkdtempSync(join(tmpdir(), 'courses-api-test-'));
  server = await createServerFromSettings({ port: 0, dataDir, logger: createLogger('silent') });
  cache = new CacheClient({ apiKey: server.devApiKey, defaultTtlSeconds: 600 });
  expect((await cache.createCache(cacheName)).type).toBe('Success');
  repository = new CoursesRepository(pool);
  app = buildApp({ repository, cache, cacheName });
});

afterAll(async () => {
  await app?.close();
  await pool?.end();
  await admin?.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  await admin?.end();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('seed', () => {
  it('generateCourses(n) is deterministic, with unique URLs and plausible fields', () => {
    const a = generateCourses(2000);
    expect(generateCourses(2000)).toEqual(a);
    expect(new Set(a.map((c) => c.url)).size).toBe(2000);
    for (const c of a) {
      expect(c.title.length).toBeGreaterThan(5);
      expect(c.url).toMatch(/^https:\/\/[a-z0-9.-]+\/\S+$/);
      expect(c.duration_minutes).toBeGreaterThanOrEqual(30);
      expect(c.duration_minutes).toBeLessThanOrEqual(60 * 60);
      expect(c.tags.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('seedCourses writes the rows into free_courses', async () => {
    const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM free_courses');
    expect(Number(rows[0]?.n)).toBe(SEEDED);
  });
});

describe('courses API', () => {
  // These run in order: each step builds on the cache state the previous one left.
  it('GET / queries PostgreSQL on every request', async () => {
    const before = repository.queries;
    const first = await app.inject({ method: 'GET', url: '/' });
    await app.inject({ method: 'GET', url: '/' });
    expect(first.statusCode).toBe(200);
    expect(first.json<Course[]>()).toHaveLength(SEEDED);
    expect(repository.queries - before).toBe(2);
  });

  it('GET /cached: the first request misses and queries, the second hits without touching the database', async () => {
    const before = repository.queries;
    const miss = await app.inject({ method: 'GET', url: '/cached' });
    expect(miss.statusCode).toBe(200);
    expect(miss.headers['x-cache']).toBe('MISS');
    expect(miss.headers['content-type']).toMatch(/^application\/json/);
    expect(repository.queries - before).toBe(1);

    const hit = await app.inject({ method: 'GET', url: '/cached' });
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(repository.queries - before).toBe(1);
    expect(hit.body).toBe(miss.body);

    // Same JSON as the uncached route.
    const direct = await app.inject({ method: 'GET', url: '/' });
    expect(hit.body).toBe(direct.body); // byte for byte: `cmp` in the README relies on it
  });

  it('the cached item is get_free_courses in Cachette, with the default TTL', async () => {
    const got = await cache.get(cacheName, COURSES_CACHE_KEY);
    expect(got.type === 'Hit' && got.valueJson<Course[]>().length).toBe(SEEDED);
    const ttl = await cache.itemGetTtl(cacheName, COURSES_CACHE_KEY);
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeGreaterThan(590_000);
  });

  it('POST /courses inserts, invalidates get_free_courses, and the next /cached queries and includes it', async () => {
    const course = {
      title: 'Caching with Cachette',
      url: 'https://example.org/courses/caching-with-cachette',
      duration_minutes: 45,
      tags: ['caching', 'beginner'],
    };
    const posted = await app.inject({ method: 'POST', url: '/courses', payload: course });
    expect(posted.statusCode).toBe(201);
    const created = posted.json<Course>();
    expect(created).toMatchObject(course);
    expect(created.id).toBe(SEEDED + 1);
    expect((await cache.get(cacheName, COURSES_CACHE_KEY)).type).toBe('Miss');

    const before = repository.queries;
    const after = await app.inject({ method: 'GET', url: '/cached' });
    expect(after.headers['x-cache']).toBe('MISS');
    expect(repository.queries - before).toBe(1);
    const rows = after.json<Course[]>();
    expect(rows).toHaveLength(SEEDED + 1);
    expect(rows.some((r) => r.url === course.url)).toBe(true);
  });

  it('20 concurrent /cached requests after an invalidation query the database once', async () => {
    await cache.delete(cacheName, COURSES_CACHE_KEY);
    const before = repository.queries;
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => app.inject({ method: 'GET', url: '/cached' })),
    );
    expect(repository.queries - before).toBe(1);
    expect(responses.filter((r) => r.headers['x-cache'] === 'MISS')).toHaveLength(1);
    expect(new Set(responses.map((r) => r.body)).size).toBe(1);
  });

  it('POST /courses with an invalid body answers 400 and changes nothing', async () => {
    const before = repository.queries;
    const bad = await app.inject({ method: 'POST', url: '/courses', payload: { title: '', url: 'ftp://x' } });
    expect(bad.statusCode).toBe(400);
    expect(repository.queries).toBe(before);
    expect((await cache.get(cacheName, COURSES_CACHE_KEY)).type).toBe('Hit');
  });

  it('with Cachette unreachable, /cached still answers from PostgreSQL', async () => {
    const down = new CacheClient({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', retries: 0 });
    const degraded = buildApp({ repository, cache: down, cacheName });
    try {
      const before = repository.queries;
      const response = await degraded.inject({ method: 'GET', url: '/cached' });
      expect(response.statusCode).toBe(200);
      expect(response.json<Course[]>().length).toBeGreaterThan(SEEDED);
      expect(repository.queries - before).toBe(1);
    } finally {
      await degraded.close();
    }
  });
});
