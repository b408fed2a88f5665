/**
 * @module cache-aside
 * `getOrSet`: read the cache, on a miss call the loader and store its result — with single-flight per
 * process and an optional stale-while-revalidate window.
 *
 * Two layers of single-flight, both keyed by cache and key:
 * - **reads**: concurrent `getOrSet` calls for one key share one whole read-through (one GET, at most one
 *   load, one SET), so N simultaneous callers cost one round trip, not N;
 * - **loads**: a load (loader + SET) is shared by whoever needs it — a reader that missed, or a background
 *   revalidation of a stale value — so the loader never runs twice at once for one key.
 *
 * Loader failures are never stored: every caller waiting on that load gets the rejection, the flight is
 * dropped, and the next call tries again. Cache failures (unreachable, timeout, over a limit) do not fail
 * the call: the cache is an optimisation, so `getOrSet` falls back to the loader and reports the error
 * through `onError`.
 */

import type { Clock } from '@cachette/core';
import type { BytesLike } from './bytes.ts';
import { toBase64, toBytes, utf8 } from './bytes.ts';
import type * as CacheGet from './responses/cache-get.ts';
import type * as CacheSet from './responses/cache-set.ts';
import { unwrap, wrap } from './swr-envelope.ts';

/** How `getOrSet` turns values into stored bytes and back. */
export interface Serializer<T> {
  serialize(value: T): BytesLike;
  deserialize(bytes: Uint8Array): T;
}

/** JSON as UTF-8 text: the default, readable by any other client. */
export const jsonSerializer: Serializer<unknown> = {
  serialize: (value) => {
    const text = JSON.stringify(value);
    // JSON.stringify(undefined) is undefined: there is nothing to store, and storing "undefined" would
    // make every later read fail to parse.
    if (text === undefined) throw new TypeError('getOrSet: the loader returned a value JSON cannot represent');
    return text;
  },
  deserialize: (bytes) => JSON.parse(utf8(bytes)) as unknown,
};

/** Options of `getOrSet`. */
export interface GetOrSetOptions<T> {
  /** How long a loaded value is fresh, in seconds. Default: the client's `defaultTtlSeconds`. */
  readonly ttlSeconds?: number;
  /**
   * After `ttlSeconds`, keep serving the old value for up to this many seconds while one background call
   * of the loader refreshes it. The item is stored for `ttlSeconds + staleWhileRevalidateSeconds` inside
   * an envelope carrying its soft expiry (see `swr-envelope`). Default: 0 (no stale serving).
   */
  readonly staleWhileRevalidateSeconds?: number;
  /** Default: {@link jsonSerializer}. */
  readonly serializer?: Serializer<T>;
}

/** A cache failure `getOrSet` absorbed, or a background revalidation that failed. */
export interface CacheAsideErrorEvent {
  /** What failed: the cache read, the cache write, decoding a stored value, or a background refresh. */
  readonly operation: 'get' | 'set' | 'decode' | 'revalidate';
  readonly cache: string;
  readonly key: BytesLike;
  readonly error: unknown;
}

/** The two cache calls `getOrSet` needs (the client's `get` and `set`). */
export interface CacheAsideStore {
  get(cache: string, key: BytesLike): Promise<CacheGet.Response>;
  set(cache: string, key: BytesLike, value: Uint8Array, ttlSeconds: number): Promise<CacheSet.Response>;
}

/** Settings of {@link CacheAside}. */
export interface CacheAsideOptions {
  readonly store: CacheAsideStore;
  readonly clock: Clock;
  readonly defaultTtlSeconds: number;
  readonly onError: (event: CacheAsideErrorEvent) => void;
}

interface LoadFlight {
  promise: Promise<unknown>;
  /** Set when the key was written or deleted meanwhile: the loaded value is returned but not stored. */
  superseded: boolean;
}

/** Single-flight cache-aside over a {@link CacheAsideStore}. One per client. */
export class CacheAside {
  private readonly options: CacheAsideOptions;
  private readonly reads = new Map<string, Promise<unknown>>();
  private readonly loads = new Map<string, LoadFlight>();
  /** Every load not yet settled, superseded ones included (they may still be running). */
  private readonly pending = new Set<Promise<unknown>>();

  constructor(options: CacheAsideOptions) {
    this.options = options;
  }

  /** See `CacheClient.getOrSet`. */
  getOrSet<T>(
    cache: string,
    key: BytesLike,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions<T> = {},
  ): Promise<T> {
    const id = flightId(cache, key);
    const joined = this.reads.get(id);
    if (joined !== undefined) return joined as Promise<T>;
    // `finally` runs asynchronously, so the entry is always in the map before it can be removed.
    const read: Promise<T> = this.readThrough(id, cache, key, loader, options).finally(() => {
      if (this.reads.get(id) === read) this.reads.delete(id);
    });
    this.reads.set(id, read);
    return read;
  }

  /**
   * Forgets in-flight work for `key` because it was just written or deleted: new callers start afresh, and
   * a load already running returns its value to its callers but does not store it over the newer state.
   */
  supersede(cache: string, key: BytesLike): void {
    const id = flightId(cache, key);
    const load = this.loads.get(id);
    if (load !== undefined) {
      load.superseded = true;
      this.loads.delete(id);
    }
    this.reads.delete(id);
  }

  /**
   * Resolves once no load is running, background revalidations included. Serverless and edge handlers
   * pass it to `waitUntil`, and graceful shutdowns await it, so a refresh is not cut off mid-way.
   */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private async readThrough<T>(
    id: string,
    cache: string,
    key: BytesLike,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
  ): Promise<T> {
    const serializer = (options.serializer ?? jsonSerializer) as Serializer<T>;
    const got = await this.options.store.get(cache, key);
    switch (got.type) {
      case 'Hit': {
        const { payload, freshUntilMs } = unwrap(got.valueBytes());
        let value: T;
        try {
          value = serializer.deserialize(payload);
        } catch (error) {
          // Written by someone else in another format, or corrupt: replace it rather than fail forever.
          this.options.onError({ operation: 'decode', cache, key, error });
          return this.load(id, cache, key, loader, options);
        }
        if (freshUntilMs !== undefined && this.options.clock.nowMs() >= freshUntilMs) {
          this.revalidate(id, cache, key, loader, options);
        }
        return value;
      }
      case 'Miss':
        return this.load(id, cache, key, loader, options);
      case 'Error':
        this.options.onError({ operation: 'get', cache, key, error: got.error });
        return this.load(id, cache, key, loader, options);
    }
  }

  /** Stale value served: refresh it in the background, at most once at a time. */
  private revalidate<T>(
    id: string,
    cache: string,
    key: BytesLike,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
  ): void {
    this.load(id, cache, key, loader, options).catch((error: unknown) =>
      this.options.onError({ operation: 'revalidate', cache, key, error }),
    );
  }

  private load<T>(
    id: string,
    cache: string,
    key: BytesLike,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
  ): Promise<T> {
    const existing = this.loads.get(id);
    if (existing !== undefined) return existing.promise as Promise<T>;
    const flight: LoadFlight = { promise: Promise.resolve(), superseded: false };
    this.loads.set(id, flight);
    const promise = this.loadAndStore(flight, cache, key, loader, options).finally(() => {
      if (this.loads.get(id) === flight) this.loads.delete(id);
      this.pending.delete(promise);
    });
    flight.promise = promise;
    this.pending.add(promise);
    return promise;
  }

  private async loadAndStore<T>(
    flight: LoadFlight,
    cache: string,
    key: BytesLike,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions<T>,
  ): Promise<T> {
    const value = await loader();
    if (flight.superseded) return value;
    const serializer = (options.serializer ?? jsonSerializer) as Serializer<T>;
    const ttlSeconds = options.ttlSeconds ?? this.options.defaultTtlSeconds;
    const staleSeconds = Math.max(0, options.staleWhileRevalidateSeconds ?? 0);
    try {
      const payload = toBytes(serializer.serialize(value));
      const stored = staleSeconds > 0 ? wrap(payload, this.options.clock.nowMs() + ttlSeconds * 1000) : payload;
      // Awaited so that a caller who got the value and reads again hits (read-your-writes in one process).
      const set = await this.options.store.set(cache, key, stored, ttlSeconds + staleSeconds);
      if (set.type === 'Error') this.options.onError({ operation: 'set', cache, key, error: set.error });
    } catch (error) {
      this.options.onError({ operation: 'set', cache, key, error });
    }
    return value;
  }
}

function flightId(cache: string, key: BytesLike): string {
  // Distinct prefixes keep the string key "a" and the bytes key [0x61] apart, though they address the same
  // item: sharing a flight between them would only be an optimisation.
  return typeof key === 'string' ? `${cache}\u0000s${key}` : `${cache}\u0000b${toBase64(key)}`;
}
