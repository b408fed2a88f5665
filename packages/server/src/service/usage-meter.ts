/**
 * @module service/usage-meter
 * Byte metering. Every successful data-plane operation adds its bytes (request key + value, response
 * value) to an in-memory counter per account, cache and UTC hour; the counters are written to the
 * metadata store every `flushIntervalMs` and on shutdown, as additive upserts, so any number of servers
 * sharing a database add up. A crash loses at most the last interval.
 */
import type { Clock } from '@cachette/core';
import type { MetadataStore, UsageDelta } from '@cachette/metadata';
import {
  COLLECTION_OPERATIONS,
  LEADERBOARD_OPERATIONS,
  type Operation,
  type OperationObserver,
  type Outcome,
} from './observer.ts';

const HOUR_MS = 3_600_000;

/** Operations that move item bytes and are billed; control-plane calls are free. */
const METERED: ReadonlySet<Operation> = new Set<Operation>([
  'get',
  'set',
  'setIf',
  'delete',
  'increment',
  'setReturning',
  'getAndExpire',
  'itemGetTtl',
  'updateTtl',
  'keysExist',
  'itemGetType',
  'getBatch',
  'setBatch',
  ...COLLECTION_OPERATIONS,
  ...LEADERBOARD_OPERATIONS,
  // Topics: bytes published in and bytes delivered out (each subscriber's copy counts).
  'topicPublish',
  'topicDeliver',
]);

type Counter = {
  accountId: string;
  cacheName: string;
  hourStartMs: number;
  bytesIn: number;
  bytesOut: number;
  requests: number;
};

export interface UsageMeterOptions {
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  /** Default 5 000 ms. */
  readonly flushIntervalMs?: number;
  /** Told about failed flushes (counters are kept and retried on the next flush). */
  readonly onFlushError?: (error: unknown) => void;
  /** Told after each successful flush. */
  readonly onFlushed?: (atMs: number) => void;
}

/** Counts bytes per account/cache/hour and flushes them to the metadata store. */
export class UsageMeter implements OperationObserver {
  /**
   * account → cache → the counter of the current hour. Nested maps rather than a composite string key, so
   * counting a call allocates nothing; a counter from an earlier hour moves to {@link closed}.
   */
  private pending = new Map<string, Map<string, Counter>>();
  private closed: Counter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  /** The write that follows {@link flushing}, for callers that arrived while it ran. */
  private queued: Promise<void> | undefined;
  /** When usage last reached the store (start time until the first flush). */
  lastFlushedAtMs: number;
  readonly flushIntervalMs: number;

  constructor(private readonly options: UsageMeterOptions) {
    this.flushIntervalMs = options.flushIntervalMs ?? 5000;
    this.lastFlushedAtMs = options.clock.nowMs();
  }

  /** Starts the periodic flush (unref'd: it never keeps the process alive). */
  start(): void {
    if (this.timer || this.flushIntervalMs <= 0) return;
    this.timer = setInterval(() => {
      this.flush().catch(() => {
        // Reported through onFlushError inside flush(); the counters stay pending.
      });
    }, this.flushIntervalMs);
    this.timer.unref();
  }

  observe(
    op: Operation,
    accountId: string,
    cacheName: string,
    outcome: Outcome,
    _ms: number,
    bytesIn: number,
    bytesOut: number,
  ): void {
    if (outcome !== 'ok' && outcome !== 'hit' && outcome !== 'miss') return; // failed calls are not billed
    if (!METERED.has(op) || accountId === '') return;
    const hourStartMs = Math.floor(this.options.clock.nowMs() / HOUR_MS) * HOUR_MS;
    let byCache = this.pending.get(accountId);
    if (byCache === undefined) {
      byCache = new Map();
      this.pending.set(accountId, byCache);
    }
    const c = byCache.get(cacheName);
    if (c !== undefined && c.hourStartMs === hourStartMs) {
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
      c.requests += 1;
      return;
    }
    if (c !== undefined) this.closed.push(c); // the hour turned: keep the old hour's counter for the flush
    byCache.set(cacheName, { accountId, cacheName, hourStartMs, bytesIn, bytesOut, requests: 1 });
  }

  /**
   * Writes pending counters: when the returned promise resolves, every call counted before `flush()` was
   * called is in the store. A write already in flight took its snapshot earlier, so a caller arriving
   * during it gets one more write queued after it (shared by every caller meanwhile) — otherwise
   * `GET /v1/usage` racing the periodic flush would report without the caller's latest calls. On failure
   * the counters are merged back (nothing is lost while the process lives) and the error is rethrown.
   */
  flush(): Promise<void> {
    if (this.flushing === undefined) {
      this.flushing = this.writePending().finally(() => {
        this.flushing = undefined;
      });
      return this.flushing;
    }
    this.queued ??= this.flushing
      .catch(() => undefined) // that write's counters were merged back; the queued write retries them
      .then(() => {
        this.queued = undefined;
        return this.flush();
      });
    return this.queued;
  }

  private async writePending(): Promise<void> {
    const deltas: UsageDelta[] = this.closed;
    for (const byCache of this.pending.values()) for (const c of byCache.values()) deltas.push(c);
    this.pending = new Map();
    this.closed = [];
    if (deltas.length === 0) {
      this.markFlushed();
      return;
    }
    try {
      // The store merges deltas of the same account, cache and hour, so order and duplicates do not matter.
      await this.options.metadata.addUsage(deltas);
      this.markFlushed();
    } catch (e) {
      // Keep them for the next flush: nothing is lost while the process lives. Merged per account, cache
      // and hour (off the hot path: only when a flush failed) so a long outage cannot grow the list.
      const merged = new Map<string, Counter>();
      for (const d of [...deltas, ...this.closed]) {
        const key = `${d.accountId}\u0000${d.cacheName}\u0000${d.hourStartMs}`;
        const m = merged.get(key);
        if (m === undefined) merged.set(key, { ...d });
        else {
          m.bytesIn += d.bytesIn;
          m.bytesOut += d.bytesOut;
          m.requests += d.requests;
        }
      }
      this.closed = [...merged.values()];
      this.options.onFlushError?.(e);
      throw e;
    }
  }

  private markFlushed(): void {
    this.lastFlushedAtMs = this.options.clock.nowMs();
    this.options.onFlushed?.(this.lastFlushedAtMs);
  }

  /** Stops the timer and writes what is pending. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
