/**
 * @module migrations/0004-key-limits
 * `plans.max_api_keys`: how many usable (not revoked, not expired) API keys an account of the plan may
 * hold; null = no plan limit. `free` gets 100, `unlimited` none. Plus an index for listing an account's keys
 * newest first, one page at a time.
 */

import { type Kysely, type Migration, sql } from 'kysely';

export const keyLimits: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('plans').addColumn('max_api_keys', 'bigint').execute();
    await sql`update plans set max_api_keys = 100 where name = 'free'`.execute(db);
    await db.schema
      .createIndex('api_keys_account_created_idx')
      .on('api_keys')
      .columns(['account_id', 'created_at_ms', 'id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('api_keys_account_created_idx').execute();
    await db.schema.alterTable('plans').dropColumn('max_api_keys').execute();
  },
};
