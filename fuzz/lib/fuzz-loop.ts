/**
 * @module fuzz/lib/fuzz-loop
 * The run: boot the server in a child process, then batches of hostile cases (gRPC and HTTP, each on its
 * own connection, some left open), a canary on other connections after each batch while the hostile
 * streams are still open, and a report: crashes, stalls, the outcome mix, canary latency, RSS.
 */
import { CANARY_KEY, CANARY_VALUE, Canary } from './canary.ts';
import { grpcMethods, type RunningCase, startGrpcCase } from './grpc-cases.ts';
import { startGrpcWebCase } from './grpc-web-cases.ts';
import { startH2FrameCase } from './h2-frame-cases.ts';
import { startHttpCase } from './http-cases.ts';
import { RespCanary, startRespCase } from './resp-cases.ts';
import { Rng } from './rng.ts';
import { startServer } from './server-process.ts';

export interface FuzzOptions {
  /** Run seed; case i is generated from (seed, i) alone. */
  readonly seed: number;
  /** First case index (replay: `--from I --cases 1`). Default 0. */
  readonly from: number;
  readonly cases: number;
  /** Stop after this long even if cases remain. Default: no limit. */
  readonly maxMs: number;
  /** Cases in flight together; one canary per batch. Default 8. */
  readonly concurrency: number;
  /** A canary slower than this is a stall. Default 2000 ms. */
  readonly canaryBoundMs: number;
  /** How long a finished hostile request may wait for its answer before counting as unanswered. */
  readonly answerWaitMs: number;
  /** Stop after this many findings (a stalled server makes every later batch a finding too). */
  readonly maxFailures: number;
  /** Progress lines (every ~10 s) go here. */
  readonly log: (line: string) => void;
  /** Extra createServer settings for the child. */
  readonly serverSettings?: Record<string, unknown>;
}

export interface Failure {
  readonly kind: 'crash' | 'stall' | 'canary-error';
  readonly detail: string;
  readonly cases: readonly string[];
  readonly replay: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly from: number;
  readonly cases: number;
  readonly grpcCases: number;
  readonly httpCases: number;
  /** gRPC-Web calls on the HTTP port (counted apart from `httpCases`). */
  readonly grpcWebCases: number;
  /** Redis-protocol connections, run beside each batch on their own seed stream (gRPC/HTTP replays unchanged). */
  readonly respCases: number;
  /** Frame-level HTTP/2 connections on the gRPC port. */
  readonly h2FrameCases: number;
  readonly crashes: number;
  readonly stalls: number;
  readonly canaryErrors: number;
  readonly unanswered: number;
  readonly outcomes: Record<string, number>;
  /** One case per outcome, to see what produced it. */
  readonly outcomeExamples: Record<string, string>;
  readonly canaryP50Ms: number;
  readonly canaryP99Ms: number;
  readonly canaryMaxMs: number;
  readonly rssBeforeMb: number;
  readonly rssAfterMb: number;
  readonly rssMaxMb: number;
  readonly seconds: number;
  readonly failures: readonly Failure[];
}

/** Seed stream of the Redis-protocol cases ('RESP'). */
const RESP_STREAM = 0x52455350;
const H2_STREAM = 0x48325f46;

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;

/** Runs the fuzzer and returns its report (it never throws for a finding; findings are in the report). */
export async function runFuzz(o: FuzzOptions): Promise<FuzzReport> {
  const server = await startServer(o.serverSettings);
  const canary = new Canary(server.grpcPort, server.httpPort, server.secret, `canary-${o.seed}`);
  const started = performance.now();
  const outcomes: Record<string, number> = {};
  const outcomeExamples: Record<string, string> = {};
  const latencies: number[] = [];
  const failures: Failure[] = [];
  let grpcCases = 0;
  let httpCases = 0;
  let grpcWebCases = 0;
  let respCases = 0;
  let h2FrameCases = 0;
  let unanswered = 0;
  let done = 0;
  let rssBefore = Number.NaN;
  let rssMax = 0;
  const fuzzCache = `fuzz-${o.seed}`;
  let respCanary: RespCanary | undefined;
  try {
    await canary.setUp();
    const fuzzCanary = new Canary(server.grpcPort, server.httpPort, server.secret, fuzzCache);
    await fuzzCanary.setUp();
    fuzzCanary.close();
    respCanary = new RespCanary(server.redisPort, canary.cacheName, server.secret, CANARY_KEY, CANARY_VALUE);
    const methods = grpcMethods();
    const vocab = {
      bytes: [fuzzCache, canary.cacheName.replace('canary', 'other'), 'k', 'key', 'n', ''].map((s) => Buffer.from(s)),
    };
    const target = {
      grpcPort: server.grpcPort,
      httpPort: server.httpPort,
      secret: server.secret,
      fuzzCache,
      methods,
      vocab,
      routes: server.routes,
      answerWaitMs: o.answerWaitMs,
      openWaitMs: 100,
    };
    // Warm up (JIT, first connections) before the RSS baseline.
    for (let i = 0; i < 20; i++) latencies.push(await canary.check(o.canaryBoundMs * 5));
    latencies.length = 0;
    rssBefore = server.rssBytes();
    let lastLog = performance.now();
    for (let start = o.from; start < o.from + o.cases; start += o.concurrency) {
      if (performance.now() - started > o.maxMs || failures.length >= o.maxFailures) break;
      const n = Math.min(o.concurrency, o.from + o.cases - start);
      const running: Array<RunningCase & { index: number }> = [];
      for (let i = start; i < start + n; i++) {
        const rng = Rng.forCase(o.seed, i);
        const c = rng.chance(0.6)
          ? startGrpcCase(rng, target)
          : rng.chance(0.25)
            ? startGrpcWebCase(rng, target)
            : startHttpCase(rng, target);
        if (c.label.startsWith('grpc-web')) grpcWebCases++;
        else if (c.label.startsWith('grpc')) grpcCases++;
        else httpCases++;
        running.push({ ...c, index: i });
      }
      // Redis-protocol cases beside the batch, from their own seed stream so gRPC/HTTP cases replay unchanged.
      for (let i = start; i < start + Math.ceil(n / 2); i++) {
        const c = startRespCase(Rng.forCase(o.seed ^ RESP_STREAM, i), { ...target, redisPort: server.redisPort });
        respCases++;
        running.push({ ...c, index: i });
      }
      // Frame-level HTTP/2 on the gRPC port, from its own seed stream too.
      for (let i = start; i < start + Math.ceil(n / 4); i++) {
        const c = startH2FrameCase(Rng.forCase(o.seed ^ H2_STREAM, i), target);
        h2FrameCases++;
        running.push({ ...c, index: i });
      }
      const labels = () => running.map((c) => `#${c.index} ${c.label}`);
      const replay = `npm run fuzz -- --seed ${o.seed} --from ${start} --cases ${n} --concurrency ${n}`;
      await Promise.all(running.map((c) => c.sent));
      // The hostile streams are still open here: the canary must get through beside them.
      try {
        const ms = await canary.check(Math.max(o.canaryBoundMs * 5, 10_000), respCanary);
        latencies.push(ms);
        if (ms > o.canaryBoundMs) {
          failures.push({
            kind: 'stall',
            detail: `canary answered in ${Math.round(ms)} ms (bound ${o.canaryBoundMs} ms)`,
            cases: labels(),
            replay,
          });
        }
      } catch (e) {
        const dead = server.exited();
        if (dead === undefined) {
          failures.push({
            kind: (e as Error).message.includes('no answer') ? 'stall' : 'canary-error',
            detail: (e as Error).message,
            cases: labels(),
            replay,
          });
        }
      }
      for (const c of running) {
        const outcome = await c.outcome;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        outcomeExamples[outcome] ??= `#${c.index} ${c.label}`;
        if (outcome === 'unanswered') unanswered++;
        c.close();
      }
      done += n;
      const dead = server.exited();
      if (dead !== undefined) {
        failures.push({ kind: 'crash', detail: `server ${dead}: ${server.stderrTail()}`, cases: labels(), replay });
        break;
      }
      if (done % 64 < o.concurrency) rssMax = Math.max(rssMax, server.rssBytes());
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        const sorted = [...latencies].sort((a, b) => a - b);
        o.log(
          `${done} cases, ${Math.round(done / ((lastLog - started) / 1000))}/s, failures ${failures.length}, canary p99 ${percentile(sorted, 99).toFixed(1)} ms, RSS ${mb(server.rssBytes())} MB`,
        );
      }
    }
  } finally {
    canary.close();
    respCanary?.close();
  }
  const rssAfter = server.rssBytes();
  await server.stop();
  const sorted = latencies.sort((a, b) => a - b);
  return {
    seed: o.seed,
    from: o.from,
    cases: done,
    grpcCases,
    httpCases,
    grpcWebCases,
    respCases,
    h2FrameCases,
    crashes: failures.filter((f) => f.kind === 'crash').length,
    stalls: failures.filter((f) => f.kind === 'stall').length,
    canaryErrors: failures.filter((f) => f.kind === 'canary-error').length,
    unanswered,
    outcomes: Object.fromEntries(Object.entries(outcomes).sort((a, b) => b[1] - a[1])),
    outcomeExamples,
    canaryP50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
    canaryP99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
    canaryMaxMs: Math.round((sorted[sorted.length - 1] ?? Number.NaN) * 10) / 10,
    rssBeforeMb: mb(rssBefore),
    rssAfterMb: mb(rssAfter),
    rssMaxMb: mb(Math.max(rssMax, rssAfter)),
    seconds: Math.round((performance.now() - started) / 100) / 10,
    failures,
  };
}
