/**
 * @module bench/soak
 * `npm run soak -- --minutes 30`: a long mixed workload against a real Cachette server, to catch what short
 * benchmarks cannot — memory that keeps growing and latency that drifts.
 *
 * 1. Starts a Cachette server child (embedded engine, `--max-memory`, default 64 MiB) on free ports.
 * 2. Fills the engine with cold keys (SetBatch) until it evicts, so eviction runs from the first minute.
 * 3. Calibrates: the same workload closed-loop (`--concurrency` calls in flight) for `--calibrate` seconds;
 *    the completed calls per second are the peak. `--rate N` skips this.
 * 4. Drives the mix open-loop at `--load` (default 70 %) of the peak for `--minutes`: gets, sets, deletes,
 *    10-key GetBatch and SetBatch, hot keys plus a cold keyspace far beyond `--max-memory`, so eviction and
 *    expiry run all the time (bench/lib/soak-workload.ts). Latency is measured from send to reply. A call
 *    due while `--max-in-flight` (default 256) calls are outstanding is shed and counted instead of queued:
 *    on a shared machine a burst of other work would otherwise grow a client-side queue without bound, and
 *    every later latency would measure that queue rather than the server.
 * 5. Every `--interval` seconds (default 60) prints a row: calls/s, shed %, p50/p99/p99.9/max, errors, the server's
 *    RSS and heap (as they are, no forced GC), engine bytes, items and evictions.
 * 6. Verdict (bench/lib/trend.ts), on the last half of the intervals (the first half is warm-up):
 *    - RSS keeps growing: the Theil–Sen trend grows more than max(5 % of the median RSS, 16 MiB) across it;
 *    - p99 drifts: the Theil–Sen trend grows more than max(50 % of the median p99, 5 ms) across it;
 *    - any call failed, the engine never evicted, or more than 5 % of the calls due in an interval of that
 *      half were shed (the server, or the machine, could not sustain the target rate).
 *    Exit 0 when none holds, 1 otherwise; fewer than 5 intervals give no trend verdict (exit 0, said so).
 *
 * Writes `bench/results/soak-<timestamp>.json` with every row and the verdict.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from '@cachette/server';
import { installCleanup, killAll, TsChild } from './lib/children.ts';
import type { ReadyMessage, ServerStats } from './lib/ipc.ts';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { SoakConnections, SoakWorkload } from './lib/soak-workload.ts';
import { latencyOf, Samples } from './lib/stats.ts';
import { type DriftVerdict, judgeDrift } from './lib/trend.ts';
import { encode, paths, secretOf } from './lib/wire.ts';

const here = dirname(fileURLToPath(import.meta.url));
const CACHE = 'soak';
const MiB = 1024 ** 2;

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    interval: { type: 'string', default: '60' },
    'max-memory': { type: 'string', default: '64mb' },
    keyspace: { type: 'string', default: '4000000' },
    load: { type: 'string', default: '0.7' },
    rate: { type: 'string' },
    calibrate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '64' },
    connections: { type: 'string', default: '4' },
    'max-in-flight': { type: 'string', default: '256' },
  },
});

const positive = (name: string, text: string | undefined): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got '${text}')`);
  return n;
};
const opt = {
  minutes: positive('minutes', flags.minutes),
  intervalS: positive('interval', flags.interval),
  maxMemoryBytes: parseSize(flags['max-memory'] ?? '64mb'),
  keyspace: Math.floor(positive('keyspace', flags.keyspace)),
  load: positive('load', flags.load),
  rate: flags.rate === undefined ? undefined : positive('rate', flags.rate),
  calibrateS: positive('calibrate', flags.calibrate),
  concurrency: Math.floor(positive('concurrency', flags.concurrency)),
  connections: Math.floor(positive('connections', flags.connections)),
  maxInFlight: Math.floor(positive('max-in-flight', flags['max-in-flight'])),
};

const t0 = Date.now();
function progress(line: string): void {
  const s = Math.round((Date.now() - t0) / 1000);
  process.stderr.write(`[${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}] ${line}\n`);
}

interface Row {
  readonly interval: number;
  readonly atS: number;
  readonly targetPerS: number;
  readonly callsPerS: number;
  /** Calls due but shed (too many in flight), in % of the calls due. */
  readonly shedPct: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly errors: number;
  readonly rssMiB: number;
  readonly heapUsedMiB: number;
  readonly engineMiB: number;
  readonly items: number;
  readonly evictions: number;
  readonly load1: number;
}

/** Counts per interval; reset at each report. */
class Window {
  samples = new Samples();
  errors = 0;
  shed = 0;
  statuses = new Map<number, number>();
  reset(): void {
    this.samples = new Samples();
    this.errors = 0;
    this.shed = 0;
    this.statuses.clear();
  }
}

async function main(): Promise<number> {
  installCleanup();
  progress(`starting a Cachette server (max memory ${Math.round(opt.maxMemoryBytes / MiB)} MiB)…`);
  const server = new TsChild(join(here, 'servers/cachette-server.ts'), { maxMemoryBytes: opt.maxMemoryBytes });
  const ready = await server.waitFor<ReadyMessage>('ready');
  const address = `127.0.0.1:${ready.port}`;
  const authorization = secretOf(ready.apiKey ?? '');
  const control = new RawGrpcClient(address, { authorization });
  await control.ok(paths.createCache, encode.createCache(CACHE)).finally(() => control.close());
  const statsOf = async (): Promise<ServerStats> => {
    const reply = await server.request({ type: 'stats', forceGc: false });
    if (reply.stats === undefined) throw new Error('server sent no stats');
    return reply.stats;
  };

  const workload = new SoakWorkload({ keyspace: opt.keyspace });
  const conns = new SoakConnections(address, opt.connections, { authorization, cache: CACHE });
  const win = new Window();
  let inFlight = 0;
  const record = (startedNs: bigint) => (status: number) => {
    inFlight--;
    win.samples.push(Number(process.hrtime.bigint() - startedNs) / 1000);
    if (status !== 0) {
      win.errors++;
      win.statuses.set(status, (win.statuses.get(status) ?? 0) + 1);
    }
  };

  // ---- fill: SetBatch of cold keys, 4 in flight, until the engine has evicted (bounded: 10 minutes).
  {
    progress('filling the engine with cold keys until it evicts…');
    const fillDeadline = Date.now() + 600_000;
    let evicting = false;
    const filler = async () => {
      while (!evicting && Date.now() < fillDeadline) {
        const { path, frame } = workload.fill(200);
        const status = await new Promise<number>((resolve) => conns.call(path, frame, resolve));
        if (status !== 0) throw new Error(`fill SetBatch failed with gRPC status ${status}`);
      }
    };
    const watcher = async () => {
      while (!evicting && Date.now() < fillDeadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        evicting = ((await statsOf()).engine?.evictions ?? 0) > 0;
      }
    };
    await Promise.all([filler(), filler(), filler(), filler(), watcher()]);
    const s = await statsOf();
    if (!evicting) throw new Error('the engine did not start evicting within 10 minutes of filling');
    progress(
      `engine full: ${((s.engine?.bytesUsed ?? 0) / MiB).toFixed(1)} MiB, ${s.engine?.items} items, ${s.engine?.evictions} evicted`,
    );
  }

  // ---- calibration: closed loop, `concurrency` calls in flight.
  let peak = opt.rate === undefined ? 0 : opt.rate / opt.load;
  if (opt.rate === undefined) {
    progress(`calibrating: ${opt.concurrency} calls in flight, 5 s warm-up + ${opt.calibrateS} s…`);
    let running = true;
    let completed = 0;
    const loop = () => {
      if (!running) return;
      const { path, frame } = workload.next();
      inFlight++;
      const done = record(process.hrtime.bigint());
      conns.call(path, frame, (status) => {
        done(status);
        completed++;
        loop();
      });
    };
    for (let i = 0; i < opt.concurrency; i++) loop();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    completed = 0;
    win.reset();
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, opt.calibrateS * 1000));
    peak = completed / ((performance.now() - started) / 1000);
    running = false;
    const lat = latencyOf(win.samples.view());
    progress(
      `peak ≈ ${Math.round(peak)} calls/s (p99 ${lat.p99.toFixed(1)} ms, ${win.errors} errors); ` +
        `soaking at ${Math.round(opt.load * 100)} % = ${Math.round(peak * opt.load)} calls/s`,
    );
    if (win.errors > 0) throw new Error(`calibration calls failed: ${JSON.stringify([...win.statuses])}`);
    while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const target = peak * opt.load;

  // ---- the soak: open loop at `target` calls/s, scheduled in 5 ms ticks.
  win.reset();
  const rows: Row[] = [];
  const intervals = Math.max(1, Math.round((opt.minutes * 60) / opt.intervalS));
  const soakStartNs = process.hrtime.bigint();
  let scheduled = 0;
  const tick = setInterval(() => {
    const elapsedS = Number(process.hrtime.bigint() - soakStartNs) / 1e9;
    const due = Math.floor(elapsedS * target);
    while (scheduled < due) {
      scheduled++;
      if (inFlight >= opt.maxInFlight) {
        win.shed++;
        continue;
      }
      const { path, frame } = workload.next();
      inFlight++;
      conns.call(path, frame, record(process.hrtime.bigint()));
    }
  }, 5);

  printHeader();
  let lastEvictions = (await statsOf()).engine?.evictions ?? 0;
  let lastAt = performance.now();
  for (let i = 1; i <= intervals; i++) {
    await new Promise((resolve) => setTimeout(resolve, opt.intervalS * 1000));
    const now = performance.now();
    const lat = latencyOf(win.samples.view());
    const stats = await statsOf();
    const evictions = stats.engine?.evictions ?? 0;
    const row: Row = {
      interval: i,
      atS: Math.round(Number(process.hrtime.bigint() - soakStartNs) / 1e9),
      targetPerS: target,
      callsPerS: lat.samples / ((now - lastAt) / 1000),
      shedPct: (100 * win.shed) / Math.max(1, win.shed + lat.samples),
      p50Ms: lat.p50,
      p99Ms: lat.p99,
      p999Ms: lat.p999,
      maxMs: lat.max,
      errors: win.errors,
      rssMiB: stats.rssBytes / MiB,
      heapUsedMiB: stats.heapUsedBytes / MiB,
      engineMiB: (stats.engine?.bytesUsed ?? 0) / MiB,
      items: stats.engine?.items ?? 0,
      evictions: evictions - lastEvictions,
      load1: loadavg()[0] ?? 0,
    };
    if (win.errors > 0)
      progress(`  failed calls by gRPC status (-1 = no status): ${JSON.stringify([...win.statuses])}`);
    lastEvictions = evictions;
    lastAt = now;
    win.reset();
    rows.push(row);
    printRow(row);
  }
  clearInterval(tick);
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  conns.close();
  await server.stop();

  // ---- verdict
  const judged = rows.slice(Math.floor(rows.length / 2));
  const rss = judgeDrift(
    rows.map((r) => r.rssMiB),
    { relative: 0.05, absolute: 16 },
  );
  const p99 = judgeDrift(
    rows.map((r) => r.p99Ms),
    { relative: 0.5, absolute: 5 },
  );
  const failures: string[] = [];
  if (rss?.drifting) failures.push(`RSS keeps growing: ${describe(rss, 'MiB')}`);
  if (p99?.drifting) failures.push(`p99 drifts: ${describe(p99, 'ms')}`);
  const errors = rows.reduce((n, r) => n + r.errors, 0);
  if (errors > 0) failures.push(`${errors} calls failed`);
  if (rows.reduce((n, r) => n + r.evictions, 0) === 0)
    failures.push('the engine never evicted: the workload did not churn');
  const shedding = judged.filter((r) => r.shedPct > 5);
  if (shedding.length > 0) {
    failures.push(
      `the target rate (${Math.round(target)} calls/s) was not sustained: more than 5 % of due calls shed in ${shedding.length} judged interval(s) (up to ${Math.max(...shedding.map((r) => r.shedPct)).toFixed(1)} %)`,
    );
  }
  process.stdout.write('\n');
  if (rss === undefined || p99 === undefined) {
    process.stdout.write(`no trend verdict: ${rows.length} interval(s); the rule needs at least 5 (3 judged)\n`);
  } else {
    process.stdout.write(`RSS over the last ${rss.points} intervals: ${describe(rss, 'MiB')}\n`);
    process.stdout.write(`p99 over the last ${p99.points} intervals: ${describe(p99, 'ms')}\n`);
  }
  process.stdout.write(failures.length === 0 ? 'PASS\n' : `FAIL\n- ${failures.join('\n- ')}\n`);

  const results = join(here, 'results');
  mkdirSync(results, { recursive: true });
  const file = join(results, `soak-${new Date(t0).toISOString().replace(/[:.]/g, '-').slice(0, 19)}Z.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ options: opt, machine: { cpus: cpus().length }, peak, target, rows, rss, p99, failures }, null, 2)}\n`,
  );
  progress(`wrote ${file}`);
  return failures.length === 0 ? 0 : 1;
}

function describe(v: DriftVerdict, unit: string): string {
  return `median ${v.median.toFixed(1)} ${unit}, trend ${v.growth >= 0 ? '+' : ''}${v.growth.toFixed(1)} ${unit} across the window (allowed ${v.allowed.toFixed(1)})`;
}

const COLUMNS = [
  ['min', 5],
  ['calls/s', 8],
  ['shed %', 6],
  ['p50 ms', 7],
  ['p99 ms', 7],
  ['p99.9 ms', 9],
  ['max ms', 8],
  ['errors', 7],
  ['RSS MiB', 8],
  ['heap MiB', 9],
  ['engine MiB', 11],
  ['items', 9],
  ['evicted', 9],
  ['load1', 6],
] as const;

function printHeader(): void {
  process.stdout.write(`| ${COLUMNS.map(([name, width]) => name.padStart(width)).join(' | ')} |\n`);
  process.stdout.write(`|${COLUMNS.map(([, width]) => `${'-'.repeat(width + 1)}:`).join('|')}|\n`);
}

function printRow(r: Row): void {
  const cells = [
    (r.atS / 60).toFixed(1),
    Math.round(r.callsPerS).toString(),
    r.shedPct.toFixed(1),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    r.p999Ms.toFixed(2),
    r.maxMs.toFixed(1),
    String(r.errors),
    r.rssMiB.toFixed(1),
    r.heapUsedMiB.toFixed(1),
    r.engineMiB.toFixed(1),
    String(r.items),
    String(r.evictions),
    r.load1.toFixed(2),
  ];
  process.stdout.write(`| ${cells.map((c, i) => c.padStart(COLUMNS[i]![1])).join(' | ')} |\n`);
}

main().then(
  (code) => {
    killAll();
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`soak failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    killAll();
    process.exit(2);
  },
);
