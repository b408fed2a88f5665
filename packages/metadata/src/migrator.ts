/**
 * @module migrator
 * The ordered list of schema migrations, provided in code (no file-system scanning, so bundling and
 * `tsx` both work), and the call that applies them.
 */

import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { initial } from './migrations/0001-initial.ts';
import { plansUsageManage } from './migrations/0002-plans-usage-manage.ts';
import { keyParents } from './migrations/0003-key-parents.ts';
import { keyLimits } from './migrations/0004-key-limits.ts';
import { rateCounters } from './migrations/0005-rate-counters.ts';
import { topicGrants } from './migrations/0006-topic-grants.ts';
import type { MetadataDatabase } from './schema.ts';

/**
 * Our own names rather than Kysely's defaults: a PostgreSQL database given by DATABASE_URL may be shared
 * with another Kysely application, whose migration history must not mix with ours.
 */
export const MIGRATION_TABLE = 'cachette_migration';
export const MIGRATION_LOCK_TABLE = 'cachette_migration_lock';

/** Every migration, keyed by a name that sorts in the order they must run. Append only. */
const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-plans-usage-manage': plansUsageManage,
  '0003-key-parents': keyParents,
  '0004-key-limits': keyLimits,
  '0005-rate-counters': rateCounters,
  '0006-topic-grants': topicGrants,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/** Why {@link migrateToLatest} failed: a driver error, or history this build does not know. */
export class UnknownMigrationsError extends Error {
  override readonly name = 'UnknownMigrationsError';
}

/**
 * A Kysely migrator over Cachette's migrations and history tables. Exported for tests that need a database
 * at an older version (`migrateTo('0001-initial')`); the store itself only calls {@link migrateToLatest}.
 *
 * @param schema - see {@link migrateToLatest}
 */
export function createMigrator<DB>(db: Kysely<DB>, schema?: string): Migrator {
  return new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  });
}

/**
 * Applies pending migrations. Each dialect's adapter supplies the cross-process lock (a transaction on
 * SQLite, an advisory lock on PostgreSQL), so several processes starting at once is safe.
 *
 * @param schema - where the history tables live (PostgreSQL). Without it Kysely looks for them in *every*
 * schema of the database, so another schema's `cachette_migration` would make it skip creating ours.
 * The migrations' own tables land in the connection's `search_path`, which must name the same schema.
 * @throws {@link UnknownMigrationsError} when the database was migrated by a newer build; the driver's
 * error when a query fails.
 */
export async function migrateToLatest(db: Kysely<MetadataDatabase>, schema?: string): Promise<void> {
  const { error } = await createMigrator(db, schema).migrateToLatest();
  if (error === undefined) return;
  // Kysely reports history it cannot reconcile as a plain Error with these words; anything else is the
  // driver's own error and is classified by the caller.
  if (error instanceof Error && error.message.startsWith('corrupted migrations')) {
    throw new UnknownMigrationsError(error.message);
  }
  throw error;
}
