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
/** A bigint count or limit (bytes, requests), read and written like {@link MsColumn}. */
export type BigintColumn = MsColumn;
/** A nullable bigint count or limit; null means unlimited. */
export type NullableBigintColumn = NullableMsColumn;

export interface AccountsTable {
  id: string;
  email: string | null;
  provider: string;
  region: string;
  created_at_ms: MsColumn;
  /** Name of a row of `plans`; checked by the store, not by a foreign key (see migration 0002). */
  plan: ColumnType<string, string | undefined, string>;
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
  /** 1 when the key may use the control plane, else 0 (an integer: SQLite has no boolean). */
  can_manage: ColumnType<number, number | undefined, number>;
  /** Id of the key that minted this one, or null (signup, local account, operator). */
  parent_key_id: ColumnType<string | null, string | null | undefined, string | null>;
  /** JSON list of explicit topic grants, or null: topics follow scope and access (migration 0006). */
  topic_grants: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Fixed-window counters for unauthenticated endpoints (migration 0005). */
export interface RateCountersTable {
  bucket: string;
  window_start_ms: MsColumn;
  count: BigintColumn;
}

export interface CachesTable {
  id: string;
  account_id: string;
  name: string;
  created_at_ms: MsColumn;
}

export interface PlansTable {
  name: string;
  max_requests_per_second: NullableBigintColumn;
  max_throughput_bytes_per_second: NullableBigintColumn;
  max_item_size_bytes: BigintColumn;
  max_ttl_ms: MsColumn;
  max_caches: NullableBigintColumn;
  /** Usable API keys per account; null = no plan limit (migration 0004). */
  max_api_keys: ColumnType<number | bigint | string | null, number | null | undefined, number | null>;
  /** Topic limits (migration 0006); null = the server's settings. */
  max_topic_publishes_per_second: ColumnType<number | bigint | string | null, number | null | undefined, number | null>;
  max_topic_subscriptions_per_cache: ColumnType<
    number | bigint | string | null,
    number | null | undefined,
    number | null
  >;
  max_topic_message_bytes: ColumnType<number | bigint | string | null, number | null | undefined, number | null>;
}

/** One row per (account, cache, UTC hour); counters only ever grow, by addUsage's summing upsert. */
export interface UsageTable {
  account_id: string;
  cache_name: string;
  hour_start_ms: MsColumn;
  bytes_in: BigintColumn;
  bytes_out: BigintColumn;
  requests: BigintColumn;
}

export interface SettingsTable {
  name: string;
  value: string;
}

/** Every table the metadata store queries. */
export interface MetadataDatabase {
  accounts: AccountsTable;
  api_keys: ApiKeysTable;
  rate_counters: RateCountersTable;
  caches: CachesTable;
  plans: PlansTable;
  usage: UsageTable;
  settings: SettingsTable;
  webhooks: WebhooksTable;
}

/** Topic webhooks (migration 0006). */
export interface WebhooksTable {
  cache_id: string;
  name: string;
  account_id: string;
  topic: string;
  url: string;
  /** The signing secret, kept retrievable (GetWebhookSecret returns it). */
  secret: string;
  created_at_ms: MsColumn;
}
