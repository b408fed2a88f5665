/**
 * Issue 14, finding 4: scope leaks. A write-only key changes items but learns nothing about them, on every
 * route of both transports; usage (the whole account's caches and bill) is for management keys only.
 */
import { MomentoErrorCode } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

let b: Booted;
let cache: string;
let other: string;
let writeOnly: string;
let scoped: string;
let readOnly: string;

async function mint(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: b.server.devApiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

function post(path: string, key: string, body: unknown) {
  return fetch(`${b.server.httpUrl}${path}`, {
    method: 'POST',
    headers: { authorization: key, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  b = await boot();
  cache = uniqueName();
  other = uniqueName('other');
  const admin = await b.client();
  await admin.createCache(cache);
  await admin.createCache(other);
  await admin.set(cache, 'present', 'v');
  await admin.set(other, 'x', 'y');
  writeOnly = await mint({ caches: [cache], access: 'write-only' });
  scoped = await mint({ caches: [cache] });
  readOnly = await mint({ access: 'read-only' });
});
afterAll(async () => {
  await b.stop();
});

describe('write-only keys learn nothing about items', () => {
  it('HTTP set-if absent answers 403 instead of stored true/false', async () => {
    for (const key of ['present', 'absent']) {
      const res = await post(`/v1/caches/${cache}/items/set-if`, writeOnly, {
        key,
        value: 'w',
        ttl_seconds: 60,
        condition: 'absent',
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('write-only');
    }
  });

  it('HTTP POST ttl (update) answers 403 instead of updated / 404 item_not_found', async () => {
    for (const key of ['present', 'absent']) {
      const res = await post(`/v1/caches/${cache}/items/ttl`, writeOnly, { key, ttl_seconds: 60 });
      expect(res.status).toBe(403);
    }
  });

  it('gRPC setIfAbsent, setIfNotExists, updateTtl, increaseTtl are PermissionErrors', async () => {
    const c = await b.client(writeOnly);
    expectSdkError(await c.setIfAbsent(cache, 'present', 'w'), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expectSdkError(await c.setIfNotExists(cache, 'absent', 'w'), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expectSdkError(await c.updateTtl(cache, 'present', 60_000), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expectSdkError(await c.increaseTtl(cache, 'absent', 60_000), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expectSdkError(await c.keysExist(cache, ['present']), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expectSdkError(await c.itemGetType(cache, 'present'), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
    expectSdkError(await c.increment(cache, 'n', 1), MomentoErrorCode.PERMISSION_ERROR, 'write-only');
  });

  it('set, setBatch and delete still work (their answers say nothing about prior state)', async () => {
    const c = await b.client(writeOnly);
    expect((await c.set(cache, 'w1', 'v')).type).toBe('Success');
    expect((await c.setBatch(cache, { w2: 'v' })).type).toBe('Success');
    expect((await c.delete(cache, 'w1')).type).toBe('Success');
    const put = await fetch(`${b.server.httpUrl}/cache/${cache}?key=w3&ttl_seconds=60`, {
      method: 'PUT',
      headers: { authorization: writeOnly },
      body: 'v',
    });
    expect(put.status).toBe(204);
  });
});

describe('GET /v1/usage belongs to management keys', () => {
  it('a cache-scoped, a write-only and a read-only key get 403 and no cache names', async () => {
    for (const key of [scoped, writeOnly, readOnly]) {
      const res = await fetch(`${b.server.httpUrl}/v1/usage`, { headers: { authorization: key } });
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain(other);
    }
  });

  it('a managing key gets the whole account', async () => {
    const res = await fetch(`${b.server.httpUrl}/v1/usage`, { headers: { authorization: b.server.devApiKey } });
    expect(res.status).toBe(200);
  });
});
