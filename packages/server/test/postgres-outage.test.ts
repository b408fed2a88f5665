/**
 * A server on PostgreSQL metadata when PostgreSQL goes away and comes back: calls that need the database
 * fail with UNAVAILABLE and a clear message, calls served from the in-process caches keep working, stored
 * items are intact, and the server recovers by itself. The outage is a TCP proxy cut in the test; the
 * shared PostgreSQL is never stopped.
 */
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@cachette/core';
import { CacheGetResponse, CreateCacheResponse, MomentoErrorCode } from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../metadata/test/tcp-proxy.ts';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

const schema = `cachette_test_outage_${randomBytes(4).toString('hex')}`;
const proxy = new TcpProxy({ host: '127.0.0.1', port: 5432 });
let b: Booted;

beforeAll(async () => {
  await proxy.start();
  // A ManualClock keeps the auth and cache-directory windows open however slow the machine is.
  b = await boot({
    clock: new ManualClock(),
    databaseUrl: `postgres://postgres@127.0.0.1:${proxy.port}/test`,
    databaseSchema: schema,
  });
});
afterAll(async () => {
  await proxy.restore().catch(() => undefined);
  await b?.stop();
  await proxy.cut();
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

describe('PostgreSQL outage', () => {
  it('fails database calls with UNAVAILABLE, keeps serving cached ones, and recovers by itself', async () => {
    const client = await b.client();
    const cache = uniqueName();
    expect((await client.createCache(cache)).type).toBe(CreateCacheResponse.Success);
    await client.set(cache, 'k', 'v');

    await proxy.cut();
    const r = await client.createCache(uniqueName());
    expectSdkError(r, MomentoErrorCode.SERVER_UNAVAILABLE, 'unavailable');
    expect(r.type === 'Error' && r.message()).not.toContain('postgres@'); // no credentials in the message
    // The data plane for a known key and cache is answered from the in-process caches and the engine.
    const hit = await client.get(cache, 'k');
    expect(hit.type === CacheGetResponse.Hit && hit.valueString()).toBe('v');

    // Usage counted during the outage cannot be written yet; it is kept, not lost.
    await expect(b.server.meter.flush()).rejects.toMatchObject({ code: 'UNAVAILABLE' });

    await proxy.restore();
    expect((await client.createCache(uniqueName())).type).toBe(CreateCacheResponse.Success);
    const still = await client.get(cache, 'k');
    expect(still.type === CacheGetResponse.Hit && still.valueString()).toBe('v');
    await b.server.meter.flush();
    const usage = (await (
      await fetch(`${b.server.httpUrl}/v1/usage`, { headers: { authorization: b.server.devApiKey } })
    ).json()) as {
      totals: { bytesIn: number; bytesOut: number; requests: number };
    };
    // set k/v (2 in), get during the outage (1 in, 1 out), get after (1 in, 1 out)
    expect(usage.totals).toMatchObject({ bytesIn: 4, bytesOut: 2, requests: 3 });
  });
});
