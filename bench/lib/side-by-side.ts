/**
 * @module bench/lib/side-by-side
 * One Cachette gRPC call under h2load, then the equivalent command under redis-benchmark, right after it on
 * the same machine: the row shape the collections and leaderboards phases share.
 */
import { spawnSync } from 'node:child_process';
import { type H2loadResult, runH2load } from './h2load.ts';

export interface SideBySideRun {
  readonly h2load: string;
  /** `host:port` of the gRPC listener. */
  readonly grpcAddress: string;
  /** gRPC metadata sent with every call (e.g. `{ cache }`). */
  readonly headers: Record<string, string>;
  readonly path: string;
  /** One hand-framed request, replayed for every call. */
  readonly body: Buffer;
  readonly redisPort: number;
  /** redis-benchmark's command and arguments. */
  readonly command: readonly string[];
  /** Calls in flight on each side (h2load: 5 connections sharing them). */
  readonly inFlight: number;
  readonly seconds: number;
  readonly warmupS: number;
  /** Requests redis-benchmark sends. */
  readonly redisRequests: number;
}

/** Runs both sides; throws when any Cachette call failed (h2load only sees HTTP 200, so check first). */
export async function runSideBySide(
  run: SideBySideRun,
  check: () => Promise<unknown>,
): Promise<{ cachette: H2loadResult; redisPerSecond: number }> {
  // h2load counts any HTTP 200 as a success, and gRPC errors travel as 200 + grpc-status: `check` one call first.
  await check();
  const cachette = await runH2load(run.h2load, {
    url: `http://${run.grpcAddress}${run.path}`,
    body: run.body,
    headers: { 'content-type': 'application/grpc', te: 'trailers', ...run.headers },
    clients: 5,
    streams: run.inFlight / 5,
    durationS: run.seconds,
    warmupS: run.warmupS,
  });
  const failed = cachette.failed + cachette.errored + cachette.non2xx;
  if (failed > 0) throw new Error(`${run.path}: ${failed} failed calls`);
  return { cachette, redisPerSecond: redisBenchmarkRate(run.redisPort, run.inFlight, run.redisRequests, run.command) };
}

/** redis-benchmark's requests/s for one command, `clients` connections, unpipelined. */
export function redisBenchmarkRate(
  port: number,
  clients: number,
  requests: number,
  command: readonly string[],
): number {
  const r = spawnSync(
    'redis-benchmark',
    ['-p', String(port), '-c', String(clients), '-n', String(requests), '-q', ...command],
    { encoding: 'utf8' },
  );
  const m = /([\d.]+) requests per second/.exec(r.stdout.replaceAll(/\r/g, '\n'));
  if (m === null) throw new Error(`redis-benchmark printed no rate: ${r.stdout} ${r.stderr}`);
  return Number(m[1]);
}

/** Throws when the server counted any failed call (every run must have succeeded whole). */
export async function assertNoFailedCalls(httpUrl: string): Promise<void> {
  const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
  const failures = metrics.split('\n').filter((l) => /^cachette_requests_total\{.*outcome="[A-Z_]+"/.test(l));
  if (failures.length > 0) throw new Error(`failed calls during the runs:\n${failures.join('\n')}`);
}
