/**
 * @module test/resp-gateway
 * The Redis-protocol suites (`resp-commands.test.ts`, ioredis through every command; `resp-pubsub.test.ts`) run unchanged against a
 * scale-out gateway: Valkey engine on a real 3-master Redis Cluster, metadata in PostgreSQL — the same
 * mocked `boot()` as `gateway-wire.test.ts`, with a PostgreSQL schema and a key prefix of its own.
 */
import { ValkeyEngine } from '@cachette/engine-valkey';
import { describe, expect, it, vi } from 'vitest';
import { gateway, useGatewayCluster } from './support/gateway-boot.ts';

vi.mock('./support/boot.ts', async (importOriginal) =>
  (await import('./support/gateway-boot.ts')).gatewayBootModule(importOriginal, 'resp'),
);

const cluster = useGatewayCluster();

await import('./resp-commands.test.ts');
// Pub/sub over the cluster's topic bus: PUBLISH and SUBSCRIBE through ValkeyTopicBus, not the in-process one.
await import('./resp-pubsub.test.ts');

describe('resp-gateway', () => {
  it('the Redis-protocol suite ran on a Valkey-engine gateway with PostgreSQL metadata', () => {
    expect(gateway.booted.length).toBeGreaterThanOrEqual(1);
    for (const b of gateway.booted) {
      expect(b.server.config).toMatchObject({ engine: 'valkey', valkeyUrl: cluster()?.url });
      expect(b.server.engine).toBeInstanceOf(ValkeyEngine);
      expect(b.server.redisPort).toBeGreaterThan(0);
    }
  });
});
