/**
 * @module postgres-harness
 * Isolation for tests against the shared PostgreSQL at 127.0.0.1:5432: every store lives in its own
 * schema, named `cachette_test_<random per file>_<n>`, and every schema with the file's prefix is dropped
 * at the end, even those of a test that failed before disposing its store.
 */

import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests use; `CACHETTE_TEST_POSTGRES_URL` overrides it (e.g. for another user or port). */
export const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Per-file isolation: one prefix per test file, one schema per store under it. */
export class PostgresTestSchemas {
  readonly prefix = `cachette_test_${randomBytes(5).toString('hex')}`;
  /** A separate pool that reads "around" the stores: what is really in the database. */
  readonly admin = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  #next = 0;

  /** A schema name no other test or run uses; the store's migrator creates it. */
  newSchema(): string {
    this.#next += 1;
    return `${this.prefix}_${this.#next}`;
  }

  /** Every row of `schema.table`. */
  async rows(schema: string, table: string): Promise<Record<string, unknown>[]> {
    const result = await this.admin.query(`select * from "${schema}"."${table}"`);
    return result.rows as Record<string, unknown>[];
  }

  async dropSchema(schema: string): Promise<void> {
    await this.admin.query(`drop schema if exists "${schema}" cascade`);
  }

  /** Drops every schema this file created, then closes the admin pool. */
  async dispose(): Promise<void> {
    try {
      const { rows } = await this.admin.query<{ nspname: string }>(
        'select nspname from pg_namespace where starts_with(nspname, $1)',
        [`${this.prefix}_`],
      );
      for (const { nspname } of rows) await this.dropSchema(nspname);
    } finally {
      await this.admin.end();
    }
  }
}
