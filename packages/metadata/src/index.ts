/**
 * @module @cachette/metadata
 * Accounts, API keys and caches over Kysely: SQLite embedded by default, PostgreSQL when shared.
 */

export { type OpenMetadataOptions, openMetadata } from './open.ts';
export {
  DEFAULT_POSTGRES_SCHEMA,
  isPostgresUrl,
  openPostgresMetadata,
  type PostgresMetadataOptions,
} from './postgres.ts';
export { hashSecret } from './secrets.ts';
export { openSqliteMetadata, type SqliteMetadataOptions } from './sqlite.ts';
export type { Account, ApiKey, CacheRecord, KeyAccess, KeyScope, MetadataStore, NewApiKey } from './store.ts';
