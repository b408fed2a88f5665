/**
 * @module cache-client
 * {@link CacheClient}: every Cachette call over the HTTP API, answering with response values (`Hit | Miss |
 * Error`, …) instead of throwing, plus `getOrSet` cache-aside. Uses nothing but `fetch`, so it runs in
 * Node.js, browsers, Deno, Bun and edge runtimes.
 */
import { type Clock, decodeApiKey, systemClock } from '@cachette/core';
import { type BytesLike, fromBase64, toBase64, toBytes } from './bytes.ts';
import { CacheAside, type CacheAsideErrorEvent, type GetOrSetOptions } from './cache-aside.ts';
import { type CoalescedSet, Coalescer, DEFAULT_COALESCER_OPTIONS } from './coalescer.ts';
import { CollectionCalls } from './collection-calls.ts';
import { CachetteError, ErrorCode } from './errors.ts';
import { Leaderboard } from './leaderboard.ts';
import type * as CacheDelete from './responses/cache-delete.ts';
import * as CacheGet from './responses/cache-get.ts';
import * as CacheGetBatch from './responses/cache-get-batch.ts';
import * as CacheIncrement from './responses/cache-increment.ts';
import * as CacheItemGetTtl from './responses/cache-item-get-ttl.ts';
import * as CacheKeysExist from './responses/cache-keys-exist.ts';
import type * as CacheSet from './responses/cache-set.ts';
import type * as CacheSetBatch from './responses/cache-set-batch.ts';
import * as CacheSetIf from './responses/cache-set-if.ts';
import * as CacheUpdateTtl from './responses/cache-update-ttl.ts';
import { ErrorResponse, SuccessResponse } from './responses/common.ts';
import * as CreateCache from './responses/create-cache.ts';
import type * as DeleteCache from './responses/delete-cache.ts';
import type * as FlushCache from './responses/flush-cache.ts';
import * as GetUsage from './responses/get-usage.ts';
import * as ListCaches from './responses/list-caches.ts';
import {
  type FetchLike,
  fetchExchange,
  type HttpExchange,
  Transport,
  type TransportAnswer,
  type TransportRequest,
} from './transport.ts';
import { bytesField, bytesListField, errorResponse, isItemNotFound, json } from './wire.ts';

/** Default item TTL when neither the call nor the client names one (the CLI's default too). */
export const DEFAULT_TTL_SECONDS = 600;
/** Default deadline of one HTTP attempt. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** Default number of extra attempts for idempotent calls. */
export const DEFAULT_RETRIES = 2;
/** Default first backoff delay between attempts. */
export const DEFAULT_RETRY_BASE_DELAY_MS = 50;

/** Settings of a {@link CacheClient}. */
export interface CacheClientOptions {
  /**
   * A Cachette API key (base64 v1 key, as in `.cachette/dev-api-key` or `cachette api-key create`). The core
   * client requires one unless the server allows anonymous access; `@cachette/sdk/node` falls back to
   * `CACHETTE_API_KEY` and the CLI's profile files.
   */
  readonly apiKey?: string | undefined;
  /** Base URL of the HTTP API. Default: the key's `http_endpoint`. */
  readonly baseUrl?: string | undefined;
  /** TTL of items set without one, in seconds. Default {@link DEFAULT_TTL_SECONDS}. */
  readonly defaultTtlSeconds?: number | undefined;
  /** Deadline of one HTTP attempt, body included. Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
  /**
   * Extra attempts for idempotent calls (get, set, delete, TTL read, batches, keys-exist, list, flush,
   * usage) after `UNAVAILABLE` or `TIMEOUT`. Never for increment, conditional sets, TTL updates, cache
   * create/delete. Default {@link DEFAULT_RETRIES}.
   */
  readonly retries?: number | undefined;
  /** First backoff delay, doubled per attempt with full jitter. Default {@link DEFAULT_RETRY_BASE_DELAY_MS}. */
  readonly retryBaseDelayMs?: number | undefined;
  /** The `fetch` to call. Default: the global one. */
  readonly fetch?: FetchLike | undefined;
  /**
   * How one HTTP request is sent, below `fetch`: `@cachette/sdk/node` passes its `node:http` exchange here.
   * Ignored when `fetch` is given. Default: `fetch`.
   */
  readonly exchange?: HttpExchange | undefined;
  /** Time source for stale-while-revalidate. Default: `Date.now`. */
  readonly clock?: Clock | undefined;
  /** Told about cache failures `getOrSet` absorbed and failed background refreshes. Default: ignore. */
  readonly onError?: ((event: CacheAsideErrorEvent) => void) | undefined;
  /**
   * Send concurrent `get`s (and `set`s) of one cache issued in the same event-loop turn as one `get-batch`
   * (`set-batch`) request; each call still gets its own answer (see `coalescer.ts`). Default: off here,
   * on in `@cachette/sdk/node`.
   */
  readonly coalesce?: boolean | undefined;
}

/** Per-call TTL option of writes. */
export interface TtlOptions {
  /** Item TTL in seconds (fractions allowed). Default: the client's `defaultTtlSeconds`. */
  readonly ttlSeconds?: number | undefined;
}

/** The condition of {@link CacheClient.setIf}. */
export type SetIfCondition =
  | { readonly kind: 'absent' }
  | { readonly kind: 'present' }
  | { readonly kind: 'equal'; readonly compare: BytesLike }
  | { readonly kind: 'not-equal'; readonly compare: BytesLike }
  | { readonly kind: 'present-and-not-equal'; readonly compare: BytesLike }
  | { readonly kind: 'absent-or-equal'; readonly compare: BytesLike };

/** How {@link CacheClient.updateTtl} changes a TTL. */
export type TtlUpdateMode = 'overwrite' | 'increase' | 'decrease';

/** One item of {@link CacheClient.setBatch}. */
export interface BatchItem {
  readonly key: BytesLike;
  readonly value: BytesLike;
  /** Default: the call's `ttlSeconds`, else the client's default. */
  readonly ttlSeconds?: number | undefined;
}

/**
 * A Cachette client over the HTTP API.
 *
 * ```ts
 * const client = new CacheClient({ apiKey, defaultTtlSeconds: 600 });
 * const got = await client.get('default-cache', 'andrew');
 * switch (got.type) {
 *   case 'Hit': console.log(got.valueString()); break;
 *   case 'Miss': break;
 *   case 'Error': console.error(got.errorCode(), got.message()); break;
 * }
 * ```
 *
 * Calls never throw for a miss or a server error: they resolve to a response whose `type` says what
 * happened. Only `getOrSet` rejects, and only with its loader's error.
 */
export class CacheClient extends CollectionCalls {
  /** TTL used when a call names none, in seconds. */
  readonly defaultTtlSeconds: number;
  /** Base URL of the HTTP API this client talks to. */
  readonly baseUrl: string;
  private readonly transport: Transport;
  private readonly aside: CacheAside;
  private readonly coalescer: Coalescer | undefined;

  /** Throws a {@link CachetteError} (`INVALID_ARGUMENT`) when no base URL can be found. */
  constructor(options: CacheClientOptions = {}) {
    super();
    const apiKey = options.apiKey?.trim() ?? '';
    const baseUrl = options.baseUrl ?? decodeApiKey(apiKey)?.httpEndpoint;
    if (baseUrl === undefined || baseUrl === '') {
      throw new CachetteError(
        ErrorCode.INVALID_ARGUMENT,
        apiKey === ''
          ? 'no API key: pass apiKey (e.g. the contents of .cachette/dev-api-key), or baseUrl for a server with --allow-anonymous'
          : 'the API key names no HTTP endpoint (http_endpoint): pass baseUrl, e.g. http://127.0.0.1:8081',
      );
    }
    const exchange =
      options.fetch !== undefined
        ? fetchExchange(options.fetch)
        : (options.exchange ?? fetchExchange((input: string, init: RequestInit) => fetch(input, init)));
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.defaultTtlSeconds = options.defaultTtlSeconds ?? DEFAULT_TTL_SECONDS;
    this.transport = new Transport({
      baseUrl: this.baseUrl,
      apiKey,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: options.retries ?? DEFAULT_RETRIES,
      retryBaseDelayMs: options.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS,
      exchange,
    });
    this.coalescer = options.coalesce
      ? new Coalescer(
          {
            getOne: (cache, key) => this.getOne(cache, key),
            setOne: (cache, item) => this.setOne(cache, item),
            getMany: (cache, keys) => this.getMany(cache, keys),
            setMany: (cache, items) => this.setMany(cache, items),
          },
          { ...DEFAULT_COALESCER_OPTIONS, schedule: nextTurn },
        )
      : undefined;
    this.aside = new CacheAside({
      store: {
        get: (cache, key) => this.get(cache, key),
        set: (cache, key, value, ttlSeconds) => this.write(cache, key, value, ttlSeconds),
      },
      clock: options.clock ?? systemClock,
      defaultTtlSeconds: this.defaultTtlSeconds,
      onError: options.onError ?? (() => undefined),
    });
  }

  // ── items ─────────────────────────────────────────────────────────────────────────────────────

  /** The item's value: `Hit`, `Miss`, or `Error` (`NOT_FOUND` when the cache does not exist). Retried. */
  async get(cache: string, key: BytesLike): Promise<CacheGet.Response> {
    try {
      const value = this.coalescer === undefined ? await this.getOne(cache, key) : await this.coalescer.get(cache, key);
      return value === undefined ? new CacheGet.Miss() : new CacheGet.Hit(value);
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Stores `value` (UTF-8 text or bytes) under `key` for `ttlSeconds`. Retried. */
  set(cache: string, key: BytesLike, value: BytesLike, options: TtlOptions = {}): Promise<CacheSet.Response> {
    this.aside.supersede(cache, key);
    return this.write(cache, key, toBytes(value), options.ttlSeconds ?? this.defaultTtlSeconds);
  }

  /** Stores `JSON.stringify(value)`; read it back with `hit.valueJson<T>()`. Retried. */
  setJson(cache: string, key: BytesLike, value: unknown, options: TtlOptions = {}): Promise<CacheSet.Response> {
    const text = JSON.stringify(value);
    if (text === undefined) {
      return Promise.resolve(
        new ErrorResponse(new CachetteError(ErrorCode.INVALID_ARGUMENT, 'setJson: value has no JSON form')),
      );
    }
    return this.set(cache, key, text, options);
  }

  /** Deletes the item (deleting a missing item succeeds). Retried. */
  async delete(cache: string, key: BytesLike): Promise<CacheDelete.Response> {
    this.aside.supersede(cache, key);
    try {
      await this.send({ method: 'DELETE', path: itemPath(cache), query: keyQuery(key), idempotent: true });
      return new SuccessResponse();
    } catch (error) {
      return errorResponse(error);
    }
  }

  /**
   * Adds `amount` (default 1) to the integer stored as decimal text under `key`, creating it from 0 with
   * `ttlSeconds` when absent. `FAILED_PRECONDITION` when the value is not an integer. Not retried.
   */
  async increment(
    cache: string,
    key: BytesLike,
    amount: number | bigint = 1,
    options: TtlOptions = {},
  ): Promise<CacheIncrement.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${itemOpsPath(cache)}/increment`,
        body: {
          ...keyField(key),
          // A decimal string keeps amounts beyond 2^53 exact.
          amount: typeof amount === 'bigint' ? amount.toString() : amount,
          ttl_seconds: options.ttlSeconds ?? this.defaultTtlSeconds,
        },
        idempotent: false,
      });
      const { value } = json<{ value: string }>(answer.body);
      return new CacheIncrement.Success(value);
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Stores `value` only when `condition` holds: `Stored`, `NotStored` or `Error`. Not retried. */
  async setIf(
    cache: string,
    key: BytesLike,
    value: BytesLike,
    condition: SetIfCondition,
    options: TtlOptions = {},
  ): Promise<CacheSetIf.Response> {
    this.aside.supersede(cache, key);
    try {
      const compare = 'compare' in condition ? bytesField('compare', condition.compare) : {};
      const answer = await this.send({
        method: 'POST',
        path: `${itemOpsPath(cache)}/set-if`,
        body: {
          ...keyField(key),
          ...bytesField('value', value),
          ttl_seconds: options.ttlSeconds ?? this.defaultTtlSeconds,
          condition: condition.kind,
          ...compare,
        },
        // A retry after a first attempt that did store would answer NotStored: not idempotent.
        idempotent: false,
      });
      return json<{ stored: boolean }>(answer.body).stored ? new CacheSetIf.Stored() : new CacheSetIf.NotStored();
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Stores `value` only when `key` does not exist (a lock, an idempotency token). */
  setIfAbsent(cache: string, key: BytesLike, value: BytesLike, options?: TtlOptions): Promise<CacheSetIf.Response> {
    return this.setIf(cache, key, value, { kind: 'absent' }, options);
  }

  /** Stores `value` only when `key` exists. */
  setIfPresent(cache: string, key: BytesLike, value: BytesLike, options?: TtlOptions): Promise<CacheSetIf.Response> {
    return this.setIf(cache, key, value, { kind: 'present' }, options);
  }

  /** Stores `value` only when the current value equals `compare` (compare-and-swap). */
  setIfEqual(
    cache: string,
    key: BytesLike,
    value: BytesLike,
    compare: BytesLike,
    options?: TtlOptions,
  ): Promise<CacheSetIf.Response> {
    return this.setIf(cache, key, value, { kind: 'equal', compare }, options);
  }

  /** Stores `value` unless the current value equals `compare` (an absent item counts as not equal). */
  setIfNotEqual(
    cache: string,
    key: BytesLike,
    value: BytesLike,
    compare: BytesLike,
    options?: TtlOptions,
  ): Promise<CacheSetIf.Response> {
    return this.setIf(cache, key, value, { kind: 'not-equal', compare }, options);
  }

  /** Stores `value` only when `key` exists with a value other than `compare`. */
  setIfPresentAndNotEqual(
    cache: string,
    key: BytesLike,
    value: BytesLike,
    compare: BytesLike,
    options?: TtlOptions,
  ): Promise<CacheSetIf.Response> {
    return this.setIf(cache, key, value, { kind: 'present-and-not-equal', compare }, options);
  }

  /** Stores `value` when `key` is absent or its value equals `compare`. */
  setIfAbsentOrEqual(
    cache: string,
    key: BytesLike,
    value: BytesLike,
    compare: BytesLike,
    options?: TtlOptions,
  ): Promise<CacheSetIf.Response> {
    return this.setIf(cache, key, value, { kind: 'absent-or-equal', compare }, options);
  }

  /** The item's remaining TTL: `Hit` (with `remainingTtlMs`), `Miss` or `Error`. Retried. */
  async itemGetTtl(cache: string, key: BytesLike): Promise<CacheItemGetTtl.Response> {
    try {
      const answer = await this.send({
        method: 'GET',
        path: `${itemOpsPath(cache)}/ttl`,
        query: keyQuery(key),
        idempotent: true,
      });
      return new CacheItemGetTtl.Hit(json<{ remainingTtlMs: number }>(answer.body).remainingTtlMs);
    } catch (error) {
      if (isItemNotFound(error)) return new CacheItemGetTtl.Miss();
      return errorResponse(error);
    }
  }

  /**
   * Changes the item's TTL to `ttlSeconds` from now. `mode` `increase` (or `decrease`) applies only when
   * that makes the TTL longer (shorter), answering `NotSet` otherwise. Not retried.
   */
  async updateTtl(
    cache: string,
    key: BytesLike,
    ttlSeconds: number,
    mode: TtlUpdateMode = 'overwrite',
  ): Promise<CacheUpdateTtl.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${itemOpsPath(cache)}/ttl`,
        body: { ...keyField(key), ttl_seconds: ttlSeconds, mode },
        idempotent: false,
      });
      return json<{ updated: boolean }>(answer.body).updated ? new CacheUpdateTtl.Set() : new CacheUpdateTtl.NotSet();
    } catch (error) {
      if (isItemNotFound(error)) return new CacheUpdateTtl.Miss();
      return errorResponse(error);
    }
  }

  /** `updateTtl(…, 'increase')`: extends the TTL to `ttlSeconds`, never shortens it. */
  increaseTtl(cache: string, key: BytesLike, ttlSeconds: number): Promise<CacheUpdateTtl.Response> {
    return this.updateTtl(cache, key, ttlSeconds, 'increase');
  }

  /** `updateTtl(…, 'decrease')`: shortens the TTL to `ttlSeconds`, never extends it. */
  decreaseTtl(cache: string, key: BytesLike, ttlSeconds: number): Promise<CacheUpdateTtl.Response> {
    return this.updateTtl(cache, key, ttlSeconds, 'decrease');
  }

  /** Looks up many keys in one call (at most 1000): one `Hit | Miss` per key, in order. Retried. */
  async getBatch(cache: string, keys: readonly BytesLike[]): Promise<CacheGetBatch.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${itemOpsPath(cache)}/get-batch`,
        body: bytesListField('keys', keys),
        idempotent: true,
      });
      const { values } = json<{ values: Array<string | null> }>(answer.body);
      return new CacheGetBatch.Success(
        values.map((v) => (v === null ? new CacheGet.Miss() : new CacheGet.Hit(fromBase64(v)))),
      );
    } catch (error) {
      return errorResponse(error);
    }
  }

  /**
   * Stores many items in one call (at most 1000), from `{ key, value, ttlSeconds? }` items or a
   * `Map`/record of key → value. Retried: writing the same values twice is the same as once.
   */
  async setBatch(
    cache: string,
    items: Iterable<BatchItem> | ReadonlyMap<BytesLike, BytesLike> | Readonly<Record<string, BytesLike>>,
    options: TtlOptions = {},
  ): Promise<CacheSetBatch.Response> {
    const ttl = options.ttlSeconds ?? this.defaultTtlSeconds;
    const list = batchItems(items);
    for (const item of list) this.aside.supersede(cache, item.key);
    try {
      await this.send({
        method: 'POST',
        path: `${itemOpsPath(cache)}/set-batch`,
        body: {
          items: list.map((item) => ({
            ...keyField(item.key),
            ...bytesField('value', item.value),
            ttl_seconds: item.ttlSeconds ?? ttl,
          })),
        },
        idempotent: true,
      });
      return new SuccessResponse();
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Whether each key exists, in order. Retried. */
  async keysExist(cache: string, keys: readonly BytesLike[]): Promise<CacheKeysExist.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${itemOpsPath(cache)}/keys-exist`,
        body: bytesListField('keys', keys),
        idempotent: true,
      });
      return new CacheKeysExist.Success(json<{ exists: boolean[] }>(answer.body).exists);
    } catch (error) {
      return errorResponse(error);
    }
  }

  /**
   * Cache-aside in one call: the cached value of `key`, or `loader()`'s result, stored for `ttlSeconds`.
   *
   * - Concurrent calls for one key in this process share one cache read and one loader call.
   * - A loader that throws or rejects stores nothing; every caller waiting on it gets its error, and the
   *   next call runs the loader again.
   * - Cache failures never fail the call: the loader's value is returned and `onError` is told.
   * - With `staleWhileRevalidateSeconds`, a value past `ttlSeconds` is still returned at once while one
   *   background loader call refreshes it.
   * - `set`, `delete` or a conditional set of the key through this client cancels the storing of a load in
   *   flight, so an invalidation is not undone by a slower, older load.
   *
   * Values are stored as JSON unless `options.serializer` says otherwise.
   */
  getOrSet<T>(
    cache: string,
    key: BytesLike,
    loader: () => T | Promise<T>,
    options: GetOrSetOptions<T> = {},
  ): Promise<T> {
    return this.aside.getOrSet(cache, key, loader, options);
  }

  /**
   * Resolves once no `getOrSet` load is running, background stale-while-revalidate refreshes included.
   * In edge runtimes pass it to `waitUntil`; before a process exits, await it.
   */
  idle(): Promise<void> {
    return this.aside.idle();
  }

  // ── caches and account ───────────────────────────────────────────────────────────────────────

  /** Creates a cache: `Success`, `AlreadyExists` or `Error`. Not retried. */
  async createCache(name: string): Promise<CreateCache.Response> {
    try {
      await this.send({ method: 'PUT', path: `/v1/caches/${encodeURIComponent(name)}`, idempotent: false });
      return new SuccessResponse();
    } catch (error) {
      if (error instanceof CachetteError && error.code === ErrorCode.ALREADY_EXISTS) {
        return new CreateCache.AlreadyExists();
      }
      return errorResponse(error);
    }
  }

  /** The caches this key may see. Retried. */
  async listCaches(): Promise<ListCaches.Response> {
    try {
      const answer = await this.send({ method: 'GET', path: '/v1/caches', idempotent: true });
      return new ListCaches.Success(json<{ caches: ListCaches.CacheInfo[] }>(answer.body).caches);
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Deletes a cache and its items (`NOT_FOUND` when there is none). Not retried. */
  async deleteCache(name: string): Promise<DeleteCache.Response> {
    try {
      await this.send({ method: 'DELETE', path: `/v1/caches/${encodeURIComponent(name)}`, idempotent: false });
      return new SuccessResponse();
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Removes every item of a cache, keeping the cache. Retried. */
  async flushCache(name: string): Promise<FlushCache.Response> {
    try {
      await this.send({ method: 'POST', path: `/v1/caches/${encodeURIComponent(name)}/flush`, idempotent: true });
      return new SuccessResponse();
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** The account's usage and cost for `month` (`YYYY-MM`, default: the current month). Retried. */
  async usage(month?: string): Promise<GetUsage.Response> {
    try {
      const answer = await this.send({
        method: 'GET',
        path: '/v1/usage',
        query: month === undefined ? undefined : { month },
        idempotent: true,
      });
      return new GetUsage.Success(json<GetUsage.UsageReport>(answer.body));
    } catch (error) {
      return errorResponse(error);
    }
  }

  // ── leaderboards ─────────────────────────────────────────────────────────────────────────────

  /** A handle on leaderboard `name` of `cache` (nothing is sent until a call; see {@link Leaderboard}). */
  leaderboard(cache: string, name: string): Leaderboard {
    return new Leaderboard((request) => this.send(request), cache, name);
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  protected override send(request: TransportRequest): Promise<TransportAnswer> {
    return this.transport.send(request);
  }

  /** The plain PUT behind `set` and `getOrSet` (which must not supersede its own load). */
  private async write(
    cache: string,
    key: BytesLike,
    value: Uint8Array,
    ttlSeconds: number,
  ): Promise<CacheSet.Response> {
    try {
      const item = { key, value, ttlSeconds };
      await (this.coalescer === undefined ? this.setOne(cache, item) : this.coalescer.set(cache, item));
      return new SuccessResponse();
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** One `GET /cache/:cache`: the value, `undefined` for a miss; rejects with a CachetteError. */
  private async getOne(cache: string, key: BytesLike): Promise<Uint8Array | undefined> {
    try {
      const answer = await this.send({ method: 'GET', path: itemPath(cache), query: keyQuery(key), idempotent: true });
      return answer.body;
    } catch (error) {
      if (isItemNotFound(error)) return undefined;
      throw error;
    }
  }

  /** One `PUT /cache/:cache`; rejects with a CachetteError. */
  private async setOne(cache: string, item: CoalescedSet): Promise<void> {
    await this.send({
      method: 'PUT',
      path: itemPath(cache),
      query: { ...keyQuery(item.key), ttl_seconds: String(item.ttlSeconds) },
      body: item.value,
      idempotent: true,
    });
  }

  /** One `get-batch` request for coalesced gets: a value or `undefined` per key, in order. */
  private async getMany(cache: string, keys: readonly BytesLike[]): Promise<Array<Uint8Array | undefined>> {
    const answer = await this.send({
      method: 'POST',
      path: `${itemOpsPath(cache)}/get-batch`,
      body: bytesListField('keys', keys),
      idempotent: true,
    });
    const { values } = json<{ values: Array<string | null> }>(answer.body);
    if (!Array.isArray(values)) throw new CachetteError(ErrorCode.INTERNAL, 'get-batch answered without values');
    return values.map((v) => (v === null ? undefined : fromBase64(v)));
  }

  /** One `set-batch` request for coalesced sets, each item with its own TTL. */
  private async setMany(cache: string, items: readonly CoalescedSet[]): Promise<void> {
    await this.send({
      method: 'POST',
      path: `${itemOpsPath(cache)}/set-batch`,
      body: {
        items: items.map((item) => ({
          ...keyField(item.key),
          ...bytesField('value', item.value),
          ttl_seconds: item.ttlSeconds,
        })),
      },
      idempotent: true,
    });
  }
}

/** The next turn of the event loop: `setImmediate` where it exists (Node, Bun), else a zero timeout. */
function nextTurn(run: () => void): void {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
  if (immediate !== undefined) immediate(run);
  else setTimeout(run, 0);
}

function itemPath(cache: string): string {
  return `/cache/${encodeURIComponent(cache)}`;
}

function itemOpsPath(cache: string): string {
  return `/v1/caches/${encodeURIComponent(cache)}/items`;
}

/** `key=` for text keys; `key_base64=` for byte keys, which may not be valid UTF-8. */
function keyQuery(key: BytesLike): Record<string, string> {
  return typeof key === 'string' ? { key } : { key_base64: toBase64(key) };
}

function keyField(key: BytesLike): Record<string, string> {
  return bytesField('key', key);
}

function batchItems(
  items: Iterable<BatchItem> | ReadonlyMap<BytesLike, BytesLike> | Readonly<Record<string, BytesLike>>,
): BatchItem[] {
  if (items instanceof Map) return [...items].map(([key, value]) => ({ key, value }));
  if (Symbol.iterator in items) return [...(items as Iterable<BatchItem>)];
  return Object.entries(items as Record<string, BytesLike>).map(([key, value]) => ({ key, value }));
}
