/**
 * @module test/gateway-workers
 * `cachette server start --workers 2`, the supported way to use every core of one machine, as a deployment
 * runs it: the real CLI as a child process, on a real 3-master Redis Cluster (items) and a PostgreSQL
 * schema of its own (metadata), with official `@gomomento/sdk` clients.
 *
 * Which worker holds a connection is read from the operating system, not from the server: the server-side
 * end of every TCP connection to the gRPC port is a socket, and /proc says which process holds it (Linux).
 *
 * - both workers serve one port: SDK clients' connections land on both, and an item written through a
 *   connection of one worker reads back through a connection of the other (topics too);
 * - a worker killed with SIGKILL is replaced, and the port keeps serving meanwhile;
 * - SIGTERM stops the primary and every worker, exit 0;
 * - replacements that keep dying before they serve (their TLS key is gone) end in exit 1 after 5, with
 *   growing delays between them;
 * - a start that fails (port taken) is reported once, with the single-process exit code; the embedded
 *   engine and SQLite metadata are refused with the flag to change.
 *
 * Every wait is a bounded poll on the real condition; nothing sleeps to synchronise.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { resolveConfig } from '@cachette/server/config';
import { pollUntil, type RedisCluster, startRedisCluster } from '@cachette/testing';
import {
  CacheClient,
  CacheGetResponse,
  CacheSetResponse,
  Configurations,
  type TopicClient,
  TopicPublish,
} from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyCredentials } from './support/boot.ts';
import { Recorder, subscribed, topicClient } from './support/topics.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const BIN = resolve(import.meta.dirname, '../../cli/bin/cachette.js');
const run = randomBytes(4).toString('hex');
const schema = `cachette_test_workers_${run}`;
const keyPrefix = `workers-${run}:`;

/** A `cachette server start --workers 2` child and what its log said. */
interface Workers {
  readonly child: ChildProcess;
  readonly dataDir: string;
  readonly address: string;
  readonly port: number;
  /** Every JSON log line so far. */
  readonly lines: Array<Record<string, unknown>>;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

let cluster: RedisCluster;
let server: Workers;
let apiKey: string;
const clients: Array<CacheClient | TopicClient> = [];

function startArgs(dataDir: string, extra: readonly string[] = []): string[] {
  return [
    ...['server', 'start', '--workers', '2', '--port', '0', '--http-port', '0', '--data-dir', dataDir],
    ...['--engine', 'valkey', '--valkey-url', cluster.url, '--valkey-key-prefix', keyPrefix],
    ...['--database-url', POSTGRES_URL, '--database-schema', schema],
    ...extra,
  ];
}

/** Spawns the CLI; `untilLine` resolves with the first log line matching `msg`. */
function spawnCli(args: readonly string[]): Omit<Workers, 'address' | 'port'> & {
  untilLine(msg: RegExp): Promise<Record<string, unknown>>;
} {
  const dataDir = args[args.indexOf('--data-dir') + 1] ?? '';
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<{ msg: RegExp; ok: (line: Record<string, unknown>) => void }> = [];
  createInterface({ input: child.stdout! }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    lines.push(line);
    for (const w of [...waiters]) {
      if (w.msg.test(String(line.msg))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.ok(line);
      }
    }
  });
  return {
    child,
    dataDir,
    lines,
    stderr: () => stderr,
    exited,
    untilLine: (msg) => {
      const seen = lines.find((l) => msg.test(String(l.msg)));
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<Record<string, unknown>>((ok) => waiters.push({ msg, ok })),
        exited.then((code) => {
          throw new Error(`cachette exited with ${code} before logging ${msg}: ${stderr}`);
        }),
      ]);
    },
  };
}

/** Socket inodes a process holds (its fds that are sockets). */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m?.[1] !== undefined) inodes.add(m[1]);
    } catch {
      // closed while listing
    }
  }
  return inodes;
}

/**
 * The established connections accepted on `port` (server side: local port = `port`), as client port →
 * pid of the process holding the server's end, among `pids`; `undefined` when one is held by none of them
 * (yet: the primary accepts, then hands the socket over).
 */
function connectionsOn(port: number, pids: readonly number[]): Map<number, number | undefined> {
  const owners = new Map<string, number>();
  for (const pid of pids) for (const inode of socketInodes(pid)) owners.set(inode, pid);
  const byClientPort = new Map<number, number | undefined>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const row of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = row.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '01') continue; // 01 = ESTABLISHED
      const local = Number.parseInt(f[1]!.split(':')[1]!, 16);
      if (local !== port) continue;
      byClientPort.set(Number.parseInt(f[2]!.split(':')[1]!, 16), owners.get(f[9]!));
    }
  }
  return byClientPort;
}

/** The primary's children: its workers. */
function workerPids(w: Workers): number[] {
  return [...(w.child.pid === undefined ? [] : readChildren(w.child.pid))];
}

/** Child pids of `pid` (/proc/<pid>/task/<pid>/children). */
function readChildren(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter((s) => s.length > 0)
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * A new official SDK client with ONE data connection (the Lambda configuration: `numClients: 1`; Laptop
 * opens 6, which the primary would spread over the workers) and the worker holding it, found as the
 * connection that was not there before the client connected (eagerly, in `create`).
 */
async function clientOnWorker(w: Workers): Promise<{ client: CacheClient; pid: number }> {
  const pids = workerPids(w);
  const before = new Set(connectionsOn(w.port, pids).keys());
  const client = await CacheClient.create({
    configuration: Configurations.Lambda.latest().withClientTimeoutMillis(15_000),
    credentialProvider: keyCredentials(w.address, apiKey),
    defaultTtlSeconds: 60,
  });
  clients.push(client);
  let held: number[] = [];
  await pollUntil('the new connection is held by a worker', 5_000, async () => {
    const fresh = [...connectionsOn(w.port, pids)].filter(([p]) => !before.has(p)).map(([, pid]) => pid);
    if (fresh.length === 0 || fresh.some((pid) => pid === undefined)) return false;
    held = fresh as number[];
    return true;
  });
  const distinct = [...new Set(held)];
  expect(distinct).toHaveLength(1);
  return { client, pid: distinct[0]! };
}

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  const started = spawnCli(startArgs(mkdtempSync(join(tmpdir(), 'cachette-workers-'))));
  const ready = await started.untilLine(/^cachette workers ready/);
  const address = String(ready.grpc);
  server = { ...started, address, port: Number(address.split(':').at(-1)) };
  apiKey = readFileSync(join(server.dataDir, 'dev-api-key'), 'utf8').trim();
});

afterAll(async () => {
  for (const c of clients) (c as { close?: () => void }).close?.();
  if (server !== undefined && server.child.exitCode === null) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  if (server !== undefined) rmSync(server.dataDir, { recursive: true, force: true });
  await cluster?.stop();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
});

describe('cachette server start --workers 2 (one port, one Redis Cluster, one PostgreSQL schema)', () => {
  let cache: string;
  /** Clients whose connection is on one worker and on the other. */
  let onFirst: CacheClient;
  let onSecond: CacheClient;

  it('starts two workers that share the ports, the first alone (it migrates and creates the local account)', async () => {
    const readyLines = () => server.lines.filter((l) => /^cachette ready on /.test(String(l.msg)));
    // The primary's "workers ready" follows the workers' IPC messages; a worker's own log line travels on
    // another stream and may be read a moment later (a CI run once saw only worker 1's by then).
    await pollUntil('both workers logged ready', 5_000, async () => readyLines().length >= 2);
    const ready = readyLines();
    expect(ready.map((l) => l.worker)).toEqual([1, 2]);
    // Every worker reports the same gRPC address: one port for the machine.
    expect(new Set(ready.map((l) => l.grpc))).toEqual(new Set([server.address]));
    expect(workerPids(server)).toHaveLength(2);
  });

  it("SDK clients' connections land on both workers, and an item written through one reads back through the other", async () => {
    const placed = [];
    for (let i = 0; i < 4; i++) placed.push(await clientOnWorker(server));
    // node:cluster hands connections round-robin: 4 connections, 2 workers → both are used.
    expect(new Set(placed.map((p) => p.pid))).toEqual(new Set(workerPids(server)));
    const a = placed[0]!;
    const b = placed.find((p) => p.pid !== a.pid)!;
    onFirst = a.client;
    onSecond = b.client;
    cache = `workers-${run}`;
    expect((await onFirst.createCache(cache)).type).toBe('Success');
    expect((await onFirst.set(cache, 'k', 'written through one worker')).type).toBe(CacheSetResponse.Success);
    const read = await onSecond.get(cache, 'k');
    expect(read.type === CacheGetResponse.Hit ? read.valueString() : read.toString()).toBe(
      'written through one worker',
    );
    await onSecond.set(cache, 'k', 'overwritten through the other');
    const back = await onFirst.get(cache, 'k');
    expect(back.type === CacheGetResponse.Hit ? back.valueString() : back.toString()).toBe(
      'overwritten through the other',
    );
  });

  it('a topic message published on one worker reaches a subscriber on the other (ValkeyTopicBus)', async () => {
    // Topic clients open their own connections: place them like the cache clients, by the OS's view.
    const pids = workerPids(server);
    const before = new Set(connectionsOn(server.port, pids).keys());
    const subscriberClient = topicClient(server.address, apiKey);
    clients.push(subscriberClient);
    const recorder = new Recorder();
    const subscription = await subscribed(subscriberClient, cache, 'news', recorder);
    let subscriberPid: number | undefined;
    await pollUntil('the subscription connection is held by a worker', 5_000, async () => {
      const fresh = new Set(
        [...connectionsOn(server.port, pids)].filter(([p]) => !before.has(p)).map(([, pid]) => pid),
      );
      subscriberPid = fresh.size === 1 ? [...fresh][0] : undefined;
      return subscriberPid !== undefined;
    });
    // Publish through publisher clients until one lands on the other worker (round-robin: the next one).
    let published = 0;
    for (let i = 0; i < 4 && published === 0; i++) {
      const seen = new Set(connectionsOn(server.port, pids).keys());
      const publisher = topicClient(server.address, apiKey);
      clients.push(publisher);
      const r = await publisher.publish(cache, 'news', 'across workers');
      expect(r).toBeInstanceOf(TopicPublish.Success);
      const fresh = [...connectionsOn(server.port, pids)].filter(([p]) => !seen.has(p)).map(([, pid]) => pid);
      if (fresh.length > 0 && fresh.every((pid) => pid !== undefined && pid !== subscriberPid)) published++;
    }
    expect(published).toBe(1);
    await recorder.untilItems(1);
    expect(recorder.items.some((m) => m.value === 'across workers')).toBe(true);
    subscription.unsubscribe();
  });

  // Bounded by the polls below; a loaded machine (other suites, CI) makes each step slower.
  it('a worker killed with SIGKILL is replaced, and the port keeps serving meanwhile', {
    timeout: 60_000,
  }, async () => {
    const [victim, survivor] = workerPids(server);
    const replacedBefore = server.lines.filter((l) => /^cachette worker replaced/.test(String(l.msg))).length;
    process.kill(victim!, 'SIGKILL');
    // New connections are served meanwhile, by the survivor until the replacement is up. A connection the
    // primary handed to the victim in the instant before it learnt of the death is lost with it (node:cluster
    // does not re-queue it): that client times out and tries again, as clients of a crashed server do. One
    // channel per client (Lambda configuration) and no eager connect: each attempt is one connection.
    await pollUntil('a new client is served while the victim is replaced', 20_000, async () => {
      const fresh = await CacheClient.create({
        configuration: Configurations.Lambda.latest().withClientTimeoutMillis(5_000),
        credentialProvider: keyCredentials(server.address, apiKey),
        defaultTtlSeconds: 60,
        eagerConnectTimeout: 0,
      });
      clients.push(fresh);
      return (await fresh.set(cache, 'after-kill', 'still served')).type === CacheSetResponse.Success;
    });
    await pollUntil(
      'a replacement worker serves',
      20_000,
      async () => server.lines.filter((l) => /^cachette worker replaced/.test(String(l.msg))).length > replacedBefore,
    );
    const died = server.lines.find((l) => /^cachette worker \d+ \(pid \d+\) exited \(SIGKILL\)/.test(String(l.msg)));
    expect(died?.pid).toBe(victim);
    const now = workerPids(server);
    expect(now).toHaveLength(2);
    expect(now).toContain(survivor);
    expect(now).not.toContain(victim);
    // The replacement takes connections too, and reads what was written before.
    const placed = [];
    for (let i = 0; i < 2; i++) placed.push(await clientOnWorker(server));
    expect(new Set(placed.map((p) => p.pid))).toEqual(new Set(now));
    for (const p of placed) {
      const r = await p.client.get(cache, 'after-kill');
      expect(r.type === CacheGetResponse.Hit ? r.valueString() : r.toString()).toBe('still served');
    }
  });

  it('SIGTERM stops the primary and every worker gracefully (exit 0)', async () => {
    const pids = workerPids(server);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.lines.filter((l) => l.msg === 'cachette stopped')).toHaveLength(2);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});

describe('cachette server start --workers: refusals and failed starts', () => {
  it('a taken port fails the start once: one line on stderr, exit 5, no worker left behind', async () => {
    const blocker: NetServer = createNetServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    const dataDir = mkdtempSync(join(tmpdir(), 'cachette-workers-'));
    try {
      const args = startArgs(dataDir);
      args[args.indexOf('--port') + 1] = String(port);
      const failed = spawnCli(args);
      expect(await failed.exited).toBe(5);
      expect(failed.stderr()).toBe(
        `cachette: cannot listen for gRPC on 127.0.0.1:${port}: the port is already in use (another Cachette server?); stop that process or choose another port with --port\n`,
      );
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('replacements that keep dying before they serve stop everything with exit 1 (no silent crash loop)', {
    timeout: 90_000,
  }, async () => {
    // A replacement re-reads the TLS files at start: once the key is gone, every replacement fails.
    const dataDir = mkdtempSync(join(tmpdir(), 'cachette-workers-'));
    try {
      const key = join(dataDir, 'tls.key');
      const cert = join(dataDir, 'tls.crt');
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
          ...['-subj', '/CN=localhost', '-keyout', key, '-out', cert],
        ],
        { stdio: 'ignore' },
      );
      const looping = spawnCli(startArgs(dataDir, ['--tls-cert', cert, '--tls-key', key]));
      await looping.untilLine(/^cachette workers ready/);
      const pids = readChildren(looping.child.pid!);
      rmSync(key);
      process.kill(pids[0]!, 'SIGKILL');
      expect(await looping.exited).toBe(1);
      const fatal = looping.lines.find((l) => /^cachette workers keep dying before they serve/.test(String(l.msg)));
      expect(fatal?.failedRestarts).toBe(5);
      // Each failed replacement said why, and the delay grew between them.
      expect(looping.stderr()).toContain('cannot load TLS certificate or key');
      const delays = looping.lines.filter((l) => l.restartInMs !== undefined).map((l) => l.restartInMs);
      expect(delays).toEqual([250, 500, 1000, 2000, 4000]);
      for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the embedded engine and SQLite metadata are refused, naming the flag to add', () => {
    expect(() => resolveConfig({ flags: { workers: '2' }, env: {} })).toThrow(/--workers 2 needs --engine valkey/);
    expect(() => resolveConfig({ flags: { workers: '2', engine: 'valkey' }, env: {} })).toThrow(
      /--workers 2 needs --database-url \(PostgreSQL\)/,
    );
    expect(() => resolveConfig({ flags: {}, env: { CACHETTE_WORKERS: 'many' } })).toThrow(
      "CACHETTE_WORKERS: workers 'many' must be auto or an integer from 1 to 256",
    );
    const auto = resolveConfig({
      flags: { workers: 'auto', engine: 'valkey', databaseUrl: POSTGRES_URL },
      env: {},
    });
    expect(auto.workers).toBeGreaterThanOrEqual(1);
  });
});
