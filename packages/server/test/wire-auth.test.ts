/**
 * Authentication, authorization and account isolation through the official SDK.
 * A ManualClock drives key expiry and the auth lookup cache, so nothing sleeps.
 */
import { encodeApiKey, ManualClock } from '@cachette/core';
import type { KeyAccess, KeyScope } from '@cachette/metadata';
import {
  type CacheClient,
  CacheGetResponse,
  CacheSetResponse,
  CreateCacheResponse,
  ListCachesResponse,
  MomentoErrorCode,
} from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

const clock = new ManualClock();
let b: Booted;
let owner: CacheClient;

beforeAll(async () => {
  b = await boot({ clock });
  owner = await b.client();
});
afterAll(async () => {
  await b.stop();
});

async function keyFor(
  accountId: string,
  opts: { scope?: KeyScope; access?: KeyAccess; expiresAtMs?: number } = {},
): Promise<{ apiKey: string; keyId: string }> {
  const { key, secret } = await b.server.metadata.createApiKey({ accountId, ...opts });
  return { apiKey: encodeApiKey(b.server.grpcAddress, secret), keyId: key.id };
}

async function newAccount(region = 'local'): Promise<string> {
  return (await b.server.metadata.createAccount({ email: `${uniqueName('u')}@example.com`, provider: 'local', region }))
    .id;
}

describe('authentication', () => {
  it('an empty API key is refused with AUTHENTICATION_ERROR when anonymous access is off', async () => {
    const anon = await b.anonymousClient();
    expectSdkError(await anon.get('any', 'k'), MomentoErrorCode.AUTHENTICATION_ERROR, 'missing API key');
    expectSdkError(await anon.createCache(uniqueName()), MomentoErrorCode.AUTHENTICATION_ERROR);
  });

  it('an unknown API key is refused with AUTHENTICATION_ERROR', async () => {
    const wrong = await b.client(encodeApiKey(b.server.grpcAddress, 'cachette_sk_not-a-real-secret'));
    expectSdkError(await wrong.listCaches(), MomentoErrorCode.AUTHENTICATION_ERROR, 'invalid API key');
  });

  it('a revoked key stops working once the auth cache window (1 s) passes', async () => {
    const name = uniqueName();
    await owner.createCache(name);
    const { apiKey, keyId } = await keyFor(b.server.localAccountId);
    const c = await b.client(apiKey);
    expect((await c.set(name, 'k', 'v')).type).toBe(CacheSetResponse.Success);
    await b.server.metadata.revokeApiKey(b.server.localAccountId, keyId, clock.nowMs());
    clock.advance(1_001);
    expectSdkError(await c.get(name, 'k'), MomentoErrorCode.AUTHENTICATION_ERROR, 'revoked');
    // The data written before revocation is intact for other keys.
    expect((await owner.get(name, 'k')).type).toBe(CacheGetResponse.Hit);
  });

  it('an expired key is refused with AUTHENTICATION_ERROR', async () => {
    const { apiKey } = await keyFor(b.server.localAccountId, { expiresAtMs: clock.nowMs() + 60_000 });
    const c = await b.client(apiKey);
    expect((await c.listCaches()).type).toBe(ListCachesResponse.Success);
    clock.advance(60_000);
    expectSdkError(await c.listCaches(), MomentoErrorCode.AUTHENTICATION_ERROR, 'expired');
  });

  it('a key of an account in another region is refused with PERMISSION_ERROR (data residency)', async () => {
    const { apiKey } = await keyFor(await newAccount('eu-west-1'));
    const c = await b.client(apiKey);
    expectSdkError(await c.listCaches(), MomentoErrorCode.PERMISSION_ERROR, 'eu-west-1');
  });
});

describe('account isolation', () => {
  it("another account's key can neither see, read, write, flush nor delete a cache, even with the same name", async () => {
    const name = uniqueName();
    await owner.createCache(name);
    await owner.set(name, 'k', 'owner-value');
    const other = await b.client((await keyFor(await newAccount())).apiKey);

    const list = await other.listCaches();
    expect(list.type === ListCachesResponse.Success && list.getCaches().map((c) => c.getName())).toEqual([]);
    expectSdkError(await other.get(name, 'k'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    expectSdkError(await other.set(name, 'k', 'x'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    expectSdkError(await other.flushCache(name), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    expectSdkError(await other.deleteCache(name), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);

    // Its own cache of the same name is a different cache.
    expect((await other.createCache(name)).type).toBe(CreateCacheResponse.Success);
    await other.set(name, 'k', 'other-value');
    const mine = await owner.get(name, 'k');
    expect(mine.type === CacheGetResponse.Hit && mine.valueString()).toBe('owner-value');
    const theirs = await other.get(name, 'k');
    expect(theirs.type === CacheGetResponse.Hit && theirs.valueString()).toBe('other-value');
  });
});

describe('scoped keys', () => {
  it('a read-only key can get but not set, delete or manage caches', async () => {
    const name = uniqueName();
    await owner.createCache(name);
    await owner.set(name, 'k', 'v');
    const ro = await b.client((await keyFor(b.server.localAccountId, { access: 'readOnly' })).apiKey);
    expect((await ro.get(name, 'k')).type).toBe(CacheGetResponse.Hit);
    expectSdkError(await ro.set(name, 'k', 'x'), MomentoErrorCode.PERMISSION_ERROR, 'read-only');
    expectSdkError(await ro.delete(name, 'k'), MomentoErrorCode.PERMISSION_ERROR, 'read-only');
    expectSdkError(await ro.createCache(uniqueName()), MomentoErrorCode.PERMISSION_ERROR);
  });

  it('a write-only key can set but not get', async () => {
    const name = uniqueName();
    await owner.createCache(name);
    const wo = await b.client((await keyFor(b.server.localAccountId, { access: 'writeOnly' })).apiKey);
    expect((await wo.set(name, 'k', 'v')).type).toBe(CacheSetResponse.Success);
    expectSdkError(await wo.get(name, 'k'), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expect((await owner.get(name, 'k')).type).toBe(CacheGetResponse.Hit);
  });

  it('a key scoped to listed caches reaches only those and lists only those', async () => {
    const allowed = uniqueName();
    const denied = uniqueName();
    await owner.createCache(allowed);
    await owner.createCache(denied);
    const scoped = await b.client(
      (await keyFor(b.server.localAccountId, { scope: { kind: 'caches', caches: [allowed] } })).apiKey,
    );
    expect((await scoped.set(allowed, 'k', 'v')).type).toBe(CacheSetResponse.Success);
    expectSdkError(await scoped.set(denied, 'k', 'v'), MomentoErrorCode.PERMISSION_ERROR, denied);
    const list = await scoped.listCaches();
    expect(list.type === ListCachesResponse.Success && list.getCaches().map((c) => c.getName())).toEqual([allowed]);
    expectSdkError(await scoped.deleteCache(allowed), MomentoErrorCode.PERMISSION_ERROR);
  });
});

describe('anonymous mode (--allow-anonymous)', () => {
  it('forMomentoLocal works against the local account, and the dev key sees the same caches', async () => {
    const anonServer = await boot({ allowAnonymous: true });
    try {
      const anon = await anonServer.anonymousClient();
      const name = uniqueName();
      expect((await anon.createCache(name)).type).toBe(CreateCacheResponse.Success);
      await anon.set(name, 'k', 'from-anon');
      const viaKey = await (await anonServer.client()).get(name, 'k');
      expect(viaKey.type === CacheGetResponse.Hit && viaKey.valueString()).toBe('from-anon');
    } finally {
      await anonServer.stop();
    }
  });
});
