/**
 * @module kysely-store
 * {@link MetadataStore} over any Kysely dialect. Queries use only what SQLite and PostgreSQL share
 * (`RETURNING`, `ON CONFLICT … DO UPDATE`, `coalesce`), so a dialect adds a connection and a
 * {@link DbErrorClassifier}, nothing else.
 */

import { CacheError, type Clock, ErrorCode } from '@cachette/engine';
import { type Kysely, sql } from 'kysely';
import { type DbErrorClassifier, toCacheError } from './db-errors.ts';
import { newId } from './ids.ts';
import { migrateToLatest, UnknownMigrationsError } from './migrator.ts';
import { ACCESS_VALUES, fromScope, toAccount, toApiKey, toCacheRecord, toCount } from './rows.ts';
import type { MetadataDatabase } from './schema.ts';
import { generateSecret, hashSecret } from './secrets.ts';
import type { Account, ApiKey, CacheRecord, MetadataStore, NewApiKey } from './store.ts';

export interface KyselyMetadataStoreOptions {
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

function checkOptionalMs(value: number | null | undefined, name: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isSafeInteger(value)) throw invalid(`${name} must be an integer number of milliseconds`);
  return value;
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
  #closed = false;

  constructor(options: KyselyMetadataStoreOptions) {
    this.db = options.db;
    this.#database = options.database;
    this.#errors = options.errors;
    this.#clock = options.clock;
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

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }

  // ── accounts ────────────────────────────────────────────────────────────────

  async createAccount(input: { email?: string | null; provider: string; region: string }): Promise<Account> {
    const account: Account = {
      id: newId('acc'),
      email: input.email ?? null,
      provider: input.provider,
      region: input.region,
      createdAtMs: this.#clock.nowMs(),
    };
    return this.#run('createAccount', async () => {
      try {
        await this.db
          .insertInto('accounts')
          .values({
            id: account.id,
            email: account.email,
            provider: account.provider,
            region: account.region,
            created_at_ms: account.createdAtMs,
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
      // An empty list would mint a key that can do nothing, which is always a caller's mistake.
      if (scope.caches.length === 0) throw invalid('a key scoped to caches must list at least one cache');
      if (scope.caches.some((c) => typeof c !== 'string' || c.length === 0)) {
        throw invalid('cache names in a key scope must be non-empty strings');
      }
    }
    const access = input.access ?? 'readWrite';
    if (!ACCESS_VALUES.includes(access)) throw invalid(`unknown key access '${String(access)}'`);
    const expiresAtMs = checkOptionalMs(input.expiresAtMs, 'expiresAtMs');

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

  async revokeApiKey(accountId: string, keyId: string, atMs: number): Promise<void> {
    return this.#run('revokeApiKey', async () => {
      const result = await this.db
        .updateTable('api_keys')
        // coalesce: revoking twice succeeds but keeps the first revocation time, which audits rely on.
        .set({ revoked_at_ms: sql<number>`coalesce(revoked_at_ms, ${atMs})` })
        .where('id', '=', keyId)
        .where('account_id', '=', accountId)
        .executeTakeFirst();
      if (result.numUpdatedRows === 0n) {
        throw new CacheError(ErrorCode.NOT_FOUND, `api key '${keyId}' not found`);
      }
    });
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
