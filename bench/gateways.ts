/**
 * @module bench/gateways
 * `node --import tsx bench/gateways.ts [--duration S] [--warmup S] [--concurrency N] [--keyspace N]`:
 * gateway throughput with the Valkey engine, behind one and then two gateways.
 * `… --workers 2 [--rounds R]`: instead, one process against `cachette server start --workers 2` behind ONE
 * address, alternating (see `compareWorkers`): README "Using every core".
 *
 * Starts everything itself and stops it on exit: a 3-master Redis Cluster (`startRedisCluster`, with
 * `maxmemory` + `allkeys-lru`), a fresh PostgreSQL schema (dropped at the end; `CACHETTE_BENCH_POSTGRES_URL`,
 * default `postgres://postgres@127.0.0.1:5432/test`), and gateways as `cachette server start` child
 * processes, one process each (Node serves one core per process). Two measurements per configuration:
 *
 * - application: one load-generator process PER GATEWAY running the official `@gomomento/sdk` with
 *   `--concurrency` calls in flight (default 50), 100-byte values, keys uniform over `--keyspace`
 *   pre-loaded keys; Set then Get (hit); p50/p99 around each awaited call. The grpc-js client is itself
 *   limited to ≈ 9 k calls/s per process on this machine, so check its CPU column.
 * - server-bound: `h2load` (C) per gateway, 1 connection × `--concurrency` streams, one pre-encoded Get.
 *
 * A standalone script rather than a phase of `bench/run.ts`: run.ts is one orchestrator with a fixed list of
 * phases, and adding one would mean editing it.
 */
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { type RedisCluster, startRedisCluster } from '@cachette/testing';
import { cache as cachePb } from '@gomomento/generated-types';
import { CacheClient, CacheGetResponse, CacheSetResponse, Configurations, CredentialProvider } from '@gomomento/sdk';
import pg from 'pg';

const here = fileURLToPath(import.meta.url);
const ROOT = resolve(here, '../..');
const BIN = join(ROOT, 'packages/cli/bin/cachette.js');
const CACHE = 'bench-gateways';
const VALUE = Buffer.alloc(100, 'v');
const TTL_SECONDS = 3600;
const execFileAsync = promisify(execFile);

type Op = 'set' | 'get';

interface LoadConfig {
  readonly address: string;
  readonly apiKey: string;
  readonly op: Op;
  readonly concurrency: number;
  readonly warmupS: number;
  readonly durationS: number;
  readonly keyspace: number;
}

interface LoadResult {
  readonly type: 'result';
  readonly ops: number;
  readonly errors: number;
  readonly firstError?: string;
  /** Latencies in µs, sorted: merged across load generators before percentiles are taken. */
  readonly latenciesUs: number[];
  readonly cpuPercent: number;
}

const keyOf = (i: number) => `key-${String(i).padStart(10, '0')}`;

function sdk(address: string, apiKey: string): Promise<CacheClient> {
  return CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.fromString({
      apiKey,
      endpointOverrides: {
        cacheEndpoint: address,
        controlEndpoint: address,
        tokenEndpoint: address,
        secureConnection: false,
      },
    }),
    defaultTtlSeconds: TTL_SECONDS,
  });
}

// ------------------------------------------------------------------------------------------ load generator
/** Child process body: keeps `concurrency` SDK calls in flight for warm-up + duration, then reports. */
async function loadgen(config: LoadConfig): Promise<void> {
  const client = await sdk(config.address, config.apiKey);
  const keys = Array.from({ length: config.keyspace }, (_, i) => keyOf(i));
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const measureFrom = start + config.warmupS * 1000;
  const end = measureFrom + config.durationS * 1000;
  const cpuBefore = process.cpuUsage();
  let seed = 0x9e3779b9 ^ process.pid;
  const worker = async () => {
    for (;;) {
      // xorshift32: uniform keys without Math.random's cost on the client's hot path
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const key = keys[(seed >>> 0) % keys.length]!;
      const t0 = performance.now();
      let problem: string | undefined;
      if (config.op === 'set') {
        const r = await client.set(CACHE, key, VALUE, { ttl: TTL_SECONDS });
        if (r.type !== CacheSetResponse.Success) problem = r.toString();
      } else {
        const r = await client.get(CACHE, key);
        if (r.type !== CacheGetResponse.Hit) problem = r.toString();
      }
      const t1 = performance.now();
      if (t1 > end) return;
      if (t0 < measureFrom) continue;
      samples.push((t1 - t0) * 1000);
      if (problem !== undefined) {
        errors++;
        firstError ??= problem;
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  client.close();
  const result: LoadResult = {
    type: 'result',
    ops: samples.length,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    latenciesUs: samples,
    cpuPercent: (100 * (cpu.user + cpu.system)) / ((performance.now() - start) * 1000),
  };
  process.send?.(result, () => process.exit(0));
}

// ------------------------------------------------------------------------------------------ orchestrator
const children = new Set<ChildProcess>();
function track<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}
function killChildren(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

interface Gateway {
  readonly child: ChildProcess;
  readonly address: string;
  readonly dataDir: string;
}

async function startGateway(
  env: NodeJS.ProcessEnv,
  clusterUrl: string,
  postgresUrl: string,
  workers = 1,
): Promise<Gateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachette-bench-gw-'));
  const args = ['server', 'start', '--port', '0', '--data-dir', dataDir, '--engine', 'valkey'];
  args.push('--valkey-url', clusterUrl, '--database-url', postgresUrl, '--log-level', 'info');
  args.push('--workers', String(workers));
  // With workers, the primary's line says when every worker serves; each worker's ready line names the port.
  let address: string | undefined;
  const child = track(spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] }));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('gateway not ready within 30 s')), 30_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      address ??= /cachette ready on ([^ ]+:\d+) \(gRPC\)/.exec(line)?.[1];
      if (address === undefined || (workers > 1 && !line.includes('cachette workers ready'))) return;
      clearTimeout(timer);
      ok();
    });
    child.once('exit', (code) => fail(new Error(`gateway exited with ${code}`)));
  });
  // Keep draining stdout so a chatty gateway never blocks on a full pipe.
  child.stdout?.resume();
  return { child, address: address!, dataDir };
}

function runLoadgen(config: LoadConfig): Promise<LoadResult> {
  const child = track(
    fork(here, ['--loadgen', JSON.stringify(config)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  return new Promise((ok, fail) => {
    child.once('message', (m) => ok(m as LoadResult));
    child.once('exit', (code) => {
      if (code !== 0) fail(new Error(`load generator exited with ${code}`));
    });
  });
}

interface Row {
  readonly gateways: number;
  /** What served, when it is not "N gateways" (the workers comparison). */
  setup?: string;
  readonly measure: string;
  readonly opsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly clientCpuPercent: string;
  /** Each gateway's CPU over the run (warm-up included), in % of one core. */
  gatewayCpuPercent?: string;
  /** The three Redis masters' CPU together, in % of one core. */
  clusterCpuPercent?: string;
}

/** CPU seconds a process has used so far (utime + stime from /proc, Linux; 0 elsewhere). */
function processCpuSeconds(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** Resident set size of a process (VmRSS from /proc, Linux; 0 elsewhere). */
function residentBytes(pid: number | undefined): number {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return Number(kb ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** used_cpu_user + used_cpu_sys of every master (INFO cpu, through redis-cli). */
async function clusterCpuSeconds(cluster: RedisCluster): Promise<number> {
  const seconds = await Promise.all(
    cluster.nodes.map(async (n) => {
      const { stdout } = await execFileAsync('redis-cli', ['-p', String(n.port), 'info', 'cpu']);
      const user = /used_cpu_user:([\d.]+)/.exec(stdout)?.[1];
      const sys = /used_cpu_sys:([\d.]+)/.exec(stdout)?.[1];
      return Number(user ?? 0) + Number(sys ?? 0);
    }),
  );
  return seconds.reduce((x, y) => x + y, 0);
}

/** CPU seconds of a gateway: its process and, with `--workers`, its worker processes. */
function gatewayCpuSeconds(pid: number | undefined): number {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    // not Linux, or gone
  }
  return [pid, ...children].reduce((sum: number, p) => sum + processCpuSeconds(p), 0);
}

/** Runs `measure` and adds the gateways' and the cluster's CPU use during it to its row. */
async function withCpu(gateways: readonly Gateway[], cluster: RedisCluster, measure: () => Promise<Row>): Promise<Row> {
  const before = gateways.map((g) => gatewayCpuSeconds(g.child.pid));
  const clusterBefore = await clusterCpuSeconds(cluster);
  const started = performance.now();
  const row = await measure();
  const wallS = (performance.now() - started) / 1000;
  const percent = (s: number) => ((100 * s) / wallS).toFixed(0);
  row.gatewayCpuPercent = gateways.map((g, i) => percent(gatewayCpuSeconds(g.child.pid) - before[i]!)).join('+');
  row.clusterCpuPercent = percent((await clusterCpuSeconds(cluster)) - clusterBefore);
  return row;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function application(
  gateways: readonly Gateway[],
  apiKey: string,
  op: Op,
  opt: Options,
  loadgensPerGateway = 1,
): Promise<Row> {
  const results = await Promise.all(
    gateways
      .flatMap((g) => Array.from({ length: loadgensPerGateway }, () => g))
      .map((g) =>
        runLoadgen({
          address: g.address,
          apiKey,
          op,
          concurrency: opt.concurrency,
          warmupS: opt.warmupS,
          durationS: opt.durationS,
          keyspace: opt.keyspace,
        }),
      ),
  );
  const all = results.flatMap((r) => r.latenciesUs).sort((x, y) => x - y);
  const errors = results.reduce((n, r) => n + r.errors, 0);
  const first = results.find((r) => r.firstError !== undefined)?.firstError;
  if (first !== undefined) process.stderr.write(`  ${errors} errors, first: ${first}\n`);
  return {
    gateways: gateways.length,
    measure: `SDK ${op}`,
    opsPerSecond: all.length / opt.durationS,
    p50Ms: percentile(all, 50) / 1000,
    p99Ms: percentile(all, 99) / 1000,
    errors,
    clientCpuPercent: results.map((r) => r.cpuPercent.toFixed(0)).join('+'),
  };
}

/** One gRPC frame: 1 byte flags, 4 bytes length, the message. */
function grpcFrame(message: Uint8Array): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}

async function h2loadGets(gateways: readonly Gateway[], secret: string, opt: Options, connections = 1): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'cachette-bench-h2-'));
  try {
    const body = join(dir, 'get.bin');
    const get = new cachePb.cache_client._GetRequest({ cache_key: Buffer.from(keyOf(7)) });
    writeFileSync(body, grpcFrame(get.serializeBinary()));
    const runs = await Promise.all(
      gateways.map(async (g, i) => {
        const log = join(dir, `log-${i}.tsv`);
        const { stdout } = await execFileAsync(
          'h2load',
          [
            '-c',
            String(connections),
            '-m',
            String(Math.ceil(opt.concurrency / connections)),
            '-D',
            String(opt.durationS),
            '--warm-up-time',
            String(opt.warmupS),
            '-d',
            body,
            '-H',
            'content-type: application/grpc',
            '-H',
            'te: trailers',
            '-H',
            `authorization: ${secret}`,
            '-H',
            `cache: ${CACHE}`,
            '--log-file',
            log,
            `http://${g.address}/cache_client.Scs/Get`,
          ],
          { timeout: (opt.durationS + opt.warmupS + 30) * 1000, maxBuffer: 16 * 1024 * 1024 },
        );
        const done = /(\d+) succeeded, (\d+) failed, (\d+) errored/.exec(stdout);
        const status = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
        // Log lines: start time (µs since epoch), HTTP status, duration (µs). h2load writes only the
        // measured period's requests when a warm-up is given.
        const latencies = readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.length > 0)
          .map((l) => Number(l.split('\t')[2]));
        return {
          latencies,
          failed: Number(done?.[2] ?? 0) + Number(done?.[3] ?? 0) + Number(status?.[4] ?? 0) + Number(status?.[3] ?? 0),
        };
      }),
    );
    const all = runs.flatMap((r) => r.latencies).sort((x, y) => x - y);
    return {
      gateways: gateways.length,
      measure: connections === 1 ? 'h2load Get' : `h2load Get, ${connections} connections`,
      opsPerSecond: all.length / opt.durationS,
      p50Ms: percentile(all, 50) / 1000,
      p99Ms: percentile(all, 99) / 1000,
      errors: runs.reduce((n, r) => n + r.failed, 0),
      clientCpuPercent: '-',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `--workers N` (N > 1): "one process" (the gateway already started) against "N workers behind one address"
 * (`cachette server start --workers N`, a second gateway on the same cluster and schema), measured in
 * alternating order, `--rounds` times each, so both see the same machine load. Several connections are
 * what spreads over workers (node:cluster hands out connections, not calls): h2load opens 4, and the SDK
 * load generators (2 processes, the Laptop configuration's 6 channels each) open 12.
 */
async function compareWorkers(
  gateways: Gateway[],
  env: NodeJS.ProcessEnv,
  cluster: RedisCluster,
  postgresUrl: string,
  apiKey: string,
  secret: string,
  opt: Options,
  rows: Row[],
  say: (line: string) => void,
): Promise<void> {
  const single = gateways[0]!;
  const multi = await startGateway(env, cluster.url, postgresUrl, opt.workers);
  gateways.push(multi);
  const setups = [
    { gateway: single, label: 'one process' },
    { gateway: multi, label: `${opt.workers} workers, one address` },
  ];
  for (let round = 0; round < opt.rounds; round++) {
    for (const { gateway, label } of round % 2 === 0 ? setups : [...setups].reverse()) {
      say(`round ${round + 1}, ${label}: h2load Get, 4 connections × ${Math.ceil(opt.concurrency / 4)} streams…`);
      const h2 = await withCpu([gateway], cluster, () => h2loadGets([gateway], secret, opt, 4));
      rows.push({ ...h2, setup: label });
      say(`  ${JSON.stringify(rows.at(-1))}`);
      say(`round ${round + 1}, ${label}: SDK get, 2 load generators × ${opt.concurrency} in flight…`);
      const app = await withCpu([gateway], cluster, () => application([gateway], apiKey, 'get', opt, 2));
      rows.push({ ...app, setup: label });
      say(`  ${JSON.stringify(rows.at(-1))}`);
    }
  }
}

/** Mean calls/s of each setup per measure, and the workers' ratio to one process. */
function workersSummary(rows: readonly Row[], workers: number): string {
  const lines = [`calls/s, mean over the rounds (${workers} workers ÷ one process):`];
  for (const measure of [...new Set(rows.map((r) => r.measure))]) {
    const mean = (setup: string) => {
      const of = rows.filter((r) => r.measure === measure && r.setup === setup).map((r) => r.opsPerSecond);
      return of.reduce((x, y) => x + y, 0) / of.length;
    };
    const one = mean('one process');
    const many = mean(`${workers} workers, one address`);
    lines.push(`  ${measure}: ${Math.round(one)} → ${Math.round(many)} (×${(many / one).toFixed(2)})`);
  }
  return lines.join('\n');
}

interface Options {
  /** > 1: compare one process with this many workers behind one address instead of 1 vs 2 gateways. */
  readonly workers: number;
  readonly rounds: number;
  readonly durationS: number;
  readonly warmupS: number;
  readonly concurrency: number;
  readonly keyspace: number;
}

async function main(opt: Options): Promise<void> {
  process.on('exit', killChildren);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      killChildren();
      process.exit(130);
    });
  }
  const postgresUrl = process.env.CACHETTE_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const run = randomBytes(4).toString('hex');
  const schema = `cachette_bench_gw_${run}`;
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const cpuList = cpus();
  const machine = `${cpuList[0]?.model.trim() ?? 'unknown CPU'}, ${cpuList.length} vCPU, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node ${process.version}, load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`;
  say(`machine: ${machine}`);
  const { stdout: redisVersion } = await execFileAsync('redis-server', ['--version']);
  say(`redis: ${redisVersion.trim()}`);

  let cluster: RedisCluster | undefined;
  const gateways: Gateway[] = [];
  const rows: Row[] = [];
  let rss = '';
  let summary = '';
  try {
    cluster = await startRedisCluster({
      masters: 3,
      serverArgs: ['--maxmemory', '512mb', '--maxmemory-policy', 'allkeys-lru'],
    });
    say(`cluster: ${cluster.url}`);
    const env = { ...process.env, CACHETTE_DATABASE_SCHEMA: schema, CACHETTE_VALKEY_KEY_PREFIX: `bench-${run}:` };
    // Started one after the other: the first creates the schema and the local account, the second joins.
    gateways.push(await startGateway(env, cluster.url, postgresUrl));
    const apiKey = readFileSync(join(gateways[0]!.dataDir, 'dev-api-key'), 'utf8').trim();
    const secret = (JSON.parse(Buffer.from(apiKey, 'base64').toString()) as { api_key: string }).api_key;
    const control = await sdk(gateways[0]!.address, apiKey);
    try {
      const created = await control.createCache(CACHE);
      if (created.type === 'Error') throw new Error(created.toString());
      for (let from = 0; from < opt.keyspace; from += 1000) {
        const items = new Map<string, Buffer>();
        for (let i = from; i < Math.min(opt.keyspace, from + 1000); i++) items.set(keyOf(i), VALUE);
        const r = await control.setBatch(CACHE, items, { ttl: TTL_SECONDS });
        if (r.type === 'Error') throw new Error(r.toString());
      }
    } finally {
      control.close();
    }
    say(`pre-loaded ${opt.keyspace} keys`);

    if (opt.workers > 1) {
      await compareWorkers(gateways, env, cluster, postgresUrl, apiKey, secret, opt, rows, say);
      summary = workersSummary(rows, opt.workers);
    }
    for (const count of opt.workers > 1 ? [] : [1, 2]) {
      while (gateways.length < count) gateways.push(await startGateway(env, cluster.url, postgresUrl));
      const active = gateways.slice(0, count);
      for (const op of ['set', 'get'] as const) {
        say(
          `${count} gateway(s): SDK ${op}, ${opt.concurrency} in flight per gateway, ${opt.warmupS}+${opt.durationS} s…`,
        );
        rows.push(await withCpu(active, cluster, () => application(active, apiKey, op, opt)));
        say(`  ${JSON.stringify(rows.at(-1))}`);
      }
      say(`${count} gateway(s): h2load Get, 1 × ${opt.concurrency} streams per gateway…`);
      rows.push(await withCpu(active, cluster, () => h2loadGets(active, secret, opt)));
      say(`  ${JSON.stringify(rows.at(-1))}`);
    }
    // Gateways hold no items: their resident memory is the runtime, the SDK-facing buffers and caches.
    rss = gateways.map((g) => `${Math.round(residentBytes(g.child.pid) / 1024 ** 2)} MiB`).join(', ');
  } finally {
    for (const g of gateways) {
      const exited = new Promise<void>((ok) => g.child.once('exit', () => ok()));
      g.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5_000).unref())]);
      rmSync(g.dataDir, { recursive: true, force: true });
    }
    killChildren();
    await cluster?.stop();
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`drop schema if exists "${schema}" cascade`);
    await admin.end();
  }

  process.stdout.write(`\ngateway RSS after the runs: ${rss}\n`);
  if (summary !== '') process.stdout.write(`\n${summary}\n`);
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  process.stdout.write(`\nmachine: ${machine}\n`);
  process.stdout.write(
    '| gateways | measure | ops/s | p50 ms | p99 ms | errors | load-generator CPU % | gateway CPU % | Redis CPU % |\n',
  );
  process.stdout.write('|---|---|---|---|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(
      `| ${r.setup ?? r.gateways} | ${r.measure} | ${fmt(r.opsPerSecond)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${r.errors} | ${r.clientCpuPercent} | ${r.gatewayCpuPercent ?? '-'} | ${r.clusterCpuPercent ?? '-'} |\n`,
    );
  }
}

const { values } = parseArgs({
  options: {
    loadgen: { type: 'string' },
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    keyspace: { type: 'string', default: '10000' },
    workers: { type: 'string', default: '1' },
    rounds: { type: 'string', default: '2' },
  },
});
if (values.loadgen !== undefined) {
  process.on('disconnect', () => process.exit(0));
  loadgen(JSON.parse(values.loadgen) as LoadConfig).catch((e: unknown) => {
    process.stderr.write(`load generator: ${String(e)}\n`);
    process.exit(1);
  });
} else {
  main({
    workers: Number(values.workers),
    rounds: Number(values.rounds),
    durationS: Number(values.duration),
    warmupS: Number(values.warmup),
    concurrency: Number(values.concurrency),
    keyspace: Number(values.keyspace),
  }).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      killChildren();
      process.exit(1);
    },
  );
}
