/**
 * @module @cachette/metadata
 * Accounts, API keys and caches over Kysely (SQLite embedded; PostgreSQL later).
 */

export { hashSecret } from './secrets.ts';
export { openSqliteMetadata, type SqliteMetadataOptions } from './sqlite.ts';
export type { Account, ApiKey, CacheRecord, KeyAccess, KeyScope, MetadataStore, NewApiKey } from './store.ts';
