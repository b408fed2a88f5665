/**
 * @module migrations/0001-initial
 * The first schema: accounts, API keys, caches and settings.
 *
 * Released migrations are frozen: never edit one, add the next file instead. Only Kysely's schema builder
 * and types both SQLite and PostgreSQL understand (`text`, `bigint`) are used, so every dialect runs the
 * same migration.
 */

import type { Kysely, Migration } from 'kysely';

export const initial: Migration = {
  // `Kysely<unknown>`: a migration must not depend on today's table types, which describe the latest schema.
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('accounts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      // Unique but nullable: both SQLite and PostgreSQL let any number of rows have a NULL e-mail.
      .addColumn('email', 'text', (c) => c.unique())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('region', 'text', (c) => c.notNull())
      .addColumn('provider', 'text', (c) => c.notNull())
      .addColumn('scope_kind', 'text', (c) => c.notNull())
      .addColumn('scope_caches', 'text')
      .addColumn('access', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addColumn('expires_at_ms', 'bigint')
      .addColumn('revoked_at_ms', 'bigint')
      .addColumn('last_used_at_ms', 'bigint')
      .addColumn('description', 'text')
      .execute();
    // Every authenticated request looks a key up by hash; a unique index is both that index and the
    // guarantee that one secret can never match two rows.
    await db.schema.createIndex('api_keys_secret_hash_idx').unique().on('api_keys').column('secret_hash').execute();
    await db.schema.createIndex('api_keys_account_id_idx').on('api_keys').column('account_id').execute();

    await db.schema
      .createTable('caches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      // The constraint, not a pre-check, is what makes createCache race-safe across gateways; its index
      // also serves listCaches (by account, ordered by name).
      .addUniqueConstraint('caches_account_id_name_key', ['account_id', 'name'])
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of ['settings', 'caches', 'api_keys', 'accounts']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
