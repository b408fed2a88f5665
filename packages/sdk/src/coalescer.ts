/**
 * @module coalescer
 * Automatic batching of concurrent `get` and `set` calls: calls on one cache issued before the next turn of
 * the event loop travel together in one `get-batch` or `set-batch` request instead of one HTTP request each.
 *
 * Why: with many calls in flight, the cost of a Cachette call from Node is the HTTP exchange (request
 * building, headers, parsing, the server's routing and authentication), not the item. One exchange for
 * tens of items divides that cost on both sides while the items stay the same.
 *
 * What a caller sees does not change:
 * - one call alone in its turn is sent exactly as without coalescing (`GET`/`PUT /cache/:cache`);
 * - a batch answers each call with its own value (or miss); the server validates and admits a batch as a
 *   whole, so when a batch is refused for a reason that may be one call's (see {@link isAlone}), every call
 *   of it is sent again on its own and gets the answer it would have had alone (a bad key, an item over the
 *   size limit, a key-scoped permission fail only their own call);
 * - a batch is retried like the calls it carries (both routes are idempotent, as `get` and `set` are), with
 *   the same per-attempt deadline; when retries are exhausted each call gets that `UNAVAILABLE`/`TIMEOUT`;
 * - calls in flight together have no order between them, as without coalescing (they would have left on
 *   parallel connections); inside one batch the server applies items in call order, so two sets of one key
 *   in the same batch end with the later value.
 */
import type { BytesLike } from './bytes.ts';
import { CachetteError, ErrorCode } from './errors.ts';

/** One item of a coalesced set: the call's own TTL travels with it. */
export interface CoalescedSet {
  readonly key: BytesLike;
  readonly value: Uint8Array;
  readonly ttlSeconds: number;
}

/** How the coalescer reaches the server: single calls and their batch routes. All reject with CachetteError. */
export interface CoalescerLinks {
  getOne(cache: string, key: BytesLike): Promise<Uint8Array | undefined>;
  setOne(cache: string, item: CoalescedSet): Promise<void>;
  /** One value (or `undefined` for a miss) per key, in order. */
  getMany(cache: string, keys: readonly BytesLike[]): Promise<ReadonlyArray<Uint8Array | undefined>>;
  setMany(cache: string, items: readonly CoalescedSet[]): Promise<void>;
}

/** Settings of a {@link Coalescer}. */
export interface CoalescerOptions {
  /** Most calls per batch request. Several batches of one turn are sent concurrently. */
  readonly maxBatchItems: number;
  /** Most key + value bytes per batch request (the server's body limit is at least 1 MiB above an item). */
  readonly maxBatchBytes: number;
  /** Items larger than this are never batched: they gain nothing and would only make a batch large. */
  readonly maxItemBytes: number;
  /** Runs `flush` at the next turn of the event loop (Node: `setImmediate`). */
  readonly schedule: (flush: () => void) => void;
}

/** Defaults: batches of up to 32 calls (several in flight let client and server work at once). */
export const DEFAULT_COALESCER_OPTIONS: Omit<CoalescerOptions, 'schedule'> = {
  maxBatchItems: 32,
  maxBatchBytes: 256 * 1024,
  maxItemBytes: 16 * 1024,
};

interface PendingGet {
  readonly key: BytesLike;
  readonly resolve: (value: Uint8Array | undefined) => void;
  readonly reject: (error: unknown) => void;
}

interface PendingSet {
  readonly item: CoalescedSet;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

interface CacheQueue {
  gets: PendingGet[];
  sets: PendingSet[];
}

/** Collects `get`/`set` calls per cache for one turn, then sends them as batches. */
export class Coalescer {
  private readonly links: CoalescerLinks;
  private readonly options: CoalescerOptions;
  private queues = new Map<string, CacheQueue>();
  private scheduled = false;
  private readonly flushBound = () => this.flush();

  constructor(links: CoalescerLinks, options: CoalescerOptions) {
    this.links = links;
    this.options = options;
  }

  get(cache: string, key: BytesLike): Promise<Uint8Array | undefined> {
    if (approxBytes(key) > this.options.maxItemBytes) return this.links.getOne(cache, key);
    return new Promise((resolve, reject) => {
      this.queue(cache).gets.push({ key, resolve, reject });
    });
  }

  set(cache: string, item: CoalescedSet): Promise<void> {
    if (approxBytes(item.key) + item.value.byteLength > this.options.maxItemBytes) {
      return this.links.setOne(cache, item);
    }
    return new Promise((resolve, reject) => {
      this.queue(cache).sets.push({ item, resolve, reject });
    });
  }

  private queue(cache: string): CacheQueue {
    let q = this.queues.get(cache);
    if (q === undefined) {
      q = { gets: [], sets: [] };
      this.queues.set(cache, q);
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.options.schedule(this.flushBound);
    }
    return q;
  }

  private flush(): void {
    const queues = this.queues;
    this.queues = new Map();
    this.scheduled = false;
    for (const [cache, q] of queues) {
      if (q.gets.length > 0) this.flushGets(cache, q.gets);
      if (q.sets.length > 0) this.flushSets(cache, q.sets);
    }
  }

  private flushGets(cache: string, gets: PendingGet[]): void {
    for (const chunk of this.chunks(gets, (g) => approxBytes(g.key))) {
      if (chunk.length === 1) {
        const g = chunk[0] as PendingGet;
        this.links.getOne(cache, g.key).then(g.resolve, g.reject);
        continue;
      }
      this.links
        .getMany(
          cache,
          chunk.map((g) => g.key),
        )
        .then(
          (values) => {
            if (values.length !== chunk.length) {
              const error = new CachetteError(
                ErrorCode.INTERNAL,
                `get-batch answered ${values.length} values for ${chunk.length} keys`,
              );
              for (const g of chunk) g.reject(error);
              return;
            }
            for (let i = 0; i < chunk.length; i++) (chunk[i] as PendingGet).resolve(values[i]);
          },
          (error: unknown) => {
            if (!isAlone(error)) for (const g of chunk) g.reject(error);
            else for (const g of chunk) this.links.getOne(cache, g.key).then(g.resolve, g.reject);
          },
        );
    }
  }

  private flushSets(cache: string, sets: PendingSet[]): void {
    for (const chunk of this.chunks(sets, (s) => approxBytes(s.item.key) + s.item.value.byteLength)) {
      if (chunk.length === 1) {
        const s = chunk[0] as PendingSet;
        this.links.setOne(cache, s.item).then(s.resolve, s.reject);
        continue;
      }
      this.links
        .setMany(
          cache,
          chunk.map((s) => s.item),
        )
        .then(
          () => {
            for (const s of chunk) s.resolve();
          },
          (error: unknown) => {
            if (!isAlone(error)) for (const s of chunk) s.reject(error);
            // Each sent again on its own (concurrently, as uncoalesced calls are): each gets its own answer.
            else for (const s of chunk) this.links.setOne(cache, s.item).then(s.resolve, s.reject);
          },
        );
    }
  }

  /**
   * Consecutive runs of calls in call order, as even as possible (50 calls → 25 + 25, not 32 + 18), each of
   * at most `maxBatchItems` calls and `maxBatchBytes` bytes.
   */
  private chunks<T>(calls: T[], size: (call: T) => number): T[][] {
    const { maxBatchBytes } = this.options;
    const maxBatchItems = Math.ceil(calls.length / Math.ceil(calls.length / this.options.maxBatchItems));
    const out: T[][] = [];
    let current: T[] = [];
    let bytes = 0;
    for (const call of calls) {
      const n = size(call);
      if (current.length > 0 && (current.length >= maxBatchItems || bytes + n > maxBatchBytes)) {
        out.push(current);
        current = [];
        bytes = 0;
      }
      current.push(call);
      bytes += n;
    }
    if (current.length > 0) out.push(current);
    return out;
  }
}

/**
 * True when a batch's failure may belong to some of its calls only, or to batching itself, so each call
 * must be asked alone: a bad key or TTL, an item over the size limit, a key-scoped permission, a body over
 * the request limit, a server without the batch routes (`NOT_FOUND`/`UNIMPLEMENTED`)… False for what every
 * call of the batch would have met alone, whose re-asking would only multiply requests: the server
 * unreachable or slow (the batch's own retries already covered it, as the calls' would have), the key
 * refused, and the per-cache operations rate limit (re-asking N times a server that asked us to slow down).
 */
function isAlone(error: unknown): boolean {
  if (!(error instanceof CachetteError)) return true;
  switch (error.code) {
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.TIMEOUT:
    case ErrorCode.UNAUTHENTICATED:
      return false;
    case ErrorCode.LIMIT_EXCEEDED:
      return error.reason !== 'operations_rate_limit_exceeded';
    default:
      return true;
  }
}

/** Bytes of a key, at most 3 per UTF-16 unit for text (an upper bound: no encoding just to measure). */
function approxBytes(key: BytesLike): number {
  return typeof key === 'string' ? key.length * 3 : key.byteLength;
}
