/**
 * @module test/support/gateway-boot
 * Runs suites written against `./boot.ts` unchanged on scale-out gateways: Valkey engine on a real 3-master
 * Redis Cluster, metadata in PostgreSQL. A file mocks `./boot.ts` with {@link gatewayBootModule}, calls
 * {@link useGatewayCluster} (before importing the suites, so its hooks wrap theirs), then imports the suites:
 * every `boot()` they call starts a gateway with a PostgreSQL schema and a Valkey key prefix of its own.
 *
 * Only type imports from `./boot.ts`: this module is loaded by the mock of that very module.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '@cachette/core';
import type { ServerFromSettingsOptions } from '@cachette/server';
import { type RedisCluster, startRedisCluster } from '@cachette/testing';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { Booted } from './boot.ts';

export const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** What the gateways of one test file share; `url` is empty until the cluster is up. */
export const gateway = {
  url: '',
  run: '',
  /** Gateways booted so far, in order. */
  booted: [] as Booted[],
  schemas: [] as string[],
};

type BootModule = typeof import('./boot.ts');

/**
 * The `./boot.ts` module with `boot()` starting gateways; `label` names this file's schemas
 * (`cachette_test_gw_<label>_…`) and key prefixes (`gw-<label>-<run>-<n>:`).
 */
export async function gatewayBootModule(importOriginal: () => Promise<BootModule>, label: string): Promise<BootModule> {
  const original = await importOriginal();
  return {
    ...original,
    async boot(options: ServerFromSettingsOptions & { clock?: Clock } = {}): Promise<Booted> {
      if (gateway.url === '') throw new Error(`gateway-${label}: the Redis Cluster is not started yet`);
      const n = gateway.schemas.length;
      const schema = `cachette_test_gw_${label}_${gateway.run}_${n}`;
      gateway.schemas.push(schema);
      const b = await original.boot({
        ...options,
        engine: 'valkey',
        valkeyUrl: gateway.url,
        valkeyKeyPrefix: `gw-${label}-${gateway.run}-${n}:`,
        databaseUrl: POSTGRES_URL,
        databaseSchema: schema,
      });
      // stop() made idempotent: the file's afterAll stops whatever the suites left running, and closing an
      // SDK client twice makes it reconnect.
      let stopping: Promise<void> | undefined;
      const once: Booted = { ...b, stop: () => (stopping ??= b.stop()) };
      gateway.booted.push(once);
      return once;
    },
  };
}

/**
 * Starts the cluster before the suites' hooks and stops it (and every gateway, and drops the schemas) after
 * theirs: hooks run as a stack, so call this before importing the suites. Returns the running cluster.
 */
export function useGatewayCluster(): () => RedisCluster | undefined {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster({ masters: 3 });
    gateway.url = cluster.url;
    gateway.run = randomBytes(4).toString('hex');
  });
  afterAll(async () => {
    // Stopping what the suites stopped already is harmless (close is idempotent) and keeps the cluster from
    // going away under a live gateway if the hook order ever changes.
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
  return () => cluster;
}
