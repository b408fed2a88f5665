/**
 * @module test/resp-gateway
 * The Redis-protocol suite (`resp-commands.test.ts`, ioredis through every command) run unchanged against a
 * scale-out gateway: Valkey engine on a real 3-master Redis Cluster, metadata in PostgreSQL — the same
 * mocked `boot()` as `gateway-wire.test.ts`, with a PostgreSQL schema and a key prefix of its own.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '@cachette/core';
import { ValkeyEngine } from '@cachette/engine-valkey';
import type { ServerFromSettingsOptions } from '@cachette/server';
import { type RedisCluster, startRedisCluster } from '@cachette/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Booted } from './support/boot.ts';

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
      if (gateway.url === '') throw new Error('resp-gateway: the Redis Cluster is not started yet');
      const n = gateway.schemas.length;
      const schema = `cachette_test_gw_resp_${gateway.run}_${n}`;
      gateway.schemas.push(schema);
      const b = await original.boot({
        ...options,
        engine: 'valkey',
        valkeyUrl: gateway.url,
        valkeyKeyPrefix: `gw-resp-${gateway.run}-${n}:`,
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

await import('./resp-commands.test.ts');

describe('resp-gateway', () => {
  it('the Redis-protocol suite ran on a Valkey-engine gateway with PostgreSQL metadata', () => {
    expect(gateway.booted.length).toBeGreaterThanOrEqual(1);
    for (const b of gateway.booted) {
      expect(b.server.config).toMatchObject({ engine: 'valkey', valkeyUrl: cluster?.url });
      expect(b.server.engine).toBeInstanceOf(ValkeyEngine);
      expect(b.server.redisPort).toBeGreaterThan(0);
    }
  });
});
