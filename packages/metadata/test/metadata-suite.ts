/**
 * @module metadata-suite
 * The conformance suite every {@link MetadataStore} must pass, whatever the database behind it. A dialect
 * runs it in a few lines: `metadataConformance('PostgreSQL', async (clock) => ({ store, rawRows, dispose }))`.
 * Each test gets a fresh, empty, migrated store.
 */

import { CacheError, ErrorCode, ManualClock } from '@cachette/core';
import { type Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret, type MetadataStore, type Plan, type UsageDelta } from '../src/index.ts';
import { createMigrator } from '../src/migrator.ts';

export type MetadataTable = 'accounts' | 'api_keys' | 'caches' | 'plans' | 'usage' | 'settings';

/** What a dialect hands the suite. */
export interface MetadataHarness {
  readonly store: MetadataStore;
  /** Every row of a table as stored, read around the store, to prove what is and is not persisted. */
  rawRows(table: MetadataTable): Promise<Record<string, unknown>[]>;
  /** Releases everything the factory created; the store may already be closed. */
  dispose(): Promise<void>;
  /**
   * Opens another store on the same database, as a second server would; absent where that is impossible
   * (a private in-memory SQLite). The suite closes it.
   */
  openAnother?(): Promise<MetadataStore>;
}

const HOUR = 3_600_000;
/** 2023-11-14T22:00Z, the hour the suite's clock starts in. */
const H0 = 1_699_999_200_000;

/** The built-in plans exactly as migrations 0002 and 0004 seed them. */
export const BUILT_IN_PLANS: readonly Plan[] = [
  {
    name: 'free',
    maxRequestsPerSecond: 100,
    maxThroughputBytesPerSecond: 1_048_576,
    maxItemSizeBytes: 5_242_880,
    maxTtlMs: 86_400_000,
    maxCaches: 100,
    maxApiKeys: 100,
  },
  {
    name: 'unlimited',
    maxRequestsPerSecond: null,
    maxThroughputBytesPerSecond: null,
    maxItemSizeBytes: 5_242_880,
    maxTtlMs: 86_400_000,
    maxCaches: null,
    maxApiKeys: null,
  },
];

/** The ids {@link seedAtInitialSchema} created. */
export interface InitialSchemaSeed {
  readonly accountId: string;
  /** Keys by what they should be able to do after the backfill. */
  readonly managing: readonly string[];
  readonly notManaging: readonly string[];
}

/**
 * Migrates an empty database to `0001-initial` only and writes an account with four keys through plain
 * SQL, as a Cachette from before migration 0002 would have. Opening a store on it afterwards exercises
 * 0002's defaults and backfill on rows that already exist.
 */
export async function seedAtInitialSchema(db: Kysely<unknown>, schema?: string): Promise<InitialSchemaSeed> {
  const { error } = await createMigrator(db, schema).migrateTo('0001-initial');
  if (error !== undefined) throw error;
  const accountId = 'acc_old';
  await sql`insert into accounts (id, email, provider, region, created_at_ms)
    values (${accountId}, 'old@example.com', 'aws', 'us-west-2', 1)`.execute(db);
  const keys = [
    { id: 'key_super', kind: 'all', caches: null, access: 'readWrite' },
    { id: 'key_scoped', kind: 'caches', caches: '["orders"]', access: 'readWrite' },
    { id: 'key_ro', kind: 'all', caches: null, access: 'readOnly' },
    { id: 'key_wo', kind: 'all', caches: null, access: 'writeOnly' },
  ];
  for (const k of keys) {
    await sql`insert into api_keys (id, account_id, secret_hash, region, provider, scope_kind, scope_caches, access,
        created_at_ms) values (${k.id}, ${accountId}, ${`hash-${k.id}`}, 'us-west-2', 'aws', ${k.kind}, ${k.caches},
        ${k.access}, 2)`.execute(db);
  }
  return { accountId, managing: ['key_super'], notManaging: ['key_scoped', 'key_ro', 'key_wo'] };
}

/** Asserts what migration 0002 must have made of {@link seedAtInitialSchema}'s rows. */
export async function expectBackfilled(store: MetadataStore, seed: InitialSchemaSeed): Promise<void> {
  expect((await store.getAccount(seed.accountId))?.plan).toBe('free');
  const keys = await store.listApiKeys(seed.accountId);
  expect(keys.filter((k) => k.canManage).map((k) => k.id)).toEqual(seed.managing);
  expect(
    keys
      .filter((k) => !k.canManage)
      .map((k) => k.id)
      .sort(),
  ).toEqual([...seed.notManaging].sort());
  expect(await store.listPlans()).toEqual(BUILT_IN_PLANS);
  // The migrated account works like a new one: usage and plan changes reference it.
  await store.addUsage([
    { accountId: seed.accountId, cacheName: 'orders', hourStartMs: 0, bytesIn: 1, bytesOut: 2, requests: 3 },
  ]);
  await store.setAccountPlan(seed.accountId, 'unlimited');
  expect((await store.getAccount(seed.accountId))?.plan).toBe('unlimited');
}

/** The counters of `row` multiplied by `n`. */
function times(row: UsageDelta, n: number): Pick<UsageDelta, 'bytesIn' | 'bytesOut' | 'requests'> {
  return { bytesIn: row.bytesIn * n, bytesOut: row.bytesOut * n, requests: row.requests * n };
}

/** A usage delta with small defaults, for brevity. */
function delta(accountId: string, cacheName: string, hourStartMs: number, n = 1): UsageDelta {
  return { accountId, cacheName, hourStartMs, bytesIn: 10 * n, bytesOut: 100 * n, requests: n };
}

/** Creates a fresh, empty, migrated store whose `createdAtMs` come from `clock`. */
export type MakeMetadataStore = (clock: ManualClock) => Promise<MetadataHarness>;

/** Resolves to the CacheError `promise` rejects with; fails the test when it resolves or throws anything else. */
export async function cacheErrorOf(promise: Promise<unknown>): Promise<CacheError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(CacheError);
    return e as CacheError;
  }
  throw new Error('expected a CacheError, but the call succeeded');
}

/** Registers the metadata conformance suite under `name`. */
export function metadataConformance(name: string, make: MakeMetadataStore): void {
  describe(`MetadataStore conformance: ${name}`, () => {
    let clock: ManualClock;
    let harness: MetadataHarness;
    let store: MetadataStore;

    beforeEach(async () => {
      clock = new ManualClock(1_700_000_000_000);
      harness = await make(clock);
      store = harness.store;
    });
    afterEach(async () => {
      await harness.dispose();
    });

    const newAccount = (email: string | null = null) =>
      store.createAccount({ email, provider: 'aws', region: 'us-west-2' });

    describe('migrations', () => {
      it('migrate() on an up-to-date store is a no-op that keeps data', async () => {
        const account = await newAccount('a@example.com');
        await store.migrate();
        await store.migrate();
        expect(await store.getAccount(account.id)).toEqual(account);
      });
    });

    describe('accounts', () => {
      it('createAccount() returns an acc_ id and the clock time, and getAccount() finds it', async () => {
        const account = await newAccount('ada@example.com');
        expect(account).toEqual({
          id: expect.stringMatching(/^acc_[A-Za-z0-9_-]{16}$/),
          email: 'ada@example.com',
          provider: 'aws',
          region: 'us-west-2',
          createdAtMs: 1_700_000_000_000,
          plan: 'free',
        });
        expect(await store.getAccount(account.id)).toEqual(account);
      });

      it('findAccountByEmail() finds the account, and returns undefined for an unknown e-mail', async () => {
        const account = await newAccount('ada@example.com');
        expect(await store.findAccountByEmail('ada@example.com')).toEqual(account);
        expect(await store.findAccountByEmail('bob@example.com')).toBeUndefined();
      });

      it('getAccount(unknown id) returns undefined', async () => {
        expect(await store.getAccount('acc_nope')).toBeUndefined();
      });

      it('createAccount() with a taken e-mail fails with ALREADY_EXISTS', async () => {
        await newAccount('ada@example.com');
        const error = await cacheErrorOf(newAccount('ada@example.com'));
        expect(error.code).toBe(ErrorCode.ALREADY_EXISTS);
      });

      it('createAccount() without e-mail can be called many times (NULL e-mails are not duplicates)', async () => {
        const a = await newAccount(null);
        const b = await store.createAccount({ provider: 'aws', region: 'us-west-2' });
        expect(a.id).not.toBe(b.id);
        expect(b.email).toBeNull();
      });
    });

    describe('API keys', () => {
      it('createApiKey() returns a cachette_sk_ secret that findApiKeyBySecret() resolves to the key', async () => {
        const account = await newAccount();
        clock.advance(1000);
        const { key, secret } = await store.createApiKey({ accountId: account.id });
        expect(secret).toMatch(/^cachette_sk_[A-Za-z0-9_-]{43}$/);
        expect(key).toEqual({
          id: expect.stringMatching(/^key_/),
          accountId: account.id,
          region: 'us-west-2',
          provider: 'aws',
          scope: { kind: 'all' },
          access: 'readWrite',
          createdAtMs: 1_700_000_001_000,
          expiresAtMs: null,
          revokedAtMs: null,
          lastUsedAtMs: null,
          description: null,
          canManage: true,
          parentKeyId: null,
          topics: null,
        });
        expect(await store.findApiKeyBySecret(secret)).toEqual(key);
      });

      it('createApiKey({ topics }) stores explicit topic grants that findApiKeyBySecret() returns', async () => {
        const account = await newAccount();
        const topics = [
          { role: 'readOnly' as const, cache: 'c', topic: 'news' },
          { role: 'readWrite' as const, cache: null, topic: 'chat-', topicPrefix: true },
        ];
        const { secret } = await store.createApiKey({ accountId: account.id, topics });
        expect((await store.findApiKeyBySecret(secret))?.topics).toEqual(topics);
      });

      it('findApiKeyBySecret(wrong secret) returns undefined', async () => {
        const account = await newAccount();
        const { secret } = await store.createApiKey({ accountId: account.id });
        expect(await store.findApiKeyBySecret(`${secret.slice(0, -1)}x`)).toBeUndefined();
        expect(await store.findApiKeyBySecret('')).toBeUndefined();
        expect(await store.findApiKeyBySecret(hashSecret(secret))).toBeUndefined();
      });

      it('createApiKey() stores only the SHA-256 of the secret, never the secret', async () => {
        const account = await newAccount();
        const { key, secret } = await store.createApiKey({ accountId: account.id, description: 'ci' });
        const rows = await harness.rawRows('api_keys');
        expect(rows).toHaveLength(1);
        const row = rows[0]!;
        expect(row.id).toBe(key.id);
        expect(row.secret_hash).toBe(hashSecret(secret));
        expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
        const body = secret.slice('cachette_sk_'.length);
        for (const value of Object.values(row)) expect(String(value)).not.toContain(body);
      });

      it('createApiKey() mints a different secret and id every time', async () => {
        const account = await newAccount();
        const a = await store.createApiKey({ accountId: account.id });
        const b = await store.createApiKey({ accountId: account.id });
        expect(a.secret).not.toBe(b.secret);
        expect(a.key.id).not.toBe(b.key.id);
        expect((await store.findApiKeyBySecret(b.secret))?.id).toBe(b.key.id);
      });

      it('createApiKey() round-trips a scoped, read-only, expiring key', async () => {
        const account = await newAccount();
        const { key, secret } = await store.createApiKey({
          accountId: account.id,
          scope: { kind: 'caches', caches: ['orders', 'sessions'] },
          access: 'readOnly',
          expiresAtMs: 1_800_000_000_000,
          description: 'dashboard',
        });
        expect(key.scope).toEqual({ kind: 'caches', caches: ['orders', 'sessions'] });
        const found = await store.findApiKeyBySecret(secret);
        expect(found).toEqual(key);
        expect(found).toMatchObject({ access: 'readOnly', expiresAtMs: 1_800_000_000_000, description: 'dashboard' });
        expect(await store.listApiKeys(account.id)).toEqual([key]);
      });

      it('createApiKey() keeps writeOnly access', async () => {
        const account = await newAccount();
        const { secret } = await store.createApiKey({ accountId: account.id, access: 'writeOnly' });
        expect((await store.findApiKeyBySecret(secret))?.access).toBe('writeOnly');
      });

      it('createApiKey() for an unknown account fails with NOT_FOUND', async () => {
        const error = await cacheErrorOf(store.createApiKey({ accountId: 'acc_missing' }));
        expect(error.code).toBe(ErrorCode.NOT_FOUND);
        expect(error.message).toContain('acc_missing');
      });

      it('createApiKey() with an empty cache scope fails with INVALID_ARGUMENT', async () => {
        const account = await newAccount();
        const error = await cacheErrorOf(
          store.createApiKey({ accountId: account.id, scope: { kind: 'caches', caches: [] } }),
        );
        expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
      });

      it('listApiKeys() lists only the account’s keys and never a secret or its hash', async () => {
        const account = await newAccount();
        const other = await newAccount();
        const a = await store.createApiKey({ accountId: account.id, description: 'a' });
        clock.advance(1);
        const b = await store.createApiKey({ accountId: account.id, description: 'b' });
        await store.createApiKey({ accountId: other.id });
        const keys = await store.listApiKeys(account.id);
        expect(keys).toEqual([a.key, b.key]);
        const json = JSON.stringify(keys);
        for (const { secret } of [a, b]) {
          expect(json).not.toContain(secret);
          expect(json).not.toContain(hashSecret(secret));
        }
        for (const key of keys) expect(Object.keys(key).some((k) => /secret|hash/i.test(k))).toBe(false);
        expect(await store.listApiKeys('acc_missing')).toEqual([]);
      });

      it('revokeApiKey() sets revokedAtMs, and findApiKeyBySecret() still returns the key', async () => {
        const account = await newAccount();
        const { key, secret } = await store.createApiKey({ accountId: account.id });
        await store.revokeApiKey(account.id, key.id, 1_700_000_005_000);
        expect(await store.findApiKeyBySecret(secret)).toEqual({ ...key, revokedAtMs: 1_700_000_005_000 });
      });

      it('listApiKeysPage() pages newest first without gaps or repeats; countUsableApiKeys() skips revoked and expired', async () => {
        const account = await newAccount();
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          // Two keys per millisecond: the id breaks ties.
          if (i % 2 === 0) clock.advance(1);
          const expiresAtMs = i === 1 ? clock.nowMs() + 10 : null;
          ids.push((await store.createApiKey({ accountId: account.id, expiresAtMs })).key.id);
        }
        const seen: string[] = [];
        let after: { createdAtMs: number; id: string } | undefined;
        for (;;) {
          const page = await store.listApiKeysPage(account.id, { limit: 2, ...(after ? { after } : {}) });
          expect(page.length).toBeLessThanOrEqual(2);
          if (page.length === 0) break;
          seen.push(...page.map((k) => k.id));
          const last = page[page.length - 1]!;
          after = { createdAtMs: last.createdAtMs, id: last.id };
        }
        const expected = (await store.listApiKeys(account.id))
          .sort((a, b) => b.createdAtMs - a.createdAtMs || (a.id < b.id ? 1 : -1))
          .map((k) => k.id);
        expect(seen).toEqual(expected);
        expect(new Set(seen)).toEqual(new Set(ids));
        expect(await store.countUsableApiKeys(account.id, clock.nowMs())).toBe(5);
        await store.revokeApiKey(account.id, ids[0]!, clock.nowMs());
        expect(await store.countUsableApiKeys(account.id, clock.nowMs())).toBe(4);
        expect(await store.countUsableApiKeys(account.id, clock.nowMs() + 10)).toBe(3);
      });

      it('revokeApiKey(parent) revokes its children and grandchildren, not its siblings', async () => {
        const account = await newAccount();
        const parent = await store.createApiKey({ accountId: account.id });
        const sibling = await store.createApiKey({ accountId: account.id });
        const child = await store.createApiKey({ accountId: account.id, parentKeyId: parent.key.id });
        const grandchild = await store.createApiKey({ accountId: account.id, parentKeyId: child.key.id });
        const cousin = await store.createApiKey({ accountId: account.id, parentKeyId: sibling.key.id });
        expect(child.key.parentKeyId).toBe(parent.key.id);
        await store.revokeApiKey(account.id, parent.key.id, 7_000);
        for (const k of [parent, child, grandchild]) {
          expect((await store.findApiKeyBySecret(k.secret))?.revokedAtMs).toBe(7_000);
        }
        for (const k of [sibling, cousin]) expect((await store.findApiKeyBySecret(k.secret))?.revokedAtMs).toBeNull();
      });

      it('revokeApiKey(parent) keeps the earlier revocation time of a child revoked before, and reaches its children', async () => {
        const account = await newAccount();
        const parent = await store.createApiKey({ accountId: account.id });
        const child = await store.createApiKey({ accountId: account.id, parentKeyId: parent.key.id });
        const grandchild = await store.createApiKey({ accountId: account.id, parentKeyId: child.key.id });
        await store.revokeApiKey(account.id, child.key.id, 3_000);
        await store.revokeApiKey(account.id, parent.key.id, 9_000);
        expect((await store.findApiKeyBySecret(child.secret))?.revokedAtMs).toBe(3_000);
        expect((await store.findApiKeyBySecret(grandchild.secret))?.revokedAtMs).toBe(3_000);
        expect((await store.findApiKeyBySecret(parent.secret))?.revokedAtMs).toBe(9_000);
      });

      it('revokeApiKey() twice succeeds and keeps the first revocation time', async () => {
        const account = await newAccount();
        const { key } = await store.createApiKey({ accountId: account.id });
        await store.revokeApiKey(account.id, key.id, 5_000);
        await store.revokeApiKey(account.id, key.id, 9_000);
        expect((await store.listApiKeys(account.id))[0]?.revokedAtMs).toBe(5_000);
      });

      it('revokeApiKey() of another account’s key fails with NOT_FOUND and leaves the key alone', async () => {
        const owner = await newAccount();
        const intruder = await newAccount();
        const { key, secret } = await store.createApiKey({ accountId: owner.id });
        const error = await cacheErrorOf(store.revokeApiKey(intruder.id, key.id, 5_000));
        expect(error.code).toBe(ErrorCode.NOT_FOUND);
        expect(error.message).toContain(key.id);
        expect((await store.findApiKeyBySecret(secret))?.revokedAtMs).toBeNull();
        expect((await cacheErrorOf(store.revokeApiKey(owner.id, 'key_missing', 5_000))).code).toBe(ErrorCode.NOT_FOUND);
      });

      it('touchApiKey() records lastUsedAtMs and never moves it backwards', async () => {
        const account = await newAccount();
        const { key, secret } = await store.createApiKey({ accountId: account.id });
        await store.touchApiKey(key.id, 2_000);
        expect((await store.findApiKeyBySecret(secret))?.lastUsedAtMs).toBe(2_000);
        await store.touchApiKey(key.id, 1_000);
        expect((await store.findApiKeyBySecret(secret))?.lastUsedAtMs).toBe(2_000);
        await store.touchApiKey(key.id, 3_000);
        expect((await store.findApiKeyBySecret(secret))?.lastUsedAtMs).toBe(3_000);
        await store.touchApiKey('key_missing', 3_000); // a no-op, not an error: keys may be deleted meanwhile
      });
    });

    describe('caches', () => {
      it('createCache() returns a cch_ id and the clock time, and getCache() finds it', async () => {
        const account = await newAccount();
        const cache = await store.createCache(account.id, 'orders');
        expect(cache).toEqual({
          id: expect.stringMatching(/^cch_[A-Za-z0-9_-]{16}$/),
          accountId: account.id,
          name: 'orders',
          createdAtMs: 1_700_000_000_000,
        });
        expect(await store.getCache(account.id, 'orders')).toEqual(cache);
        expect(await store.getCache(account.id, 'missing')).toBeUndefined();
      });

      it('createCache() of an existing name fails with ALREADY_EXISTS', async () => {
        const account = await newAccount();
        await store.createCache(account.id, 'orders');
        const error = await cacheErrorOf(store.createCache(account.id, 'orders'));
        expect(error.code).toBe(ErrorCode.ALREADY_EXISTS);
        expect(error.message).toBe("cache 'orders' already exists");
      });

      it('createCache() racing on one name: exactly one succeeds, the rest get ALREADY_EXISTS', async () => {
        const account = await newAccount();
        const results = await Promise.allSettled([1, 2, 3, 4].map(() => store.createCache(account.id, 'race')));
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const r of results) {
          if (r.status === 'rejected') expect((r.reason as CacheError).code).toBe(ErrorCode.ALREADY_EXISTS);
        }
        expect(await store.countCaches(account.id)).toBe(1);
      });

      it('createCache() for an unknown account fails with NOT_FOUND', async () => {
        const error = await cacheErrorOf(store.createCache('acc_missing', 'orders'));
        expect(error.code).toBe(ErrorCode.NOT_FOUND);
      });

      it('two accounts can each own a cache of the same name, with different ids', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const ca = await store.createCache(a.id, 'default-cache');
        const cb = await store.createCache(b.id, 'default-cache');
        expect(ca.id).not.toBe(cb.id);
        expect(await store.getCache(a.id, 'default-cache')).toEqual(ca);
        expect(await store.getCache(b.id, 'default-cache')).toEqual(cb);
        expect(await store.listCaches(a.id)).toEqual([ca]);
      });

      it('deleteCache() returns the deleted record and the cache is gone', async () => {
        const account = await newAccount();
        const cache = await store.createCache(account.id, 'orders');
        expect(await store.deleteCache(account.id, 'orders')).toEqual(cache);
        expect(await store.getCache(account.id, 'orders')).toBeUndefined();
        // The name is free again, under a new id.
        expect((await store.createCache(account.id, 'orders')).id).not.toBe(cache.id);
      });

      it("deleteCache() of a missing cache fails with NOT_FOUND, reason 'store_not_found'", async () => {
        const account = await newAccount();
        const error = await cacheErrorOf(store.deleteCache(account.id, 'nope'));
        expect(error.code).toBe(ErrorCode.NOT_FOUND);
        expect(error.message).toBe("cache 'nope' not found");
        expect(error.reason).toBe('store_not_found');
      });

      it('deleteCache() cannot delete another account’s cache of the same name', async () => {
        const owner = await newAccount();
        const other = await newAccount();
        const cache = await store.createCache(owner.id, 'orders');
        expect((await cacheErrorOf(store.deleteCache(other.id, 'orders'))).code).toBe(ErrorCode.NOT_FOUND);
        expect(await store.getCache(owner.id, 'orders')).toEqual(cache);
      });

      it('listCaches() lists the account’s caches ordered by name; countCaches() counts them', async () => {
        const account = await newAccount();
        const other = await newAccount();
        for (const name of ['b-cache', 'a-cache', 'c-cache', 'B-upper']) await store.createCache(account.id, name);
        await store.createCache(other.id, 'a-cache');
        expect((await store.listCaches(account.id)).map((c) => c.name)).toEqual([
          'B-upper',
          'a-cache',
          'b-cache',
          'c-cache',
        ]);
        expect(await store.countCaches(account.id)).toBe(4);
        expect(await store.countCaches(other.id)).toBe(1);
        expect(await store.countCaches('acc_missing')).toBe(0);
        expect(await store.listCaches('acc_missing')).toEqual([]);
      });

      it('listAllCaches() lists every account’s caches', async () => {
        const a = await newAccount();
        const b = await newAccount();
        const created = [
          await store.createCache(a.id, 'x'),
          await store.createCache(b.id, 'x'),
          await store.createCache(b.id, 'y'),
        ];
        const all = await store.listAllCaches();
        expect(all).toHaveLength(3);
        expect(all).toEqual(expect.arrayContaining(created));
      });
    });

    describe('plans', () => {
      it('the built-in plans free and unlimited are seeded with Momento’s defaults', async () => {
        expect(await store.listPlans()).toEqual(BUILT_IN_PLANS);
        expect(await store.getPlan('free')).toEqual(BUILT_IN_PLANS[0]);
        expect(await store.getPlan('unlimited')).toEqual(BUILT_IN_PLANS[1]);
        expect(await store.getPlan('gold')).toBeUndefined();
      });

      it('putPlan() creates a plan and replaces it on the second call; listPlans() orders by name', async () => {
        const pro: Plan = {
          name: 'Pro',
          maxRequestsPerSecond: 1000,
          maxThroughputBytesPerSecond: 10 * 1_048_576,
          maxItemSizeBytes: 5_242_880,
          maxTtlMs: 7 * 86_400_000,
          maxCaches: null,
          maxApiKeys: 20,
        };
        await store.putPlan(pro);
        expect(await store.getPlan('Pro')).toEqual(pro);
        const replaced: Plan = { ...pro, maxRequestsPerSecond: null, maxCaches: 3, maxApiKeys: null };
        await store.putPlan(replaced);
        expect(await store.getPlan('Pro')).toEqual(replaced);
        await store.putPlan({ ...pro, name: 'basic' });
        // Code-unit order ('P' < 'b' < 'f'), the same on every database.
        expect((await store.listPlans()).map((p) => p.name)).toEqual(['Pro', 'basic', 'free', 'unlimited']);
        expect(await harness.rawRows('plans')).toHaveLength(4);
      });

      it('putPlan() can change a built-in plan', async () => {
        await store.putPlan({ ...BUILT_IN_PLANS[0]!, maxRequestsPerSecond: 5 });
        expect((await store.getPlan('free'))?.maxRequestsPerSecond).toBe(5);
      });

      it('putPlan(invalid limits or name) fails with INVALID_ARGUMENT and writes nothing', async () => {
        const base = BUILT_IN_PLANS[0]!;
        for (const bad of [
          { name: '' },
          { name: ' padded' },
          { maxRequestsPerSecond: 0 },
          { maxThroughputBytesPerSecond: -1 },
          { maxItemSizeBytes: 1.5 },
          { maxItemSizeBytes: null },
          { maxTtlMs: Number.NaN },
          { maxCaches: 2 ** 53 },
        ]) {
          const plan = { ...base, name: 'bad', ...bad } as Plan;
          const error = await cacheErrorOf(store.putPlan(plan));
          expect(error.code, JSON.stringify(bad)).toBe(ErrorCode.INVALID_ARGUMENT);
        }
        expect(await store.listPlans()).toEqual(BUILT_IN_PLANS);
      });

      it('createAccount({ plan }) uses that plan; an unknown plan fails with NOT_FOUND and creates nothing', async () => {
        const account = await store.createAccount({ provider: 'aws', region: 'us-west-2', plan: 'unlimited' });
        expect(account.plan).toBe('unlimited');
        expect(await store.getAccount(account.id)).toEqual(account);

        const error = await cacheErrorOf(
          store.createAccount({ email: 'x@example.com', provider: 'aws', region: 'us-west-2', plan: 'gold' }),
        );
        expect(error.code).toBe(ErrorCode.NOT_FOUND);
        expect(error.message).toBe("plan 'gold' not found");
        expect(await store.findAccountByEmail('x@example.com')).toBeUndefined();
        expect(await harness.rawRows('accounts')).toHaveLength(1);
      });

      it('setAccountPlan() moves an account to a plan, also to one made by putPlan(), and again is a no-op', async () => {
        const account = await newAccount();
        const other = await newAccount();
        await store.setAccountPlan(account.id, 'unlimited');
        expect(await store.getAccount(account.id)).toEqual({ ...account, plan: 'unlimited' });
        await store.setAccountPlan(account.id, 'unlimited');
        await store.putPlan({ ...BUILT_IN_PLANS[0]!, name: 'team' });
        await store.setAccountPlan(account.id, 'team');
        expect((await store.getAccount(account.id))?.plan).toBe('team');
        expect((await store.getAccount(other.id))?.plan).toBe('free');
      });

      it('setAccountPlan(unknown account or plan) fails with NOT_FOUND naming what is missing', async () => {
        const account = await newAccount();
        const noAccount = await cacheErrorOf(store.setAccountPlan('acc_missing', 'unlimited'));
        expect(noAccount.code).toBe(ErrorCode.NOT_FOUND);
        expect(noAccount.message).toBe("account 'acc_missing' not found");
        const noPlan = await cacheErrorOf(store.setAccountPlan(account.id, 'gold'));
        expect(noPlan.code).toBe(ErrorCode.NOT_FOUND);
        expect(noPlan.message).toBe("plan 'gold' not found");
        expect((await store.getAccount(account.id))?.plan).toBe('free');
      });
    });

    describe('API key canManage', () => {
      it('defaults to true only for keys on all caches with readWrite access', async () => {
        const account = await newAccount();
        const cases = [
          { input: {}, canManage: true },
          { input: { access: 'readWrite' as const, scope: { kind: 'all' as const } }, canManage: true },
          { input: { scope: { kind: 'caches' as const, caches: ['orders'] } }, canManage: false },
          { input: { access: 'readOnly' as const }, canManage: false },
          { input: { access: 'writeOnly' as const }, canManage: false },
        ];
        for (const { input, canManage } of cases) {
          const { key, secret } = await store.createApiKey({ accountId: account.id, ...input });
          expect(key.canManage, JSON.stringify(input)).toBe(canManage);
          expect((await store.findApiKeyBySecret(secret))?.canManage).toBe(canManage);
        }
      });

      it('an explicit canManage overrides the default both ways and round-trips', async () => {
        const account = await newAccount();
        const denied = await store.createApiKey({ accountId: account.id, canManage: false });
        clock.advance(1);
        const granted = await store.createApiKey({
          accountId: account.id,
          scope: { kind: 'caches', caches: ['orders'] },
          access: 'readOnly',
          canManage: true,
        });
        expect(denied.key.canManage).toBe(false);
        expect(granted.key.canManage).toBe(true);
        expect(await store.findApiKeyBySecret(denied.secret)).toEqual(denied.key);
        expect(await store.findApiKeyBySecret(granted.secret)).toEqual(granted.key);
        expect(await store.listApiKeys(account.id)).toEqual([denied.key, granted.key]);
        const stored = new Map((await harness.rawRows('api_keys')).map((r) => [r.id, Number(r.can_manage)]));
        expect(stored).toEqual(
          new Map([
            [denied.key.id, 0],
            [granted.key.id, 1],
          ]),
        );
      });

      it('a canManage that is not a boolean fails with INVALID_ARGUMENT', async () => {
        const account = await newAccount();
        const input = { accountId: account.id, canManage: 'yes' as unknown as boolean };
        expect((await cacheErrorOf(store.createApiKey(input))).code).toBe(ErrorCode.INVALID_ARGUMENT);
        expect(await store.listApiKeys(account.id)).toEqual([]);
      });
    });

    describe('usage', () => {
      it('addUsage() twice adds up; deltas for one row in one call are summed', async () => {
        const account = await newAccount();
        await store.addUsage([delta(account.id, 'orders', H0, 1), delta(account.id, 'orders', H0, 2)]);
        expect(await store.listUsage(account.id, H0, H0 + HOUR)).toEqual([delta(account.id, 'orders', H0, 3)]);
        await store.addUsage([delta(account.id, 'orders', H0, 4)]);
        expect(await store.listUsage(account.id, H0, H0 + HOUR)).toEqual([delta(account.id, 'orders', H0, 7)]);
        expect(await harness.rawRows('usage')).toHaveLength(1);
      });

      it('addUsage([]) and all-zero deltas write nothing', async () => {
        const account = await newAccount();
        await store.addUsage([]);
        await store.addUsage([{ ...delta(account.id, 'orders', H0), bytesIn: 0, bytesOut: 0, requests: 0 }]);
        expect(await harness.rawRows('usage')).toEqual([]);
      });

      it('listUsage() returns [fromMs, toMs) of one account, ordered by hour then cache name', async () => {
        const account = await newAccount();
        const other = await newAccount();
        await store.addUsage([
          delta(account.id, 'b-cache', H0 + HOUR),
          delta(account.id, 'a-cache', H0 + HOUR),
          delta(account.id, 'B-upper', H0 + HOUR),
          delta(account.id, 'z-cache', H0),
          delta(account.id, 'a-cache', H0 - HOUR),
          delta(account.id, 'a-cache', H0 + 2 * HOUR),
          delta(other.id, 'a-cache', H0),
        ]);
        const rows = await store.listUsage(account.id, H0, H0 + 2 * HOUR);
        expect(rows.map((r) => [r.hourStartMs - H0, r.cacheName])).toEqual([
          [0, 'z-cache'],
          [HOUR, 'B-upper'],
          [HOUR, 'a-cache'],
          [HOUR, 'b-cache'],
        ]);
        expect(rows.every((r) => r.accountId === account.id)).toBe(true);
        expect(await store.listUsage(account.id, 0, Number.MAX_SAFE_INTEGER)).toHaveLength(6);
        expect(await store.listUsage(account.id, H0, H0)).toEqual([]);
        expect(await store.listUsage('acc_missing', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
      });

      it('addUsage() with any invalid delta fails with INVALID_ARGUMENT and applies none of the batch', async () => {
        const account = await newAccount();
        const good = delta(account.id, 'orders', H0);
        for (const bad of [
          { bytesIn: -1 },
          { bytesOut: 1.5 },
          { requests: Number.NaN },
          { requests: 2 ** 53 },
          { hourStartMs: H0 + 1 },
          { hourStartMs: -HOUR },
          { cacheName: '' },
          { accountId: '' },
        ]) {
          const error = await cacheErrorOf(store.addUsage([good, { ...good, ...bad }]));
          expect(error.code, JSON.stringify(bad)).toBe(ErrorCode.INVALID_ARGUMENT);
        }
        const overflow = { ...good, bytesIn: Number.MAX_SAFE_INTEGER };
        expect((await cacheErrorOf(store.addUsage([overflow, overflow]))).code).toBe(ErrorCode.INVALID_ARGUMENT);
        expect(await harness.rawRows('usage')).toEqual([]);
      });

      it('addUsage() skips deltas of an unknown account and applies the rest', async () => {
        const account = await newAccount();
        await store.addUsage([delta('acc_gone', 'orders', H0), delta(account.id, 'orders', H0)]);
        expect(await store.listUsage(account.id, H0, H0 + HOUR)).toEqual([delta(account.id, 'orders', H0)]);
        expect(await harness.rawRows('usage')).toHaveLength(1);
      });

      it('50 concurrent addUsage() calls on overlapping rows add up exactly', async () => {
        const account = await newAccount();
        const rows = ['a', 'b', 'c'].map((c) => delta(account.id, c, H0));
        // Each call lists the rows in another order: the store must not depend on the caller's order.
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => store.addUsage(i % 2 === 0 ? rows : [...rows].reverse())),
        );
        expect(await store.listUsage(account.id, H0, H0 + HOUR)).toEqual(rows.map((r) => ({ ...r, ...times(r, 50) })));
      });

      it('two stores on the same database add into the same rows', async () => {
        if (harness.openAnother === undefined) return; // a private in-memory database has no second store
        const second = await harness.openAnother();
        try {
          const account = await newAccount();
          for (let i = 0; i < 5; i++) {
            await store.addUsage([delta(account.id, 'orders', H0)]);
            await second.addUsage([delta(account.id, 'orders', H0, 2), delta(account.id, 'orders', H0 + HOUR)]);
          }
          expect(await second.listUsage(account.id, H0, H0 + 2 * HOUR)).toEqual([
            delta(account.id, 'orders', H0, 15),
            delta(account.id, 'orders', H0 + HOUR, 5),
          ]);
        } finally {
          await second.close();
        }
      });

      it('usage outlives a deleted cache (it is still billed)', async () => {
        const account = await newAccount();
        await store.createCache(account.id, 'orders');
        await store.addUsage([delta(account.id, 'orders', H0)]);
        await store.deleteCache(account.id, 'orders');
        expect(await store.listUsage(account.id, H0, H0 + HOUR)).toEqual([delta(account.id, 'orders', H0)]);
      });
    });

    describe('rate counters', () => {
      it('incrementRateCounter() counts per bucket and window, atomically under concurrency', async () => {
        expect(await store.incrementRateCounter('signup:email:a@example.com', 3_600_000, 0)).toBe(1);
        expect(await store.incrementRateCounter('signup:email:a@example.com', 3_600_000, 0)).toBe(2);
        expect(await store.incrementRateCounter('signup:email:b@example.com', 3_600_000, 0)).toBe(1);
        expect(await store.incrementRateCounter('signup:email:a@example.com', 7_200_000, 3_600_000)).toBe(1);
        const counts = await Promise.all(
          Array.from({ length: 20 }, () => store.incrementRateCounter('signup:ip:10.0.0.1', 3_600_000, 0)),
        );
        expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });
    });

    describe('settings', () => {
      it('getSetting() of an unset name returns undefined; setSetting() then getSetting() returns the value', async () => {
        expect(await store.getSetting('local-account-id')).toBeUndefined();
        await store.setSetting('local-account-id', 'acc_1');
        expect(await store.getSetting('local-account-id')).toBe('acc_1');
      });

      it('setSetting() on an existing name overwrites it', async () => {
        await store.setSetting('n', 'one');
        await store.setSetting('n', 'two');
        expect(await store.getSetting('n')).toBe('two');
        expect(await harness.rawRows('settings')).toHaveLength(1);
      });
    });

    describe('closing', () => {
      it('calls after close() fail with UNAVAILABLE, and the message never contains a secret', async () => {
        const account = await newAccount();
        const { secret } = await store.createApiKey({ accountId: account.id });
        await store.close();
        await store.close(); // idempotent
        const error = await cacheErrorOf(store.findApiKeyBySecret(secret));
        expect(error.code).toBe(ErrorCode.UNAVAILABLE);
        expect(error.message).not.toContain(secret);
        expect(error.message).not.toContain(hashSecret(secret));
        expect((await cacheErrorOf(store.listCaches(account.id))).code).toBe(ErrorCode.UNAVAILABLE);
      });
    });
  });
}
