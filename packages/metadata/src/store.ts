/**
 * @module store
 * The metadata contract: accounts, API keys and caches. Implemented over Kysely so SQLite (embedded
 * default) and PostgreSQL (shared by many gateways) run the same queries.
 *
 * Errors are {@link CacheError}s from `@cachette/engine`: ALREADY_EXISTS, NOT_FOUND, UNAVAILABLE when the
 * database cannot be reached, INTERNAL for anything else.
 */

/** Which caches a key may touch. */
export type KeyScope = { readonly kind: 'all' } | { readonly kind: 'caches'; readonly caches: readonly string[] };

/** What a key may do on the caches in its scope. `readWrite` also allows control-plane calls. */
export type KeyAccess = 'readWrite' | 'readOnly' | 'writeOnly';

export interface Account {
  readonly id: string;
  readonly email: string | null;
  readonly provider: string;
  readonly region: string;
  readonly createdAtMs: number;
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
}

/** The store every server process talks to; one instance per process, safe to share across requests. */
export interface MetadataStore {
  /** Applies pending migrations. Idempotent; safe when several processes start at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  createAccount(input: { email?: string | null; provider: string; region: string }): Promise<Account>;
  getAccount(id: string): Promise<Account | undefined>;
  findAccountByEmail(email: string): Promise<Account | undefined>;

  /** Creates a key and returns its secret once; only a hash of the secret is stored. */
  createApiKey(input: NewApiKey): Promise<{ key: ApiKey; secret: string }>;
  /** The key whose secret hashes to the stored hash, revoked or expired included (callers decide). */
  findApiKeyBySecret(secret: string): Promise<ApiKey | undefined>;
  listApiKeys(accountId: string): Promise<ApiKey[]>;
  /** Revokes a key of this account; NOT_FOUND when the account has no such key. */
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

  /** Small named settings of the deployment (e.g. the local account id). */
  getSetting(name: string): Promise<string | undefined>;
  setSetting(name: string, value: string): Promise<void>;
}
