/**
 * @module schema
 * The Kysely view of the metadata tables, shared by every dialect.
 *
 * Times are bigint milliseconds. Drivers disagree on how they come back — better-sqlite3 returns numbers,
 * pg returns int8 as strings — so selected time columns are typed as the union, and {@link ./rows.ts} is
 * the single place that turns them into numbers. Inserts and updates always take plain numbers.
 */

import type { ColumnType } from 'kysely';

/** A bigint-ms column as the drivers return it, written as a number. */
export type MsColumn = ColumnType<number | bigint | string, number, number>;
/** A nullable bigint-ms column. */
export type NullableMsColumn = ColumnType<number | bigint | string | null, number | null, number | null>;

export interface AccountsTable {
  id: string;
  email: string | null;
  provider: string;
  region: string;
  created_at_ms: MsColumn;
}

export interface ApiKeysTable {
  id: string;
  account_id: string;
  /** {@link ./secrets.ts hashSecret} of the secret; the secret itself is never stored. */
  secret_hash: string;
  region: string;
  provider: string;
  /** `all` or `caches`. */
  scope_kind: string;
  /** JSON array of cache names when `scope_kind = 'caches'`, else null. Text, not JSON/JSONB: portable. */
  scope_caches: string | null;
  /** `readWrite`, `readOnly` or `writeOnly`. */
  access: string;
  created_at_ms: MsColumn;
  expires_at_ms: NullableMsColumn;
  revoked_at_ms: NullableMsColumn;
  last_used_at_ms: NullableMsColumn;
  description: string | null;
}

export interface CachesTable {
  id: string;
  account_id: string;
  name: string;
  created_at_ms: MsColumn;
}

export interface SettingsTable {
  name: string;
  value: string;
}

/** Every table the metadata store queries. */
export interface MetadataDatabase {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  caches: CachesTable;
  settings: SettingsTable;
}
