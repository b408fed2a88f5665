/**
 * @module @cachette/metadata
 * Accounts, API keys, caches, plans and hourly usage over Kysely: SQLite embedded by default, PostgreSQL
 * when shared.
 */

export { DEFAULT_PLAN, USAGE_HOUR_MS } from './kysely-store.ts';
export { type OpenMetadataOptions, openMetadata } from './open.ts';
export {
  DEFAULT_POSTGRES_SCHEMA,
  isPostgresUrl,
  openPostgresMetadata,
  type PostgresMetadataOptions,
} from './postgres.ts';
export { hashSecret } from './secrets.ts';
export { openSqliteMetadata, type SqliteMetadataOptions } from './sqlite.ts';
export type {
  Account,
  ApiKey,
  CacheRecord,
  KeyAccess,
  KeyScope,
  MetadataChange,
  MetadataStore,
  NewApiKey,
  Plan,
  TopicGrant,
  UsageDelta,
  WebhookRecord,
} from './store.ts';
