/**
 * @module open
 * One call for the server: PostgreSQL when a database URL is configured (`--database-url`,
 * `DATABASE_URL`), the embedded SQLite file otherwise.
 */

import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import { isPostgresUrl, openPostgresMetadata } from './postgres.ts';
import { openSqliteMetadata } from './sqlite.ts';
import type { MetadataStore } from './store.ts';

export interface OpenMetadataOptions {
  /** `postgres://…` or `postgresql://…`; when absent or empty, the SQLite file at {@link sqlitePath}. */
  readonly databaseUrl?: string;
  /** The SQLite file used without a database URL, e.g. `<data-dir>/metadata.db`. */
  readonly sqlitePath: string;
  /** Source of `createdAtMs`. Default: the system clock. */
  readonly clock?: Clock;
  /** PostgreSQL only: see `openPostgresMetadata`. Default: `public`. */
  readonly schema?: string;
  /** PostgreSQL only: see `openPostgresMetadata`. Default: 10. */
  readonly poolMax?: number;
}

/**
 * Opens and migrates the metadata store the configuration asks for.
 *
 * @throws CacheError INVALID_ARGUMENT when `databaseUrl` is set but is not a PostgreSQL URL: silently
 * falling back to SQLite would put a deployment's accounts somewhere its operator does not expect.
 * Otherwise whatever {@link openPostgresMetadata} or {@link openSqliteMetadata} throws.
 */
export async function openMetadata(options: OpenMetadataOptions): Promise<MetadataStore> {
  const { databaseUrl, clock } = options;
  if (databaseUrl === undefined || databaseUrl === '') {
    return openSqliteMetadata({ path: options.sqlitePath, clock });
  }
  if (!isPostgresUrl(databaseUrl)) {
    // Only the scheme is shown: the rest of the URL may hold a password.
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(databaseUrl)?.[1];
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `unsupported database URL${scheme ? ` scheme '${scheme}:'` : ''}: expected postgres:// or postgresql://`,
    );
  }
  return openPostgresMetadata({ url: databaseUrl, clock, schema: options.schema, poolMax: options.poolMax });
}
