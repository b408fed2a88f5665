/**
 * Two servers for two regions sharing one PostgreSQL metadata database (a schema of its own per run):
 * data residency, shared accounts, and revocation seen across servers.
 */
import { randomBytes } from 'node:crypto';
import { encodeApiKey, ManualClock } from '@cachette/core';
import { apiKeyIn, outbox } from '@cachette/testing';
import { CacheSetResponse, CreateCacheResponse, ListCachesResponse, MomentoErrorCode } from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `cachette_test_regions_${randomBytes(4).toString('hex')}`;
let east: Booted;
let west: Booted;

beforeAll(async () => {
  const shared = { databaseUrl: POSTGRES_URL, databaseSchema: schema, provider: 'aws' };
  // Both start at once: migrations must be safe when two servers start together.
  [east, west] = await Promise.all([
    boot({ ...shared, region: 'us-east-1' }),
    boot({ ...shared, region: 'eu-west-1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([east?.stop(), west?.stop()]);
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

async function signupOn(b: Booted, region: string): Promise<string> {
  const email = `${uniqueName('pg')}@example.com`;
  const res = await fetch(`${b.server.httpUrl}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'aws', region, email }),
  });
  expect(res.status).toBe(202);
  const mail = (await outbox(b.dataDir)).find((m) => JSON.stringify(m.to).includes(email));
  return apiKeyIn(mail?.text ?? '');
}

describe('two regions, one PostgreSQL', () => {
  it('each server has its own local account: keys stay in their region', async () => {
    expect(east.server.localAccountId).not.toBe(west.server.localAccountId);
    const eastKeyOnWest = await west.client(encodeApiKey(west.server.grpcAddress, secretOf(east.server.devApiKey)));
    expectSdkError(await eastKeyOnWest.listCaches(), MomentoErrorCode.PERMISSION_ERROR, 'aws/us-east-1');
  });

  it('a key signed up in us-east-1 works there and is refused in eu-west-1 naming both regions', async () => {
    const key = await signupOn(east, 'us-east-1');
    const home = await east.client(key);
    const cache = uniqueName();
    expect((await home.createCache(cache)).type).toBe(CreateCacheResponse.Success);
    expect((await home.set(cache, 'k', 'v')).type).toBe(CacheSetResponse.Success);

    const abroad = await west.client(encodeApiKey(west.server.grpcAddress, secretOf(key)));
    const r = await abroad.get(cache, 'k');
    expectSdkError(r, MomentoErrorCode.PERMISSION_ERROR, 'aws/us-east-1');
    expect(r.type === 'Error' && r.message()).toContain('aws/eu-west-1');
  });

  it('a key revoked through one server is refused at once by another server of its region', async () => {
    // A ManualClock that never moves: the other server's 1 s auth window never expires by itself, so only
    // the PostgreSQL notification can make it refuse the key.
    const clock = new ManualClock();
    const shared = { databaseUrl: POSTGRES_URL, databaseSchema: schema, provider: 'aws', region: 'us-east-1', clock };
    const [a, b] = await Promise.all([boot(shared), boot(shared)]);
    try {
      const key = await signupOn(a, 'us-east-1');
      const viaB = await b.client(encodeApiKey(b.server.grpcAddress, secretOf(key)));
      expect((await viaB.listCaches()).type).toBe(ListCachesResponse.Success);
      const listed = await fetch(`${a.server.httpUrl}/v1/api-keys`, { headers: { authorization: key } });
      const { keys } = (await listed.json()) as { keys: Array<{ id: string }> };
      const heard = new Promise<void>((resolve) => {
        const off = b.server.metadata.onChange((change) => {
          if (change === 'apiKeys') {
            off();
            resolve();
          }
        });
      });
      const del = await fetch(`${a.server.httpUrl}/v1/api-keys/${keys[0]?.id}`, {
        method: 'DELETE',
        headers: { authorization: key },
      });
      expect(del.status).toBe(204);
      await heard; // server b was told through LISTEN/NOTIFY
      expectSdkError(await viaB.listCaches(), MomentoErrorCode.AUTHENTICATION_ERROR, 'revoked');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

function secretOf(key: string): string {
  return JSON.parse(Buffer.from(key, 'base64').toString()).api_key as string;
}
