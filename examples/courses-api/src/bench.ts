/**
 * @module bench
 * `npm run bench -w examples/courses-api [-- --duration 10 --connections 10 --rows 5000]`
 *
 * Measures what the cache buys: a real Cachette server and the example app, each in its own process, over
 * a throwaway schema seeded with `--rows` courses in the real PostgreSQL of `DATABASE_URL`; autocannon
 * drives `GET /` (PostgreSQL on every request) and then `GET /cached` (Cachette) on loopback for
 * `--duration` seconds each after a short warm-up, and prints requests/s, p50 and p99 side by side with
 * the ratio. Everything it started is stopped and dropped on exit, Ctrl-C included.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { createPool, DEFAULT_DATABASE_URL, quoteIdent } from './database.ts';
import { seedCourses } from './seed.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    rows: { type: 'string', default: '5000' },
  },
});
const durationSeconds = Number(args.duration);
const warmupSeconds = Number(args.warmup);
const connections = Number(args.connections);
const rows = Number(args.rows);
for (const [name, n] of Object.entries({ durationSeconds, warmupSeconds, connections, rows })) {
  if (!Number.isFinite(n) || n < 0) throw new Error(`bench: ${name} must be a non-negative number`);
}

const here = dirname(fileURLToPath(import.meta.url));
const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const schema = `courses_bench_${process.pid}`;
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<void> | void> = [];

/** Spawns `script` under tsx and resolves with its first stdout line parsed as JSON. */
function startChild<T>(script: string, argv: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, script), ...argv], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`${script}: expected a JSON ready line, got: ${line}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with code ${code} before it was ready`)));
  });
}

async function cleanUp(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((resolve) => c.once('exit', resolve)) : undefined)),
  );
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

process.once('SIGINT', () => {
  void cleanUp().finally(() => process.exit(130));
});

interface Measured {
  readonly label: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly mbps: number;
  readonly requests: number;
  readonly failures: number;
}

async function drive(label: string, url: string, seconds: number): Promise<Measured> {
  const r = await autocannon({ url, connections, duration: seconds });
  return {
    label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    mbps: r.throughput.average / 1e6,
    requests: r.requests.total,
    failures: r.errors + r.non2xx,
  };
}

try {
  // 1. PostgreSQL: a schema of our own with the seeded table.
  const admin = createPool(databaseUrl);
  cleanups.push(() => admin.end());
  await admin.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
  cleanups.push(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  });
  const pool = createPool(databaseUrl, schema);
  await seedCourses(pool, rows);
  await pool.end();

  // 2. Cachette, then the app pointed at it.
  const dataDir = mkdtempSync(join(tmpdir(), 'courses-bench-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const cachette = await startChild<{ httpUrl: string; devApiKey: string }>('bench-cachette.ts', [dataDir], {});
  const app = await startChild<{ ready: string; ttlSeconds: number }>('main.ts', [], {
    DATABASE_URL: databaseUrl,
    DB_SCHEMA: schema,
    CACHETTE_API_KEY: cachette.devApiKey,
    CACHETTE_CACHE: 'courses-bench',
    PORT: '0',
    LOG_LEVEL: 'silent',
  });

  // 3. Both routes must answer the same JSON before their speed means anything.
  const [direct, cached] = await Promise.all([fetch(`${app.ready}/`), fetch(`${app.ready}/cached`)]);
  const directBody = await direct.text();
  const cachedBody = await cached.text();
  if (JSON.stringify(JSON.parse(directBody)) !== JSON.stringify(JSON.parse(cachedBody))) {
    throw new Error('GET / and GET /cached answered different JSON');
  }
  const kb = Math.round(cachedBody.length / 1024);

  console.log(
    `courses-api bench: ${rows} rows (${kb} KiB of JSON per response), ${connections} connections, ` +
      `${warmupSeconds} s warm-up + ${durationSeconds} s per route, TTL ${app.ttlSeconds} s`,
  );
  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  );
  if (warmupSeconds > 0) {
    await drive('warm-up /', `${app.ready}/`, warmupSeconds);
    await drive('warm-up /cached', `${app.ready}/cached`, warmupSeconds);
  }
  const results = [
    await drive('GET /        (PostgreSQL)', `${app.ready}/`, durationSeconds),
    await drive('GET /cached  (Cachette)', `${app.ready}/cached`, durationSeconds),
  ];

  // 4. Side by side.
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number, digits = 0) => n.toFixed(digits).padStart(10);
  console.log(
    `\n${pad('route', 28)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'MB/s'.padStart(10)}${'requests'.padStart(10)}${'failed'.padStart(10)}`,
  );
  for (const r of results) {
    console.log(
      `${pad(r.label, 28)}${num(r.rps)}${num(r.p50, 1)}${num(r.p99, 1)}${num(r.mbps, 1)}${num(r.requests)}${num(r.failures)}`,
    );
  }
  const [db, cache] = results as [Measured, Measured];
  const ratio = cache.rps / db.rps;
  console.log(
    `\n/cached serves ${ratio.toFixed(1)}× the requests/s of /; p50 ${db.p50.toFixed(1)} → ${cache.p50.toFixed(1)} ms, ` +
      `p99 ${db.p99.toFixed(1)} → ${cache.p99.toFixed(1)} ms`,
  );
  if (db.failures + cache.failures > 0) process.exitCode = 1;
} catch (error) {
  console.error(`bench: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
