/**
 * @module bench/loadgen/app-load
 * Child process: "what an application sees". Keeps `concurrency` operations in flight through a real client
 * library (the official `@gomomento/sdk` → Cachette over gRPC, `@cachette/sdk` → Cachette over its HTTP API, or
 * `ioredis` → Redis) for a fixed time, keys drawn
 * uniformly from the keyspace, and reports ops/s and latency percentiles measured around each awaited call
 * (client library cost included). Runs in its own process, never in a server's.
 *
 * argv[2]: JSON {@link AppLoadConfig}. Replies with one {@link AppLoadResult} message, then exits.
 */
import { CacheClient as CachetteSdkClient } from '@cachette/sdk/node';
import { CacheClient, CacheGetResponse, CacheSetResponse, Configurations, CredentialProvider } from '@gomomento/sdk';
import { Redis } from 'ioredis';
import { type Latency, latencyOf, Samples } from '../lib/stats.ts';
import { CACHE_NAME, keyOf, missKeyOf, TTL_MS, VALUE } from '../lib/wire.ts';

export type Op = 'get-hit' | 'get-miss' | 'set';

export interface AppLoadConfig {
  readonly target: 'momento-sdk' | 'cachette-sdk' | 'ioredis';
  readonly op: Op;
  /** `host:port` (gRPC for momento-sdk, Redis for ioredis); for cachette-sdk, the HTTP API's base URL. */
  readonly address: string;
  /** Cachette: the API key (base64 v1). */
  readonly apiKey?: string;
  readonly concurrency: number;
  readonly durationS: number;
  readonly warmupS: number;
  /** Keys `keyOf(0..keyspace-1)` (pre-loaded for get-hit). */
  readonly keyspace: number;
}

export interface AppLoadResult {
  readonly type: 'result';
  readonly opsPerSecond: number;
  readonly ops: number;
  /** Calls that failed or answered unexpectedly (e.g. a miss on get-hit). */
  readonly errors: number;
  readonly firstError?: string;
  readonly latency: Latency;
  /** CPU the load generator used over the whole run, in % of one core: near 100 means client-bound. */
  readonly clientCpuPercent: number;
}

type Call = (key: Buffer) => Promise<string | undefined>; // undefined = as expected, else what went wrong

async function clientFor(config: AppLoadConfig): Promise<{ call: Call; close: () => void }> {
  if (config.target === 'cachette-sdk') {
    // The Node entry with its defaults, as an application would use it: calls issued in the same event-loop
    // turn coalesced into get-batch/set-batch requests, global fetch (undici's keep-alive pool), 5 s timeout,
    // 2 retries. Keys are ASCII, so they go as text (`key=`), as an application's string keys would; the
    // value is the same 100 bytes as for the other clients (sent as the raw PUT body).
    const client = new CachetteSdkClient({
      apiKey: config.apiKey ?? '',
      baseUrl: config.address,
      defaultTtlSeconds: TTL_MS / 1000,
    });
    const textKey = (key: Buffer) => key.toString('latin1');
    const check = await client.get(CACHE_NAME, 'bench-preflight');
    if (check.type === 'Error') throw new Error(`@cachette/sdk preflight: ${check.toString()}`);
    const call: Call =
      config.op === 'set'
        ? async (key) => {
            const r = await client.set(CACHE_NAME, textKey(key), VALUE, { ttlSeconds: TTL_MS / 1000 });
            return r.type === 'Success' ? undefined : r.toString();
          }
        : async (key) => {
            const r = await client.get(CACHE_NAME, textKey(key));
            return r.type === (config.op === 'get-miss' ? 'Miss' : 'Hit') ? undefined : r.toString();
          };
    return { call, close: () => undefined };
  }
  if (config.target === 'ioredis') {
    const [host, port] = config.address.split(':');
    // With an API key: Cachette's Redis port (AUTH <cache> <key>); without: a plain Redis.
    const auth = config.apiKey ? { username: CACHE_NAME, password: config.apiKey } : {};
    const redis = new Redis({ host, port: Number(port), ...auth });
    await redis.ping();
    const call: Call =
      config.op === 'set'
        ? async (key) => ((await redis.set(key, VALUE, 'PX', TTL_MS)) === 'OK' ? undefined : 'SET not OK')
        : async (key) => {
            const v = await redis.getBuffer(key);
            return (v === null) === (config.op === 'get-miss')
              ? undefined
              : `unexpected ${v === null ? 'miss' : 'hit'}`;
          };
    return { call, close: () => redis.disconnect() };
  }
  const client = await CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.fromString({
      apiKey: config.apiKey ?? '',
      endpointOverrides: {
        cacheEndpoint: config.address,
        controlEndpoint: config.address,
        tokenEndpoint: config.address,
        secureConnection: false,
      },
    }),
    defaultTtlSeconds: TTL_MS / 1000,
  });
  const call: Call =
    config.op === 'set'
      ? async (key) => {
          const r = await client.set(CACHE_NAME, key, VALUE, { ttl: TTL_MS / 1000 });
          return r.type === CacheSetResponse.Success ? undefined : r.toString();
        }
      : async (key) => {
          const r = await client.get(CACHE_NAME, key);
          const want = config.op === 'get-miss' ? CacheGetResponse.Miss : CacheGetResponse.Hit;
          return r.type === want ? undefined : r.toString();
        };
  return { call, close: () => client.close() };
}

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2] ?? '{}') as AppLoadConfig;
  const keys = Array.from({ length: config.keyspace }, (_, i) => (config.op === 'get-miss' ? missKeyOf(i) : keyOf(i)));
  const { call, close } = await clientFor(config);

  const cpuBefore = process.cpuUsage();
  const startNs = process.hrtime.bigint();
  const measureFromNs = startNs + BigInt(Math.round(config.warmupS * 1e9));
  const endNs = measureFromNs + BigInt(Math.round(config.durationS * 1e9));
  const samples = new Samples();
  let errors = 0;
  let firstError: string | undefined;
  let seed = 0x9e3779b9 ^ process.pid;

  const worker = async () => {
    for (;;) {
      // xorshift32: uniform keys without Math.random's cost
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      const key = keys[(seed >>> 0) % keys.length]!;
      const t0 = process.hrtime.bigint();
      let problem: string | undefined;
      try {
        problem = await call(key);
      } catch (e) {
        problem = String(e);
      }
      const t1 = process.hrtime.bigint();
      if (t1 > endNs) return;
      if (t0 >= measureFromNs) {
        samples.push(Number(t1 - t0) / 1000);
        if (problem !== undefined) {
          errors++;
          firstError ??= problem;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: config.concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  const wallUs = Number(process.hrtime.bigint() - startNs) / 1000;
  close();

  const result: AppLoadResult = {
    type: 'result',
    opsPerSecond: samples.length / config.durationS,
    ops: samples.length,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    latency: latencyOf(samples.view()),
    clientCpuPercent: (100 * (cpu.user + cpu.system)) / wallUs,
  };
  // exit once the result is flushed to the orchestrator
  process.send?.(result, () => process.exit(0));
}

process.on('disconnect', () => process.exit(0));
main().catch((e: unknown) => {
  process.stderr.write(`app-load: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
