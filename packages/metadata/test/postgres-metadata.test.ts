import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, ManualClock } from '@cachette/core';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSecret, type MetadataStore, openMetadata, openPostgresMetadata } from '../src/index.ts';
import { KyselyMetadataStore } from '../src/kysely-store.ts';
import { CachettePostgresDialect } from '../src/postgres-dialect.ts';
import { cacheErrorOf, expectBackfilled, metadataConformance, seedAtInitialSchema } from './metadata-suite.ts';
import { POSTGRES_URL, PostgresTestSchemas } from './postgres-harness.ts';
import { TcpProxy } from './tcp-proxy.ts';

const schemas = new PostgresTestSchemas();
const ALL_MIGRATIONS = [
  '0001-initial',
  '0002-plans-usage-manage',
  '0003-key-parents',
  '0004-key-limits',
  '0005-rate-counters',
  '0006-topic-grants',
];
afterAll(() => schemas.dispose());

/** A password PostgreSQL's trust auth ignores, so tests can prove it never reaches a message. */
const PASSWORD = 'hunter2-SECRET-pw';
const server = new URL(POSTGRES_URL);

/** POSTGRES_URL with the password set and, optionally, another host:port. */
function urlWith(options: { port?: number; host?: string; search?: string } = {}): string {
  const url = new URL(POSTGRES_URL);
  url.password = PASSWORD;
  if (options.host !== undefined) url.hostname = options.host;
  if (options.port !== undefined) url.port = String(options.port);
  if (options.search !== undefined) url.search = options.search;
  return url.toString();
}

metadataConformance('PostgreSQL', async (clock) => {
  const schema = schemas.newSchema();
  const store = await openPostgresMetadata({ url: POSTGRES_URL, clock, schema });
  return {
    store,
    rawRows: (table) => schemas.rows(schema, table),
    openAnother: () => openPostgresMetadata({ url: POSTGRES_URL, clock, schema }),
    dispose: async () => {
      await store.close();
      await schemas.dropSchema(schema);
    },
  };
});

describe('openPostgresMetadata', () => {
  /** Opens stores and closes them after the test, whatever happens in it. */
  async function withStores<T>(
    run: (open: (url?: string) => Promise<MetadataStore>, schema: string) => Promise<T>,
  ): Promise<T> {
    const schema = schemas.newSchema();
    const opened: MetadataStore[] = [];
    try {
      return await run(async (url = POSTGRES_URL) => {
        const store = await openPostgresMetadata({ url, schema, clock: new ManualClock() });
        opened.push(store);
        return store;
      }, schema);
    } finally {
      await Promise.all(opened.map((s) => s.close()));
      await schemas.dropSchema(schema);
    }
  }

  it('creates its tables in the given schema, which it creates, and nowhere else', async () => {
    const schema = schemas.newSchema();
    const store = await openPostgresMetadata({ url: POSTGRES_URL, schema });
    try {
      const { rows } = await schemas.admin.query<{ table_schema: string }>(
        "select table_schema from information_schema.tables where table_name = 'api_keys' and table_schema like $1",
        [`${schemas.prefix}%`],
      );
      expect(rows.map((r) => r.table_schema)).toEqual([schema]);
      expect((await schemas.rows(schema, 'cachette_migration')).map((r) => r.name)).toEqual(ALL_MIGRATIONS);
    } finally {
      await store.close();
    }
  });

  it('two stores on one schema see each other’s writes; a key revoked through one is revoked for the other', async () => {
    await withStores(async (open) => {
      const a = await open();
      const b = await open();
      const account = await a.createAccount({ email: 'ada@example.com', provider: 'aws', region: 'us-east-1' });
      const { key, secret } = await a.createApiKey({ accountId: account.id });
      const cache = await b.createCache(account.id, 'orders');

      expect(await b.findAccountByEmail('ada@example.com')).toEqual(account);
      expect(await b.findApiKeyBySecret(secret)).toEqual(key);
      expect(await a.listCaches(account.id)).toEqual([cache]);
      expect((await cacheErrorOf(a.createCache(account.id, 'orders'))).code).toBe(ErrorCode.ALREADY_EXISTS);

      await a.revokeApiKey(account.id, key.id, 1_700_000_009_000);
      expect((await b.findApiKeyBySecret(secret))?.revokedAtMs).toBe(1_700_000_009_000);
    });
  });

  it('four stores opened at once on a fresh schema migrate it exactly once and all work', async () => {
    await withStores(async (open) => {
      // Kysely's migrator takes pg_advisory_lock around reading the history and migrating, so three of
      // these wait and then find nothing to do; without it they would race on CREATE TABLE.
      const stores = await Promise.all([open(), open(), open(), open()]);
      const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(asKysely(stores[0]!).db)).rows[0]
        ?.s;
      expect(schema).toMatch(new RegExp(`^${schemas.prefix}_`));
      expect((await schemas.rows(schema!, 'cachette_migration')).map((r) => r.name)).toEqual(ALL_MIGRATIONS);
      const account = await stores[1]!.createAccount({ provider: 'aws', region: 'us-east-1' });
      for (const store of stores) expect(await store.getAccount(account.id)).toEqual(account);
    });
  });

  it('opens while other sessions create and drop schemas in the same database', async () => {
    // Kysely's stock introspector scans every schema and fails with 3F000 when one is dropped under it
    // (5 of 20 opens did, before CachettePostgresDialect confined it to our schema).
    const churn = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
    let stop = false;
    const churner = async (lane: number) => {
      for (let n = 0; !stop; n++) {
        const other = `${schemas.prefix}_churn_${lane}_${n}`;
        await churn.query(`create schema "${other}"; create table "${other}".t (id serial primary key)`);
        await churn.query(`drop schema "${other}" cascade`);
      }
    };
    const churners = [churner(1), churner(2)];
    try {
      for (let i = 0; i < 10; i++) {
        const schema = schemas.newSchema();
        await (await openPostgresMetadata({ url: POSTGRES_URL, schema })).close();
        await schemas.dropSchema(schema);
      }
    } finally {
      stop = true;
      await Promise.all(churners);
      await churn.end();
    }
  });

  it('migration 0002 on a schema with data gives accounts the free plan and backfills canManage', async () => {
    await withStores(async (open, schema) => {
      const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 1, options: `-c search_path="${schema}"` });
      const db = new Kysely<unknown>({ dialect: new CachettePostgresDialect({ pool, schema }) });
      let seed: Awaited<ReturnType<typeof seedAtInitialSchema>>;
      try {
        seed = await seedAtInitialSchema(db, schema);
      } finally {
        await db.destroy();
      }
      await expectBackfilled(await open(), seed);
    });
  });

  it('two stores × 50 concurrent addUsage() calls on overlapping rows add up exactly, without deadlocks', async () => {
    await withStores(async (open) => {
      const [a, b] = [await open(), await open()];
      const account = await a.createAccount({ provider: 'aws', region: 'us-east-1' });
      const hour = 1_699_999_200_000;
      const caches = ['c1', 'c2', 'c3', 'c4'];
      const deltas = caches.map((cacheName) => ({
        accountId: account.id,
        cacheName,
        hourStartMs: hour,
        bytesIn: 3,
        bytesOut: 5,
        requests: 1,
      }));
      // Opposite row orders from the two stores: without a canonical lock order these would deadlock.
      await Promise.all([
        ...Array.from({ length: 50 }, () => a.addUsage(deltas)),
        ...Array.from({ length: 50 }, () => b.addUsage([...deltas].reverse())),
      ]);
      expect(await b.listUsage(account.id, hour, hour + 3_600_000)).toEqual(
        deltas.map((d) => ({ ...d, bytesIn: 300, bytesOut: 500, requests: 100 })),
      );
    });
  });

  it('keeps the URL’s own options parameter and still uses its schema', async () => {
    await withStores(async (open) => {
      const store = await open(urlWith({ search: '?options=-c%20statement_timeout%3D4321' }));
      const db = asKysely(store).db;
      const { rows } = await sql<{ t: string; s: string }>`select current_setting('statement_timeout') as t,
        current_schema() as s`.execute(db);
      expect(rows[0]?.t).toBe('4321ms');
      expect(rows[0]?.s).toMatch(new RegExp(`^${schemas.prefix}_`));
    });
  });

  it('openPostgresMetadata(closed port) fails with UNAVAILABLE naming host:port/database, never the password', async () => {
    const error = await cacheErrorOf(
      openPostgresMetadata({ url: urlWith({ host: '127.0.0.1', port: 1 }), schema: schemas.newSchema() }),
    );
    expect(error.code).toBe(ErrorCode.UNAVAILABLE);
    expect(error.message).toContain(`127.0.0.1:1${server.pathname}`);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('openPostgresMetadata(bad schema, pool size or URL) fails with INVALID_ARGUMENT without echoing the URL', async () => {
    for (const options of [
      { url: POSTGRES_URL, schema: 'drop table; --' },
      { url: POSTGRES_URL, schema: '' },
      { url: POSTGRES_URL, poolMax: 0 },
      { url: `postgres://u:${PASSWORD}@[bad/test` },
      { url: `mysql://u:${PASSWORD}@localhost/test` },
    ]) {
      const error = await cacheErrorOf(openPostgresMetadata(options));
      expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
      expect(error.message).not.toContain(PASSWORD);
    }
  });

  it('when PostgreSQL becomes unreachable calls fail with UNAVAILABLE, and work again once it is back', async () => {
    const proxy = new TcpProxy({ host: server.hostname, port: Number(server.port || 5432) });
    await proxy.start();
    try {
      await withStores(async (open) => {
        const store = await open(urlWith({ host: '127.0.0.1', port: proxy.port }));
        const account = await store.createAccount({ provider: 'aws', region: 'us-east-1' });
        const { secret } = await store.createApiKey({ accountId: account.id });
        // Several calls at once, so the pool holds several connections when they are cut.
        await Promise.all([
          store.createCache(account.id, 'a'),
          store.createCache(account.id, 'b'),
          store.listCaches(account.id),
        ]);

        await proxy.cut();
        const errors = await Promise.all([
          cacheErrorOf(store.findApiKeyBySecret(secret)),
          cacheErrorOf(store.createCache(account.id, 'c')),
          cacheErrorOf(store.listCaches(account.id)),
        ]);
        for (const error of errors) {
          expect(error.code).toBe(ErrorCode.UNAVAILABLE);
          expect(error.message).toContain(`127.0.0.1:${proxy.port}${server.pathname}`);
          expect(error.message).not.toContain(PASSWORD);
          expect(error.message).not.toContain(secret);
          expect(error.message).not.toContain(hashSecret(secret));
        }
        // Still down: a later call fails the same way instead of hanging on a broken connection.
        expect((await cacheErrorOf(store.getAccount(account.id))).code).toBe(ErrorCode.UNAVAILABLE);

        await proxy.restore();
        // No reopen, no retry loop: the next call gets a fresh connection from the pool.
        expect(await store.getAccount(account.id)).toEqual(account);
        expect((await store.findApiKeyBySecret(secret))?.accountId).toBe(account.id);
        expect((await store.listCaches(account.id)).map((c) => c.name)).toEqual(['a', 'b']);
        expect((await store.createCache(account.id, 'c')).name).toBe('c');
      });
    } finally {
      await proxy.cut();
    }
  });
});

describe('openMetadata', () => {
  it('openMetadata({ databaseUrl: postgres://… }) opens PostgreSQL', async () => {
    const schema = schemas.newSchema();
    const store = await openMetadata({ databaseUrl: POSTGRES_URL, sqlitePath: '/nonexistent/metadata.db', schema });
    try {
      await store.setSetting('who', 'postgres');
      expect(await schemas.rows(schema, 'settings')).toEqual([{ name: 'who', value: 'postgres' }]);
    } finally {
      await store.close();
    }
  });

  it('openMetadata({ databaseUrl: postgresql://… }) is PostgreSQL too', async () => {
    const schema = schemas.newSchema();
    const url = POSTGRES_URL.replace(/^postgres:/, 'postgresql:');
    const store = await openMetadata({ databaseUrl: url, sqlitePath: '/nonexistent/metadata.db', schema });
    await store.close();
    expect(await schemas.rows(schema, 'cachette_migration')).toHaveLength(ALL_MIGRATIONS.length);
  });

  it('openMetadata() without a database URL opens the SQLite file at sqlitePath', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cachette-metadata-'));
    try {
      for (const databaseUrl of [undefined, '']) {
        const store = await openMetadata({ databaseUrl, sqlitePath: join(dir, 'metadata.db') });
        await store.setSetting('n', 'v');
        await store.close();
      }
      const reopened = await openMetadata({ sqlitePath: join(dir, 'metadata.db') });
      expect(await reopened.getSetting('n')).toBe('v');
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('openMetadata({ databaseUrl: mysql://… }) fails with INVALID_ARGUMENT naming only the scheme', async () => {
    const error = await cacheErrorOf(
      openMetadata({ databaseUrl: `mysql://root:${PASSWORD}@db/test`, sqlitePath: '/nonexistent/metadata.db' }),
    );
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.message).toContain("'mysql:'");
    expect(error.message).not.toContain(PASSWORD);
  });
});

function asKysely(store: MetadataStore): KyselyMetadataStore {
  if (!(store instanceof KyselyMetadataStore)) throw new Error('expected a KyselyMetadataStore');
  return store;
}
