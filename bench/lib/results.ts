/**
 * @module bench/lib/results
 * The shape of `bench/results/<timestamp>.json`. Every section says how its figures were measured.
 */
import type { Op } from '../loadgen/app-load.ts';
import type { GcSummary } from './ipc.ts';
import type { Machine } from './machine.ts';
import type { Latency } from './stats.ts';

export interface Throughput {
  /** calls/s (server-bound) or ops/s (application view). */
  readonly perSecond: number;
  readonly latency: Latency;
  readonly errors: number;
  /** Application view only: the load generator's CPU, % of one core (≈100 = the client is the bottleneck). */
  readonly clientCpuPercent?: number;
  /**
   * Server-bound view only: the server process's CPU time per answered call, in µs, over the whole run
   * (warm-up included). Far steadier than calls/s when other work shares the machine.
   */
  readonly serverCpuUsPerCall?: number;
  /** Throughput of every round when several were run; the other fields are the best round's. */
  readonly roundsPerSecond?: readonly number[];
}

export interface ServerBoundRow {
  readonly op: Op;
  readonly ceiling: Throughput;
  readonly cachette: Throughput;
  /** 100 × cachette / ceiling. */
  readonly cachettePercentOfCeiling: number;
}

export interface ApplicationRow {
  readonly op: Op;
  /** The official `@gomomento/sdk` → Cachette's gRPC API. */
  readonly momentoSdkToCachette: Throughput;
  /** `@cachette/sdk` → Cachette's HTTP API. */
  readonly cachetteSdkToCachette: Throughput;
  readonly ioredisToRedis: Throughput;
  /** momento-sdk ops/s ÷ ioredis ops/s. */
  readonly throughputRatioToRedis: number;
  /** momento-sdk p99 ÷ ioredis p99. */
  readonly p99RatioToRedis: number;
  /** @cachette/sdk ops/s ÷ ioredis ops/s. */
  readonly cachetteSdkThroughputRatioToRedis: number;
  /** @cachette/sdk p99 ÷ ioredis p99. */
  readonly cachetteSdkP99RatioToRedis: number;
}

export interface MemoryResult {
  readonly method: string;
  readonly items: number;
  readonly cachette: {
    readonly rssBytesPerItem: number;
    readonly heapBytesPerItem: number;
    readonly engineBytesPerItem: number;
    readonly engineItems: number;
    readonly loadSeconds: number;
  };
  readonly redis: {
    readonly usedMemoryBytesPerItem: number;
    readonly usedMemoryBytesPerItemWithoutTtl: number;
    readonly loadSeconds: number;
  };
  /** Cachette RSS per item ÷ Redis used_memory per item (both with TTL). */
  readonly rssRatioToRedis: number;
  readonly engineRatioToRedis: number;
}

export interface LoadedLatencyRow {
  readonly op: Op;
  readonly peakPerSecond: number;
  readonly targetPerSecond: number;
  readonly achieved: Throughput;
  /** GC in the server process during the rate-limited run (warm-up included). */
  readonly serverGc: GcSummary;
}

/** One collection call beside its Redis equivalent (`bench/collections.ts`). */
export interface CollectionRow {
  /** The Momento call, e.g. `DictionarySet`. */
  readonly cachette: string;
  /** The Redis command, e.g. `HSET`. */
  readonly redis: string;
  readonly cachettePerSecond: number;
  readonly cachetteLatency: Latency;
  readonly redisPerSecond: number;
  /** Cachette calls/s ÷ Redis ops/s. */
  readonly ratioToRedis: number;
}

/** Bytes per element of one collection structure, Cachette's memory engine beside Redis. */
export interface CollectionMemoryRow {
  readonly what: string;
  /** MemoryEngine's own accounting (what `maxBytes` is measured in). */
  readonly accounted: number;
  readonly heap: number;
  readonly rss: number;
  /** Redis `MEMORY USAGE key SAMPLES 0` ÷ elements. */
  readonly redis: number;
  readonly accountedRatioToRedis: number;
}

/** The `collections` phase. */
export interface CollectionsResult {
  readonly method: string;
  readonly members: number;
  readonly rows: CollectionRow[];
  readonly memory: CollectionMemoryRow[];
}

export interface BenchResults {
  /** `/2`: `application.rows[].cachetteSdkToCachette` is measured (was the string 'not available yet'). */
  readonly schema: 'cachette-bench/2';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'full' | 'quick';
  readonly options: Record<string, number | string | boolean>;
  readonly machine: Machine & { readonly loadAverageAtEnd: readonly number[] };
  readonly serverBound: { readonly method: string; readonly rows: ServerBoundRow[] } | null;
  readonly application: { readonly method: string; readonly rows: ApplicationRow[] } | null;
  readonly memory: MemoryResult | null;
  readonly latencyUnderLoad: {
    readonly method: string;
    readonly items: number;
    readonly rows: LoadedLatencyRow[];
  } | null;
  /** The `collections` phase (absent in results written before it existed). */
  readonly collections?: CollectionsResult | null;
}
