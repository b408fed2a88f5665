/**
 * @module metadata-suite
 * The conformance suite every {@link MetadataStore} must pass, whatever the database behind it. A dialect
 * runs it in a few lines: `metadataConformance('PostgreSQL', async (clock) => ({ store, rawRows, dispose }))`.
 * Each test gets a fresh, empty, migrated store.
 */

import { CacheError, ErrorCode, ManualClock } from '@cachette/engine';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashSecret, type MetadataStore } from '../src/index.ts';

export type MetadataTable = 'accounts' | 'api_keys' | 'caches' | 'settings';

/** What a dialect hands the suite. */
export interface MetadataHarness {
  readonly store: MetadataStore;
  /** Every row of a table as stored, read around the store, to prove what is and is not persisted. */
  rawRows(table: MetadataTable): Promise<Record<string, unknown>[]>;
  /** Releases everything the factory created; the store may already be closed. */
  dispose(): Promise<void>;
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
        });
        expect(await store.findApiKeyBySecret(secret)).toEqual(key);
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
