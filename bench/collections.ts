/**
 * @module bench/collections
 * Collections beside Redis: wire throughput of DictionarySet/Get, ListPushBack/Fetch and
 * SortedSetPut/FetchByRank (h2load replaying hand-framed Momento messages, 50 calls in flight) against
 * redis-benchmark's HSET/HGET, RPUSH/LRANGE, ZADD/ZRANGE (50 clients, unpipelined), in the same run; then
 * bytes per element of 100 000-element sorted sets, hashes, lists and sets in MemoryEngine (its own
 * accounting, V8 heap and RSS growth) beside Redis (`MEMORY USAGE`).
 *
 * The `collections` phase of `npm run bench` runs this script as a child with `--json PATH` and puts what
 * it writes there into the bench's results; run alone it prints its own table:
 * `node --import tsx bench/collections.ts [--quick] [--duration S] [--warmup S] [--members N] [--memory-only]
 * [--json PATH]`. It starts its own server in this process (idle while h2load and redis-benchmark run).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { MemoryEngine } from '@cachette/engine';
import { cache } from '@gomomento/generated-types';
import { CacheClient, Configurations, CredentialProvider } from '@gomomento/sdk';
import { installCleanup } from './lib/children.ts';
import { ensureH2load } from './lib/h2load.ts';
import { startLocalServer } from './lib/local-server.ts';
import { RawGrpcClient } from './lib/raw-grpc.ts';
import { startRedis } from './lib/redis.ts';
import { formatCollections } from './lib/report.ts';
import type { CollectionMemoryRow, CollectionRow, CollectionsResult } from './lib/results.ts';
import { assertNoFailedCalls, runSideBySide } from './lib/side-by-side.ts';
import { grpcFrame, TTL_MS, VALUE } from './lib/wire.ts';

import pb = cache.cache_client;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
installCleanup();

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    members: { type: 'string' },
    'memory-only': { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});
const positive = (v: string | undefined, fallback: number) => {
  const n = v === undefined ? fallback : Number(v.replaceAll('_', ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got '${v}'`);
  return n;
};
const MEMORY_ONLY = flags['memory-only'];
const SECONDS = positive(flags.duration, flags.quick ? 2 : 5);
const WARMUP = positive(flags.warmup, 1);
const IN_FLIGHT = 50;
/** Members of the read-target sorted set and of each bytes-per-element structure. */
const MEMBERS = Math.round(positive(flags.members, 100_000));
/** redis-benchmark requests per run: about as many seconds as h2load's run at Redis's usual rate. */
const REDIS_REQUESTS = Math.max(5_000, Math.round(SECONDS * (flags.quick ? 10_000 : 30_000)));
const log = (line: string) => process.stderr.write(`${line}\n`);
const b = (s: string) => Buffer.from(s, 'latin1');
const member = (i: number) => b(`member:${i.toString().padStart(9, '0')}`); // 16 bytes
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const h2load = ensureH2load(log);
  const redis = await startRedis();
  // As the main bench's server: anonymous local access, so no plan limiter stands between h2load and the engine.
  const { server, stop } = await startLocalServer({}, 'cachette-bench-coll-');
  const client = await CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.fromString({
      apiKey: server.devApiKey,
      endpointOverrides: {
        cacheEndpoint: server.grpcAddress,
        controlEndpoint: server.grpcAddress,
        tokenEndpoint: server.grpcAddress,
        secureConnection: false,
      },
    }),
    defaultTtlSeconds: TTL_MS / 1000,
  });
  try {
    await client.createCache('bench');
    // Read targets: a 1 000-element list and a 100 000-member sorted set, on both systems.
    const listValues = Array.from({ length: 1_000 }, () => VALUE);
    await client.listConcatenateBack('bench', 'list-read', listValues);
    await redis.client.rpush('list-read', ...listValues);
    for (let from = 0; from < MEMBERS; from += 5_000) {
      const chunk: [string, number][] = [];
      for (let i = from; i < Math.min(MEMBERS, from + 5_000); i++) chunk.push([member(i).toString('latin1'), i]);
      await client.sortedSetPutElements('bench', 'zset-read', chunk);
      await redis.client.zadd('zset-read', ...chunk.flatMap(([m, s]) => [s, m]));
    }
    await client.dictionarySetField('bench', 'dict', 'field:0000000001', VALUE);
    await redis.client.hset('dict', 'field:0000000001', VALUE);

    const ttl = { ttl_milliseconds: TTL_MS, refresh_ttl: true };
    const cases: [string, string, Buffer, string[]][] = [
      // Control row: a scalar Set beside SET, to read the collection rows against.
      [
        'Set (scalar, control)',
        '/cache_client.Scs/Set',
        grpcFrame(
          new pb._SetRequest({
            cache_key: b('key:000000000001'),
            cache_body: VALUE,
            ttl_milliseconds: TTL_MS,
          }).serialize(),
        ),
        ['SET', 'key:000000000001', VALUE.toString('latin1'), 'PX', String(TTL_MS)],
      ],
      [
        'DictionarySet',
        '/cache_client.Scs/DictionarySet',
        grpcFrame(
          new pb._DictionarySetRequest({
            dictionary_name: b('dict'),
            items: [new pb._DictionaryFieldValuePair({ field: b('field:0000000001'), value: VALUE })],
            ...ttl,
          }).serialize(),
        ),
        ['HSET', 'dict', 'field:0000000001', VALUE.toString('latin1')],
      ],
      [
        'DictionaryGet',
        '/cache_client.Scs/DictionaryGet',
        grpcFrame(
          new pb._DictionaryGetRequest({ dictionary_name: b('dict'), fields: [b('field:0000000001')] }).serialize(),
        ),
        ['HGET', 'dict', 'field:0000000001'],
      ],
      [
        'ListPushBack',
        '/cache_client.Scs/ListPushBack',
        grpcFrame(
          new pb._ListPushBackRequest({
            list_name: b('list-write'),
            value: VALUE,
            truncate_front_to_size: 1_000,
            ...ttl,
          }).serialize(),
        ),
        ['RPUSH', 'list-write', VALUE.toString('latin1')],
      ],
      [
        'ListFetch [0, 10)',
        '/cache_client.Scs/ListFetch',
        grpcFrame(
          new pb._ListFetchRequest({ list_name: b('list-read'), inclusive_start: 0, exclusive_end: 10 }).serialize(),
        ),
        ['LRANGE', 'list-read', '0', '9'],
      ],
      [
        'SortedSetPut',
        '/cache_client.Scs/SortedSetPut',
        grpcFrame(
          new pb._SortedSetPutRequest({
            set_name: b('zset-write'),
            elements: [new pb._SortedSetElement({ value: member(1), score: 1 })],
            ...ttl,
          }).serialize(),
        ),
        ['ZADD', 'zset-write', '1', member(1).toString('latin1')],
      ],
      [
        `SortedSetFetch by rank [${fmt(MEMBERS / 2)}, ${fmt(MEMBERS / 2 + 10)})`,
        '/cache_client.Scs/SortedSetFetch',
        grpcFrame(
          new pb._SortedSetFetchRequest({
            set_name: b('zset-read'),
            with_scores: true,
            by_index: new pb._SortedSetFetchRequest._ByIndex({
              inclusive_start_index: Math.floor(MEMBERS / 2),
              exclusive_end_index: Math.floor(MEMBERS / 2) + 10,
            }),
          }).serialize(),
        ),
        ['ZRANGE', 'zset-read', String(Math.floor(MEMBERS / 2)), String(Math.floor(MEMBERS / 2) + 9), 'WITHSCORES'],
      ],
    ];

    const rows: CollectionRow[] = [];
    const headers = { cache: 'bench' };
    const raw = new RawGrpcClient(server.grpcAddress, headers);
    for (const [name, path, body, command] of MEMORY_ONLY ? [] : cases) {
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
          warmupS: WARMUP,
          redisRequests: REDIS_REQUESTS,
        },
        () => raw.ok(path, body),
      );
      log(`${name}: cachette ${fmt(r.callsPerSecond)}/s, redis ${command[0]} ${fmt(redisPerSecond)}/s`);
      rows.push({
        cachette: name,
        redis: command[0] ?? '',
        cachettePerSecond: r.callsPerSecond,
        cachetteLatency: r.latency,
        redisPerSecond,
        ratioToRedis: r.callsPerSecond / redisPerSecond,
      });
    }
    raw.close();
    // Every call of every run must have succeeded: the service counts outcomes per operation.
    await assertNoFailedCalls(server.httpUrl);
    const memory = await bytesPerElement(redis);

    const result: CollectionsResult = {
      method:
        `Cachette: its gRPC API in one server process (memory engine), h2load replaying one hand-framed Momento ` +
        `message per row, 5 connections × ${IN_FLIGHT / 5} streams, ${WARMUP} s warm-up then ${SECONDS} s measured. ` +
        `Redis: redis-benchmark, ${IN_FLIGHT} clients, unpipelined, ${fmt(REDIS_REQUESTS)} requests of the ` +
        `equivalent command, right after the Cachette run. Read targets: a 1 000-element list and a ` +
        `${fmt(MEMBERS)}-member sorted set on both. Bytes per element: ${fmt(MEMBERS)} elements (16 B members/` +
        'fields, 100 B hash values and list elements) in a MemoryEngine (its accounting, V8 heap and RSS growth ' +
        'after 3 GCs) beside Redis MEMORY USAGE … SAMPLES 0.',
      members: MEMBERS,
      rows,
      memory,
    };
    if (flags.json !== undefined) writeFileSync(flags.json, `${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatCollections(result)}\n`);
  } finally {
    client.close();
    await stop(1_000);
    await redis.stop();
  }
}

async function bytesPerElement(redis: Awaited<ReturnType<typeof startRedis>>): Promise<CollectionMemoryRow[]> {
  const settle = () => {
    for (let i = 0; i < 3; i++) gc();
    return process.memoryUsage();
  };
  const rows: CollectionMemoryRow[] = [];
  const ttl = { ttlMs: TTL_MS, refreshTtl: true };
  const shapes = [
    {
      what: 'sorted set',
      fill: (e: MemoryEngine, from: number, to: number) =>
        e.sortedSetPut(
          'ns',
          b('z'),
          Array.from({ length: to - from }, (_, j) => ({ value: member(from + j), score: from + j })),
          ttl,
        ),
      redisFill: async (from: number, to: number) => {
        await redis.client.zadd(
          'mem-z',
          ...Array.from({ length: to - from }, (_, j) => [from + j, member(from + j)]).flat(),
        );
      },
      key: 'mem-z',
    },
    {
      what: 'hash (dictionary)',
      fill: (e: MemoryEngine, from: number, to: number) =>
        e.dictionarySet(
          'ns',
          b('d'),
          Array.from({ length: to - from }, (_, j) => [member(from + j), VALUE] as const),
          ttl,
        ),
      redisFill: async (from: number, to: number) => {
        await redis.client.hset(
          'mem-d',
          ...Array.from({ length: to - from }, (_, j) => [member(from + j), VALUE]).flat(),
        );
      },
      key: 'mem-d',
    },
  ];
  shapes.push(
    {
      what: 'list (100 B elements)',
      fill: (e: MemoryEngine, from: number, to: number) =>
        e
          .listConcatenate(
            'ns',
            b('l'),
            'back',
            Array.from({ length: to - from }, () => Buffer.from(VALUE)),
            ttl,
          )
          .then(() => {}),
      redisFill: async (from: number, to: number) => {
        await redis.client.rpush('mem-l', ...Array.from({ length: to - from }, () => VALUE));
      },
      key: 'mem-l',
    },
    {
      what: 'set',
      fill: (e: MemoryEngine, from: number, to: number) =>
        e.setAdd(
          'ns',
          b('s'),
          Array.from({ length: to - from }, (_, j) => member(from + j)),
          ttl,
        ),
      redisFill: async (from: number, to: number) => {
        await redis.client.sadd('mem-s', ...Array.from({ length: to - from }, (_, j) => member(from + j)));
      },
      key: 'mem-s',
    },
  );
  for (const shape of shapes) {
    const engine = new MemoryEngine({ sweepIntervalMs: 0 });
    await engine.createNamespace('ns');
    const before = settle();
    for (let from = 0; from < MEMBERS; from += 1_000) await shape.fill(engine, from, Math.min(MEMBERS, from + 1_000));
    const after = settle();
    for (let from = 0; from < MEMBERS; from += 1_000) await shape.redisFill(from, Math.min(MEMBERS, from + 1_000));
    const usage = Number(await redis.client.call('MEMORY', 'USAGE', shape.key, 'SAMPLES', '0'));
    rows.push({
      what: shape.what,
      accounted: engine.stats().bytesUsed / MEMBERS,
      heap: (after.heapUsed - before.heapUsed) / MEMBERS,
      rss: (after.rss - before.rss) / MEMBERS,
      redis: usage / MEMBERS,
      accountedRatioToRedis: engine.stats().bytesUsed / usage,
    });
    await engine.close();
  }
  return rows;
}

await main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench/collections failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
