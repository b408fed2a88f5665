/**
 * @module kysely-store
 * {@link MetadataStore} over any Kysely dialect. Queries use only what SQLite and PostgreSQL share
 * (`RETURNING`, `ON CONFLICT … DO UPDATE`, `coalesce`), so a dialect adds a connection and a
 * {@link DbErrorClassifier}, nothing else.
 */

import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import { type Kysely, sql } from 'kysely';
import { type DbErrorClassifier, toCacheError } from './db-errors.ts';
import { newId } from './ids.ts';
import { migrateToLatest, UnknownMigrationsError } from './migrator.ts';
import {
  ACCESS_VALUES,
  fromScope,
  fromTopicGrants,
  toAccount,
  toApiKey,
  toCacheRecord,
  toCount,
  toPlan,
  toUsage,
  toWebhook,
} from './rows.ts';
import type { MetadataDatabase } from './schema.ts';
import { generateSecret, hashSecret } from './secrets.ts';
import type {
  Account,
  ApiKey,
  CacheRecord,
  MetadataChange,
  MetadataStore,
  NewApiKey,
  Plan,
  UsageDelta,
  WebhookRecord,
} from './store.ts';

export interface KyselyMetadataStoreOptions {
  /**
   * Tells other processes sharing the database about a change (PostgreSQL: NOTIFY). Called after the
   * change committed; failures are ignored (the other servers' cache windows are the backstop).
   */
  readonly broadcast?: (change: MetadataChange) => Promise<void>;
  readonly db: Kysely<MetadataDatabase>;
  /** How to name the database in error messages, e.g. `sqlite database '/data/metadata.db'`. No secrets. */
  readonly database: string;
  readonly errors: DbErrorClassifier;
  /** Source of `createdAtMs`. */
  readonly clock: Clock;
  /** The schema holding the tables, when the dialect has schemas (PostgreSQL); see {@link migrateToLatest}. */
  readonly schema?: string;
  /** Removes secrets (a database password) from driver messages before they become errors. Default: none. */
  readonly redact?: (text: string) => string;
}

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

function accountNotFound(accountId: string): CacheError {
  return new CacheError(ErrorCode.NOT_FOUND, `account '${accountId}' not found`);
}

function planNotFound(planName: string): CacheError {
  return new CacheError(ErrorCode.NOT_FOUND, `plan '${planName}' not found`);
}

/** The plan of an account created without one. */
export const DEFAULT_PLAN = 'free';

/** Usage is metered per UTC hour; `hourStartMs` must be a multiple of this. */
export const USAGE_HOUR_MS = 3_600_000;

/** How often addUsage re-runs its transaction when an account vanished between its check and its insert. */
const ADD_USAGE_ATTEMPTS = 3;

function checkOptionalMs(value: number | null | undefined, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value)) throw invalid(`${name} must be an integer number of milliseconds`);
  return value;
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** A plan name: what `createAccount`, `setAccountPlan` and `putPlan` accept. */
function checkPlanName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 100 || name.trim() !== name) {
    throw invalid('a plan name must be 1 to 100 characters without leading or trailing spaces');
  }
  return name;
}

/** Validates a whole {@link Plan} before anything is written: each limit a positive integer or, if allowed, null. */
function checkPlan(plan: Plan): void {
  if (typeof plan !== 'object' || plan === null) throw invalid('a plan must be an object');
  const name = checkPlanName(plan.name);
  const required = { maxItemSizeBytes: plan.maxItemSizeBytes, maxTtlMs: plan.maxTtlMs };
  const nullable = {
    maxRequestsPerSecond: plan.maxRequestsPerSecond,
    maxThroughputBytesPerSecond: plan.maxThroughputBytesPerSecond,
    maxCaches: plan.maxCaches,
    maxApiKeys: plan.maxApiKeys ?? null,
    maxTopicPublishesPerSecond: plan.maxTopicPublishesPerSecond ?? null,
    maxTopicSubscriptionsPerCache: plan.maxTopicSubscriptionsPerCache ?? null,
    maxTopicMessageBytes: plan.maxTopicMessageBytes ?? null,
  };
  for (const [field, value] of Object.entries(required)) {
    if (!isPositiveInteger(value)) throw invalid(`plan '${name}': ${field} must be a positive integer`);
  }
  for (const [field, value] of Object.entries(nullable)) {
    if (value !== null && !isPositiveInteger(value)) {
      throw invalid(`plan '${name}': ${field} must be a positive integer or null (unlimited)`);
    }
  }
}

/**
 * Validates every delta (so an invalid one means nothing is written), sums deltas for the same row, drops
 * rows that add nothing, and sorts the rest by primary key.
 *
 * Summing in JS is required, not an optimisation: PostgreSQL rejects an upsert that touches the same row
 * twice in one command, and two statements in one transaction would just be slower. Sorting gives every
 * writer the same row-lock order, so two servers flushing overlapping rows on PostgreSQL wait for each
 * other instead of deadlocking.
 */
function mergeUsage(deltas: readonly UsageDelta[]): UsageDelta[] {
  if (!Array.isArray(deltas)) throw invalid('usage deltas must be an array');
  const byRow = new Map<string, UsageDelta>();
  deltas.forEach((d, i) => {
    const where = `usage delta ${i}`;
    if (typeof d !== 'object' || d === null) throw invalid(`${where} must be an object`);
    if (typeof d.accountId !== 'string' || d.accountId.length === 0) {
      throw invalid(`${where}: accountId must be a non-empty string`);
    }
    if (typeof d.cacheName !== 'string' || d.cacheName.length === 0) {
      throw invalid(`${where}: cacheName must be a non-empty string`);
    }
    if (!isNonNegativeInteger(d.hourStartMs) || d.hourStartMs % USAGE_HOUR_MS !== 0) {
      throw invalid(`${where}: hourStartMs must be the start of a UTC hour (a multiple of ${USAGE_HOUR_MS})`);
    }
    for (const field of ['bytesIn', 'bytesOut', 'requests'] as const) {
      if (!isNonNegativeInteger(d[field])) throw invalid(`${where}: ${field} must be a non-negative integer`);
    }
    const key = JSON.stringify([d.accountId, d.cacheName, d.hourStartMs]);
    const seen = byRow.get(key);
    const sum: UsageDelta = {
      accountId: d.accountId,
      cacheName: d.cacheName,
      hourStartMs: d.hourStartMs,
      bytesIn: d.bytesIn + (seen?.bytesIn ?? 0),
      bytesOut: d.bytesOut + (seen?.bytesOut ?? 0),
      requests: d.requests + (seen?.requests ?? 0),
    };
    if (![sum.bytesIn, sum.bytesOut, sum.requests].every(Number.isSafeInteger)) {
      throw invalid(`${where}: the deltas for one account, cache and hour add up past 2^53`);
    }
    byRow.set(key, sum);
  });
  return [...byRow.values()]
    .filter((d) => d.bytesIn > 0 || d.bytesOut > 0 || d.requests > 0)
    .sort(
      (a, b) =>
        compareText(a.accountId, b.accountId) || compareText(a.cacheName, b.cacheName) || a.hourStartMs - b.hourStartMs,
    );
}

/** Code-unit order: the same in every process and on every database (see {@link byAccountThenName}). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Sorted here rather than with ORDER BY: SQLite compares text bytewise while PostgreSQL uses the database's
 * locale collation, so the same ORDER BY would list `Cache-b`, `cache-a` differently on the two. An account
 * has few caches, so sorting in JS costs nothing and is identical everywhere.
 */
function byAccountThenName(a: CacheRecord, b: CacheRecord): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The dialect-neutral store; see {@link MetadataStore} for the contract of each method. */
export class KyselyMetadataStore implements MetadataStore {
  readonly db: Kysely<MetadataDatabase>;
  readonly #database: string;
  readonly #errors: DbErrorClassifier;
  readonly #clock: Clock;
  readonly #schema: string | undefined;
  readonly #redact: ((text: string) => string) | undefined;
  readonly #listeners = new Set<(change: MetadataChange) => void>();
  readonly #broadcast: ((change: MetadataChange) => Promise<void>) | undefined;
  #closed = false;

  constructor(options: KyselyMetadataStoreOptions) {
    this.db = options.db;
    this.#database = options.database;
    this.#errors = options.errors;
    this.#clock = options.clock;
    this.#broadcast = options.broadcast;
    this.#schema = options.schema;
    this.#redact = options.redact;
  }

  /**
   * Runs one operation, turning any driver error into a {@link CacheError}. `action` names the operation
   * in the message and must never contain a secret.
   */
  async #run<T>(action: string, op: () => Promise<T>): Promise<T> {
    // Checked here because after destroy() Kysely and the drivers throw errors that do not say "closed".
    if (this.#closed) {
      throw new CacheError(
        ErrorCode.UNAVAILABLE,
        `metadata ${action} failed: the store for ${this.#database} is closed`,
      );
    }
    try {
      return await op();
    } catch (e) {
      if (e instanceof CacheError) throw e;
      throw toCacheError(this.#errors.classify(e), e, this.#database, action, this.#redact);
    }
  }

  async migrate(): Promise<void> {
    await this.#run('migrate', async () => {
      try {
        await migrateToLatest(this.db, this.#schema);
      } catch (e) {
        if (e instanceof UnknownMigrationsError) {
          throw new CacheError(
            ErrorCode.INTERNAL,
            `${this.#database} has a schema this version of Cachette does not know (${e.message}); ` +
              'it was probably migrated by a newer Cachette: upgrade this one',
          );
        }
        throw e;
      }
    });
  }

  onChange(listener: (change: MetadataChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Reports a change to this process's listeners (e.g. from another process's NOTIFY). */
  emitChange(change: MetadataChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A listener's failure must not break the store or the other listeners.
      }
    }
  }

  async #changed(change: MetadataChange): Promise<void> {
    this.emitChange(change);
    await this.#broadcast?.(change).catch(() => undefined);
  }

  readonly #onClose: Array<() => Promise<void>> = [];

  /** Runs `fn` when the store closes (before the connections are destroyed). */
  onClose(fn: () => Promise<void>): void {
    this.#onClose.push(fn);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#onClose.splice(0)) await fn().catch(() => undefined);
    await this.db.destroy();
  }

  // ── accounts ────────────────────────────────────────────────────────────────

  async createAccount(input: {
    email?: string | null;
    provider: string;
    region: string;
    plan?: string;
  }): Promise<Account> {
    const account: Account = {
      id: newId('acc'),
      email: input.email ?? null,
      provider: input.provider,
      region: input.region,
      createdAtMs: this.#clock.nowMs(),
      plan: checkPlanName(input.plan ?? DEFAULT_PLAN),
    };
    return this.#run('createAccount', async () => {
      // A check, not a foreign key (see migration 0002); plans are never deleted, so it cannot go stale.
      if (!(await this.#planExists(account.plan))) throw planNotFound(account.plan);
      try {
        await this.db
          .insertInto('accounts')
          .values({
            id: account.id,
            email: account.email,
            provider: account.provider,
            region: account.region,
            created_at_ms: account.createdAtMs,
            plan: account.plan,
          })
          .execute();
      } catch (e) {
        // The only unique column a caller controls is the e-mail (ids are 96 random bits).
        if (this.#errors.classify(e) === 'unique' && account.email !== null) {
          throw new CacheError(ErrorCode.ALREADY_EXISTS, `an account with e-mail '${account.email}' already exists`);
        }
        throw e;
      }
      return account;
    });
  }

  async getAccount(id: string): Promise<Account | undefined> {
    return this.#run('getAccount', async () => {
      const row = await this.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    });
  }

  async findAccountByEmail(email: string): Promise<Account | undefined> {
    return this.#run('findAccountByEmail', async () => {
      const row = await this.db.selectFrom('accounts').selectAll().where('email', '=', email).executeTakeFirst();
      return row && toAccount(row);
    });
  }

  // ── API keys ────────────────────────────────────────────────────────────────

  async createApiKey(input: NewApiKey): Promise<{ key: ApiKey; secret: string }> {
    const scope = input.scope ?? { kind: 'all' };
    if (scope.kind === 'caches') {
      // An empty list would mint a key that can do nothing, which is always a caller's mistake, unless the
      // key grants topics explicitly (a topics-only key: no items at all).
      if (scope.caches.length === 0 && !(input.topics && input.topics.length > 0)) {
        throw invalid('a key scoped to caches must list at least one cache');
      }
      if (scope.caches.some((c) => typeof c !== 'string' || c.length === 0)) {
        throw invalid('cache names in a key scope must be non-empty strings');
      }
    }
    const access = input.access ?? 'readWrite';
    if (!ACCESS_VALUES.includes(access)) throw invalid(`unknown key access '${String(access)}'`);
    const expiresAtMs = checkOptionalMs(input.expiresAtMs, 'expiresAtMs');
    if (input.canManage !== undefined && typeof input.canManage !== 'boolean') {
      throw invalid('canManage must be a boolean');
    }
    // The default keeps what a key could do before canManage existed: only all-caches readWrite keys manage.
    const canManage = input.canManage ?? (scope.kind === 'all' && access === 'readWrite');

    return this.#run('createApiKey', async () => {
      const account = await this.db
        .selectFrom('accounts')
        .select(['provider', 'region'])
        .where('id', '=', input.accountId)
        .executeTakeFirst();
      if (account === undefined) throw accountNotFound(input.accountId);

      const secret = generateSecret();
      const key: ApiKey = {
        id: newId('key'),
        accountId: input.accountId,
        region: account.region,
        provider: account.provider,
        scope: scope.kind === 'all' ? { kind: 'all' } : { kind: 'caches', caches: [...scope.caches] },
        access,
        createdAtMs: this.#clock.nowMs(),
        expiresAtMs,
        revokedAtMs: null,
        lastUsedAtMs: null,
        description: input.description ?? null,
        canManage,
        parentKeyId: input.parentKeyId ?? null,
        topics: input.topics ?? null,
      };
      try {
        await this.db
          .insertInto('api_keys')
          .values({
            id: key.id,
            account_id: key.accountId,
            secret_hash: hashSecret(secret),
            region: key.region,
            provider: key.provider,
            ...fromScope(key.scope),
            access: key.access,
            created_at_ms: key.createdAtMs,
            expires_at_ms: key.expiresAtMs,
            revoked_at_ms: null,
            last_used_at_ms: null,
            description: key.description,
            can_manage: key.canManage ? 1 : 0,
            parent_key_id: key.parentKeyId,
            topic_grants: fromTopicGrants(key.topics),
          })
          .execute();
      } catch (e) {
        // The account was deleted between the lookup and the insert.
        if (this.#errors.classify(e) === 'foreignKey') throw accountNotFound(input.accountId);
        throw e;
      }
      return { key, secret };
    });
  }

  async findApiKeyBySecret(secret: string): Promise<ApiKey | undefined> {
    // Only the hash reaches the database, so neither a query log nor a driver error can contain the secret.
    const secretHash = hashSecret(secret);
    return this.#run('findApiKeyBySecret', async () => {
      const row = await this.db
        .selectFrom('api_keys')
        .selectAll()
        .where('secret_hash', '=', secretHash)
        .executeTakeFirst();
      return row && toApiKey(row);
    });
  }

  async listApiKeys(accountId: string): Promise<ApiKey[]> {
    return this.#run('listApiKeys', async () => {
      const rows = await this.db
        .selectFrom('api_keys')
        .selectAll()
        .where('account_id', '=', accountId)
        .orderBy('created_at_ms')
        .orderBy('id')
        .execute();
      return rows.map(toApiKey);
    });
  }

  async listApiKeysPage(
    accountId: string,
    page: { readonly limit: number; readonly after?: { readonly createdAtMs: number; readonly id: string } },
  ): Promise<ApiKey[]> {
    if (!Number.isSafeInteger(page.limit) || page.limit < 1) throw invalid('a page limit must be a positive integer');
    const after = page.after;
    return this.#run('listApiKeysPage', async () => {
      let query = this.db.selectFrom('api_keys').selectAll().where('account_id', '=', accountId);
      if (after !== undefined) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at_ms', '<', after.createdAtMs),
            eb.and([eb('created_at_ms', '=', after.createdAtMs), eb('id', '<', after.id)]),
          ]),
        );
      }
      const rows = await query.orderBy('created_at_ms', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
      return rows.map(toApiKey);
    });
  }

  async countUsableApiKeys(accountId: string, nowMs: number): Promise<number> {
    return this.#run('countUsableApiKeys', async () => {
      const row = await this.db
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('account_id', '=', accountId)
        .where('revoked_at_ms', 'is', null)
        .where((eb) => eb.or([eb('expires_at_ms', 'is', null), eb('expires_at_ms', '>', nowMs)]))
        .executeTakeFirstOrThrow();
      return toCount(row.n);
    });
  }

  async incrementRateCounter(bucket: string, windowStartMs: number, pruneBeforeMs: number): Promise<number> {
    if (typeof bucket !== 'string' || bucket.length === 0) throw invalid('a rate counter needs a bucket name');
    checkOptionalMs(windowStartMs, 'windowStartMs');
    return this.#run('incrementRateCounter', async () => {
      const row = await this.db
        .insertInto('rate_counters')
        .values({ bucket, window_start_ms: windowStartMs, count: 1 })
        .onConflict((oc) =>
          oc.columns(['bucket', 'window_start_ms']).doUpdateSet({ count: sql<number>`rate_counters.count + 1` }),
        )
        .returning('count')
        .executeTakeFirstOrThrow();
      // Old windows are garbage; deleting them on about 1 call in 64 keeps the table small without a timer.
      if (Math.random() < 1 / 64) {
        await this.db.deleteFrom('rate_counters').where('window_start_ms', '<', pruneBeforeMs).execute();
      }
      return toCount(row.count);
    });
  }

  async revokeApiKey(accountId: string, keyId: string, atMs: number): Promise<void> {
    return this.#run('revokeApiKey', () =>
      // One transaction: a failure half-way must not leave a revoked parent with live children.
      this.db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('api_keys')
          // coalesce: revoking twice succeeds but keeps the first revocation time, which audits rely on.
          .set({ revoked_at_ms: sql<number>`coalesce(revoked_at_ms, ${atMs})` })
          .where('id', '=', keyId)
          .where('account_id', '=', accountId)
          .executeTakeFirst();
        if (result.numUpdatedRows === 0n) {
          throw new CacheError(ErrorCode.NOT_FOUND, `api key '${keyId}' not found`);
        }
        // Then every descendant, one generation per statement. Already-revoked children are walked too (one
        // revoked earlier may have live children of its own) but keep their first revocation time.
        let generation = [keyId];
        const seen = new Set(generation);
        while (generation.length > 0) {
          const children = await trx
            .selectFrom('api_keys')
            .select('id')
            .where('account_id', '=', accountId)
            .where('parent_key_id', 'in', generation)
            .execute();
          generation = children.map((c) => c.id).filter((id) => !seen.has(id));
          if (generation.length === 0) break;
          for (const id of generation) seen.add(id);
          await trx
            .updateTable('api_keys')
            .set({ revoked_at_ms: sql<number>`coalesce(revoked_at_ms, ${atMs})` })
            .where('account_id', '=', accountId)
            .where('id', 'in', generation)
            .execute();
        }
      }),
    ).then(() => this.#changed('apiKeys'));
  }

  async touchApiKey(keyId: string, atMs: number): Promise<void> {
    return this.#run('touchApiKey', async () => {
      await this.db
        .updateTable('api_keys')
        .set({ last_used_at_ms: atMs })
        .where('id', '=', keyId)
        // Several gateways touch the same key with their own clocks: never move the time backwards.
        .where((eb) => eb.or([eb('last_used_at_ms', 'is', null), eb('last_used_at_ms', '<', atMs)]))
        .execute();
    });
  }

  // ── caches ──────────────────────────────────────────────────────────────────

  async createCache(accountId: string, name: string): Promise<CacheRecord> {
    const cache: CacheRecord = { id: newId('cch'), accountId, name, createdAtMs: this.#clock.nowMs() };
    return this.#run('createCache', async () => {
      try {
        await this.db
          .insertInto('caches')
          .values({ id: cache.id, account_id: accountId, name, created_at_ms: cache.createdAtMs })
          .execute();
      } catch (e) {
        // No pre-check: the (account_id, name) constraint decides, so two gateways racing to create the
        // same cache get exactly one success and one ALREADY_EXISTS.
        const kind = this.#errors.classify(e);
        if (kind === 'unique') throw new CacheError(ErrorCode.ALREADY_EXISTS, `cache '${name}' already exists`);
        if (kind === 'foreignKey') throw accountNotFound(accountId);
        throw e;
      }
      return cache;
    }).then(async (record) => {
      await this.#changed('caches');
      return record;
    });
  }

  async deleteCache(accountId: string, name: string): Promise<CacheRecord> {
    return this.#run('deleteCache', async () => {
      // DELETE … RETURNING: one atomic statement, so two concurrent deletes cannot both "succeed".
      const row = await this.db
        .deleteFrom('caches')
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined) throw new CacheError(ErrorCode.NOT_FOUND, `cache '${name}' not found`, 'store_not_found');
      return toCacheRecord(row);
    }).then(async (record) => {
      await this.#changed('caches');
      return record;
    });
  }

  async putWebhook(webhook: Omit<WebhookRecord, 'createdAtMs'>): Promise<WebhookRecord> {
    return this.#run('putWebhook', async () => {
      const createdAtMs = this.#clock.nowMs();
      await this.db
        .insertInto('webhooks')
        .values({
          cache_id: webhook.cacheId,
          name: webhook.name,
          account_id: webhook.accountId,
          topic: webhook.topic,
          url: webhook.url,
          secret: webhook.secret,
          created_at_ms: createdAtMs,
        })
        .onConflict((oc) => oc.columns(['cache_id', 'name']).doUpdateSet({ topic: webhook.topic, url: webhook.url }))
        .execute();
      const row = await this.db
        .selectFrom('webhooks')
        .selectAll()
        .where('cache_id', '=', webhook.cacheId)
        .where('name', '=', webhook.name)
        .executeTakeFirstOrThrow();
      return toWebhook(row);
    });
  }

  async listWebhooks(cacheId: string): Promise<WebhookRecord[]> {
    return this.#run('listWebhooks', async () => {
      const rows = await this.db
        .selectFrom('webhooks')
        .selectAll()
        .where('cache_id', '=', cacheId)
        .orderBy('name')
        .execute();
      return rows.map(toWebhook);
    });
  }

  async deleteWebhook(cacheId: string, name: string): Promise<void> {
    return this.#run('deleteWebhook', async () => {
      const row = await this.db
        .deleteFrom('webhooks')
        .where('cache_id', '=', cacheId)
        .where('name', '=', name)
        .returning('name')
        .executeTakeFirst();
      if (row === undefined)
        throw new CacheError(ErrorCode.NOT_FOUND, `webhook '${name}' not found`, 'store_not_found');
    });
  }

  async rotateWebhookSecret(cacheId: string, name: string, secret: string): Promise<WebhookRecord> {
    return this.#run('rotateWebhookSecret', async () => {
      const row = await this.db
        .updateTable('webhooks')
        .set({ secret })
        .where('cache_id', '=', cacheId)
        .where('name', '=', name)
        .returningAll()
        .executeTakeFirst();
      if (row === undefined)
        throw new CacheError(ErrorCode.NOT_FOUND, `webhook '${name}' not found`, 'store_not_found');
      return toWebhook(row);
    });
  }

  async getCache(accountId: string, name: string): Promise<CacheRecord | undefined> {
    return this.#run('getCache', async () => {
      const row = await this.db
        .selectFrom('caches')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row && toCacheRecord(row);
    });
  }

  async listCaches(accountId: string): Promise<CacheRecord[]> {
    return this.#run('listCaches', async () => {
      const rows = await this.db.selectFrom('caches').selectAll().where('account_id', '=', accountId).execute();
      return rows.map(toCacheRecord).sort(byAccountThenName);
    });
  }

  async countCaches(accountId: string): Promise<number> {
    return this.#run('countCaches', async () => {
      const row = await this.db
        .selectFrom('caches')
        .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
        .where('account_id', '=', accountId)
        .executeTakeFirstOrThrow();
      return toCount(row.n);
    });
  }

  async listAllCaches(): Promise<CacheRecord[]> {
    return this.#run('listAllCaches', async () => {
      const rows = await this.db.selectFrom('caches').selectAll().execute();
      return rows.map(toCacheRecord).sort(byAccountThenName);
    });
  }

  // ── plans ───────────────────────────────────────────────────────────────────

  async #planExists(name: string): Promise<boolean> {
    const row = await this.db.selectFrom('plans').select('name').where('name', '=', name).executeTakeFirst();
    return row !== undefined;
  }

  async getPlan(name: string): Promise<Plan | undefined> {
    return this.#run('getPlan', async () => {
      const row = await this.db.selectFrom('plans').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toPlan(row);
    });
  }

  async listPlans(): Promise<Plan[]> {
    return this.#run('listPlans', async () => {
      const rows = await this.db.selectFrom('plans').selectAll().execute();
      // In JS for the same order on both dialects (see byAccountThenName).
      return rows.map(toPlan).sort((a, b) => compareText(a.name, b.name));
    });
  }

  async putPlan(plan: Plan): Promise<void> {
    checkPlan(plan);
    const columns = {
      max_requests_per_second: plan.maxRequestsPerSecond,
      max_throughput_bytes_per_second: plan.maxThroughputBytesPerSecond,
      max_item_size_bytes: plan.maxItemSizeBytes,
      max_ttl_ms: plan.maxTtlMs,
      max_caches: plan.maxCaches,
      max_api_keys: plan.maxApiKeys ?? null,
      max_topic_publishes_per_second: plan.maxTopicPublishesPerSecond ?? null,
      max_topic_subscriptions_per_cache: plan.maxTopicSubscriptionsPerCache ?? null,
      max_topic_message_bytes: plan.maxTopicMessageBytes ?? null,
    };
    return this.#run('putPlan', async () => {
      await this.db
        .insertInto('plans')
        .values({ name: plan.name, ...columns })
        .onConflict((oc) => oc.column('name').doUpdateSet(columns))
        .execute();
    }).then(() => this.#changed('plans'));
  }

  async setAccountPlan(accountId: string, planName: string): Promise<void> {
    checkPlanName(planName);
    return this.#run('setAccountPlan', async () => {
      if (!(await this.#planExists(planName))) throw planNotFound(planName);
      const result = await this.db
        .updateTable('accounts')
        .set({ plan: planName })
        .where('id', '=', accountId)
        .executeTakeFirst();
      // Both dialects count matched rows, so re-setting the current plan is not mistaken for a miss.
      if (result.numUpdatedRows === 0n) throw accountNotFound(accountId);
    }).then(() => this.#changed('plans'));
  }

  // ── usage ───────────────────────────────────────────────────────────────────

  /**
   * Deltas of an account that does not exist (unknown, or deleted since the server counted them) are
   * skipped rather than failing the call: the caller is a periodic flush that cannot fix them, and failing
   * would lose — or endlessly retry — every other account's deltas in the batch. Skipping is also what
   * the `on delete cascade` would have done to those rows a moment later.
   */
  async addUsage(deltas: readonly UsageDelta[]): Promise<void> {
    const rows = mergeUsage(deltas);
    if (rows.length === 0) return;
    return this.#run('addUsage', async () => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.db.transaction().execute(async (trx) => {
            for (const d of rows) {
              await trx
                .insertInto('usage')
                .columns(['account_id', 'cache_name', 'hour_start_ms', 'bytes_in', 'bytes_out', 'requests'])
                // INSERT … SELECT … WHERE EXISTS: the row is skipped, not an FK error, when the account is
                // gone. Casts because PostgreSQL types the parameters of a bare SELECT list as text.
                .expression(
                  trx
                    .selectNoFrom((eb) => [
                      eb.cast<string>(eb.val(d.accountId), 'text').as('account_id'),
                      eb.cast<string>(eb.val(d.cacheName), 'text').as('cache_name'),
                      eb.cast<number>(eb.val(d.hourStartMs), 'bigint').as('hour_start_ms'),
                      eb.cast<number>(eb.val(d.bytesIn), 'bigint').as('bytes_in'),
                      eb.cast<number>(eb.val(d.bytesOut), 'bigint').as('bytes_out'),
                      eb.cast<number>(eb.val(d.requests), 'bigint').as('requests'),
                    ])
                    // Also what makes SQLite parse ON CONFLICT as the upsert clause, not part of the SELECT.
                    .where((eb) => eb.exists(eb.selectFrom('accounts').select('id').where('id', '=', d.accountId))),
                )
                // The sum happens in the database, so concurrent writers (other servers) add up.
                .onConflict((oc) =>
                  oc.columns(['account_id', 'cache_name', 'hour_start_ms']).doUpdateSet({
                    bytes_in: sql<number>`${sql.ref('usage.bytes_in')} + ${sql.ref('excluded.bytes_in')}`,
                    bytes_out: sql<number>`${sql.ref('usage.bytes_out')} + ${sql.ref('excluded.bytes_out')}`,
                    requests: sql<number>`${sql.ref('usage.requests')} + ${sql.ref('excluded.requests')}`,
                  }),
                )
                .execute();
            }
          });
          return;
        } catch (e) {
          // PostgreSQL: the account was deleted between the EXISTS and the insert. The transaction rolled
          // back, so re-running it applies nothing twice, and this time the EXISTS skips that account.
          if (this.#errors.classify(e) === 'foreignKey' && attempt < ADD_USAGE_ATTEMPTS) continue;
          throw e;
        }
      }
    });
  }

  async listUsage(accountId: string, fromMs: number, toMs: number): Promise<UsageDelta[]> {
    if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs)) {
      throw invalid('fromMs and toMs must be integer numbers of milliseconds');
    }
    return this.#run('listUsage', async () => {
      const rows = await this.db
        .selectFrom('usage')
        .selectAll()
        .where('account_id', '=', accountId)
        .where('hour_start_ms', '>=', fromMs)
        .where('hour_start_ms', '<', toMs)
        .execute();
      // In JS for the same order on both dialects (see byAccountThenName).
      return rows.map(toUsage).sort((a, b) => a.hourStartMs - b.hourStartMs || compareText(a.cacheName, b.cacheName));
    });
  }

  // ── settings ────────────────────────────────────────────────────────────────

  async getSetting(name: string): Promise<string | undefined> {
    return this.#run('getSetting', async () => {
      const row = await this.db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
      return row?.value;
    });
  }

  async setSetting(name: string, value: string): Promise<void> {
    return this.#run('setSetting', async () => {
      await this.db
        .insertInto('settings')
        .values({ name, value })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
        .execute();
    });
  }
}
