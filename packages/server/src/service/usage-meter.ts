/**
 * @module service/usage-meter
 * Byte metering. Every successful data-plane operation adds its bytes (request key + value, response
 * value) to an in-memory counter per account, cache and UTC hour; the counters are written to the
 * metadata store every `flushIntervalMs` and on shutdown, as additive upserts, so any number of servers
 * sharing a database add up. A crash loses at most the last interval.
 */
import type { Clock } from '@cachette/engine';
import type { MetadataStore, UsageDelta } from '@cachette/metadata';
import type { Operation, OperationObserver, Outcome } from './observer.ts';

const HOUR_MS = 3_600_000;

/** Operations that move item bytes and are billed; control-plane calls are free. */
const METERED: ReadonlySet<Operation> = new Set<Operation>([
  'get',
  'set',
  'setIf',
  'delete',
  'increment',
  'itemGetTtl',
  'updateTtl',
  'keysExist',
  'itemGetType',
  'getBatch',
  'setBatch',
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
  private pending = new Map<string, Counter>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
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
    const key = `${accountId}\u0000${cacheName}\u0000${hourStartMs}`;
    const c = this.pending.get(key);
    if (c === undefined) {
      this.pending.set(key, { accountId, cacheName, hourStartMs, bytesIn, bytesOut, requests: 1 });
    } else {
      c.bytesIn += bytesIn;
      c.bytesOut += bytesOut;
      c.requests += 1;
    }
  }

  /**
   * Writes pending counters. Concurrent calls share one write. On failure the counters are merged back
   * (nothing is lost while the process lives) and the error is rethrown.
   */
  flush(): Promise<void> {
    this.flushing ??= this.writePending().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writePending(): Promise<void> {
    if (this.pending.size === 0) {
      this.markFlushed();
      return;
    }
    const batch = this.pending;
    this.pending = new Map();
    const deltas: UsageDelta[] = [...batch.values()];
    try {
      await this.options.metadata.addUsage(deltas);
      this.markFlushed();
    } catch (e) {
      for (const [key, c] of batch) {
        const now = this.pending.get(key);
        if (now === undefined) this.pending.set(key, c);
        else {
          now.bytesIn += c.bytesIn;
          now.bytesOut += c.bytesOut;
          now.requests += c.requests;
        }
      }
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
