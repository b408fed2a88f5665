/**
 * @module collection-calls
 * Dictionaries, lists, sets and sorted sets over the HTTP API's `/v1/caches/:cache/{dictionaries,lists,sets,
 * sorted-sets}/:name…` routes, as methods {@link CacheClient} inherits. The calls and their answers follow
 * Momento's SDK: a missing collection is a `Miss` (never an error), a key holding another type is an
 * `Error` with `FAILED_PRECONDITION`, writes take a collection TTL that they refresh unless told not to.
 *
 * Collection names travel as UTF-8 path segments, so they are strings; fields, values and elements are
 * `string` (UTF-8) or `Uint8Array`. Reads always ask for base64 (`?encoding=base64`) so binary data comes
 * back byte for byte; responses decode text on demand.
 */
import { type BytesLike, fromBase64, utf8 } from './bytes.ts';
import * as CacheGet from './responses/cache-get.ts';
import * as CacheIncrement from './responses/cache-increment.ts';
import * as CollectionLength from './responses/collection-length.ts';
import type * as CollectionWrite from './responses/collection-write.ts';
import { SuccessResponse } from './responses/common.ts';
import * as DictionaryFetch from './responses/dictionary-fetch.ts';
import * as DictionaryGetFields from './responses/dictionary-get-fields.ts';
import * as ListFetch from './responses/list-fetch.ts';
import * as ListPop from './responses/list-pop.ts';
import * as ListPush from './responses/list-push.ts';
import * as SetContains from './responses/set-contains.ts';
import * as SetFetch from './responses/set-fetch.ts';
import * as SortedSetFetch from './responses/sorted-set-fetch.ts';
import * as SortedSetGetRank from './responses/sorted-set-get-rank.ts';
import * as SortedSetGetScore from './responses/sorted-set-get-score.ts';
import * as SortedSetGetScores from './responses/sorted-set-get-scores.ts';
import * as SortedSetIncrement from './responses/sorted-set-increment.ts';
import * as SortedSetUnionStore from './responses/sorted-set-union-store.ts';
import type { TransportAnswer, TransportRequest } from './transport.ts';
import { bytesField, bytesListField, errorResponse, isItemNotFound, json } from './wire.ts';

/**
 * The TTL of a collection write (Momento's `CollectionTtl`): a write that creates the collection gives it
 * `ttlSeconds`; a write to an existing one resets its TTL to `ttlSeconds` only when `refreshTtl` is true.
 */
export interface CollectionTtlOptions {
  /** Collection TTL in seconds (fractions allowed). Default: the client's `defaultTtlSeconds`. */
  readonly ttlSeconds?: number | undefined;
  /** Whether a write to an existing collection resets its TTL. Default true, as Momento's SDKs. */
  readonly refreshTtl?: boolean | undefined;
}

/** Options of a list push or concatenation. */
export interface ListPushOptions extends CollectionTtlOptions {
  /** After adding, drop elements from the *other* end until at most this many remain. */
  readonly truncateToSize?: number | undefined;
}

/** A slice of a list or of a sorted set's ranks: `start` inclusive, `end` exclusive, negatives from the end. */
export interface IndexRangeOptions {
  readonly startIndex?: number | undefined;
  readonly endIndex?: number | undefined;
}

/** Sort order of sorted-set reads. */
export type SortOrder = 'ascending' | 'descending';

/** Score bounds of a sorted-set read (inclusive unless `…Exclusive`); omitted bounds are unbounded. */
export interface ScoreBoundsOptions {
  readonly minScore?: number | undefined;
  readonly maxScore?: number | undefined;
  readonly minExclusive?: boolean | undefined;
  readonly maxExclusive?: boolean | undefined;
}

/** Options of {@link CollectionCalls.sortedSetFetchByScore}. */
export interface FetchByScoreOptions extends ScoreBoundsOptions {
  readonly order?: SortOrder | undefined;
  /** Members of the range to skip first. */
  readonly offset?: number | undefined;
  /** Most members to answer. Default: all. */
  readonly count?: number | undefined;
}

/** A source of {@link CollectionCalls.sortedSetUnionStore}: a sorted set and the weight of its scores. */
export interface UnionStoreSource {
  readonly name: string;
  /** Each score of this source is multiplied by it. Default 1. */
  readonly weight?: number | undefined;
}

/** Dictionary items as pairs, a `Map`, or a record of text fields. */
export type DictionaryItems =
  | Iterable<readonly [BytesLike, BytesLike]>
  | ReadonlyMap<BytesLike, BytesLike>
  | Readonly<Record<string, BytesLike>>;

/** Sorted-set members as `{ value, score }`s, a `Map` of value → score, or a record of text value → score. */
export type SortedSetElements =
  | Iterable<{ readonly value: BytesLike; readonly score: number }>
  | ReadonlyMap<BytesLike, number>
  | Readonly<Record<string, number>>;

const BASE64 = { encoding: 'base64' } as const;

/**
 * The collection calls of {@link CacheClient}. Retried (after `UNAVAILABLE`/`TIMEOUT`) are reads and writes
 * that do the same when applied twice (set fields, add/remove elements, put scores); increments, pushes,
 * pops, retains and union stores are not.
 */
export abstract class CollectionCalls {
  /** TTL used when a call names none, in seconds. */
  abstract readonly defaultTtlSeconds: number;
  /** Sends one HTTP call (the transport of {@link CacheClient}). */
  protected abstract send(request: TransportRequest): Promise<TransportAnswer>;

  // ── dictionaries ─────────────────────────────────────────────────────────────────────────────

  /** Sets (adds or replaces) fields of a dictionary, creating it when absent. Retried. */
  async dictionarySetFields(
    cache: string,
    name: string,
    items: DictionaryItems,
    options: CollectionTtlOptions = {},
  ): Promise<CollectionWrite.Response> {
    const list = pairsOf(items).map(([f, v]) => ({ ...bytesField('field', f), ...bytesField('value', v) }));
    return this.#write({
      method: 'POST',
      path: `${dictPath(cache, name)}/set`,
      body: { items: list, ...this.#ttl(options) },
      idempotent: true,
    });
  }

  /** Sets one field of a dictionary. Retried. */
  dictionarySetField(
    cache: string,
    name: string,
    field: BytesLike,
    value: BytesLike,
    options?: CollectionTtlOptions,
  ): Promise<CollectionWrite.Response> {
    return this.dictionarySetFields(cache, name, [[field, value]], options);
  }

  /** One field's value: `Hit`, `Miss` (no such dictionary or field) or `Error`. Retried. */
  async dictionaryGetField(cache: string, name: string, field: BytesLike): Promise<CacheGet.Response> {
    const got = await this.dictionaryGetFields(cache, name, [field]);
    if (got.type === 'Hit') return got.results[0] ?? new CacheGet.Miss();
    return got.type === 'Miss' ? new CacheGet.Miss() : got;
  }

  /** Several fields' values: `Hit` (a `Hit | Miss` per field, in order), `Miss` or `Error`. Retried. */
  async dictionaryGetFields(
    cache: string,
    name: string,
    fields: readonly BytesLike[],
  ): Promise<DictionaryGetFields.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${dictPath(cache, name)}/get`,
        query: BASE64,
        body: bytesListField('fields', fields),
        idempotent: true,
      });
      const { values } = json<{ values: Array<string | null> }>(answer.body);
      const names = fields.map((f) => (typeof f === 'string' ? f : utf8(f)));
      const results = values.map((v) => (v === null ? new CacheGet.Miss() : new CacheGet.Hit(fromBase64(v))));
      return new DictionaryGetFields.Hit(names, results);
    } catch (error) {
      return isItemNotFound(error) ? new DictionaryGetFields.Miss() : errorResponse(error);
    }
  }

  /** Every field and value: `Hit`, `Miss` or `Error`. Retried. */
  async dictionaryFetch(cache: string, name: string): Promise<DictionaryFetch.Response> {
    try {
      const answer = await this.send({ method: 'GET', path: dictPath(cache, name), query: BASE64, idempotent: true });
      const { items } = json<{ items: Array<{ field: string; value: string }> }>(answer.body);
      return new DictionaryFetch.Hit(items.map((i) => [fromBase64(i.field), fromBase64(i.value)] as const));
    } catch (error) {
      return isItemNotFound(error) ? new DictionaryFetch.Miss() : errorResponse(error);
    }
  }

  /**
   * Adds `amount` (default 1) to the signed 64-bit integer stored as decimal text in `field` (absent: 0),
   * creating the dictionary when absent. `FAILED_PRECONDITION` when the field holds anything else or the
   * result leaves int64. Not retried.
   */
  async dictionaryIncrement(
    cache: string,
    name: string,
    field: BytesLike,
    amount: number | bigint = 1,
    options: CollectionTtlOptions = {},
  ): Promise<CacheIncrement.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${dictPath(cache, name)}/increment`,
        body: {
          ...bytesField('field', field),
          amount: typeof amount === 'bigint' ? amount.toString() : amount,
          ...this.#ttl(options),
        },
        idempotent: false,
      });
      return new CacheIncrement.Success(json<{ value: string }>(answer.body).value);
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Removes fields (the dictionary disappears with its last field). Removing absent fields succeeds. Retried. */
  dictionaryRemoveFields(cache: string, name: string, fields: readonly BytesLike[]): Promise<CollectionWrite.Response> {
    return this.#write({
      method: 'POST',
      path: `${dictPath(cache, name)}/delete`,
      body: bytesListField('fields', fields),
      idempotent: true,
    });
  }

  /** Removes one field. Retried. */
  dictionaryRemoveField(cache: string, name: string, field: BytesLike): Promise<CollectionWrite.Response> {
    return this.dictionaryRemoveFields(cache, name, [field]);
  }

  /** The number of fields: `Hit` (`length`), `Miss` or `Error`. Retried. */
  dictionaryLength(cache: string, name: string): Promise<CollectionLength.Response> {
    return this.#length(`${dictPath(cache, name)}/length`);
  }

  // ── lists ────────────────────────────────────────────────────────────────────────────────────

  /** Adds `value` at the front; `truncateToSize` then drops from the back. `Success` (`listLength`). Not retried. */
  listPushFront(cache: string, name: string, value: BytesLike, options?: ListPushOptions): Promise<ListPush.Response> {
    return this.#push(cache, name, 'front', [value], options);
  }

  /** Adds `value` at the back; `truncateToSize` then drops from the front. `Success` (`listLength`). Not retried. */
  listPushBack(cache: string, name: string, value: BytesLike, options?: ListPushOptions): Promise<ListPush.Response> {
    return this.#push(cache, name, 'back', [value], options);
  }

  /** Adds `values` at the front, keeping their order (`[a, b]` gives `a, b, …`). Not retried. */
  listConcatenateFront(
    cache: string,
    name: string,
    values: readonly BytesLike[],
    options?: ListPushOptions,
  ): Promise<ListPush.Response> {
    return this.#push(cache, name, 'front', values, options);
  }

  /** Adds `values` at the back, in order. Not retried. */
  listConcatenateBack(
    cache: string,
    name: string,
    values: readonly BytesLike[],
    options?: ListPushOptions,
  ): Promise<ListPush.Response> {
    return this.#push(cache, name, 'back', values, options);
  }

  /** Removes and answers the first element: `Hit` (with `listLength` left), `Miss` or `Error`. Not retried. */
  listPopFront(cache: string, name: string): Promise<ListPop.Response> {
    return this.#pop(cache, name, 'front');
  }

  /** Removes and answers the last element: `Hit`, `Miss` or `Error`. Not retried. */
  listPopBack(cache: string, name: string): Promise<ListPop.Response> {
    return this.#pop(cache, name, 'back');
  }

  /** The elements from `startIndex` (inclusive) to `endIndex` (exclusive), default all: `Hit`, `Miss`, `Error`. Retried. */
  async listFetch(cache: string, name: string, range: IndexRangeOptions = {}): Promise<ListFetch.Response> {
    try {
      const answer = await this.send({
        method: 'GET',
        path: listPath(cache, name),
        query: { ...BASE64, ...rangeQuery(range) },
        idempotent: true,
      });
      return new ListFetch.Hit(json<{ values: string[] }>(answer.body).values.map(fromBase64));
    } catch (error) {
      return isItemNotFound(error) ? new ListFetch.Miss() : errorResponse(error);
    }
  }

  /** The number of elements: `Hit` (`length`), `Miss` or `Error`. Retried. */
  listLength(cache: string, name: string): Promise<CollectionLength.Response> {
    return this.#length(`${listPath(cache, name)}/length`);
  }

  /** Removes every element equal to `value` (a missing list is left missing). Retried. */
  listRemoveValue(cache: string, name: string, value: BytesLike): Promise<CollectionWrite.Response> {
    return this.#write(
      { method: 'POST', path: `${listPath(cache, name)}/remove`, body: bytesField('value', value), idempotent: true },
      true,
    );
  }

  /** Keeps only the elements from `startIndex` to `endIndex` (exclusive); default all. Not retried. */
  listRetain(
    cache: string,
    name: string,
    options: IndexRangeOptions & CollectionTtlOptions = {},
  ): Promise<CollectionWrite.Response> {
    return this.#write(
      {
        method: 'POST',
        path: `${listPath(cache, name)}/retain`,
        body: { start: options.startIndex, end: options.endIndex, ...this.#ttl(options) },
        idempotent: false,
      },
      true,
    );
  }

  // ── sets ─────────────────────────────────────────────────────────────────────────────────────

  /** Adds elements to a set, creating it when absent. Retried. */
  setAddElements(
    cache: string,
    name: string,
    elements: readonly BytesLike[],
    options: CollectionTtlOptions = {},
  ): Promise<CollectionWrite.Response> {
    return this.#write({
      method: 'POST',
      path: `${setPath(cache, name)}/add`,
      body: { ...bytesListField('elements', elements), ...this.#ttl(options) },
      idempotent: true,
    });
  }

  /** Adds one element. Retried. */
  setAddElement(
    cache: string,
    name: string,
    element: BytesLike,
    options?: CollectionTtlOptions,
  ): Promise<CollectionWrite.Response> {
    return this.setAddElements(cache, name, [element], options);
  }

  /** Removes elements (the set disappears with its last element). Retried. */
  setRemoveElements(cache: string, name: string, elements: readonly BytesLike[]): Promise<CollectionWrite.Response> {
    return this.#write({
      method: 'POST',
      path: `${setPath(cache, name)}/remove`,
      body: bytesListField('elements', elements),
      idempotent: true,
    });
  }

  /** Removes one element. Retried. */
  setRemoveElement(cache: string, name: string, element: BytesLike): Promise<CollectionWrite.Response> {
    return this.setRemoveElements(cache, name, [element]);
  }

  /** Every element: `Hit` (`valueSet()`), `Miss` or `Error`. Retried. */
  setFetch(cache: string, name: string): Promise<SetFetch.Response> {
    return this.#elements({ method: 'GET', path: setPath(cache, name), query: BASE64, idempotent: true });
  }

  /** Whether each element is a member: `Hit` (`contains`, in order), `Miss` or `Error`. Retried. */
  async setContainsElements(
    cache: string,
    name: string,
    elements: readonly BytesLike[],
  ): Promise<SetContains.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${setPath(cache, name)}/contains`,
        body: bytesListField('elements', elements),
        idempotent: true,
      });
      return new SetContains.Hit(json<{ contains: boolean[] }>(answer.body).contains);
    } catch (error) {
      return isItemNotFound(error) ? new SetContains.Miss() : errorResponse(error);
    }
  }

  /** Whether one element is a member: `Hit` (`containsElement()`), `Miss` or `Error`. Retried. */
  setContainsElement(cache: string, name: string, element: BytesLike): Promise<SetContains.Response> {
    return this.setContainsElements(cache, name, [element]);
  }

  /** The number of elements: `Hit` (`length`), `Miss` or `Error`. Retried. */
  setLength(cache: string, name: string): Promise<CollectionLength.Response> {
    return this.#length(`${setPath(cache, name)}/length`);
  }

  /** Up to `limit` distinct random elements, leaving the set as it is: `Hit`, `Miss` or `Error`. Retried. */
  setSample(cache: string, name: string, limit: number): Promise<SetFetch.Response> {
    return this.#elements({
      method: 'GET',
      path: `${setPath(cache, name)}/sample`,
      query: { ...BASE64, limit: String(limit) },
      idempotent: true,
    });
  }

  /** Removes and answers up to `count` (default 1) random elements: `Hit`, `Miss` or `Error`. Not retried. */
  setPop(cache: string, name: string, count = 1): Promise<SetFetch.Response> {
    return this.#elements({
      method: 'POST',
      path: `${setPath(cache, name)}/pop`,
      query: BASE64,
      body: { count },
      idempotent: false,
    });
  }

  // ── sorted sets ──────────────────────────────────────────────────────────────────────────────

  /** Adds members or replaces their scores, creating the sorted set when absent. Retried. */
  sortedSetPutElements(
    cache: string,
    name: string,
    elements: SortedSetElements,
    options: CollectionTtlOptions = {},
  ): Promise<CollectionWrite.Response> {
    const list = scoredOf(elements).map((e) => ({ ...bytesField('value', e.value), score: e.score }));
    return this.#write({
      method: 'POST',
      path: `${zsetPath(cache, name)}/put`,
      body: { elements: list, ...this.#ttl(options) },
      idempotent: true,
    });
  }

  /** Adds one member (or replaces its score). Retried. */
  sortedSetPutElement(
    cache: string,
    name: string,
    value: BytesLike,
    score: number,
    options?: CollectionTtlOptions,
  ): Promise<CollectionWrite.Response> {
    return this.sortedSetPutElements(cache, name, [{ value, score }], options);
  }

  /**
   * Members by rank, from `startIndex` (inclusive) to `endIndex` (exclusive), negatives counted from the end;
   * rank 0 is the lowest score (`ascending`, the default) or the highest. `Hit`, `Miss` or `Error`. Retried.
   */
  sortedSetFetchByRank(
    cache: string,
    name: string,
    options: IndexRangeOptions & { readonly order?: SortOrder | undefined } = {},
  ): Promise<SortedSetFetch.Response> {
    return this.#scored(zsetPath(cache, name), { ...rangeQuery(options), ...orderQuery(options.order) });
  }

  /** Members with a score in the bounds (inclusive by default), after `offset`, at most `count`. Retried. */
  sortedSetFetchByScore(
    cache: string,
    name: string,
    options: FetchByScoreOptions = {},
  ): Promise<SortedSetFetch.Response> {
    return this.#scored(`${zsetPath(cache, name)}/by-score`, {
      ...boundsQuery(options),
      ...orderQuery(options.order),
      ...optional('offset', options.offset),
      ...optional('count', options.count),
    });
  }

  /** One member's score: `Hit` (`score()`), `Miss` (no such set or member) or `Error`. Retried. */
  async sortedSetGetScore(cache: string, name: string, value: BytesLike): Promise<SortedSetGetScore.Response> {
    const got = await this.sortedSetGetScores(cache, name, [value]);
    if (got.type === 'Error') return got;
    const score = got.type === 'Hit' ? got.scores[0] : undefined;
    return score === undefined ? new SortedSetGetScore.Miss() : new SortedSetGetScore.Hit(score);
  }

  /** Several members' scores: `Hit` (`scores`, `undefined` for non-members), `Miss` or `Error`. Retried. */
  async sortedSetGetScores(
    cache: string,
    name: string,
    values: readonly BytesLike[],
  ): Promise<SortedSetGetScores.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${zsetPath(cache, name)}/scores`,
        body: bytesListField('values', values),
        idempotent: true,
      });
      const { scores } = json<{ scores: Array<number | null> }>(answer.body);
      const names = values.map((v) => (typeof v === 'string' ? v : utf8(v)));
      return new SortedSetGetScores.Hit(
        names,
        scores.map((s) => s ?? undefined),
      );
    } catch (error) {
      return isItemNotFound(error) ? new SortedSetGetScores.Miss() : errorResponse(error);
    }
  }

  /** A member's 0-based rank in `order` (default ascending): `Hit` (`rank`), `Miss` or `Error`. Retried. */
  async sortedSetGetRank(
    cache: string,
    name: string,
    value: BytesLike,
    options: { readonly order?: SortOrder | undefined } = {},
  ): Promise<SortedSetGetRank.Response> {
    try {
      const answer = await this.send({
        method: 'GET',
        path: `${zsetPath(cache, name)}/rank`,
        query: { ...bytesField('value', value), ...orderQuery(options.order) },
        idempotent: true,
      });
      return new SortedSetGetRank.Hit(json<{ rank: number }>(answer.body).rank);
    } catch (error) {
      return isItemNotFound(error) ? new SortedSetGetRank.Miss() : errorResponse(error);
    }
  }

  /** Adds `amount` (default 1) to a member's score (absent: 0): `Success` (`score`) or `Error`. Not retried. */
  async sortedSetIncrementScore(
    cache: string,
    name: string,
    value: BytesLike,
    amount = 1,
    options: CollectionTtlOptions = {},
  ): Promise<SortedSetIncrement.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${zsetPath(cache, name)}/increment`,
        body: { ...bytesField('value', value), amount, ...this.#ttl(options) },
        idempotent: false,
      });
      return new SortedSetIncrement.Success(json<{ score: number }>(answer.body).score);
    } catch (error) {
      return errorResponse(error);
    }
  }

  /** Removes members (the sorted set disappears with its last member). Retried. */
  sortedSetRemoveElements(
    cache: string,
    name: string,
    values: readonly BytesLike[],
  ): Promise<CollectionWrite.Response> {
    return this.#write({
      method: 'POST',
      path: `${zsetPath(cache, name)}/remove`,
      body: bytesListField('values', values),
      idempotent: true,
    });
  }

  /** Removes one member. Retried. */
  sortedSetRemoveElement(cache: string, name: string, value: BytesLike): Promise<CollectionWrite.Response> {
    return this.sortedSetRemoveElements(cache, name, [value]);
  }

  /** The number of members: `Hit` (`length`), `Miss` or `Error`. Retried. */
  sortedSetLength(cache: string, name: string): Promise<CollectionLength.Response> {
    return this.#length(`${zsetPath(cache, name)}/length`);
  }

  /** The number of members with a score in the bounds (inclusive by default). Retried. */
  sortedSetLengthByScore(
    cache: string,
    name: string,
    bounds: ScoreBoundsOptions = {},
  ): Promise<CollectionLength.Response> {
    return this.#length(`${zsetPath(cache, name)}/length-by-score`, boundsQuery(bounds));
  }

  /**
   * Stores at `name` the union of `sources` (missing sources count as empty; each score times its weight,
   * combined by `aggregate`, default `sum`), replacing what `name` held, with `ttlSeconds`. The sources are
   * read at one point in time. `Success` (`length`; 0 means `name` was deleted) or `Error`. Not retried.
   */
  async sortedSetUnionStore(
    cache: string,
    name: string,
    sources: readonly UnionStoreSource[],
    options: { readonly aggregate?: 'sum' | 'min' | 'max' | undefined; readonly ttlSeconds?: number | undefined } = {},
  ): Promise<SortedSetUnionStore.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${zsetPath(cache, name)}/union-store`,
        body: {
          sources: sources.map((s) => ({ name: s.name, weight: s.weight ?? 1 })),
          aggregate: options.aggregate ?? 'sum',
          ttl_seconds: options.ttlSeconds ?? this.defaultTtlSeconds,
        },
        idempotent: false,
      });
      return new SortedSetUnionStore.Success(json<{ length: number }>(answer.body).length);
    } catch (error) {
      return errorResponse(error);
    }
  }

  // ── shared steps ─────────────────────────────────────────────────────────────────────────────

  #ttl(options: CollectionTtlOptions): { ttl_seconds: number; refresh_ttl: boolean } {
    return { ttl_seconds: options.ttlSeconds ?? this.defaultTtlSeconds, refresh_ttl: options.refreshTtl ?? true };
  }

  /** A write whose answer is only its success; `missIsSuccess` for writes that answer 404 on a missing list. */
  async #write(request: TransportRequest, missIsSuccess = false): Promise<CollectionWrite.Response> {
    try {
      await this.send(request);
      return new SuccessResponse();
    } catch (error) {
      return missIsSuccess && isItemNotFound(error) ? new SuccessResponse() : errorResponse(error);
    }
  }

  async #length(path: string, query?: Record<string, string>): Promise<CollectionLength.Response> {
    try {
      const answer = await this.send({ method: 'GET', path, query, idempotent: true });
      return new CollectionLength.Hit(json<{ length: number }>(answer.body).length);
    } catch (error) {
      return isItemNotFound(error) ? new CollectionLength.Miss() : errorResponse(error);
    }
  }

  async #push(
    cache: string,
    name: string,
    end: 'front' | 'back',
    values: readonly BytesLike[],
    options: ListPushOptions = {},
  ): Promise<ListPush.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${listPath(cache, name)}/push-${end}`,
        body: {
          ...bytesListField('values', values),
          ...this.#ttl(options),
          ...(options.truncateToSize === undefined ? {} : { truncate_to_size: options.truncateToSize }),
        },
        // Pushing twice adds twice.
        idempotent: false,
      });
      return new ListPush.Success(json<{ length: number }>(answer.body).length);
    } catch (error) {
      return errorResponse(error);
    }
  }

  async #pop(cache: string, name: string, end: 'front' | 'back'): Promise<ListPop.Response> {
    try {
      const answer = await this.send({
        method: 'POST',
        path: `${listPath(cache, name)}/pop-${end}`,
        query: BASE64,
        idempotent: false,
      });
      const { value, length } = json<{ value: string; length: number }>(answer.body);
      return new ListPop.Hit(fromBase64(value), length);
    } catch (error) {
      return isItemNotFound(error) ? new ListPop.Miss() : errorResponse(error);
    }
  }

  async #elements(request: TransportRequest): Promise<SetFetch.Response> {
    try {
      const answer = await this.send(request);
      return new SetFetch.Hit(json<{ elements: string[] }>(answer.body).elements.map(fromBase64));
    } catch (error) {
      return isItemNotFound(error) ? new SetFetch.Miss() : errorResponse(error);
    }
  }

  async #scored(path: string, query: Record<string, string>): Promise<SortedSetFetch.Response> {
    try {
      const answer = await this.send({ method: 'GET', path, query: { ...BASE64, ...query }, idempotent: true });
      const { elements } = json<{ elements: Array<{ value: string; score: number }> }>(answer.body);
      return new SortedSetFetch.Hit(elements.map((e) => ({ value: fromBase64(e.value), score: e.score })));
    } catch (error) {
      return isItemNotFound(error) ? new SortedSetFetch.Miss() : errorResponse(error);
    }
  }
}

function collectionPath(kind: string, cache: string, name: string): string {
  return `/v1/caches/${encodeURIComponent(cache)}/${kind}/${encodeURIComponent(name)}`;
}

const dictPath = (cache: string, name: string) => collectionPath('dictionaries', cache, name);
const listPath = (cache: string, name: string) => collectionPath('lists', cache, name);
const setPath = (cache: string, name: string) => collectionPath('sets', cache, name);
const zsetPath = (cache: string, name: string) => collectionPath('sorted-sets', cache, name);

function optional(name: string, value: number | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: String(value) };
}

function rangeQuery(range: IndexRangeOptions): Record<string, string> {
  return { ...optional('start', range.startIndex), ...optional('end', range.endIndex) };
}

function orderQuery(order: SortOrder | undefined): Record<string, string> {
  return order === undefined ? {} : { order };
}

function boundsQuery(b: ScoreBoundsOptions): Record<string, string> {
  return {
    ...optional('min', b.minScore),
    ...optional('max', b.maxScore),
    ...(b.minExclusive ? { min_exclusive: 'true' } : {}),
    ...(b.maxExclusive ? { max_exclusive: 'true' } : {}),
  };
}

function pairsOf(items: DictionaryItems): Array<readonly [BytesLike, BytesLike]> {
  if (items instanceof Map) return [...items];
  if (Symbol.iterator in items) return [...(items as Iterable<readonly [BytesLike, BytesLike]>)];
  return Object.entries(items as Record<string, BytesLike>);
}

function scoredOf(elements: SortedSetElements): Array<{ readonly value: BytesLike; readonly score: number }> {
  if (elements instanceof Map) return [...elements].map(([value, score]) => ({ value, score }));
  if (Symbol.iterator in elements) return [...(elements as Iterable<{ value: BytesLike; score: number }>)];
  return Object.entries(elements as Record<string, number>).map(([value, score]) => ({ value, score }));
}
