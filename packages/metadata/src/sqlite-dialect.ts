/**
 * @module sqlite-dialect
 * Kysely's SqliteDialect with two changes that make migrations and transactions safe when several
 * processes share one database file.
 */

import {
  CompiledQuery,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  SqliteAdapter,
  SqliteDialect,
  type SqliteDialectConfig,
  SqliteDriver,
} from 'kysely';

/**
 * `BEGIN IMMEDIATE` instead of `BEGIN`: the write lock is taken when the transaction starts, waiting up to
 * `busy_timeout` for another process. A deferred `BEGIN` takes it at the first write instead and, in WAL
 * mode, fails at once with SQLITE_BUSY if another process committed in between — no waiting can fix that.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does run DDL inside transactions; Kysely's stock adapter just does not say so, and then runs each
 * migration statement on its own with no lock at all. Saying so makes the Migrator read its history and
 * apply pending migrations inside one immediate transaction: the cross-process lock, and all-or-nothing.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

/** A drop-in for Kysely's `SqliteDialect` with immediate transactions and transactional migrations. */
export class CachetteSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalSqliteAdapter();
  }
}
