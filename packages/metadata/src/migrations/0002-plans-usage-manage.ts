/**
 * @module migrations/0002-plans-usage-manage
 * Plans (per-account limits), hourly usage metering, and the control-plane permission of API keys.
 *
 * Like every migration it uses only the schema builder and types SQLite and PostgreSQL share, so both run
 * the same statements. Two choices follow from that:
 *
 * - `accounts.plan` has no foreign key to `plans.name`. SQLite refuses `ADD COLUMN … REFERENCES` with a
 *   non-NULL default on a table that has rows ("Cannot add a REFERENCES column with non-NULL default
 *   value"), and rebuilding `accounts` would mean rebuilding every table that references it. The store
 *   checks the plan exists in `createAccount` and `setAccountPlan`; plans are never deleted (the store
 *   has no call for it), so the check cannot be raced.
 * - `api_keys.can_manage` is an `integer` 0/1, not `boolean`: better-sqlite3 cannot bind JS booleans and
 *   SQLite has no boolean type, so one integer column reads and writes the same on both.
 */

import { type Kysely, type Migration, sql } from 'kysely';

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The `plans` table as this migration creates it. Declared here, not imported from `schema.ts`: a
 * migration must keep working when today's table types change.
 */
type PlansAt0002 = {
  plans: {
    name: string;
    max_requests_per_second: number | null;
    max_throughput_bytes_per_second: number | null;
    max_item_size_bytes: number;
    max_ttl_ms: number;
    max_caches: number | null;
  };
};

export const plansUsageManage: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('plans')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('max_requests_per_second', 'bigint')
      .addColumn('max_throughput_bytes_per_second', 'bigint')
      .addColumn('max_item_size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('max_ttl_ms', 'bigint', (c) => c.notNull())
      .addColumn('max_caches', 'bigint')
      .execute();
    // Seeded here rather than by the store at start, so every database has them exactly once, in the same
    // transaction that creates the column defaulting to 'free'.
    await db
      .withTables<PlansAt0002>()
      .insertInto('plans')
      .values([
        // Momento's defaults for a new cache.
        {
          name: 'free',
          max_requests_per_second: 100,
          max_throughput_bytes_per_second: MIB,
          max_item_size_bytes: 5 * MIB,
          max_ttl_ms: DAY_MS,
          max_caches: 100,
        },
        // No rate limits; item size and TTL stay bounded because the engines are sized for them.
        {
          name: 'unlimited',
          max_requests_per_second: null,
          max_throughput_bytes_per_second: null,
          max_item_size_bytes: 5 * MIB,
          max_ttl_ms: DAY_MS,
          max_caches: null,
        },
      ])
      .execute();

    // Existing accounts land on 'free' through the default.
    await db.schema
      .alterTable('accounts')
      .addColumn('plan', 'text', (c) => c.notNull().defaultTo('free'))
      .execute();

    // Default 0 (least privilege): it applies to the existing rows until the backfill below, and to keys
    // inserted by a not-yet-upgraded server during a rolling upgrade, which must not gain control-plane
    // rights by accident.
    await db.schema
      .alterTable('api_keys')
      .addColumn('can_manage', 'integer', (c) => c.notNull().defaultTo(0).check(sql`can_manage in (0, 1)`))
      .execute();
    // Until now `readWrite` on all caches was what allowed control-plane calls: keep exactly those keys able.
    await sql`update api_keys set can_manage = 1 where scope_kind = 'all' and access = 'readWrite'`.execute(db);

    await db.schema
      .createTable('usage')
      // Cascade: usage is only billed to an account that exists. No reference to `caches`: usage must
      // outlive a deleted cache, and a re-created cache of the same name is the same line on a bill.
      .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
      .addColumn('cache_name', 'text', (c) => c.notNull())
      .addColumn('hour_start_ms', 'bigint', (c) => c.notNull())
      .addColumn('bytes_in', 'bigint', (c) => c.notNull())
      .addColumn('bytes_out', 'bigint', (c) => c.notNull())
      .addColumn('requests', 'bigint', (c) => c.notNull())
      // The conflict target of addUsage's summing upsert.
      .addPrimaryKeyConstraint('usage_pkey', ['account_id', 'cache_name', 'hour_start_ms'])
      .execute();
    // listUsage reads one account's hours across all its caches; the primary key is ordered by cache first.
    await db.schema
      .createIndex('usage_account_id_hour_idx')
      .on('usage')
      .columns(['account_id', 'hour_start_ms'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('usage').execute();
    await db.schema.alterTable('api_keys').dropColumn('can_manage').execute();
    await db.schema.alterTable('accounts').dropColumn('plan').execute();
    await db.schema.dropTable('plans').execute();
  },
};
