/**
 * @module bench/leaderboards
 * Leaderboards beside Redis sorted sets, on a 1 000 000-element leaderboard (phase `leaderboards` of
 * `npm run bench`, or alone):
 *
 * - Bulk upsert: the leaderboard filled with UpsertElements calls of 8 192 elements (Momento's page size),
 *   one call in flight, beside ZADD of 8 192 members per call through ioredis: elements per second.
 * - Wire throughput, h2load replaying hand-framed Momento messages (50 calls in flight) beside
 *   redis-benchmark (50 clients, unpipelined) on a Redis sorted set with the same elements, after a
 *   control row (scalar Get beside GET) that shows what the gRPC path itself costs in the same run:
 *   - UpsertElements re-scoring one existing element (two elements in the call, same id, scores 1 then 2,
 *     so every call moves it in the order twice, whatever came before) beside `ZADD lb 1 m 2 m`;
 *   - GetByRank top 10, descending, beside `ZREVRANGE lb 0 9 WITHSCORES`;
 *   - GetByRank ranks [500 000, 500 010) (the middle), beside `ZREVRANGE lb 500000 500009 WITHSCORES`;
 *   - GetRank of one id, descending, beside `ZREVRANK`.
 *
 * Then the CPU each of those calls costs inside the server (handler, service, engine; no HTTP/2), which a busy
 * machine's throughput figures blur.
 *
 * The server runs in this process (idle while h2load and redis-benchmark run), anonymous and local, so no
 * plan limiter stands between h2load and the engine, as in the main bench.
 *
 * Run: `node --import tsx bench/leaderboards.ts [--quick] [--elements N] [--duration S] [--warmup S]
 * [--results-dir DIR]`; `--quick` = 2 s runs after 1 s warm-up. Prints a table; writes
 * `bench/results/leaderboards-<time>.json` (or into DIR).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CachetteServer } from '@cachette/server';
import { cache, leaderboard } from '@gomomento/generated-types';
import { Metadata } from '@grpc/grpc-js';
import { dataPlaneHandlers } from '../packages/server/src/transports/grpc/data-plane.ts';
import { leaderboardHandlers } from '../packages/server/src/transports/grpc/leaderboard-plane.ts';
import { installCleanup } from './lib/children.ts';
import { ensureH2load } from './lib/h2load.ts';
import { startLocalServer } from './lib/local-server.ts';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { startRedis } from './lib/redis.ts';
import { assertNoFailedCalls, runSideBySide } from './lib/side-by-side.ts';
import { grpcFrame } from './lib/wire.ts';

import pb = leaderboard.leaderboard;

installCleanup();
const here = dirname(fileURLToPath(import.meta.url));
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    elements: { type: 'string' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    'results-dir': { type: 'string' },
  },
});
const ELEMENTS = Number(flags.elements ?? 1_000_000);
const SECONDS = Number(flags.duration ?? (flags.quick ? 2 : 5));
const WARMUP_S = Number(flags.warmup ?? (flags.quick ? 1 : 2));
const IN_FLIGHT = 50;
const PAGE = 8192;
const CACHE = 'bench';
const BOARD = 'lb';
const log = (line: string) => process.stderr.write(`${line}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** A deterministic pseudo-random score per id (same on both systems). */
const scoreOf = (id: number) => ((id * 2_654_435_761) % 1_000_003) / 7;

interface Row {
  readonly cachette: string;
  readonly redis: string;
  readonly cachettePerSecond: number;
  readonly redisPerSecond: number;
  readonly unit: string;
}

async function main(): Promise<void> {
  const h2load = ensureH2load(log);
  const redis = await startRedis();
  const { server, stop } = await startLocalServer({}, 'cachette-bench-lb-');
  const headers = { cache: CACHE };
  const raw = new RawGrpcClient(server.grpcAddress, headers);
  const rows: Row[] = [];
  let cpuRows: { call: string; cpuMicros: number }[] = [];
  try {
    await fetch(`${server.httpUrl}/v1/caches/${CACHE}`, {
      method: 'PUT',
      headers: { authorization: server.devApiKey },
    }).then((r) => {
      if (r.status !== 201) throw new Error(`create cache: HTTP ${r.status}`);
    });

    // ── bulk upsert ──
    log(`bulk upsert: ${fmt(ELEMENTS)} elements, ${PAGE} per call…`);
    let t0 = performance.now();
    for (let from = 0; from < ELEMENTS; from += PAGE) {
      const elements: pb._Element[] = [];
      for (let id = from; id < Math.min(ELEMENTS, from + PAGE); id++)
        elements.push(new pb._Element({ id, score: scoreOf(id) }));
      await raw.ok(
        '/leaderboard.Leaderboard/UpsertElements',
        grpcFrame(new pb._UpsertElementsRequest({ leaderboard: BOARD, elements }).serialize()),
      );
    }
    const cachetteBulk = ELEMENTS / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    for (let from = 0; from < ELEMENTS; from += PAGE) {
      const args: (string | number)[] = [];
      for (let id = from; id < Math.min(ELEMENTS, from + PAGE); id++) args.push(scoreOf(id), String(id));
      await redis.client.zadd(BOARD, ...args);
    }
    const redisBulk = ELEMENTS / ((performance.now() - t0) / 1000);
    rows.push({
      cachette: `UpsertElements ×${PAGE} (bulk load)`,
      redis: `ZADD ×${PAGE}`,
      cachettePerSecond: cachetteBulk,
      redisPerSecond: redisBulk,
      unit: 'elements/s',
    });
    log(`bulk: cachette ${fmt(cachetteBulk)} elements/s, redis ${fmt(redisBulk)} elements/s`);
    const length = pb._GetLeaderboardLengthResponse.deserialize(
      (
        await raw.ok(
          '/leaderboard.Leaderboard/GetLeaderboardLength',
          grpcFrame(new pb._GetLeaderboardLengthRequest({ leaderboard: BOARD }).serialize()),
        )
      )[0]!,
    ).count;
    if (length !== ELEMENTS || (await redis.client.zcard(BOARD)) !== ELEMENTS) {
      throw new Error(`the leaderboard holds ${length} elements, expected ${ELEMENTS}`);
    }

    // ── wire throughput ──
    const mid = Math.floor(ELEMENTS / 2);
    const moved = 4242 % ELEMENTS;
    const cases: [string, string, Buffer, string[]][] = [
      // Control row: a scalar Get (a miss) beside GET, to read the leaderboard rows against on a busy machine.
      [
        'Get (scalar miss, control)',
        '/cache_client.Scs/Get',
        grpcFrame(new cache.cache_client._GetRequest({ cache_key: Buffer.from('no-such-key') }).serialize()),
        ['GET', 'no-such-key'],
      ],
      [
        'UpsertElements (re-score 1 element)',
        '/leaderboard.Leaderboard/UpsertElements',
        grpcFrame(
          new pb._UpsertElementsRequest({
            leaderboard: BOARD,
            elements: [new pb._Element({ id: moved, score: 1 }), new pb._Element({ id: moved, score: 2 })],
          }).serialize(),
        ),
        ['ZADD', BOARD, '1', String(moved), '2', String(moved)],
      ],
      [
        'GetByRank top 10 (descending)',
        '/leaderboard.Leaderboard/GetByRank',
        grpcFrame(
          new pb._GetByRankRequest({
            leaderboard: BOARD,
            rank_range: new pb._RankRange({ start_inclusive: 0, end_exclusive: 10 }),
            order: pb._Order.DESCENDING,
          }).serialize(),
        ),
        ['ZREVRANGE', BOARD, '0', '9', 'WITHSCORES'],
      ],
      [
        `GetByRank [${fmt(mid)}, ${fmt(mid + 10)}) (descending)`,
        '/leaderboard.Leaderboard/GetByRank',
        grpcFrame(
          new pb._GetByRankRequest({
            leaderboard: BOARD,
            rank_range: new pb._RankRange({ start_inclusive: mid, end_exclusive: mid + 10 }),
            order: pb._Order.DESCENDING,
          }).serialize(),
        ),
        ['ZREVRANGE', BOARD, String(mid), String(mid + 9), 'WITHSCORES'],
      ],
      [
        'GetRank 1 id (descending)',
        '/leaderboard.Leaderboard/GetRank',
        grpcFrame(new pb._GetRankRequest({ leaderboard: BOARD, ids: [mid], order: pb._Order.DESCENDING }).serialize()),
        ['ZREVRANK', BOARD, String(mid)],
      ],
    ];
    for (const [name, path, body, command] of cases) {
      const { cachette: r, redisPerSecond } = await runSideBySide(
        {
          h2load,
          grpcAddress: server.grpcAddress,
          headers,
          path,
          body,
          redisPort: redis.port,
          command,
          inFlight: IN_FLIGHT,
          seconds: SECONDS,
          warmupS: WARMUP_S,
          redisRequests: Math.max(20_000, SECONDS * 30_000),
        },
        async () => {
          const reply = await raw.ok(path, body);
          if (
            path.endsWith('GetByRank') &&
            pb._GetByRankResponse.deserialize(reply[0]!).elements.length !== Math.min(10, ELEMENTS)
          ) {
            throw new Error(`${name}: wrong answer`);
          }
        },
      );
      log(`${name}: cachette ${fmt(r.callsPerSecond)}/s, redis ${command[0]} ${fmt(redisPerSecond)}/s`);
      rows.push({
        cachette: name,
        redis: command.join(' '),
        cachettePerSecond: r.callsPerSecond,
        redisPerSecond,
        unit: 'calls/s',
      });
    }
    cpuRows = await cpuPerCall(server, cases);
    // Every call of every run must have succeeded: the service counts outcomes per operation.
    await assertNoFailedCalls(server.httpUrl);
  } finally {
    raw.close();
    await stop(1_000);
    await redis.stop();
  }

  console.log(
    `\nLeaderboards, ${fmt(ELEMENTS)} elements, ${IN_FLIGHT} calls in flight, ${SECONDS} s per run (same run, same machine)`,
  );
  console.log('| Cachette gRPC call | rate | Redis | rate | Cachette / Redis |');
  console.log('|---|---:|---|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.cachette} | ${fmt(r.cachettePerSecond)} ${r.unit} | ${r.redis} | ${fmt(r.redisPerSecond)} ${r.unit} | ${(r.cachettePerSecond / r.redisPerSecond).toFixed(2)}× |`,
    );
  }
  console.log(
    '\nCPU per call inside the server (gRPC handler + service + engine, no HTTP/2 or grpc-js; process.cpuUsage over 20 000 calls):',
  );
  console.log('| call | µs of CPU |');
  console.log('|---|---:|');
  for (const r of cpuRows) console.log(`| ${r.call} | ${r.cpuMicros.toFixed(1)} |`);
  const stamp = new Date()
    .toISOString()
    .replaceAll(':', '-')
    .replace(/\.\d+Z$/, 'Z');
  const dir = flags['results-dir'] ?? join(here, 'results');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `leaderboards-${stamp}${flags.quick ? '-quick' : ''}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ schema: 'cachette-bench-leaderboards/1', elements: ELEMENTS, seconds: SECONDS, inFlight: IN_FLIGHT, rows, cpuRows }, null, 2)}\n`,
  );
  console.log(`\nresults: ${path}`);
}

/**
 * CPU per call of each case's handler, called in this process with the decoded request (what grpc-js hands
 * it): what the leaderboard path costs on its own, which a busy machine's h2load figures blur. CPU time, not
 * wall time, so other processes on the machine barely move it.
 */
async function cpuPerCall(
  server: CachetteServer,
  cases: readonly [string, string, Buffer, string[]][],
): Promise<{ call: string; cpuMicros: number }[]> {
  const deps = { service: server.service, auth: server.auth, onUnexpected: () => {} };
  const handlers = { ...dataPlaneHandlers(deps), ...leaderboardHandlers(server.service, deps) } as unknown as Record<
    string,
    (call: unknown, callback: (e: unknown, r: unknown) => void) => void
  >;
  const metadata = new Metadata();
  metadata.set('cache', CACHE);
  const out: { call: string; cpuMicros: number }[] = [];
  for (const [name, path, frame] of cases) {
    const method = path.slice(path.lastIndexOf('/') + 1);
    const definition = path.startsWith('/leaderboard.')
      ? leaderboard.leaderboard.UnimplementedLeaderboardService.definition
      : cache.cache_client.UnimplementedScsService.definition;
    const request = (definition as unknown as Record<string, { requestDeserialize(b: Buffer): unknown }>)[
      method
    ]!.requestDeserialize(frame.subarray(5));
    const handler = handlers[method]!;
    const call = { metadata, request, getPeer: () => '127.0.0.1:1' };
    const once = () =>
      new Promise<void>((resolve, reject) => handler(call, (e) => (e ? reject(e as Error) : resolve())));
    for (let i = 0; i < 2_000; i++) await once();
    const before = process.cpuUsage();
    for (let i = 0; i < 20_000; i++) await once();
    const used = process.cpuUsage(before);
    out.push({ call: name, cpuMicros: (used.user + used.system) / 20_000 });
  }
  return out;
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench/leaderboards failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
