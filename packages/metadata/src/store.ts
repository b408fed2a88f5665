/**
 * @module store
 * The metadata contract: accounts, API keys and caches. Implemented over Kysely so SQLite (embedded
 * default) and PostgreSQL (shared by many gateways) run the same queries.
 *
 * Errors are {@link CacheError}s from `@cachette/core`: ALREADY_EXISTS, NOT_FOUND, UNAVAILABLE when the
 * database cannot be reached, INTERNAL for anything else.
 */

/** Which caches a key may touch. */
export type KeyScope = { readonly kind: 'all' } | { readonly kind: 'caches'; readonly caches: readonly string[] };

/** What a key may do with items of the caches in its scope. */
export type KeyAccess = 'readWrite' | 'readOnly' | 'writeOnly';

/**
 * One topic permission of a key (Momento's `TopicPermissions`): a role on one cache or all, and one topic,
 * a topic-name prefix or all topics. Read = subscribe, write = publish.
 */
export interface TopicGrant {
  readonly role: KeyAccess;
  /** `null` = every cache of the account. */
  readonly cache: string | null;
  /** `null` = every topic. */
  readonly topic: string | null;
  /** `topic` is a name prefix rather than a whole name. */
  readonly topicPrefix?: boolean;
}

/**
 * Limits of an account's plan. Per-cache rates are token buckets enforced by each server; sizes and
 * TTLs are hard limits. `null` means unlimited.
 */
export interface Plan {
  readonly name: string;
  /** Data-plane requests per second, per cache (Momento default 100). */
  readonly maxRequestsPerSecond: number | null;
  /** Bytes in + out per second, per cache (Momento default 1 MiB). */
  readonly maxThroughputBytesPerSecond: number | null;
  /** Key + value bytes of one item (Momento default 5 MiB). */
  readonly maxItemSizeBytes: number;
  /** Longest TTL (Momento default 24 h). */
  readonly maxTtlMs: number;
  /** Caches one account may own. */
  readonly maxCaches: number | null;
  /**
   * Usable (neither revoked nor expired) API keys one account may hold; `null` or omitted = no plan limit.
   * Free plan: 100.
   */
  readonly maxApiKeys?: number | null;
  /** Topic publishes per second per cache; `null`/omitted = the server's setting only. */
  readonly maxTopicPublishesPerSecond?: number | null;
  /** Concurrent topic subscriptions per cache; `null`/omitted = the server's setting. */
  readonly maxTopicSubscriptionsPerCache?: number | null;
  /** Largest topic message in bytes; `null`/omitted = the server's setting. */
  readonly maxTopicMessageBytes?: number | null;
}

/** Bytes moved by one account in one cache during one hour; the unit of metering. */
export interface UsageDelta {
  readonly accountId: string;
  readonly cacheName: string;
  /** Start of the UTC hour, ms since the epoch (a multiple of 3 600 000). */
  readonly hourStartMs: number;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly requests: number;
}

export interface Account {
  readonly id: string;
  readonly email: string | null;
  readonly provider: string;
  readonly region: string;
  readonly createdAtMs: number;
  /** Name of the account's plan (see {@link Plan}); new accounts get `free`. */
  readonly plan: string;
}

export interface ApiKey {
  readonly id: string;
  readonly accountId: string;
  /** Provider and region of the account, copied so auth needs one lookup. */
  readonly region: string;
  readonly provider: string;
  readonly scope: KeyScope;
  readonly access: KeyAccess;
  readonly createdAtMs: number;
  readonly expiresAtMs: number | null;
  readonly revokedAtMs: number | null;
  readonly lastUsedAtMs: number | null;
  readonly description: string | null;
  /**
   * May manage caches and keys (control plane). Momento's super-user keys can; keys with explicit data
   * permissions and disposable tokens cannot.
   */
  readonly canManage: boolean;
  /** The key that minted this one; revoking it revoked this one too. `null` for top-level keys. */
  readonly parentKeyId: string | null;
  /**
   * Topic permissions. `null` (every key made before topics, and keys that grant none explicitly): topics
   * of the caches in {@link scope} follow {@link access}, as Momento's AllDataReadWrite does.
   */
  readonly topics?: readonly TopicGrant[] | null;
}

/** A topic webhook: every message published to `topic` of the cache is POSTed to `url`. */
export interface WebhookRecord {
  readonly cacheId: string;
  readonly name: string;
  readonly accountId: string;
  readonly topic: string;
  readonly url: string;
  /** Signs each delivery (HMAC SHA3-256 of the body, `momento-signature` header). */
  readonly secret: string;
  readonly createdAtMs: number;
}

export interface CacheRecord {
  /** Stable id, used as the engine namespace: two accounts may both own a cache named `default-cache`. */
  readonly id: string;
  readonly accountId: string;
  readonly name: string;
  readonly createdAtMs: number;
}

export interface NewApiKey {
  readonly accountId: string;
  readonly scope?: KeyScope;
  readonly access?: KeyAccess;
  readonly expiresAtMs?: number | null;
  readonly description?: string | null;
  /** Default: true when the scope is all caches and access is readWrite. */
  readonly canManage?: boolean;
  /** The key minting this one (same account); revoking the parent revokes this key. */
  readonly parentKeyId?: string | null;
  /** Explicit topic permissions; default `null` (topics follow the cache scope and access). */
  readonly topics?: readonly TopicGrant[] | null;
}

/**
 * What changed in a way servers cache: keys (revoked), caches (deleted or created), plans (changed).
 * Servers drop their in-process caches of that kind when told.
 */
export type MetadataChange = 'apiKeys' | 'caches' | 'plans';

/** The store every server process talks to; one instance per process, safe to share across requests. */
export interface MetadataStore {
  /**
   * Creates or replaces webhook (cacheId, name); a replaced webhook keeps its secret (`secret` is used
   * for new ones only). Returns the stored webhook.
   */
  putWebhook(webhook: Omit<WebhookRecord, 'createdAtMs'>): Promise<WebhookRecord>;
  /** The cache's webhooks, by name. */
  listWebhooks(cacheId: string): Promise<WebhookRecord[]>;
  /** Deletes a webhook; NOT_FOUND when absent. */
  deleteWebhook(cacheId: string, name: string): Promise<void>;
  /** Replaces a webhook's secret; NOT_FOUND when absent. Returns the updated webhook. */
  rotateWebhookSecret(cacheId: string, name: string, secret: string): Promise<WebhookRecord>;

  /** Applies pending migrations. Idempotent; safe when several processes start at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createAccount(input: { email?: string | null; provider: string; region: string; plan?: string }): Promise<Account>;
  getAccount(id: string): Promise<Account | undefined>;
  findAccountByEmail(email: string): Promise<Account | undefined>;

  /** Creates a key and returns its secret once; only a hash of the secret is stored. */
  createApiKey(input: NewApiKey): Promise<{ key: ApiKey; secret: string }>;
  /** The key whose secret hashes to the stored hash, revoked or expired included (callers decide). */
  findApiKeyBySecret(secret: string): Promise<ApiKey | undefined>;
  listApiKeys(accountId: string): Promise<ApiKey[]>;
  /**
   * One page of the account's keys, newest first (by creation time, then id). `after` is the last key of
   * the previous page; the page has at most `limit` keys.
   */
  listApiKeysPage(
    accountId: string,
    page: { readonly limit: number; readonly after?: { readonly createdAtMs: number; readonly id: string } },
  ): Promise<ApiKey[]>;
  /** Keys of the account that still work at `nowMs` (not revoked, not expired). */
  countUsableApiKeys(accountId: string, nowMs: number): Promise<number>;
  /**
   * Revokes a key of this account and every key it minted, transitively (children, grandchildren, …);
   * NOT_FOUND when the account has no such key.
   */
  revokeApiKey(accountId: string, keyId: string, atMs: number): Promise<void>;
  /** Records use; callers throttle how often they call it. */
  touchApiKey(keyId: string, atMs: number): Promise<void>;

  /** ALREADY_EXISTS when the account has a cache of that name. */
  createCache(accountId: string, name: string): Promise<CacheRecord>;
  /** NOT_FOUND when the account has no cache of that name. Returns the deleted record. */
  deleteCache(accountId: string, name: string): Promise<CacheRecord>;
  getCache(accountId: string, name: string): Promise<CacheRecord | undefined>;
  /** The account's caches ordered by name. */
  listCaches(accountId: string): Promise<CacheRecord[]>;
  countCaches(accountId: string): Promise<number>;
  /** Every cache of every account (servers re-create engine namespaces at start). */
  listAllCaches(): Promise<CacheRecord[]>;

  /** The plan named `name`, or undefined. Built-in plans: `free` (Momento's defaults) and `unlimited`. */
  getPlan(name: string): Promise<Plan | undefined>;
  listPlans(): Promise<Plan[]>;
  /** Creates or replaces a plan. */
  putPlan(plan: Plan): Promise<void>;
  /** Moves an account to a plan; NOT_FOUND for an unknown account or plan. */
  setAccountPlan(accountId: string, planName: string): Promise<void>;

  /**
   * Adds usage atomically (an upsert that sums), so several servers flushing into one database add up.
   * All deltas of one call are applied in one transaction.
   */
  addUsage(deltas: readonly UsageDelta[]): Promise<void>;
  /** The account's usage rows with `fromMs <= hourStartMs < toMs`, ordered by hour then cache name. */
  listUsage(accountId: string, fromMs: number, toMs: number): Promise<UsageDelta[]>;

  /**
   * Calls `listener` after a change made through any store sharing this database: at once for this
   * process, and through PostgreSQL LISTEN/NOTIFY for the others (SQLite has one server per file). After a
   * lost notification connection is re-established every kind is reported, since some may have been
   * missed. Returns the unsubscribe function.
   */
  onChange(listener: (change: MetadataChange) => void): () => void;

  /**
   * Adds one to the counter of `bucket` for the window starting at `windowStartMs` and returns the new
   * count; atomic, so gateways sharing the store count together. Windows that started before
   * `pruneBeforeMs` (of every bucket) are deleted now and then.
   */
  incrementRateCounter(bucket: string, windowStartMs: number, pruneBeforeMs: number): Promise<number>;

  /** Small named settings of the deployment (e.g. the local account id). */
  getSetting(name: string): Promise<string | undefined>;
  setSetting(name: string, value: string): Promise<void>;
}
