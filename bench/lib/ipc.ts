/**
 * @module bench/lib/ipc
 * Messages between the bench orchestrator and its child processes (servers, load generator), over Node's
 * IPC channel. Every request carries an `id`; the child answers with the same `id`.
 */

/** Sent once by a server child when it listens. */
export interface ReadyMessage {
  readonly type: 'ready';
  readonly port: number;
  /** Cachette only: the local account's API key. */
  readonly apiKey?: string;
  /** Cachette only: the HTTP API's base URL (`server.httpUrl`), for `@cachette/sdk`. */
  readonly httpUrl?: string;
  /** Cachette started with `redis: true`: the Redis protocol port. */
  readonly redisPort?: number;
}

/** Garbage-collection activity observed in a server child since the last `gc-reset`. */
export interface GcSummary {
  readonly count: number;
  readonly totalMs: number;
  readonly maxMs: number;
  /** The longest pause's kind: `minor` (scavenge), `major` (mark-compact), `incremental`, `weakcb`. */
  readonly maxKind: string;
  /** Pauses of the major (mark-compact) kind. */
  readonly majorCount: number;
}

/** A server child's memory, optionally after forced full GCs. */
export interface ServerStats {
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly externalBytes: number;
  readonly arrayBuffersBytes: number;
  /** Cachette only: `engine.stats()`. */
  readonly engine?: { readonly items: number; readonly bytesUsed: number; readonly evictions?: number };
  readonly gc: GcSummary;
}

export type Request =
  | { readonly id: number; readonly type: 'stats'; readonly forceGc: boolean }
  | { readonly id: number; readonly type: 'gc-reset' }
  | { readonly id: number; readonly type: 'stop' };

export interface Reply {
  readonly id: number;
  readonly type: 'reply';
  readonly stats?: ServerStats;
  readonly error?: string;
}
