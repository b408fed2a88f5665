/**
 * @module test/gateway-wire
 * The official-SDK wire suites (`wire-data-plane`, `wire-collections`, `wire-leaderboards`, `wire-control-plane`, `wire-auth`,
 * `wire-auth-client`)
 * run unchanged against a scale-out
 * gateway: Valkey engine on a real 3-master Redis Cluster, metadata in PostgreSQL.
 *
 * How: `./support/boot.ts` is mocked so that every `boot()` those files call starts a gateway on this file's
 * cluster, with a PostgreSQL schema and a Valkey key prefix of its own (each suite owns its local account,
 * so the control-plane suite's caches-per-account cap does not count the data-plane suite's caches). Then
 * both suites are imported, which registers their hooks and tests here. Nothing in those files is edited:
 * a check added there runs against both engines.
 *
 * The data-plane suite's ManualClock still drives expiry: ValkeyEngine computes and judges deadlines on the
 * injected clock (the Redis PX expiry only reclaims memory, and the suite's TTLs are far longer than it runs).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '@cachette/core';
import { ValkeyEngine } from '@cachette/engine-valkey';
import type { ServerFromSettingsOptions } from '@cachette/server';
import { type RedisCluster, startRedisCluster } from '@cachette/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Booted, uniqueName } from './support/boot.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What the mocked boot needs; filled in beforeAll (vi.hoisted runs before any import is available). */
const gateway = vi.hoisted(() => ({
  url: '',
  run: '',
  postgresUrl: '',
  booted: [] as Booted[],
  schemas: [] as string[],
}));

vi.mock('./support/boot.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('./support/boot.ts')>();
  return {
    ...original,
    async boot(options: ServerFromSettingsOptions & { clock?: Clock } = {}): Promise<Booted> {
      if (gateway.url === '') throw new Error('gateway-wire: the Redis Cluster is not started yet');
      const n = gateway.schemas.length;
      const schema = `cachette_test_gw_wire_${gateway.run}_${n}`;
      gateway.schemas.push(schema);
      const b = await original.boot({
        ...options,
        engine: 'valkey',
        valkeyUrl: gateway.url,
        valkeyKeyPrefix: `gw-wire-${gateway.run}-${n}:`,
        databaseUrl: gateway.postgresUrl,
        databaseSchema: schema,
      });
      // stop() made idempotent: this file's afterAll stops whatever the suites left running, and closing an
      // SDK client twice makes it reconnect.
      let stopping: Promise<void> | undefined;
      const once: Booted = { ...b, stop: () => (stopping ??= b.stop()) };
      gateway.booted.push(once);
      return once;
    },
  };
});

let cluster: RedisCluster | undefined;

// Registered before the suites are imported: runs before their beforeAll (boot) and, hooks running as a
// stack, after their afterAll (stop). Stopping what they booted again here is harmless (close is idempotent)
// and keeps the cluster from going away under a live gateway if that order ever changes.
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  gateway.url = cluster.url;
  gateway.run = randomBytes(4).toString('hex');
  gateway.postgresUrl = POSTGRES_URL;
});
afterAll(async () => {
  await Promise.all(gateway.booted.map((b) => b.stop()));
  await cluster?.stop();
  if (gateway.schemas.length === 0) return;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    for (const schema of gateway.schemas) await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
});

await import('./wire-data-plane.test.ts');
await import('./wire-collections.test.ts');
await import('./wire-leaderboards.test.ts');
await import('./wire-control-plane.test.ts');
// Every permission case (scoped, read-only, write-only, expired, revoked, other region, other account) and
// the AuthClient, on PostgreSQL metadata.
await import('./wire-auth.test.ts');
await import('./wire-auth-client.test.ts');

describe('gateway-wire', () => {
  it('the suites above ran on Valkey-engine gateways with PostgreSQL metadata, items in the cluster', async () => {
    expect(gateway.booted.length).toBeGreaterThanOrEqual(4);
    for (const b of gateway.booted) {
      expect(b.server.config).toMatchObject({ engine: 'valkey', valkeyUrl: cluster?.url });
      expect(b.server.config.databaseUrl).toBe(POSTGRES_URL);
      expect(b.server.engine).toBeInstanceOf(ValkeyEngine);
    }
    const client = await gateway.booted[0]!.client();
    const cache = uniqueName();
    await client.createCache(cache);
    await client.set(cache, 'in-the-cluster', 'yes');
    const engine = gateway.booted[0]!.server.engine as ValkeyEngine;
    // KEYS is per node: ask every master, the cache's buckets are spread over all of them.
    const masters = 'nodes' in engine.client ? engine.client.nodes('master') : [engine.client];
    const perMaster = await Promise.all(masters.map((m) => m.keys(`gw-wire-${gateway.run}-0:*`)));
    expect(perMaster.length).toBe(3);
    for (const keys of perMaster) expect(keys.length).toBeGreaterThan(0);
  });
});
