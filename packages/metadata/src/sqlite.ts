/**
 * @module sqlite
 * The embedded metadata store: one SQLite file (default `<data-dir>/metadata.db`) through better-sqlite3.
 */

import { CacheError, type Clock, ErrorCode, systemClock } from '@cachette/core';
import Database from 'better-sqlite3';
import { Kysely } from 'kysely';
import { describeDbError, notADatabaseMessage, toCacheError } from './db-errors.ts';
import { KyselyMetadataStore } from './kysely-store.ts';
import { MIGRATION_TABLE } from './migrator.ts';
import type { MetadataDatabase } from './schema.ts';
import { CachetteSqliteDialect } from './sqlite-dialect.ts';
import { sqliteErrors } from './sqlite-errors.ts';
import type { MetadataStore } from './store.ts';

export interface SqliteMetadataOptions {
  /** The database file, created if missing; `':memory:'` for a private in-memory database (tests). */
  readonly path: string;
  /** Source of `createdAtMs`. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * How long a statement waits for another process's write lock before failing with UNAVAILABLE.
   * Default: 5000. better-sqlite3 is synchronous, so the wait blocks this process's event loop.
   */
  readonly busyTimeoutMs?: number;
}

/** Refuses a SQLite file that holds another application's tables: migrating it would mix two schemas. */
function assertCachetteDatabase(sqlite: Database.Database, database: string): void {
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[];
  if (tables.length > 0 && !tables.includes(MIGRATION_TABLE)) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw new CacheError(
      ErrorCode.INTERNAL,
      notADatabaseMessage(database, `it holds other tables (${shown}) and no ${MIGRATION_TABLE} table`),
    );
  }
}

/**
 * Opens (creating if needed) the SQLite metadata database at `options.path` and applies pending
 * migrations. The connection runs in WAL mode (readers never block the writer), with a `busy_timeout` so
 * concurrent writers wait instead of failing, and with foreign keys enforced.
 *
 * @throws CacheError INTERNAL when the file is not a SQLite database, is corrupt, belongs to another
 * application or was migrated by a newer Cachette; UNAVAILABLE when it cannot be opened or stays locked.
 */
export async function openSqliteMetadata(options: SqliteMetadataOptions): Promise<MetadataStore> {
  const { path } = options;
  const database = `sqlite database '${path}'`;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(busyTimeoutMs) || busyTimeoutMs < 0) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'busyTimeoutMs must be a non-negative integer');
  }

  let sqlite: Database.Database;
  try {
    sqlite = new Database(path);
  } catch (e) {
    // A missing directory or no permission: better-sqlite3 throws here, often a TypeError without a code.
    throw new CacheError(ErrorCode.UNAVAILABLE, `cannot open ${database}: ${describeDbError(e)}`);
  }

  try {
    // busy_timeout first, so that switching to WAL already waits for another process's lock.
    sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
    // better-sqlite3 opens files lazily: this is the first read of the header, where a file that is not
    // a database reports SQLITE_NOTADB.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    assertCachetteDatabase(sqlite, database);
  } catch (e) {
    sqlite.close();
    if (e instanceof CacheError) throw e;
    const kind = sqliteErrors.classify(e);
    if (kind === 'notADatabase') {
      throw new CacheError(ErrorCode.INTERNAL, notADatabaseMessage(database, describeDbError(e)));
    }
    throw toCacheError(kind, e, database, 'open');
  }

  const store = new KyselyMetadataStore({
    db: new Kysely<MetadataDatabase>({ dialect: new CachetteSqliteDialect({ database: sqlite }) }),
    database,
    errors: sqliteErrors,
    clock: options.clock ?? systemClock,
  });
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
}
