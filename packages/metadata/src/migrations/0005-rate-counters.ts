/**
 * @module migrations/0005-rate-counters
 * `rate_counters`: fixed-window request counters for unauthenticated endpoints (signup), kept in the
 * metadata store so every gateway sharing it enforces one limit, and so memory never bounds how many
 * clients are tracked. One row per (bucket, window); old windows are deleted as new ones are counted.
 */

import type { Kysely, Migration } from 'kysely';

export const rateCounters: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('rate_counters')
      .addColumn('bucket', 'text', (c) => c.notNull())
      .addColumn('window_start_ms', 'bigint', (c) => c.notNull())
      .addColumn('count', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('rate_counters_pkey', ['bucket', 'window_start_ms'])
      .execute();
    // Pruning deletes by window start across all buckets.
    await db.schema.createIndex('rate_counters_window_idx').on('rate_counters').column('window_start_ms').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('rate_counters').execute();
  },
};
