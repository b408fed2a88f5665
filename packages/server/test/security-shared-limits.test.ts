/**
 * Issue 14, finding 9: with `--engine valkey`, plan rate limits hold across gateways: two gateways sharing
 * one cluster admit the plan's rate in total, not each.
 */
import { randomBytes } from 'node:crypto';
import { ManualClock } from '@cachette/core';
import { CacheSetResponse } from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const VALKEY_URL = process.env.CACHETTE_TEST_VALKEY_URL ?? 'redis://127.0.0.1:6379';
const run = randomBytes(4).toString('hex');
const schema = `cachette_test_shared_limits_${run}`;
// One clock for both gateways, frozen: every call falls in the same one-second window.
const clock = new ManualClock(1_800_000_000_000);
let a: Booted;
let b: Booted;

beforeAll(async () => {
  const shared = {
    databaseUrl: POSTGRES_URL,
    databaseSchema: schema,
    engine: 'valkey' as const,
    valkeyUrl: VALKEY_URL,
    valkeyKeyPrefix: `cachette-test-shared-${run}:`,
    clock,
  };
  [a, b] = await Promise.all([boot(shared), boot(shared)]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`drop schema if exists "${schema}" cascade`);
  await admin.end();
});

/** A key of a new account on a plan of `rps` requests per second per cache. */
async function keyOnPlan(rps: number, bytesPerSecond: number | null): Promise<string> {
  const { metadata, accounts } = a.server;
  const free = await metadata.getPlan('free');
  if (free === undefined) throw new Error('no free plan');
  const name = `shared-${rps}-${uniqueName('p')}`;
  await metadata.putPlan({ ...free, name, maxRequestsPerSecond: rps, maxThroughputBytesPerSecond: bytesPerSecond });
  const account = await metadata.createAccount({ provider: 'local', region: 'local', plan: name });
  return (await accounts.issue(account.id, {})).apiKey;
}

describe('plan limits across gateways (--engine valkey)', () => {
  it('two gateways admit 10 requests in one second in total for a 10 requests/s plan, not 10 each', async () => {
    const key = await keyOnPlan(10, null);
    const [ca, cb] = [await a.client(key), await b.client(key)];
    const cache = uniqueName();
    expect((await ca.createCache(cache)).type).toBe('Success');
    let ok = 0;
    let limited = 0;
    for (let i = 0; i < 30; i++) {
      const r = await (i % 2 === 0 ? ca : cb).set(cache, `k${i}`, 'v');
      if (r.type === CacheSetResponse.Success) ok++;
      else limited++;
    }
    expect(ok).toBe(10);
    expect(limited).toBe(20);
    // The next second has a fresh budget, again shared.
    clock.advance(1000);
    expect((await cb.set(cache, 'next', 'v')).type).toBe(CacheSetResponse.Success);
  });

  it('throughput is shared too: 2 KiB/s in total across both gateways', async () => {
    const key = await keyOnPlan(1000, 2048);
    const [ca, cb] = [await a.client(key), await b.client(key)];
    const cache = uniqueName();
    expect((await ca.createCache(cache)).type).toBe('Success');
    const value = 'x'.repeat(200);
    let ok = 0;
    for (let i = 0; i < 40; i++) {
      const r = await (i % 2 === 0 ? ca : cb).set(cache, `k${i}`, value);
      if (r.type === CacheSetResponse.Success) ok++;
    }
    // Each set moves ≈ 203 bytes in; admission stops once the shared 2048 bytes are leased and spent (the
    // call that overdraws a lease still passes, as on one server).
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(12);
  });
});
