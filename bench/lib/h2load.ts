/**
 * @module bench/lib/h2load
 * Finds (or installs) h2load and runs it with a pre-encoded gRPC body. Throughput comes from h2load's own
 * summary; percentiles from its per-request `--log-file`, restricted to requests that started after the
 * warm-up (h2load logs warm-up requests too).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnTracked } from './children.ts';
import { type Latency, latencyOf } from './stats.ts';

/** The path of h2load, installing Debian's `nghttp2-client` first when missing and we are root. */
export function ensureH2load(log: (line: string) => void): string {
  const found = spawnSync('sh', ['-c', 'command -v h2load'], { encoding: 'utf8' }).stdout.trim();
  if (found !== '') return found;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' }).stdout.trim() !== '';
  if (!isRoot || !hasApt) {
    throw new Error(
      'h2load is required and not installed. Install it with `sudo apt-get install -y nghttp2-client` ' +
        '(Debian/Ubuntu) or `brew install nghttp2` (macOS), then run the bench again.',
    );
  }
  log('h2load not found: installing nghttp2-client with apt-get (one time)…');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'nghttp2-client'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = spawnSync('sh', ['-c', 'command -v h2load'], { encoding: 'utf8' }).stdout.trim();
  if (installed === '') throw new Error('apt-get installed nghttp2-client but h2load is still not on PATH');
  return installed;
}

export function h2loadVersion(bin: string): string {
  return spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
}

export interface H2loadRun {
  readonly url: string;
  /** The request body: one gRPC frame, sent for every request. */
  readonly body: Buffer;
  readonly headers: Record<string, string>;
  /** Connections. */
  readonly clients: number;
  /** Streams in flight per connection. */
  readonly streams: number;
  readonly durationS: number;
  readonly warmupS: number;
  /** Rate limit per connection (h2load `--rps`); unlimited when absent. */
  readonly rpsPerClient?: number;
}

export interface H2loadResult {
  /** Completed requests per second over the measured window (h2load's figure). */
  readonly callsPerSecond: number;
  readonly succeeded: number;
  /** Requests answered 200 over the whole run, warm-up included (h2load's other counts are of the measured window). */
  readonly answeredInRun: number;
  readonly failed: number;
  readonly errored: number;
  readonly non2xx: number;
  readonly latency: Latency;
  readonly command: string;
}

export async function runH2load(bin: string, run: H2loadRun): Promise<H2loadResult> {
  const stamp = `${process.pid}-${Date.now()}`;
  const dataFile = join(tmpdir(), `bench-h2load-${stamp}.bin`);
  const logFile = join(tmpdir(), `bench-h2load-${stamp}.log`);
  writeFileSync(dataFile, run.body);
  const args = [
    '-t',
    '1',
    '-c',
    String(run.clients),
    '-m',
    String(run.streams),
    '-D',
    `${run.durationS}s`,
    '--warm-up-time',
    `${run.warmupS}s`,
    '-d',
    dataFile,
    '--log-file',
    logFile,
    ...Object.entries(run.headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
    ...(run.rpsPerClient === undefined ? [] : ['--rps', String(run.rpsPerClient)]),
    run.url,
  ];
  try {
    const startedUs = Date.now() * 1000;
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawnTracked(bin, args);
      let out = '';
      let err = '';
      child.stdout?.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr?.on('data', (c: Buffer) => {
        err += c.toString();
      });
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(out) : reject(new Error(`h2load exited with ${code}: ${err || out}`)),
      );
    });
    const rate = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(stdout);
    const reqs = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(
      stdout,
    );
    const codes = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(stdout);
    if (rate === null || reqs === null || codes === null) throw new Error(`cannot parse h2load output:\n${stdout}`);
    // Measurement starts once every connection is up and the warm-up has elapsed: keep requests that
    // started after the warm-up, timed from launch (connection set-up on loopback takes < 10 ms).
    const measuredFromUs = startedUs + run.warmupS * 1e6;
    const lines = readFileSync(logFile, 'latin1').split('\n');
    const samples = new Float64Array(lines.length);
    let n = 0;
    let answeredInRun = 0;
    for (const line of lines) {
      const [start, status, micros] = line.split('\t');
      if (micros === undefined || status !== '200') continue;
      answeredInRun++;
      if (Number(start) < measuredFromUs) continue;
      samples[n++] = Number(micros);
    }
    return {
      callsPerSecond: Number(rate[1]),
      succeeded: Number(reqs[4]),
      answeredInRun,
      failed: Number(reqs[5]),
      errored: Number(reqs[6]),
      non2xx: Number(codes[2]) + Number(codes[3]) + Number(codes[4]),
      latency: latencyOf(samples.subarray(0, n)),
      command: `h2load ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
    };
  } finally {
    rmSync(dataFile, { force: true });
    rmSync(logFile, { force: true });
  }
}
