/**
 * The official SDK's AuthClient against Cachette: API keys and disposable tokens with Momento permission
 * scopes, then used with a CacheClient.
 */
import { ManualClock } from '@cachette/core';
import {
  AllDataReadWrite,
  AuthClient,
  AuthClientConfigurations,
  CacheGetResponse,
  CacheSetResponse,
  DisposableTokenScopes,
  ExpiresIn,
  GenerateApiKeyResponse,
  GenerateDisposableTokenResponse,
  MomentoErrorCode,
  NoopMomentoLoggerFactory,
  PermissionScopes,
} from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

const clock = new ManualClock();
let b: Booted;
let authClient: AuthClient;
let cache: string;

beforeAll(async () => {
  b = await boot({ clock });
  authClient = authClientFor(b.server.devApiKey);
  cache = uniqueName();
  await (await b.client()).createCache(cache);
  await (await b.client()).set(cache, 'k', 'v');
});
/** An AuthClient for `apiKey`, with the SDK's own logging silenced. */
function authClientFor(apiKey: string): AuthClient {
  return new AuthClient({
    credentialProvider: keyCredentials(b.server.grpcAddress, apiKey),
    configuration: AuthClientConfigurations.Default.latest(new NoopMomentoLoggerFactory()),
  });
}

afterAll(async () => {
  await b.stop();
});

describe('AuthClient.generateApiKey', () => {
  it('AllDataReadWrite gives a data key that can read and write but not manage caches', async () => {
    const r = await authClient.generateApiKey(AllDataReadWrite, ExpiresIn.never());
    expect(r.type).toBe(GenerateApiKeyResponse.Success);
    if (r.type !== GenerateApiKeyResponse.Success) return;
    const c = await b.client(r.apiKey);
    expect((await c.set(cache, 'k2', 'v2')).type).toBe(CacheSetResponse.Success);
    expect((await c.get(cache, 'k')).type).toBe(CacheGetResponse.Hit);
    expectSdkError(await c.createCache(uniqueName()), MomentoErrorCode.PERMISSION_ERROR, 'manage');
  });

  it('cacheReadOnly(cache) with an expiry gives a read-only key for that cache that expires', async () => {
    const r = await authClient.generateApiKey(PermissionScopes.cacheReadOnly(cache), ExpiresIn.minutes(10));
    expect(r.type).toBe(GenerateApiKeyResponse.Success);
    if (r.type !== GenerateApiKeyResponse.Success) return;
    expect(r.expiresAt.epoch()).toBe(Math.floor((clock.nowMs() + 600_000) / 1000));
    const c = await b.client(r.apiKey);
    expect((await c.get(cache, 'k')).type).toBe(CacheGetResponse.Hit);
    expectSdkError(await c.set(cache, 'k', 'x'), MomentoErrorCode.PERMISSION_ERROR, 'read-only');
    clock.advance(600_000);
    expectSdkError(await c.get(cache, 'k'), MomentoErrorCode.AUTHENTICATION_ERROR, 'expired');
  });
});

describe('AuthClient.generateDisposableToken', () => {
  it('a disposable token for one cache works there for its lifetime only', async () => {
    const r = await authClient.generateDisposableToken(
      DisposableTokenScopes.cacheReadWrite(cache),
      ExpiresIn.minutes(30),
    );
    expect(r.type).toBe(GenerateDisposableTokenResponse.Success);
    if (r.type !== GenerateDisposableTokenResponse.Success) return;
    const c = await b.client(r.authToken);
    expect((await c.set(cache, 'd', '1')).type).toBe(CacheSetResponse.Success);
    const other = uniqueName();
    await (await b.client()).createCache(other);
    expectSdkError(await c.get(other, 'k'), MomentoErrorCode.PERMISSION_ERROR, other);
    clock.advance(30 * 60_000);
    expectSdkError(await c.get(cache, 'd'), MomentoErrorCode.AUTHENTICATION_ERROR);
  });

  it('item-level scopes are refused with a clear error instead of granting the whole cache', async () => {
    const r = await authClient.generateDisposableToken(
      DisposableTokenScopes.cacheKeyReadWrite(cache, 'only-this-key'),
      ExpiresIn.minutes(5),
    );
    expectSdkError(r, MomentoErrorCode.BAD_REQUEST_ERROR, 'item-level permissions');
  });

  it('a token generated with a data-only key is refused (minting needs a managing key)', async () => {
    const data = await authClient.generateApiKey(AllDataReadWrite, ExpiresIn.never());
    if (data.type !== GenerateApiKeyResponse.Success) throw new Error('setup failed');
    const limited = authClientFor(data.apiKey);
    try {
      const r = await limited.generateDisposableToken(DisposableTokenScopes.cacheReadOnly(cache), ExpiresIn.minutes(5));
      expectSdkError(r, MomentoErrorCode.PERMISSION_ERROR);
    } finally {
    }
  });
});
