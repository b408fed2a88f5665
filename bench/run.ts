/**
 * @module bench/run
 * `npm run bench [-- --quick] [-- --items N]`: Cachette side by side with its transport's ceiling and with
 * Redis, in one run, on this machine. Starts everything it needs on free ports (each server and the load
 * generator in its own process), stops everything on exit or Ctrl-C, prints a table, and writes
 * `bench/results/<timestamp>.json` and `.svg`.
 *
 * Options (defaults for a full run; `--quick` ≈ 1 minute):
 *   --quick               one round of 2 s runs after 1 s warm-up, 100 000 items for the memory/large-keyspace
 *                         phases
 *   --items N             items for memory per item and latency under load (default 1 000 000)
 *   --duration S          measured seconds per run (default 5)
 *   --warmup S            warm-up seconds per run (default 2)
 *   --rounds N            throughput phases: rounds per system, alternating systems; the best round is
 *                         reported, all rounds are kept in the JSON (default 3; background load only slows runs)
 *   --loaded-duration S   measured seconds of each run of the 70 %-of-peak phase (default 10)
 *   --keyspace N          keys pre-loaded for the throughput phases (default 100 000)
 *   --concurrency N       calls in flight (default 50)
 *   --connections N       h2load connections sharing those calls (default 1: 50 streams on one connection,
 *                         like an SDK's single channel)
 *   --phases LIST         comma-separated subset of server,app,memory,latency,collections,gateways,resp,
 *                         leaderboards,topics (default all); `gateways` runs bench/gateways.ts: the Valkey engine
 *                         behind one and two gateways; `collections` runs bench/collections.ts: dictionary/list/
 *                         sorted-set calls beside Redis HSET/HGET, RPUSH/LRANGE, ZADD/ZRANGE, and bytes per element;
 *                         `leaderboards` runs bench/leaderboards.ts: a 1 000 000-element leaderboard beside Redis
 *                         ZADD/ZREVRANGE; `resp` runs bench/resp.ts: redis-benchmark and ioredis against the
 *                         Redis port and a private redis-server; `topics` runs bench/topics.ts: publish→receive
 *                         latency and fan-out beside Redis
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { installCleanup, killAll, TsChild } from './lib/children.ts';
import { ensureH2load, type H2loadResult, h2loadVersion, runH2load } from './lib/h2load.ts';
import type { ReadyMessage, ServerStats } from './lib/ipc.ts';
import { describeMachine } from './lib/machine.ts';
import { cpuMsOf } from './lib/process-cpu.ts';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { type BenchRedis, redisServerPath, startRedis } from './lib/redis.ts';
import { printReport } from './lib/report.ts';
import type {
  ApplicationRow,
  BenchResults,
  CollectionsResult,
  LoadedLatencyRow,
  MemoryResult,
  ServerBoundRow,
  Throughput,
} from './lib/results.ts';
import { renderSvg } from './lib/svg.ts';
import { CACHE_NAME, decode, encode, keyOf, missKeyOf, paths, secretOf } from './lib/wire.ts';
import type { AppLoadConfig, AppLoadResult, Op } from './loadgen/app-load.ts';

const here = dirname(fileURLToPath(import.meta.url));
const OPS: readonly Op[] = ['get-hit', 'get-miss', 'set'];
const OP_LABEL: Record<Op, string> = { 'get-hit': 'Get (hit)', 'get-miss': 'Get (miss)', set: 'Set' };

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    items: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
    'loaded-duration': { type: 'string' },
    warmup: { type: 'string' },
    keyspace: { type: 'string' },
    concurrency: { type: 'string' },
    connections: { type: 'string' },
    phases: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    'npm run bench [-- --quick] [--items N] [--duration S] [--warmup S] [--rounds N] [--loaded-duration S]\n' +
      '              [--keyspace N] [--concurrency N] [--connections N]\n' +
      '              [--phases server,app,memory,latency,collections,gateways,resp,leaderboards,topics]\n',
  );
  process.exit(0);
}
const quick = flags.quick;
const num = (v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got '${v}'`);
  return n;
};
const opt = {
  items: Math.round(num(flags.items, quick ? 100_000 : 1_000_000)),
  durationS: num(flags.duration, quick ? 2 : 5),
  warmupS: num(flags.warmup, quick ? 1 : 2),
  rounds: Math.round(num(flags.rounds, quick ? 1 : 3)),
  loadedDurationS: num(flags['loaded-duration'], quick ? 2 : 10),
  keyspace: Math.round(num(flags.keyspace, 100_000)),
  concurrency: Math.round(num(flags.concurrency, 50)),
  connections: Math.round(num(flags.connections, 1)),
};
if (opt.concurrency % opt.connections !== 0) throw new Error('--concurrency must be a multiple of --connections');
const phases = new Set(
  (flags.phases ?? 'server,app,memory,latency,collections,gateways,resp,leaderboards,topics')
    .split(',')
    .map((s) => s.trim()),
);
const streamsPerConnection = opt.concurrency / opt.connections;

// ---------------------------------------------------------------------------------------------- progress
const t0 = Date.now();
function progress(line: string): void {
  const s = Math.round((Date.now() - t0) / 1000);
  process.stderr.write(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}\n`);
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => `${n.toFixed(2)} ms`;

// ---------------------------------------------------------------------------------------------- servers
interface RunningServer {
  readonly child: TsChild;
  readonly address: string;
  readonly apiKey: string;
  readonly headers: Record<string, string>;
  /** Cachette only: the HTTP API's base URL, for `@cachette/sdk`. */
  readonly httpUrl?: string;
}

async function startCeiling(): Promise<RunningServer> {
  const child = new TsChild(join(here, 'servers/ceiling-server.ts'), { preload: opt.keyspace });
  const ready = await child.waitFor<ReadyMessage>('ready');
  return { child, address: `127.0.0.1:${ready.port}`, apiKey: '', headers: { cache: CACHE_NAME } };
}

async function startCachette(items: number): Promise<RunningServer> {
  // Room for every item without eviction, whatever the engine's per-item overhead turns out to be.
  const maxMemoryBytes = Math.max(1024 ** 3, items * 1024);
  const heapMb = Math.ceil((items * 1024) / 1024 ** 2) + 1024;
  // BENCH_SERVER_NODE_FLAGS adds Node/V8 flags to the Cachette server, e.g. "--trace-gc --trace-gc-nvp" to see
  // what each GC pause of the latency phase is made of (the trace goes to the bench's output).
  const extraFlags = (process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(/\s+/).filter((f) => f !== '');
  const child = new TsChild(join(here, 'servers/cachette-server.ts'), { maxMemoryBytes }, [
    ...(heapMb > 4096 ? [`--max-old-space-size=${heapMb}`] : []),
    ...extraFlags,
  ]);
  const ready = await child.waitFor<ReadyMessage>('ready');
  const apiKey = ready.apiKey ?? '';
  const authorization = secretOf(apiKey);
  const server: RunningServer = {
    child,
    address: `127.0.0.1:${ready.port}`,
    apiKey,
    headers: { authorization, cache: CACHE_NAME },
    ...(ready.httpUrl === undefined ? {} : { httpUrl: ready.httpUrl }),
  };
  const control = new RawGrpcClient(server.address, { authorization });
  try {
    await control.ok(paths.createCache, encode.createCache(CACHE_NAME));
  } finally {
    control.close();
  }
  return server;
}

async function statsOf(server: RunningServer, forceGc: boolean): Promise<ServerStats> {
  const reply = await server.child.request({ type: 'stats', forceGc });
  if (reply.stats === undefined) throw new Error('server sent no stats');
  return reply.stats;
}

/** Writes `keyOf(0..count-1)` with SetBatch, 1 000 keys per call, 4 calls in flight. */
async function preloadCachette(server: RunningServer, count: number, label: string): Promise<number> {
  const client = new RawGrpcClient(server.address, server.headers);
  const BATCH = 1_000;
  const started = Date.now();
  let next = 0;
  let done = 0;
  let lastReport = Date.now();
  const worker = async () => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + BATCH);
      const keys: Buffer[] = [];
      for (let i = from; i < next; i++) keys.push(keyOf(i));
      const replies = await client.ok(paths.setBatch, encode.setBatch(keys));
      if (replies.length !== keys.length || !replies.every(decode.setOk))
        throw new Error('SetBatch did not set every item');
      done += keys.length;
      if (Date.now() - lastReport > 2_000) {
        lastReport = Date.now();
        progress(`  ${label}: ${fmt(done)} / ${fmt(count)} items`);
      }
    }
  };
  try {
    await Promise.all([worker(), worker(), worker(), worker()]);
  } finally {
    client.close();
  }
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------------------------------------- h2load
let h2loadBin = '';

function bodyFor(op: Op, keyIndex: number): { path: string; body: Buffer } {
  switch (op) {
    case 'get-hit':
      return { path: paths.get, body: encode.get(keyOf(keyIndex)) };
    case 'get-miss':
      return { path: paths.get, body: encode.get(missKeyOf(keyIndex)) };
    case 'set':
      return { path: paths.set, body: encode.set(keyOf(keyIndex)) };
  }
}

/** Sends h2load's exact body once and checks the gRPC answer, since h2load only sees HTTP 200. */
async function preflight(server: RunningServer, op: Op, path: string, body: Buffer): Promise<void> {
  const client = new RawGrpcClient(server.address, server.headers);
  try {
    const [message] = await client.ok(path, body);
    if (message === undefined) throw new Error(`${op}: empty reply`);
    const ok = op === 'set' ? decode.setOk(message) : decode.getResult(message) === (op === 'get-hit' ? 'hit' : 'miss');
    if (!ok) throw new Error(`${op}: unexpected reply from ${server.address}`);
  } finally {
    client.close();
  }
}

async function h2loadOp(
  server: RunningServer,
  op: Op,
  keyIndex: number,
  run: { durationS: number; warmupS: number; rpsPerClient?: number },
): Promise<H2loadResult & { serverCpuUsPerCall?: number }> {
  const { path, body } = bodyFor(op, keyIndex);
  await preflight(server, op, path, body);
  const cpuBeforeMs = cpuMsOf(server.child.process.pid);
  const result = await runH2load(h2loadBin, {
    url: `http://${server.address}${path}`,
    body,
    headers: { 'content-type': 'application/grpc', te: 'trailers', ...server.headers },
    clients: opt.connections,
    streams: streamsPerConnection,
    ...run,
  });
  const cpuAfterMs = cpuMsOf(server.child.process.pid);
  if (cpuBeforeMs === undefined || cpuAfterMs === undefined || result.answeredInRun === 0) return result;
  return { ...result, serverCpuUsPerCall: ((cpuAfterMs - cpuBeforeMs) * 1000) / result.answeredInRun };
}

const fromH2load = (r: H2loadResult & { serverCpuUsPerCall?: number }): Throughput => ({
  perSecond: r.callsPerSecond,
  latency: r.latency,
  errors: r.failed + r.errored + r.non2xx,
  ...(r.serverCpuUsPerCall === undefined ? {} : { serverCpuUsPerCall: r.serverCpuUsPerCall }),
});

const cpuNote = (r: Throughput) =>
  r.serverCpuUsPerCall === undefined ? '' : `, server CPU ${r.serverCpuUsPerCall.toFixed(1)} µs/call`;

const randomIndex = (n: number) => Math.floor(Math.random() * n);

// ---------------------------------------------------------------------------------------------- phases
/** The round with the highest throughput: background load only ever slows a run down. */
function best(rounds: readonly Throughput[]): Throughput {
  const top = rounds.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  return { ...top, roundsPerSecond: rounds.map((r) => Math.round(r.perSecond)) };
}

/**
 * Runs every system once per round for `opt.rounds` rounds, the order rotated by one every round (for two
 * systems: flipped), so no system always runs first or last, and keeps each one's best round.
 */
async function alternate<T extends readonly (() => Promise<Throughput>)[]>(
  systems: readonly [...T],
): Promise<{ -readonly [K in keyof T]: Throughput }> {
  const all: Throughput[][] = systems.map(() => []);
  for (let round = 0; round < opt.rounds; round++) {
    for (let i = 0; i < systems.length; i++) {
      const s = (round + i) % systems.length;
      all[s]!.push(await systems[s]!());
    }
  }
  return all.map(best) as { -readonly [K in keyof T]: Throughput };
}

async function serverBound(ceiling: RunningServer, cachette: RunningServer): Promise<ServerBoundRow[]> {
  const rows: ServerBoundRow[] = [];
  const run = { durationS: opt.durationS, warmupS: opt.warmupS };
  for (const op of OPS) {
    // One key per h2load run (h2load repeats one body); chosen at random in the pre-loaded keyspace.
    const [c, k] = await alternate([
      async () => {
        progress(`server-bound ${OP_LABEL[op]}: bare grpc-js ceiling, h2load ${opt.warmupS}+${opt.durationS} s…`);
        const r = fromH2load(await h2loadOp(ceiling, op, randomIndex(opt.keyspace), run));
        progress(`  ceiling  ${fmt(r.perSecond)} calls/s, p99 ${ms(r.latency.p99)}${cpuNote(r)}`);
        return r;
      },
      async () => {
        progress(`server-bound ${OP_LABEL[op]}: Cachette, h2load ${opt.warmupS}+${opt.durationS} s…`);
        const r = fromH2load(await h2loadOp(cachette, op, randomIndex(opt.keyspace), run));
        progress(`  cachette ${fmt(r.perSecond)} calls/s, p99 ${ms(r.latency.p99)}${cpuNote(r)}`);
        return r;
      },
    ]);
    progress(
      `  ${OP_LABEL[op]}: Cachette at ${((100 * k.perSecond) / c.perSecond).toFixed(0)} % of the ceiling (best rounds)`,
    );
    rows.push({ op, ceiling: c, cachette: k, cachettePercentOfCeiling: (100 * k.perSecond) / c.perSecond });
  }
  return rows;
}

async function appLoad(config: AppLoadConfig): Promise<Throughput> {
  const child = new TsChild(join(here, 'loadgen/app-load.ts'), config);
  const result = await child.waitFor<AppLoadResult>('result', (config.warmupS + config.durationS) * 1000 + 60_000);
  if (result.errors > 0) progress(`  ${result.errors} errors, first: ${result.firstError}`);
  return {
    perSecond: result.opsPerSecond,
    latency: result.latency,
    errors: result.errors,
    clientCpuPercent: result.clientCpuPercent,
  };
}

async function application(cachette: RunningServer, redis: BenchRedis): Promise<ApplicationRow[]> {
  const rows: ApplicationRow[] = [];
  const httpUrl = cachette.httpUrl;
  if (httpUrl === undefined) throw new Error('the Cachette server child reported no HTTP URL');
  const common = {
    concurrency: opt.concurrency,
    durationS: opt.durationS,
    warmupS: opt.warmupS,
    keyspace: opt.keyspace,
  };
  for (const op of OPS) {
    const [m, h, r] = await alternate([
      async () => {
        progress(`application ${OP_LABEL[op]}: @gomomento/sdk → Cachette, ${opt.concurrency} in flight…`);
        const t = await appLoad({
          ...common,
          op,
          target: 'momento-sdk',
          address: cachette.address,
          apiKey: cachette.apiKey,
        });
        progress(
          `  momento-sdk → cachette  ${fmt(t.perSecond)} ops/s, p99 ${ms(t.latency.p99)}, client CPU ${fmt(t.clientCpuPercent ?? 0)} %`,
        );
        return t;
      },
      async () => {
        progress(
          `application ${OP_LABEL[op]}: @cachette/sdk/node → Cachette (HTTP, node:http, coalesced batches), ${opt.concurrency} in flight…`,
        );
        const t = await appLoad({ ...common, op, target: 'cachette-sdk', address: httpUrl, apiKey: cachette.apiKey });
        progress(
          `  cachette-sdk → cachette ${fmt(t.perSecond)} ops/s, p99 ${ms(t.latency.p99)}, client CPU ${fmt(t.clientCpuPercent ?? 0)} %`,
        );
        return t;
      },
      async () => {
        progress(`application ${OP_LABEL[op]}: ioredis → Redis, ${opt.concurrency} in flight…`);
        const t = await appLoad({ ...common, op, target: 'ioredis', address: `127.0.0.1:${redis.port}` });
        progress(
          `  ioredis → redis         ${fmt(t.perSecond)} ops/s, p99 ${ms(t.latency.p99)}, client CPU ${fmt(t.clientCpuPercent ?? 0)} %`,
        );
        return t;
      },
    ]);
    rows.push({
      op,
      momentoSdkToCachette: m,
      cachetteSdkToCachette: h,
      ioredisToRedis: r,
      throughputRatioToRedis: m.perSecond / r.perSecond,
      p99RatioToRedis: m.latency.p99 / r.latency.p99,
      cachetteSdkThroughputRatioToRedis: h.perSecond / r.perSecond,
      cachetteSdkP99RatioToRedis: h.latency.p99 / r.latency.p99,
    });
    // The client-side figures issue #18 asks for: the ratio of the two SDKs in this same run, and CPU per call.
    const cpuPerOpUs = (t: Throughput) => ((t.clientCpuPercent ?? 0) * 10_000) / t.perSecond;
    progress(
      `  ${OP_LABEL[op]}: @cachette/sdk/node at ${(h.perSecond / m.perSecond).toFixed(1)}× @gomomento/sdk ops/s ` +
        `(${(h.perSecond / r.perSecond).toFixed(2)}× ioredis); client CPU per call ${cpuPerOpUs(h).toFixed(1)} µs ` +
        `vs ${cpuPerOpUs(m).toFixed(1)} µs (@gomomento/sdk), ${cpuPerOpUs(r).toFixed(1)} µs (ioredis)`,
    );
  }
  return rows;
}

async function memory(cachette: RunningServer, redis: BenchRedis): Promise<MemoryResult> {
  const n = opt.items;
  progress(`memory: loading ${fmt(n)} items into Cachette (SetBatch of 1 000)…`);
  const before = await statsOf(cachette, true);
  const cachetteLoadS = await preloadCachette(cachette, n, 'cachette');
  const after = await statsOf(cachette, true);
  const engineAfter = after.engine ?? { items: 0, bytesUsed: 0 };
  const engineBefore = before.engine ?? { items: 0, bytesUsed: 0 };
  if (engineAfter.items !== n) progress(`  warning: engine holds ${fmt(engineAfter.items)} items, expected ${fmt(n)}`);
  const c = {
    rssBytesPerItem: (after.rssBytes - before.rssBytes) / n,
    heapBytesPerItem: (after.heapUsedBytes - before.heapUsedBytes) / n,
    engineBytesPerItem: (engineAfter.bytesUsed - engineBefore.bytesUsed) / n,
    engineItems: engineAfter.items,
    loadSeconds: cachetteLoadS,
  };
  progress(
    `  cachette: ${c.rssBytesPerItem.toFixed(0)} B/item RSS, ${c.engineBytesPerItem.toFixed(0)} B/item engine accounting (${cachetteLoadS.toFixed(1)} s)`,
  );

  progress(`memory: loading ${fmt(n)} items into Redis (pipelined SET … PX, 1 000 per pipeline)…`);
  await redis.client.flushall();
  let base = await redis.usedMemory();
  let started = Date.now();
  await redis.load(n);
  const redisLoadS = (Date.now() - started) / 1000;
  const withTtl = ((await redis.usedMemory()) - base) / n;
  await redis.client.flushall();
  base = await redis.usedMemory();
  started = Date.now();
  await redis.load(n, undefined, false);
  const withoutTtl = ((await redis.usedMemory()) - base) / n;
  await redis.client.flushall();
  progress(`  redis: ${withTtl.toFixed(0)} B/item used_memory (${withoutTtl.toFixed(0)} B/item without TTL)`);
  return {
    method:
      `${fmt(n)} items, 16-byte keys, 100-byte values, 1 h TTL. Cachette: fresh server process, items written ` +
      'over gRPC with SetBatch; RSS and V8 heap deltas of the server process after 3 forced full GCs, and the ' +
      "engine's own accounting (engine.stats().bytesUsed). Redis: used_memory delta (INFO memory) after " +
      'FLUSHALL, SET key value PX 3600000; also without TTL.',
    items: n,
    cachette: c,
    redis: { usedMemoryBytesPerItem: withTtl, usedMemoryBytesPerItemWithoutTtl: withoutTtl, loadSeconds: redisLoadS },
    rssRatioToRedis: c.rssBytesPerItem / withTtl,
    engineRatioToRedis: c.engineBytesPerItem / withTtl,
  };
}

async function latencyUnderLoad(cachette: RunningServer): Promise<LoadedLatencyRow[]> {
  const rows: LoadedLatencyRow[] = [];
  for (const op of ['get-hit', 'set'] as const) {
    const key = randomIndex(opt.items);
    progress(`latency under load ${OP_LABEL[op]}: peak with ${fmt(opt.items)} items resident…`);
    const peak = await h2loadOp(cachette, op, key, { durationS: opt.loadedDurationS, warmupS: opt.warmupS });
    const target = Math.max(1, Math.round(0.7 * peak.callsPerSecond));
    progress(`  peak ${fmt(peak.callsPerSecond)} calls/s; now at 70 % = ${fmt(target)} calls/s…`);
    await cachette.child.request({ type: 'gc-reset' });
    const paced = await h2loadOp(cachette, op, key, {
      durationS: opt.loadedDurationS,
      warmupS: opt.warmupS,
      rpsPerClient: Math.max(1, Math.round(target / opt.connections)),
    });
    const gc = (await statsOf(cachette, false)).gc;
    progress(
      `  p99 ${ms(paced.latency.p99)}, p99.9 ${ms(paced.latency.p999)}, max GC pause ${ms(gc.maxMs)} (${gc.maxKind})`,
    );
    rows.push({
      op,
      peakPerSecond: peak.callsPerSecond,
      targetPerSecond: target,
      achieved: fromH2load(paced),
      serverGc: gc,
    });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  installCleanup();
  const startedAt = new Date();
  progress(`cachette bench (${quick ? 'quick' : 'full'}): ${JSON.stringify(opt)}`);
  h2loadBin = ensureH2load(progress);
  redisServerPath();

  const redis = await startRedis();
  const machine = describeMachine(redis.version, h2loadVersion(h2loadBin));
  progress(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, Redis ${redis.version}, load average ${machine.loadAverageAtStart.join(' ')}`,
  );

  const h2method =
    `h2load (C, 1 thread), ${opt.connections} connection(s) × ${streamsPerConnection} streams = ${opt.concurrency} ` +
    `calls in flight, ${opt.warmupS} s warm-up then ${opt.durationS} s measured, ${opt.rounds} round(s) per system ` +
    'alternating with the other system; the round with the highest throughput is reported (all rounds in ' +
    'roundsPerSecond). The body is one pre-encoded gRPC ' +
    'frame (generated-types message + 5-byte prefix), checked once with a raw HTTP/2 call for the expected gRPC ' +
    'answer; h2load repeats that body, so each run uses ONE key, picked at random among the pre-loaded keys ' +
    `(${fmt(opt.keyspace)}). Percentiles from h2load --log-file (requests started after the warm-up), time to ` +
    'end of response.';

  let serverRows: ServerBoundRow[] | null = null;
  let appRows: ApplicationRow[] | null = null;
  let memoryResult: MemoryResult | null = null;
  let loadedRows: LoadedLatencyRow[] | null = null;

  if (phases.has('server') || phases.has('app')) {
    progress(
      `starting Cachette and the bare grpc-js ceiling, each in its own process, ${fmt(opt.keyspace)} keys each…`,
    );
    const cachette = await startCachette(opt.keyspace);
    const ceiling = phases.has('server') ? await startCeiling() : null;
    await preloadCachette(cachette, opt.keyspace, 'keyspace');
    try {
      if (ceiling !== null) serverRows = await serverBound(ceiling, cachette);
      if (phases.has('app')) {
        progress(`loading ${fmt(opt.keyspace)} keys into Redis…`);
        await redis.load(opt.keyspace);
        appRows = await application(cachette, redis);
        await redis.client.flushall();
      }
    } finally {
      await ceiling?.child.stop();
      await cachette.child.stop();
    }
  }

  if (phases.has('memory') || phases.has('latency')) {
    progress('starting a fresh Cachette server for the large keyspace…');
    const cachette = await startCachette(opt.items);
    try {
      if (phases.has('memory')) memoryResult = await memory(cachette, redis);
      else await preloadCachette(cachette, opt.items, 'cachette');
      if (phases.has('latency')) loadedRows = await latencyUnderLoad(cachette);
    } finally {
      await cachette.child.stop();
    }
  }
  await redis.stop();
  let collectionsResult: CollectionsResult | null = null;
  if (phases.has('collections')) {
    progress('collections: dictionary/list/sorted-set calls beside Redis, then bytes per element…');
    collectionsResult = await runCollections();
  }

  const results: BenchResults = {
    schema: 'cachette-bench/2',
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: quick ? 'quick' : 'full',
    options: { ...opt, phases: [...phases].join(',') },
    machine: { ...machine, loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
    serverBound: serverRows === null ? null : { method: h2method, rows: serverRows },
    application:
      appRows === null
        ? null
        : {
            method:
              `One Node.js load-generator process per run, ${opt.concurrency} calls in flight (async workers), keys ` +
              `uniform over ${fmt(opt.keyspace)} pre-loaded keys, ${opt.warmupS} s warm-up then ${opt.durationS} s ` +
              `measured, ${opt.rounds} alternating round(s) per system, best round reported; latency is the time ` +
              'around each awaited client call. @gomomento/sdk 1.118.1 with ' +
              'Configurations.Laptop.v1() and an API key (gRPC); @cachette/sdk (this repo) imported from ' +
              "@cachette/sdk/node with default options, as a Node application gets it → the same server's HTTP API: " +
              'node:http keep-alive connections (not fetch), and get/set calls issued in the same event-loop turn ' +
              'coalesced into get-batch/set-batch requests of up to 32 calls (each call still awaited on its own ' +
              'and answered on its own); the same API key, text keys and the same 100-byte values; ioredis 5 with ' +
              "default options (one connection). Systems run in rotating order each round. clientCpuPercent is the load generator's CPU over the run " +
              "(≈100 % = client-bound: the figure is then the client library's limit, not the server's).",
            rows: appRows,
          },
    memory: memoryResult,
    latencyUnderLoad:
      loadedRows === null
        ? null
        : {
            method:
              `A fresh Cachette server holding ${fmt(opt.items)} items. Peak = unthrottled h2load run (same setup as ` +
              'server-bound); then h2load --rps paced at 70 % of that peak, one key per run. GC = perf_hooks gc ' +
              'entries in the server process during the paced run (warm-up included); a major GC entry can include ' +
              'incremental marking, so its duration may exceed the longest stall requests saw.',
            items: opt.items,
            rows: loadedRows,
          },
    collections: collectionsResult,
  };

  const stamp = startedAt
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const dir = join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const jsonPath = join(dir, `${stamp}${quick ? '-quick' : ''}.json`);
  const svgPath = jsonPath.replace(/\.json$/, '.svg');
  writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(svgPath, renderSvg(results));
  printReport(results);
  process.stdout.write(`\nresults: ${jsonPath}\nchart:   ${svgPath}\n`);
  if (phases.has('gateways')) {
    // Its own script (a Redis Cluster, PostgreSQL and gateway processes of its own), run as a child so
    // its processes are cleaned up by its own exit handlers; it prints its table to this console.
    progress('gateways: the Valkey engine on a 3-master Redis Cluster behind one, then two gateways…');
    await runGateways([
      '--duration',
      String(opt.durationS),
      '--warmup',
      String(opt.warmupS),
      '--concurrency',
      String(opt.concurrency),
    ]);
  }
  if (phases.has('resp')) {
    progress('resp: redis-benchmark and ioredis against the Redis port, beside a private redis-server…');
    await runChildScript('resp.ts', quick ? ['--quick'] : ['--rounds', String(opt.rounds)]);
  }
  if (phases.has('leaderboards')) {
    progress('leaderboards: a 1 000 000-element leaderboard beside a Redis sorted set…');
    await runChildScript('leaderboards.ts', [
      '--duration',
      String(opt.durationS),
      '--warmup',
      String(opt.warmupS),
      ...(quick ? ['--quick'] : []),
    ]);
  }
  if (phases.has('topics')) {
    progress('topics: publish→receive latency and fan-out, Cachette TopicClient beside Redis PUBLISH/SUBSCRIBE…');
    await runChildScript('topics.ts', quick ? ['--quick'] : []);
  }
  progress('done');
}

/** Runs bench/collections.ts as a child (its own server and Redis) and reads the results it writes. */
async function runCollections(): Promise<CollectionsResult> {
  const dir = mkdtempSync(join(tmpdir(), 'cachette-bench-collections-'));
  const out = join(dir, 'collections.json');
  try {
    await new Promise<void>((resolveRun, reject) => {
      const args = ['--duration', String(opt.durationS), '--warmup', String(opt.warmupS), '--json', out];
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(here, 'collections.ts'), ...(quick ? ['--quick'] : []), ...args],
        { stdio: ['ignore', 'inherit', 'inherit'] },
      );
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolveRun() : reject(new Error(`bench/collections.ts exited with ${code}`)),
      );
    });
    return JSON.parse(readFileSync(out, 'utf8')) as CollectionsResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function runChildScript(script: string, args: string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolveRun() : reject(new Error(`bench/${script} exited with ${code}`))));
  });
}

function runGateways(args: string[]): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'gateways.ts'), ...args], {
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolveRun() : reject(new Error(`bench/gateways.ts exited with ${code}`)),
    );
  });
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    killAll();
    process.exit(1);
  },
);
