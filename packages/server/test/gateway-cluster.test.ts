/**
 * @module test/gateway-cluster
 * Scale-out: stateless gateways sharing one PostgreSQL schema (metadata) and one real 3-master Redis
 * Cluster (items), with the same Valkey key prefix, exactly as a deployment runs them.
 *
 * - two in-process gateways serve the same caches consistently (items, create, flush, delete, usage);
 * - a gateway started by the CLI as a child process is SIGKILLed mid-traffic: every acknowledged write is
 *   readable through the other gateway, which never stops serving;
 * - a cluster master is stopped: calls on its slots fail fast with SERVER_UNAVAILABLE, the rest is served,
 *   and after its restart (empty: no replica, no persistence) the namespace self-repair makes its slots
 *   work again without operator action.
 *
 * Every wait is a bounded poll on the real condition; nothing sleeps to synchronise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { encodeApiKey } from '@cachette/core';
import { ValkeyEngine } from '@cachette/engine-valkey';
import { pollUntil, type RedisCluster, startRedisCluster } from '@cachette/testing';
import {
  CacheClient,
  CacheGetBatchResponse,
  CacheGetResponse,
  CacheSetResponse,
  Configurations,
  CreateCacheResponse,
  DefaultMomentoLoggerFactory,
  DefaultMomentoLoggerLevel,
  DeleteCacheResponse,
  FlushCacheResponse,
  ListCachesResponse,
  MomentoErrorCode,
} from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = resolve(import.meta.dirname, '../../cli/bin/cachette.js');
const run = randomBytes(4).toString('hex');
const schema = `cachette_test_gw_cluster_${run}`;
const keyPrefix = `gw-cluster-${run}:`;

let cluster: RedisCluster;
let a: Booted;
let b: Booted;
/** The local account's key (shared by every gateway of this schema), for clients of either gateway. */
let apiKey: string;
let viaA: CacheClient;
let viaB: CacheClient;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  const shared = {
    engine: 'valkey' as const,
    valkeyUrl: cluster.url,
    valkeyKeyPrefix: keyPrefix,
    databaseUrl: POSTGRES_URL,
    databaseSchema: schema,
  };
  // One after the other: the first creates the schema and the deployment's local account, the second
  // finds both (as gateways added to a running deployment do).
  a = await boot(shared);
  b = await boot(shared);
  apiKey = a.server.devApiKey;
  viaA = await a.client(apiKey);
  viaB = await b.client(apiKey);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cluster?.stop();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
});

const hitValue = (r: Awaited<ReturnType<CacheClient['get']>>): string | undefined =>
  r.type === CacheGetResponse.Hit ? r.valueString() : undefined;

async function newCache(client: CacheClient): Promise<string> {
  const cache = uniqueName('gw');
  expect((await client.createCache(cache)).type).toBe(CreateCacheResponse.Success);
  return cache;
}

describe('two gateways, one PostgreSQL schema, one Redis Cluster', () => {
  it('both gateways run the Valkey engine on PostgreSQL metadata and share the local account', () => {
    expect(a.server.engine).toBeInstanceOf(ValkeyEngine);
    expect(b.server.engine).toBeInstanceOf(ValkeyEngine);
    expect(b.server.localAccountId).toBe(a.server.localAccountId);
  });

  it('set() through one gateway is a Hit through the other, in both directions, byte for byte', async () => {
    const cache = await newCache(viaA);
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect((await viaA.set(cache, 'from-a', 'written on A')).type).toBe(CacheSetResponse.Success);
    expect((await viaB.set(cache, bytes, bytes)).type).toBe(CacheSetResponse.Success);
    expect(hitValue(await viaB.get(cache, 'from-a'))).toBe('written on A');
    const r = await viaA.get(cache, bytes);
    expect(r.type === CacheGetResponse.Hit && Buffer.from(r.valueUint8Array()).equals(Buffer.from(bytes))).toBe(true);
    // An overwrite and a delete on one are seen at once on the other: no gateway keeps items.
    await viaB.set(cache, 'from-a', 'overwritten on B');
    expect(hitValue(await viaA.get(cache, 'from-a'))).toBe('overwritten on B');
    await viaA.delete(cache, 'from-a');
    expect((await viaB.get(cache, 'from-a')).type).toBe(CacheGetResponse.Miss);
  });

  it('a cache created on one gateway is listed and usable on the other at once', async () => {
    const cache = await newCache(viaA);
    const listed = await viaB.listCaches();
    expect(listed.type === ListCachesResponse.Success && listed.getCaches().map((c) => c.getName())).toContain(cache);
    expect((await viaB.set(cache, 'k', 'v')).type).toBe(CacheSetResponse.Success);
    expect(hitValue(await viaA.get(cache, 'k'))).toBe('v');
  });

  it('flushCache() on one gateway empties the cache for the other', async () => {
    const cache = await newCache(viaA);
    await viaB.setBatch(cache, { x: '1', y: '2' });
    expect(hitValue(await viaB.get(cache, 'x'))).toBe('1');
    expect((await viaA.flushCache(cache)).type).toBe(FlushCacheResponse.Success);
    const r = await viaB.getBatch(cache, ['x', 'y']);
    expect(r.type === CacheGetBatchResponse.Success && r.values()).toEqual({});
    await viaB.set(cache, 'z', '3');
    expect(hitValue(await viaA.get(cache, 'z'))).toBe('3');
  });

  it('deleteCache() on one gateway makes the other answer NOT_FOUND, even with the cache in its directory', async () => {
    const cache = await newCache(viaA);
    await viaB.set(cache, 'k', 'v'); // B's directory now holds the cache (positive entries live 5 s)
    expect((await viaA.deleteCache(cache)).type).toBe(DeleteCacheResponse.Success);
    // The engine namespace is gone for every gateway; B re-reads metadata and reports the cache missing.
    expectSdkError(await viaB.get(cache, 'k'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR, cache);
  });

  it('usage through both gateways adds up in /v1/usage, whichever gateway reports it', async () => {
    // A fresh account, so the totals are exactly this test's calls.
    const account = await a.server.metadata.createAccount({
      email: `${uniqueName('gw')}@example.com`,
      provider: 'local',
      region: 'local',
      plan: 'unlimited',
    });
    const { secret } = await a.server.metadata.createApiKey({ accountId: account.id });
    const key = encodeApiKey(a.server.grpcAddress, secret, a.server.httpUrl);
    const ca = await a.client(key);
    const cb = await b.client(key);
    const cache = await newCache(ca);
    await ca.set(cache, 'a1', 'hello'); // in 2 + 5
    await ca.get(cache, 'a1'); // in 2, out 5
    await cb.set(cache, 'b1', '1234'); // in 2 + 4
    await cb.get(cache, 'a1'); // in 2, out 5
    await cb.get(cache, 'missing'); // in 7
    await Promise.all([a.server.meter.flush(), b.server.meter.flush()]);
    for (const gateway of [a, b]) {
      const res = await fetch(`${gateway.server.httpUrl}/v1/usage`, { headers: { authorization: key } });
      expect(res.status).toBe(200);
      const report = (await res.json()) as { totals: { bytesIn: number; bytesOut: number; requests: number } };
      expect(report.totals).toMatchObject({ bytesIn: 24, bytesOut: 10, requests: 5 });
    }
  });
});

/** A `cachette server start` child process: the deployment's gateway, as operators run it. */
interface ChildGateway {
  readonly process: ChildProcess;
  readonly address: string;
  readonly dataDir: string;
}

async function startChildGateway(): Promise<ChildGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachette-gw-child-'));
  const child = spawn(
    process.execPath,
    [
      BIN,
      'server',
      'start',
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--engine',
      'valkey',
      '--valkey-url',
      cluster.url,
      '--database-url',
      POSTGRES_URL,
    ],
    {
      env: { ...process.env, CACHETTE_DATABASE_SCHEMA: schema, CACHETTE_VALKEY_KEY_PREFIX: keyPrefix },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    const address = await new Promise<string>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`no "cachette ready on" within 20 s; stderr: ${stderr}`)), 20_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /cachette ready on ([^ ]+:\d+) \(gRPC\)/.exec(line);
        if (m?.[1] === undefined) return;
        clearTimeout(timer);
        ok(m[1]);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`gateway exited with ${code} before it was ready; stderr: ${stderr}`));
      });
    });
    return { process: child, address, dataDir };
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}

describe('a gateway killed mid-traffic', () => {
  it('SIGKILL loses no acknowledged write, and the other gateway keeps serving throughout', async () => {
    const child = await startChildGateway();
    const exited = new Promise<void>((ok) => child.process.once('exit', () => ok()));
    // Quiet logger: after the kill the SDK logs its reconnect attempts at INFO, which is expected here.
    const viaChild = await CacheClient.create({
      configuration: Configurations.Laptop.v1(new DefaultMomentoLoggerFactory(DefaultMomentoLoggerLevel.ERROR)),
      credentialProvider: keyCredentials(child.address, apiKey),
      defaultTtlSeconds: 60,
    });
    try {
      const cache = await newCache(viaA);
      const acked = new Map<string, string>();
      const survivorAcked = new Map<string, string>();
      const survivorErrors: string[] = [];
      const KILL_AFTER = 300; // acknowledged writes before the kill
      const MAX_ATTEMPTS = 20_000; // bounds the loop if the kill never lands
      let attempts = 0;
      let killed = false;
      let childFailures = 0;

      // 8 writers through the doomed gateway: each records a write only once it was acknowledged, and
      // stops at its first failure (the gateway is gone).
      const doomedWriter = async (w: number) => {
        for (let i = 0; attempts < MAX_ATTEMPTS; i++) {
          attempts++;
          const key = `child-${w}-${i}`;
          const value = `value-${w}-${i}-${randomBytes(6).toString('hex')}`;
          const r = await viaChild.set(cache, key, value);
          if (r.type !== CacheSetResponse.Success) {
            childFailures++;
            return;
          }
          acked.set(key, value);
          if (!killed && acked.size >= KILL_AFTER) {
            killed = true;
            child.process.kill('SIGKILL'); // other writers have calls in flight right now
          }
        }
      };
      // 4 writers through the surviving gateway for the same span: none of them may fail.
      const survivorWriter = async (w: number) => {
        for (let i = 0; !killed || childFailures < 8; i++) {
          if (i > MAX_ATTEMPTS) break;
          const key = `survivor-${w}-${i}`;
          const r = await viaA.set(cache, key, `s-${i}`);
          if (r.type === CacheSetResponse.Success) survivorAcked.set(key, `s-${i}`);
          else survivorErrors.push(String(r));
        }
      };
      await Promise.all([
        ...Array.from({ length: 8 }, (_, w) => doomedWriter(w)),
        ...Array.from({ length: 4 }, (_, w) => survivorWriter(w)),
      ]);
      await exited;

      expect(killed).toBe(true);
      expect(childFailures).toBe(8); // every doomed writer saw the gateway die
      expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
      expect(survivorErrors).toEqual([]);
      expect(survivorAcked.size).toBeGreaterThan(0);

      // Every acknowledged write is readable through the survivor (batches of 1000, the per-call cap).
      const all = [...acked, ...survivorAcked];
      const missing: string[] = [];
      for (let from = 0; from < all.length; from += 1000) {
        const chunk = all.slice(from, from + 1000);
        const r = await viaA.getBatch(
          cache,
          chunk.map(([k]) => k),
        );
        if (r.type !== CacheGetBatchResponse.Success) throw new Error(String(r));
        const values = r.values();
        for (const [k, v] of chunk) if (values[k] !== v) missing.push(k);
      }
      expect(missing).toEqual([]);
      // And the survivor still takes new work after the kill.
      expect((await viaB.set(cache, 'after-kill', 'ok')).type).toBe(CacheSetResponse.Success);
      expect(hitValue(await viaA.get(cache, 'after-kill'))).toBe('ok');
    } finally {
      viaChild.close();
      child.process.kill('SIGKILL');
      await exited;
      rmSync(child.dataDir, { recursive: true, force: true });
    }
  });
});

describe('a cluster master stopped', () => {
  it('keys on its slots fail fast with SERVER_UNAVAILABLE, other keys are served, and its slots work again after a restart', async () => {
    const cache = await newCache(viaA);
    const record = await a.server.metadata.getCache(a.server.localAccountId, cache);
    if (record === undefined) throw new Error('cache record missing');
    const engine = a.server.engine as ValkeyEngine;
    // Which master owns each of the cache's 64 buckets (its meta key shares the slot with its items).
    const owners = await Promise.all(
      engine.layout.of(record.id).meta.map(async (meta) => cluster.portOfSlot(await cluster.slotOf(meta))),
    );
    const victim = owners[0]!;
    const keyWhere = (wanted: (port: number) => boolean, label: string): string => {
      for (let i = 0; i < 10_000; i++) {
        const k = `${label}-${i}`;
        if (wanted(owners[engine.layout.bucketOf(Buffer.from(k))]!)) return k;
      }
      throw new Error(`no key found for ${label}`);
    };
    const onVictim = keyWhere((p) => p === victim, 'victim');
    const elsewhere = [0, 1, 2].map((i) => keyWhere((p) => p !== victim, `other-${i}`));
    await viaA.set(cache, onVictim, 'lost with its shard');
    for (const k of elsewhere) await viaA.set(cache, k, 'kept');

    // Clients that do not retry, to time one gateway call; the default SDK configuration retries
    // UNAVAILABLE itself (3 attempts), which is what applications see: checked alongside.
    const noRetry = (g: Booted) =>
      CacheClient.create({
        configuration: Configurations.Laptop.v1().withRetryStrategy({ determineWhenToRetryRequest: () => null }),
        credentialProvider: keyCredentials(g.server.grpcAddress, apiKey),
        defaultTtlSeconds: 60,
      });
    const single = [await noRetry(a), await noRetry(b)];
    await cluster.stopNode(victim);
    try {
      const timed = async <T>(call: Promise<T>): Promise<[T, number]> => {
        const started = Date.now();
        const r = await call;
        return [r, Date.now() - started];
      };
      const [retried, ...direct] = await Promise.all([
        timed(viaA.get(cache, onVictim)),
        ...single.flatMap((c) => [timed(c.get(cache, onVictim)), timed(c.set(cache, onVictim, 'x'))]),
      ]);
      for (const [r, elapsedMs] of direct) {
        expectSdkError(r, MomentoErrorCode.SERVER_UNAVAILABLE, 'unavailable');
        // One gateway call is bounded by the engine's command timeout (1 s by default) plus scheduling.
        expect(elapsedMs).toBeLessThan(2_500);
      }
      expectSdkError(retried![0], MomentoErrorCode.SERVER_UNAVAILABLE, 'unavailable');
      expect(retried![1]).toBeLessThan(8_000); // three bounded attempts and the SDK's backoff: no hang
      for (const client of [viaA, viaB]) {
        for (const k of elsewhere) expect(hitValue(await client.get(cache, k))).toBe('kept');
        expect((await client.set(cache, elsewhere[0]!, 'kept')).type).toBe(CacheSetResponse.Success);
      }
    } finally {
      for (const c of single) c.close();
      await cluster.startNode(victim);
    }

    // Back empty (no replica, no persistence here): its buckets lost their generation keys. The first call
    // on them finds the namespace missing, the gateway re-creates it from metadata and retries: the call
    // succeeds. Polled only until the client has reconnected to the restarted master.
    await pollUntil('a set on the restarted master succeeds through gateway A', 15_000, async () => {
      return (await viaA.set(cache, onVictim, 'after recovery')).type === CacheSetResponse.Success;
    });
    expect(hitValue(await viaA.get(cache, onVictim))).toBe('after recovery');
    await pollUntil('gateway B reads the restarted master', 15_000, async () => {
      return hitValue(await viaB.get(cache, onVictim)) === 'after recovery';
    });
    // The other shards kept their generation: their items survived the outage and the repair.
    for (const k of elsewhere) expect(hitValue(await viaB.get(cache, k))).toBe('kept');
  });
});
