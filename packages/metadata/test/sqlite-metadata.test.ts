import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCode, ManualClock } from '@cachette/core';
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteMetadata } from '../src/index.ts';
import { KyselyMetadataStore } from '../src/kysely-store.ts';
import { createMigrator } from '../src/migrator.ts';
import { CachetteSqliteDialect } from '../src/sqlite-dialect.ts';
import { cacheErrorOf, expectBackfilled, metadataConformance, seedAtInitialSchema } from './metadata-suite.ts';

/** A Kysely over the file at `path` with the store's own dialect but no store: for migrating by hand. */
function rawKysely(path: string): Kysely<unknown> {
  const sqlite = new Database(path);
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<unknown>({ dialect: new CachetteSqliteDialect({ database: sqlite }) });
}

/** Reads a table with a separate, read-only better-sqlite3 connection: what is really on disk. */
function readRawRows(path: string, table: string): Record<string, unknown>[] {
  const raw = new Database(path, { readonly: true });
  try {
    return raw.prepare(`select * from ${table}`).all() as Record<string, unknown>[];
  } finally {
    raw.close();
  }
}

metadataConformance('SQLite in memory', async (clock) => {
  const store = await openSqliteMetadata({ path: ':memory:', clock });
  if (!(store instanceof KyselyMetadataStore)) throw new Error('expected a KyselyMetadataStore');
  return {
    store,
    // A private in-memory database has no second connection: read through the store's own Kysely.
    rawRows: async (table) =>
      (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(store.db)).rows,
    dispose: () => store.close(),
  };
});

metadataConformance('SQLite file', async (clock) => {
  const dir = await mkdtemp(join(tmpdir(), 'cachette-metadata-'));
  const path = join(dir, 'metadata.db');
  const store = await openSqliteMetadata({ path, clock });
  return {
    store,
    rawRows: async (table) => readRawRows(path, table),
    openAnother: () => openSqliteMetadata({ path, clock }),
    dispose: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('openSqliteMetadata', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cachette-metadata-'));
    path = join(dir, 'metadata.db');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('openSqliteMetadata(path) again sees everything written before close()', async () => {
    const clock = new ManualClock();
    const first = await openSqliteMetadata({ path, clock });
    const account = await first.createAccount({ email: 'ada@example.com', provider: 'aws', region: 'us-west-2' });
    const { key, secret } = await first.createApiKey({
      accountId: account.id,
      scope: { kind: 'caches', caches: ['orders'] },
      access: 'readOnly',
      expiresAtMs: 1_800_000_000_000,
    });
    const cache = await first.createCache(account.id, 'orders');
    await first.setSetting('local-account-id', account.id);
    await first.close();

    const second = await openSqliteMetadata({ path, clock });
    try {
      expect(await second.findAccountByEmail('ada@example.com')).toEqual(account);
      expect(await second.findApiKeyBySecret(secret)).toEqual(key);
      expect(await second.listCaches(account.id)).toEqual([cache]);
      expect(await second.getSetting('local-account-id')).toBe(account.id);
    } finally {
      await second.close();
    }
  });

  it('openSqliteMetadata(path) twice applies each migration once', async () => {
    await (await openSqliteMetadata({ path })).close();
    await (await openSqliteMetadata({ path })).close();
    const applied = readRawRows(path, 'cachette_migration').map((r) => r.name);
    expect(applied).toEqual([
      '0001-initial',
      '0002-plans-usage-manage',
      '0003-key-parents',
      '0004-key-limits',
      '0005-rate-counters',
      '0006-topic-grants',
    ]);
  });

  it('migration 0002 on a database with data gives accounts the free plan and backfills canManage', async () => {
    const db = rawKysely(path);
    const seed = await seedAtInitialSchema(db);
    await db.destroy();
    const store = await openSqliteMetadata({ path });
    try {
      await expectBackfilled(store, seed);
    } finally {
      await store.close();
    }
  });

  it('migration 0002 rolls back to 0001 cleanly and can be applied again', async () => {
    await (await openSqliteMetadata({ path })).close();
    const db = rawKysely(path);
    try {
      const { error } = await createMigrator(db).migrateTo('0001-initial');
      expect(error).toBeUndefined();
    } finally {
      await db.destroy();
    }
    const tables = readRawRows(path, "sqlite_master where type = 'table'").map((r) => r.name);
    expect(tables).not.toContain('plans');
    expect(tables).not.toContain('usage');
    expect(readRawRows(path, "pragma_table_info('api_keys')").map((r) => r.name)).not.toContain('can_manage');
    expect(readRawRows(path, "pragma_table_info('accounts')").map((r) => r.name)).not.toContain('plan');

    const store = await openSqliteMetadata({ path });
    try {
      expect((await store.listPlans()).map((p) => p.name)).toEqual(['free', 'unlimited']);
    } finally {
      await store.close();
    }
  });

  it('openSqliteMetadata(path) leaves the file in WAL mode', async () => {
    await (await openSqliteMetadata({ path })).close();
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('openSqliteMetadata(garbage file) fails with INTERNAL naming the file, and leaves it untouched', async () => {
    const garbage = 'this is not a database, just some text\n'.repeat(200);
    await writeFile(path, garbage);
    const error = await cacheErrorOf(openSqliteMetadata({ path }));
    expect(error.code).toBe(ErrorCode.INTERNAL);
    expect(error.message).toContain(path);
    expect(error.message).toContain('is not a valid Cachette metadata database');
    expect(await readFile(path, 'utf8')).toBe(garbage);
  });

  it('openSqliteMetadata(another application’s SQLite file) fails with INTERNAL and creates no tables', async () => {
    const other = new Database(path);
    other.exec('create table users (id integer primary key, name text)');
    other.close();
    const error = await cacheErrorOf(openSqliteMetadata({ path }));
    expect(error.code).toBe(ErrorCode.INTERNAL);
    expect(error.message).toContain(path);
    expect(error.message).toContain('is not a valid Cachette metadata database');
    expect(error.message).toContain('users');
    const raw = new Database(path, { readonly: true });
    try {
      expect(raw.prepare("select name from sqlite_master where type = 'table'").pluck().all()).toEqual(['users']);
    } finally {
      raw.close();
    }
  });

  it('openSqliteMetadata(path in a missing directory) fails with UNAVAILABLE naming the file', async () => {
    const missing = join(dir, 'no-such-dir', 'metadata.db');
    const error = await cacheErrorOf(openSqliteMetadata({ path: missing }));
    expect(error.code).toBe(ErrorCode.UNAVAILABLE);
    expect(error.message).toContain(missing);
  });

  it('openSqliteMetadata(file migrated by a newer Cachette) fails with INTERNAL asking for an upgrade', async () => {
    await (await openSqliteMetadata({ path })).close();
    const raw = new Database(path);
    raw.prepare('insert into cachette_migration (name, timestamp) values (?, ?)').run('9999-future', 'now');
    raw.close();
    const error = await cacheErrorOf(openSqliteMetadata({ path }));
    expect(error.code).toBe(ErrorCode.INTERNAL);
    expect(error.message).toContain(path);
    expect(error.message).toContain('newer Cachette');
  });

  it('a write while another connection holds the write lock fails with UNAVAILABLE after busyTimeoutMs', async () => {
    const store = await openSqliteMetadata({ path, busyTimeoutMs: 20 });
    const account = await store.createAccount({ provider: 'aws', region: 'us-west-2' });
    const locker = new Database(path);
    locker.exec('begin immediate');
    try {
      const error = await cacheErrorOf(store.createCache(account.id, 'orders'));
      expect(error.code).toBe(ErrorCode.UNAVAILABLE);
      expect(error.message).toContain('createCache');
      expect(error.message).toContain(path);
    } finally {
      locker.exec('rollback');
      locker.close();
    }
    // Once the lock is gone, the store works again.
    expect((await store.createCache(account.id, 'orders')).name).toBe('orders');
    await store.close();
  });
});
