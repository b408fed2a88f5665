/**
 * Issue 14, finding 3: a key cannot mint a key that outlives it or has more rights, over HTTP and through the
 * official SDK's AuthClient; revoking a key revokes every key it minted.
 */
import { ManualClock } from '@cachette/core';
import {
  AllDataReadWrite,
  AuthClient,
  AuthClientConfigurations,
  CacheGetResponse,
  ExpiresIn,
  GenerateApiKeyResponse,
  MomentoErrorCode,
  NoopMomentoLoggerFactory,
  PermissionScopes,
} from '@gomomento/sdk';
import { InternalSuperUserPermissions } from '@gomomento/sdk-core/dist/src/internal/utils/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';

const clock = new ManualClock();
let b: Booted;
let cache: string;

beforeAll(async () => {
  b = await boot({ clock });
  cache = uniqueName();
  await (await b.client()).createCache(cache);
  await (await b.client()).set(cache, 'k', 'v');
});
afterAll(async () => {
  await b.stop();
});

function authClientFor(apiKey: string): AuthClient {
  return new AuthClient({
    credentialProvider: keyCredentials(b.server.grpcAddress, apiKey),
    configuration: AuthClientConfigurations.Default.latest(new NoopMomentoLoggerFactory()),
  });
}

async function createKey(apiKey: string, body: Record<string, unknown>) {
  const res = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> & { error?: { message: string } } };
}

async function managingKeyExpiringIn(seconds: number): Promise<{ apiKey: string; id: string }> {
  const r = await createKey(b.server.devApiKey, { expiresInSeconds: seconds, description: 'expiring parent' });
  expect(r.status).toBe(201);
  return { apiKey: r.json.apiKey as string, id: r.json.id as string };
}

describe('key minting: expiry never exceeds the parent', () => {
  it('POST /v1/api-keys with an expiring managing key and no expiry answers 403 naming the seconds left', async () => {
    const parent = await managingKeyExpiringIn(3600);
    const r = await createKey(parent.apiKey, {});
    expect(r.status).toBe(403);
    expect(r.json.error?.message).toContain('cannot outlive it');
    expect(r.json.error?.message).toContain('at most 3600 seconds');
  });

  it('POST /v1/api-keys with a longer expiry than the parent answers 403; within it answers 201', async () => {
    const parent = await managingKeyExpiringIn(3600);
    expect((await createKey(parent.apiKey, { expiresInSeconds: 3601 })).status).toBe(403);
    const ok = await createKey(parent.apiKey, { expiresInSeconds: 3600 });
    expect(ok.status).toBe(201);
    expect(ok.json.expiresAt).toBe(new Date(clock.nowMs() + 3_600_000).toISOString());
  });

  it('AuthClient.generateApiKey(superUser, ExpiresIn.never()) from an expiring key is a PermissionError', async () => {
    const parent = await managingKeyExpiringIn(600);
    const auth = authClientFor(parent.apiKey);
    const su = await auth.generateApiKey(new InternalSuperUserPermissions(), ExpiresIn.never());
    expect(su.type).toBe(GenerateApiKeyResponse.Error);
    if (su.type === GenerateApiKeyResponse.Error) expect(su.errorCode()).toBe(MomentoErrorCode.PERMISSION_ERROR);
    const data = await auth.generateApiKey(AllDataReadWrite, ExpiresIn.never());
    expect(data.type).toBe(GenerateApiKeyResponse.Error);
    const longer = await auth.generateApiKey(AllDataReadWrite, ExpiresIn.seconds(601));
    expect(longer.type).toBe(GenerateApiKeyResponse.Error);
    const within = await auth.generateApiKey(AllDataReadWrite, ExpiresIn.seconds(600));
    expect(within.type).toBe(GenerateApiKeyResponse.Success);
  });
});

describe('key minting: rights never exceed the parent', () => {
  it('a managing key scoped to one cache cannot mint an all-caches key or one for another cache', async () => {
    const scoped = await createKey(b.server.devApiKey, { caches: [cache] });
    expect(scoped.status).toBe(201);
    // Scoped keys do not manage at all today, so minting is refused outright (403) over both transports.
    expect((await createKey(scoped.json.apiKey as string, {})).status).toBe(403);
    const auth = authClientFor(scoped.json.apiKey as string);
    const r = await auth.generateApiKey(AllDataReadWrite, ExpiresIn.never());
    expect(r.type).toBe(GenerateApiKeyResponse.Error);
  });

  it('a key minted within the rules works for its caches', async () => {
    const parent = await managingKeyExpiringIn(600);
    const r = await authClientFor(parent.apiKey).generateApiKey(
      PermissionScopes.cacheReadOnly(cache),
      ExpiresIn.seconds(60),
    );
    expect(r.type).toBe(GenerateApiKeyResponse.Success);
    if (r.type !== GenerateApiKeyResponse.Success) return;
    expect((await (await b.client(r.apiKey)).get(cache, 'k')).type).toBe(CacheGetResponse.Hit);
  });
});

describe('revoking a parent revokes its children', () => {
  it('DELETE /v1/api-keys/:parent makes keys minted by it (HTTP and AuthClient, and their children) fail', async () => {
    const parent = await managingKeyExpiringIn(3600);
    const httpChild = await createKey(parent.apiKey, { expiresInSeconds: 600 });
    expect(httpChild.status).toBe(201);
    const grandchild = await createKey(httpChild.json.apiKey as string, { caches: [cache], expiresInSeconds: 60 });
    expect(grandchild.status).toBe(201);
    const sdkChild = await authClientFor(parent.apiKey).generateApiKey(AllDataReadWrite, ExpiresIn.seconds(600));
    expect(sdkChild.type).toBe(GenerateApiKeyResponse.Success);
    if (sdkChild.type !== GenerateApiKeyResponse.Success) return;
    const children = [httpChild.json.apiKey as string, grandchild.json.apiKey as string, sdkChild.apiKey];
    for (const key of children) expect((await (await b.client(key)).get(cache, 'k')).type).toBe(CacheGetResponse.Hit);

    const del = await fetch(`${b.server.httpUrl}/v1/api-keys/${parent.id}`, {
      method: 'DELETE',
      headers: { authorization: b.server.devApiKey },
    });
    expect(del.status).toBe(204);
    for (const key of children) {
      const got = await (await b.client(key)).get(cache, 'k');
      expect(got.type).toBe(CacheGetResponse.Error);
      if (got.type === CacheGetResponse.Error) expect(got.errorCode()).toBe(MomentoErrorCode.AUTHENTICATION_ERROR);
    }
    // The listing shows each key's parent, so the owner can see what went with it.
    const list = (await (
      await fetch(`${b.server.httpUrl}/v1/api-keys`, { headers: { authorization: b.server.devApiKey } })
    ).json()) as { keys: Array<{ id: string; parentId: string | null; revokedAt: string | null }> };
    const child = list.keys.find((k) => k.id === httpChild.json.id);
    expect(child?.parentId).toBe(parent.id);
    expect(child?.revokedAt).not.toBeNull();
  });
});
