/**
 * @module redis-cluster
 * Starts a real Redis Cluster (N masters, no replicas) out of `redis-server` child processes on free
 * ports, for tests: the engine's conformance and failure tests, the gateway wire tests and the benches. Every wait is a
 * bounded poll on the real condition (a PING answered, `cluster_state:ok`), never a fixed sleep.
 *
 * @example
 * const cluster = await startRedisCluster();
 * const engine = await ValkeyEngine.connect({ url: cluster.url });
 * await cluster.stopNode(cluster.nodes[0].port); // a master down
 * await cluster.startNode(cluster.nodes[0].port); // back, same node id and slots (nodes-P.conf)
 * await cluster.stop();
 */

import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'iovalkey';

const execFileAsync = promisify(execFile);

/** One master of the test cluster. */
export interface ClusterNodeInfo {
  readonly port: number;
  /** Inclusive slot ranges this master owns, from CLUSTER SLOTS after creation. */
  readonly slots: readonly (readonly [number, number])[];
}

/** Options of {@link startRedisCluster}. */
export interface RedisClusterOptions {
  /** Masters to start. Default 3 (the smallest cluster `redis-cli --cluster create` accepts). */
  readonly masters?: number;
  /**
   * `cluster-node-timeout`: how long before peers consider a silent node failed. Default 2000 ms (Redis's
   * 15 s would make failure tests slow).
   */
  readonly nodeTimeoutMs?: number;
  /** Bound on every wait (start, create, state ok). Default 20 000 ms. */
  readonly timeoutMs?: number;
  /**
   * Persist every write (append-only file, fsync'd before the reply, one directory per node), so a master
   * killed by {@link RedisCluster.stopNode} restarts with every write it acknowledged. Default false: a
   * restarted master comes back empty.
   */
  readonly appendOnly?: boolean;
  /** Extra `redis-server` arguments, e.g. `['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']`. */
  readonly serverArgs?: readonly string[];
}

/** A running test cluster. */
export interface RedisCluster {
  /** `redis://127.0.0.1:P1,127.0.0.1:P2,…`, the form `ValkeyEngine.connect` and `--valkey-url` take. */
  readonly url: string;
  readonly nodes: readonly ClusterNodeInfo[];
  /** Port of the master owning `slot`. */
  portOfSlot(slot: number): number;
  /** The hash slot of a key, as Redis computes it (asks the server: no CRC16 re-implementation to trust). */
  slotOf(key: Uint8Array | string): Promise<number>;
  /** Kills one master (SIGKILL: no goodbye to peers, like a crashed host) and waits until it has exited. */
  stopNode(port: number): Promise<void>;
  /** Restarts a stopped master on its port with its nodes.conf (and its data with `appendOnly`), and waits until every node reports `ok`. */
  startNode(port: number): Promise<void>;
  /** Waits until every running node reports `cluster_state:ok`. */
  waitUntilHealthy(): Promise<void>;
  /** Kills every node and deletes the data directory. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-server processes in cluster mode on free ports, joins them with
 * `redis-cli --cluster create … --cluster-replicas 0 --cluster-yes` and waits for `cluster_state:ok`.
 *
 * Nodes run with `cluster-require-full-coverage no`, so a master down only makes its own slots
 * unavailable (what production clusters should do for a cache, too).
 *
 * @throws Error saying `apt-get install redis-server` when redis-server or redis-cli is missing
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 20_000;
  await requireBinaries();
  const dir = await mkdtemp(join(tmpdir(), 'cachette-redis-cluster-'));
  const processes = new Map<number, ChildProcess>();
  let slotMap: ClusterNodeInfo[] = [];

  const argsFor = (port: number): string[] => [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${port}.conf`,
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    '--cluster-require-full-coverage',
    'no',
    '--save',
    '',
    ...(options.appendOnly
      ? ['--appendonly', 'yes', '--appendfsync', 'always', '--appenddirname', `appendonly-${port}`]
      : ['--appendonly', 'no']),
    '--dir',
    dir,
    '--daemonize',
    'no',
    ...(options.serverArgs ?? []),
  ];

  const launch = async (port: number): Promise<void> => {
    const child = spawn('redis-server', argsFor(port), { stdio: ['ignore', 'ignore', 'pipe'] });
    processes.set(port, child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await pollUntil(`redis-server on port ${port} answers PING`, timeoutMs, async () => {
      if (!isRunning(child)) throw new Error(`redis-server on port ${port} exited: ${stderr}`);
      return (await command(port, 'PING')) === 'PONG';
    });
  };

  const killAll = (): void => {
    for (const child of processes.values()) if (isRunning(child)) child.kill('SIGKILL');
  };
  // If the test process dies without afterAll, do not leave servers behind.
  process.once('exit', killAll);

  const waitUntilHealthy = async (): Promise<void> => {
    const running = [...processes].filter(([, child]) => isRunning(child)).map(([port]) => port);
    await pollUntil('every node reports cluster_state:ok', timeoutMs, async () => {
      for (const port of running) {
        const info = await command(port, 'CLUSTER', 'INFO');
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info)) return false;
        if (!new RegExp(`cluster_known_nodes:${masters}\\b`).test(info)) return false;
      }
      return true;
    });
  };

  try {
    const ports = await freePorts(masters);
    await Promise.all(ports.map(launch));
    await execFileAsync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { timeout: timeoutMs },
    );
    await waitUntilHealthy();
    slotMap = await readSlots(ports[0]!);
  } catch (e) {
    killAll();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }

  const cluster: RedisCluster = {
    url: `redis://${slotMap.map((n) => `127.0.0.1:${n.port}`).join(',')}`,
    nodes: slotMap,
    portOfSlot(slot) {
      const node = slotMap.find((n) => n.slots.some(([lo, hi]) => slot >= lo && slot <= hi));
      if (node === undefined) throw new Error(`no master owns slot ${slot}`);
      return node.port;
    },
    async slotOf(key) {
      const running = [...processes].find(([, child]) => isRunning(child));
      if (running === undefined) throw new Error('no cluster node is running');
      return Number(await command(running[0], 'CLUSTER', 'KEYSLOT', key));
    },
    async stopNode(port) {
      const child = processes.get(port);
      if (child === undefined || !isRunning(child)) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGKILL');
      await exited;
    },
    async startNode(port) {
      const child = processes.get(port);
      if (child !== undefined && isRunning(child)) return;
      await launch(port);
      await waitUntilHealthy();
    },
    waitUntilHealthy,
    async stop() {
      const exits = [...processes.values()]
        .filter((child) => isRunning(child))
        .map((child) => new Promise<void>((resolve) => child.once('exit', () => resolve())));
      killAll();
      await Promise.all(exits);
      process.removeListener('exit', killAll);
      await rm(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** A child killed by a signal has `exitCode` null and `signalCode` set: both must be null while it runs. */
function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function requireBinaries(): Promise<void> {
  for (const bin of ['redis-server', 'redis-cli']) {
    try {
      await execFileAsync(bin, ['--version'], { timeout: 5_000 });
    } catch {
      throw new Error(
        `${bin} not found: the Redis Cluster tests need a local Redis. Install it with \`apt-get install redis-server\` (Debian/Ubuntu; provides redis-server and redis-cli).`,
      );
    }
  }
}

/** One command on a fresh connection to a single node (no cluster redirections, no retries). */
async function command(port: number, ...args: (string | Uint8Array)[]): Promise<string> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 2_000,
  });
  // A refused connection also emits 'error'; the rejected connect() below is what we act on.
  client.on('error', () => {});
  try {
    await client.connect();
    const [name, ...rest] = args;
    const reply = await client.call(String(name), ...rest.map((a) => (typeof a === 'string' ? a : Buffer.from(a))));
    return String(reply);
  } finally {
    client.disconnect();
  }
}

async function readSlots(port: number): Promise<ClusterNodeInfo[]> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const slots = await client.cluster('SLOTS');
    const byPort = new Map<number, [number, number][]>();
    for (const [lo, hi, master] of slots) {
      const owner = master?.[1];
      if (owner === undefined) continue;
      const ranges = byPort.get(owner) ?? [];
      ranges.push([lo, hi]);
      byPort.set(owner, ranges);
    }
    return [...byPort].sort(([a], [b]) => a - b).map(([p, ranges]) => ({ port: p, slots: ranges }));
  } finally {
    client.disconnect();
  }
}

/**
 * `n` ports P with P and P + 10000 (the cluster bus port) both free right now. Chosen below 55535 so the
 * bus port exists; checked by binding, so only a race with another process could make one taken.
 */
async function freePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let attempts = 0; ports.length < n && attempts < 200; attempts++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if (ports.includes(port)) continue;
    if ((await isFree(port)) && (await isFree(port + 10_000))) ports.push(port);
  }
  if (ports.length < n) throw new Error(`could not find ${n} free port pairs for the Redis Cluster`);
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * Re-checks `condition` every 50 ms until it returns true, for at most `timeoutMs`; errors count as
 * "not yet" (a node still starting refuses connections) and the last one is reported on timeout.
 */
export async function pollUntil(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (e) {
      lastError = e;
      // A child that exited will never come up: fail now with its stderr instead of at the deadline.
      if (e instanceof Error && /exited:/.test(e.message)) throw e;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
