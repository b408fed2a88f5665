/**
 * @module bench/resp
 * The Redis protocol phase of `npm run bench` (also `node --import tsx bench/resp.ts [--quick]`): Cachette's
 * Redis port (`--redis-port`) beside a private `redis-server`, in one run, on this machine.
 *
 * 1. `redis-benchmark` (C) GET and SET, `-c 50 -d 100`, random keys over the keyspace, unpipelined and
 *    `-P 16`, rounds alternating between the two servers, the best round of each kept. Cachette is reached
 *    with `--user <cache> -a <api-key>`, so every command runs the full service path (authorization, rate
 *    and size limits, metering).
 * 2. Application rows: ioredis → Cachette beside ioredis → Redis (the load generator of bench/loadgen).
 *
 * Goals (issue 20): ≥ 0.8× Redis unpipelined, ≥ 0.3× at -P 16. Prints a table and writes
 * `bench/results/<timestamp>-resp[-quick].json`.
 *
 * Options: --quick (fewer requests, one round), --rounds N, --requests N (unpipelined; ×5 at -P 16),
 * --cpu-prof DIR (write a V8 CPU profile of the Cachette server to DIR).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Redis } from 'ioredis';
import { installCleanup, killAll, TsChild } from './lib/children.ts';
import type { ReadyMessage } from './lib/ipc.ts';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { type BenchRedis, startRedis } from './lib/redis.ts';
import { CACHE_NAME, encode, keyOf, paths, secretOf, TTL_MS, VALUE } from './lib/wire.ts';
import type { AppLoadConfig, AppLoadResult, Op } from './loadgen/app-load.ts';

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    requests: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});
const quick = flags.quick;
const opt = {
  rounds: Number(flags.rounds ?? (quick ? 1 : 3)),
  requests: Number(flags.requests ?? (quick ? 100_000 : 1_000_000)),
  clients: 50,
  valueBytes: 100,
  keyspace: 100_000,
  durationS: Number(flags.duration ?? (quick ? 2 : 5)),
  warmupS: Number(flags.warmup ?? (quick ? 1 : 2)),
};

const t0 = Date.now();
function progress(line: string): void {
  const s = Math.round((Date.now() - t0) / 1000);
  process.stderr.write(
    `[resp ${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}\n`,
  );
}
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** One redis-benchmark run. */
interface BenchmarkRun {
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

async function redisBenchmark(
  port: number,
  test: 'get' | 'set',
  pipeline: number,
  auth: { user: string; password: string } | undefined,
): Promise<BenchmarkRun> {
  const n = pipeline === 1 ? opt.requests : opt.requests * 5;
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-t',
    test,
    '-c',
    String(opt.clients),
    '-d',
    String(opt.valueBytes),
    '-n',
    String(n),
    '-r',
    String(opt.keyspace),
    '-P',
    String(pipeline),
    '--csv',
    ...(auth === undefined ? [] : ['--user', auth.user, '-a', auth.password]),
  ];
  const { stdout } = await run('redis-benchmark', args, { maxBuffer: 1024 * 1024, timeout: 600_000 });
  const line = stdout
    .trim()
    .split('\n')
    .find((l) => l.startsWith(`"${test.toUpperCase()}"`));
  if (line === undefined) throw new Error(`redis-benchmark printed no ${test} row: ${stdout}`);
  const cells = line.split(',').map((c) => Number(c.replaceAll('"', '')));
  return { perSecond: cells[1]!, p50Ms: cells[4]!, p99Ms: cells[6]! };
}

/** Each system once per round, order flipped every round; the best round of each. */
async function alternate(a: () => Promise<BenchmarkRun>, b: () => Promise<BenchmarkRun>) {
  const ra: BenchmarkRun[] = [];
  const rb: BenchmarkRun[] = [];
  for (let round = 0; round < opt.rounds; round++) {
    if (round % 2 === 0) {
      ra.push(await a());
      rb.push(await b());
    } else {
      rb.push(await b());
      ra.push(await a());
    }
  }
  const best = (rs: BenchmarkRun[]) => rs.reduce((x, y) => (y.perSecond > x.perSecond ? y : x));
  return [
    { ...best(ra), rounds: ra.map((r) => Math.round(r.perSecond)) },
    { ...best(rb), rounds: rb.map((r) => Math.round(r.perSecond)) },
  ] as const;
}

async function appLoad(config: AppLoadConfig) {
  const child = new TsChild(join(here, 'loadgen/app-load.ts'), config);
  const result = await child.waitFor<AppLoadResult>('result', (config.warmupS + config.durationS) * 1000 + 60_000);
  if (result.errors > 0) progress(`  ${result.errors} errors, first: ${result.firstError}`);
  return { perSecond: result.opsPerSecond, p99Ms: result.latency.p99, clientCpuPercent: result.clientCpuPercent };
}

/** Pipelined SET … PX of `keyOf(0..count-1)` over a Redis connection (either server). */
async function load(client: Redis, count: number): Promise<void> {
  for (let from = 0; from < count; from += 1000) {
    const p = client.pipeline();
    for (let i = from; i < Math.min(count, from + 1000); i++) p.set(keyOf(i), VALUE, 'PX', TTL_MS);
    const results = await p.exec();
    const failed = results?.find(([e]) => e !== null);
    if (failed) throw failed[0];
  }
}

async function main(): Promise<void> {
  installCleanup();
  const startedAt = new Date();
  progress(`Redis protocol bench (${quick ? 'quick' : 'full'}): ${JSON.stringify(opt)}`);
  const redis: BenchRedis = await startRedis();
  const cpuProf = flags['cpu-prof'];
  const child = new TsChild(
    join(here, 'servers/cachette-server.ts'),
    { redis: true },
    cpuProf === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProf}`],
  );
  const ready = await child.waitFor<ReadyMessage>('ready');
  if (ready.redisPort === undefined) throw new Error('the Cachette server child reported no Redis port');
  const apiKey = ready.apiKey ?? '';
  const control = new RawGrpcClient(`127.0.0.1:${ready.port}`, { authorization: secretOf(apiKey) });
  try {
    await control.ok(paths.createCache, encode.createCache(CACHE_NAME));
  } finally {
    control.close();
  }
  const auth = { user: CACHE_NAME, password: apiKey };
  const cachetteClient = new Redis({
    host: '127.0.0.1',
    port: ready.redisPort,
    username: CACHE_NAME,
    password: apiKey,
  });
  try {
    progress(`loading ${fmt(opt.keyspace)} keys into both (pipelined SET … PX over the Redis protocol)…`);
    await load(cachetteClient, opt.keyspace);
    await load(redis.client, opt.keyspace);

    const benchmarkRows = [];
    for (const pipeline of [1, 16]) {
      for (const test of ['set', 'get'] as const) {
        const label = `${test.toUpperCase()}${pipeline > 1 ? ` -P ${pipeline}` : ''}`;
        const [c, r] = await alternate(
          async () => {
            const x = await redisBenchmark(ready.redisPort!, test, pipeline, auth);
            progress(`  redis-benchmark ${label} → cachette ${fmt(x.perSecond)} req/s, p99 ${x.p99Ms} ms`);
            return x;
          },
          async () => {
            const x = await redisBenchmark(redis.port, test, pipeline, undefined);
            progress(`  redis-benchmark ${label} → redis    ${fmt(x.perSecond)} req/s, p99 ${x.p99Ms} ms`);
            return x;
          },
        );
        const ratio = c.perSecond / r.perSecond;
        const goal = pipeline === 1 ? 0.8 : 0.3;
        progress(`  ${label}: Cachette at ${ratio.toFixed(2)}× Redis (goal ≥ ${goal}×)`);
        benchmarkRows.push({ test, pipeline, cachette: c, redis: r, ratioToRedis: ratio, goal });
      }
    }

    const appRows = [];
    const common = { concurrency: opt.clients, durationS: opt.durationS, warmupS: opt.warmupS, keyspace: opt.keyspace };
    for (const op of ['get-hit', 'set'] as Op[]) {
      const c = await appLoad({
        ...common,
        op,
        target: 'ioredis',
        address: `127.0.0.1:${ready.redisPort}`,
        apiKey,
      });
      progress(`  ioredis ${op} → cachette ${fmt(c.perSecond)} ops/s, p99 ${c.p99Ms.toFixed(2)} ms`);
      const r = await appLoad({ ...common, op, target: 'ioredis', address: `127.0.0.1:${redis.port}` });
      progress(`  ioredis ${op} → redis    ${fmt(r.perSecond)} ops/s, p99 ${r.p99Ms.toFixed(2)} ms`);
      appRows.push({ op, ioredisToCachette: c, ioredisToRedis: r, ratioToRedis: c.perSecond / r.perSecond });
    }

    const results = {
      schema: 'cachette-bench-resp/1',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      redisVersion: redis.version,
      method:
        `redis-benchmark (C) -c ${opt.clients} -d ${opt.valueBytes} -r ${opt.keyspace}, -n ${opt.requests} unpipelined ` +
        `and ${opt.requests * 5} at -P 16, against Cachette's --redis-port (authenticated with --user <cache> -a <key>, ` +
        `so every command passes the service's authorization, limits and metering) and a private redis-server ` +
        `(no persistence); ${opt.rounds} round(s) per system alternating, best round reported. Application rows: ` +
        `one Node load-generator process, ioredis 5 (one connection), ${opt.clients} calls in flight, ` +
        `${opt.warmupS} s warm-up then ${opt.durationS} s measured.`,
      redisBenchmark: benchmarkRows,
      application: appRows,
    };
    const stamp = startedAt
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z');
    mkdirSync(join(here, 'results'), { recursive: true });
    const path = join(here, 'results', `${stamp}-resp${quick ? '-quick' : ''}.json`);
    writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);

    const lines = [
      '',
      'Redis protocol — redis-benchmark (req/s, best round)',
      '  test          cachette        redis           ratio   goal',
      ...benchmarkRows.map(
        (r) =>
          `  ${`${r.test.toUpperCase()}${r.pipeline > 1 ? ` -P ${r.pipeline}` : ''}`.padEnd(13)} ${fmt(r.cachette.perSecond).padStart(12)}    ${fmt(r.redis.perSecond).padStart(12)}    ${r.ratioToRedis.toFixed(2).padStart(5)}×  ≥ ${r.goal}×`,
      ),
      'Redis protocol — ioredis application rows (ops/s)',
      ...appRows.map(
        (r) =>
          `  ${r.op.padEnd(13)} ${fmt(r.ioredisToCachette.perSecond).padStart(12)}    ${fmt(r.ioredisToRedis.perSecond).padStart(12)}    ${r.ratioToRedis.toFixed(2).padStart(5)}×`,
      ),
      `results: ${path}`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
  } finally {
    cachetteClient.disconnect();
    await child.stop();
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench/resp failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    killAll();
    process.exit(1);
  },
);
