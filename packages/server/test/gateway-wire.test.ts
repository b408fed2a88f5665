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
import { ValkeyEngine } from '@cachette/engine-valkey';
import { describe, expect, it, vi } from 'vitest';
import { uniqueName } from './support/boot.ts';
import { gateway, POSTGRES_URL, useGatewayCluster } from './support/gateway-boot.ts';

vi.mock('./support/boot.ts', async (importOriginal) =>
  (await import('./support/gateway-boot.ts')).gatewayBootModule(importOriginal, 'wire'),
);

const cluster = useGatewayCluster();

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
      expect(b.server.config).toMatchObject({ engine: 'valkey', valkeyUrl: cluster()?.url });
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
