/**
 * Faults while the official SDK writes steadily, on the deployment's shape (Valkey engine on a real
 * 3-master Redis Cluster, PostgreSQL metadata):
 *
 * - PostgreSQL becomes unreachable (a TCP proxy between the server and the shared PostgreSQL is cut; the
 *   shared server is never stopped) and comes back;
 * - a cluster master is killed and restarted (its append-only file, fsync'd on every write, brings its data
 *   back, as a restarted production master's persistence or replica would);
 * - a graceful stop with calls in flight.
 *
 * Every acknowledged write is readable afterwards, every error in an outage is SERVER_UNAVAILABLE with a
 * clear message, and the server recovers by itself. Waits are on events of the write stream (N writes
 * acknowledged, N errors seen, N successes in a row), bounded by call counts, never by time.
 */
import { randomBytes } from 'node:crypto';
import { MemoryEngine } from '@cachette/engine';
import { type RedisCluster, startRedisCluster } from '@cachette/testing';
import {
  CacheClient,
  CacheSetResponse,
  Configurations,
  CreateCacheResponse,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  MomentoErrorCode,
} from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../../metadata/test/tcp-proxy.ts';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { SteadyWriters } from './support/steady-writers.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgTarget = new URL(POSTGRES_URL);
const run = randomBytes(4).toString('hex');
const schema = `cachette_test_faults_${run}`;

let cluster: RedisCluster;
const proxy = new TcpProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
let gw: Booted;

/**
 * A client that reports each call's own outcome: no SDK retries (they would turn the server's answer into
 * the SDK's), and a client timeout far above any server-side bound, so a busy machine cannot turn an
 * UNAVAILABLE into a TIMEOUT.
 */
function directClient(b: Booted): Promise<CacheClient> {
  return CacheClient.create({
    configuration: Configurations.Laptop.v1(new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.ERROR))
      .withRetryStrategy({ determineWhenToRetryRequest: () => null })
      .withClientTimeoutMillis(60_000),
    credentialProvider: keyCredentials(b.server.grpcAddress, b.server.devApiKey),
    defaultTtlSeconds: 600,
  });
}

beforeAll(async () => {
  // appendfsync always: a write Redis acknowledged is on disk, so a killed master restarts with it.
  cluster = await startRedisCluster({ masters: 3, appendOnly: true });
  await proxy.start();
  const pgUser = decodeURIComponent(pgTarget.username);
  gw = await boot({
    engine: 'valkey',
    valkeyUrl: cluster.url,
    valkeyKeyPrefix: `faults-${run}:`,
    databaseUrl: `postgres://${pgUser ? `${pgUser}@` : ''}127.0.0.1:${proxy.port}${pgTarget.pathname}`,
    databaseSchema: schema,
  });
});

afterAll(async () => {
  await proxy.restore().catch(() => undefined);
  await gw?.stop();
  await proxy.cut();
  await cluster?.stop();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
});

async function newCache(client: CacheClient): Promise<string> {
  const cache = uniqueName('faults');
  expect((await client.createCache(cache)).type).toBe(CreateCacheResponse.Success);
  return cache;
}

describe('faults under load (Valkey engine, PostgreSQL metadata, official SDK writers)', () => {
  it('PostgreSQL unreachable and back: outage errors are UNAVAILABLE, no acknowledged write is lost, recovery is automatic', async () => {
    const client = await directClient(gw);
    const verify = await gw.client();
    const cache = await newCache(client);
    const writers = new SteadyWriters(client, cache, { writers: 6, prefix: 'pg' });
    writers.start();
    try {
      await writers.until('300 writes acknowledged', () => writers.acked.size >= 300);
      await proxy.cut();
      // Authentication and the cache directory are cached briefly; once they need the database, calls fail.
      await writers.until('8 writes failed during the PostgreSQL outage', () => writers.errors.length >= 8);
      await proxy.restore();
      await writers.until('50 writes in a row succeed after PostgreSQL is back', () => writers.successesInARow >= 50);
    } finally {
      await writers.stop();
      await proxy.restore().catch(() => undefined);
    }
    for (const e of writers.errors) {
      expect(e.code, e.message).toBe(MomentoErrorCode.SERVER_UNAVAILABLE);
      expect(e.message).toMatch(/unavailable/i);
      expect(e.message).toContain('postgresql database'); // says what is unavailable…
      expect(e.message).not.toMatch(/postgres(ql)?:\/\/|@127\.0\.0\.1/); // …without a URL or credentials
    }
    expect(await writers.unreadable(verify)).toEqual([]);
    client.close();
  });

  it('a Redis Cluster master killed and restarted: its keys fail UNAVAILABLE meanwhile, no acknowledged write is lost, recovery is automatic', async () => {
    const client = await directClient(gw);
    const verify = await gw.client();
    const cache = await newCache(client);
    const writers = new SteadyWriters(client, cache, { writers: 6, prefix: 'redis' });
    const victim = cluster.nodes[0]!.port;
    writers.start();
    try {
      await writers.until('300 writes acknowledged', () => writers.acked.size >= 300);
      await cluster.stopNode(victim);
      await writers.until('8 writes failed while a master is down', () => writers.errors.length >= 8);
      const ackedDuringOutage = writers.acked.size;
      // The two other masters keep serving their keys meanwhile.
      await writers.until(
        '20 more writes acknowledged with a master down',
        () => writers.acked.size >= ackedDuringOutage + 20,
      );
      await cluster.startNode(victim);
      // Keys spread over every master: 50 successes in a row ((2/3)^50 ≈ 2e-9 to all miss it) means it serves.
      await writers.until('50 writes in a row succeed after the restart', () => writers.successesInARow >= 50);
    } finally {
      await writers.stop();
      await cluster.startNode(victim);
    }
    for (const e of writers.errors) {
      expect(e.code, e.message).toBe(MomentoErrorCode.SERVER_UNAVAILABLE);
      expect(e.message).toMatch(/unavailable/i);
    }
    expect(await writers.unreadable(verify)).toEqual([]);
    client.close();
  });
});

/** Holds the `set` of one chosen key inside the engine until the test opens the gate. */
class GatedEngine extends MemoryEngine {
  // Sets must go through the (overridden) async path, which can wait.
  override readonly sync = undefined;
  #entered!: () => void;
  #open!: () => void;
  readonly entered = new Promise<void>((resolve) => {
    this.#entered = resolve;
  });
  readonly #gate = new Promise<void>((resolve) => {
    this.#open = resolve;
  });

  override async set(ns: string, key: Uint8Array, value: Uint8Array, ttlMs: number): Promise<void> {
    if (Buffer.from(key).toString() === 'gated') {
      this.#entered();
      await this.#gate;
    }
    return super.set(ns, key, value, ttlMs);
  }

  open(): void {
    this.#open();
  }
}

describe('graceful stop under load', () => {
  it('finishes the calls in flight, refuses new ones with UNAVAILABLE, and then stops', async () => {
    const engine = new GatedEngine({ maxBytes: 64 * 1024 * 1024 });
    const b = await boot({ engineInstance: engine });
    const client = await directClient(b);
    const cache = await newCache(client);
    const writers = new SteadyWriters(client, cache, { writers: 6, prefix: 'stop' });
    writers.start();
    let closing: Promise<void> | undefined;
    try {
      await writers.until('200 writes acknowledged', () => writers.acked.size >= 200);
      const inFlight = client.set(cache, 'gated', 'finished during the stop');
      await engine.entered; // the call is inside the server now
      closing = b.server.close();
      await writers.until('a write is refused once the stop began', () => writers.errors.length >= 1);
      // A call started now is refused (a new client cannot even connect: the listener is closed).
      const refused = await client.set(cache, 'late', 'x');
      expect(refused.type === CacheSetResponse.Error && refused.errorCode()).toBe(MomentoErrorCode.SERVER_UNAVAILABLE);
      engine.open();
      expect((await inFlight).type).toBe(CacheSetResponse.Success);
      await closing;
    } finally {
      engine.open();
      await writers.stop();
      client.close();
      await (closing ?? b.stop());
      await b.stop();
    }
    // Refusals are clean: UNAVAILABLE, never INTERNAL, CANCELLED or a timeout.
    expect(new Set(writers.errors.map((e) => e.code))).toEqual(new Set([MomentoErrorCode.SERVER_UNAVAILABLE]));
  });
});
