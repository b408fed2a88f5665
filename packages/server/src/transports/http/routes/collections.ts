/**
 * @module transports/http/routes/collections
 * JSON routes for dictionaries, lists, sets and sorted sets under
 * `/v1/caches/:cache/{dictionaries,lists,sets,sorted-sets}/:name…`, each a thin mapping onto
 * `CacheService.collections` (so permissions, limits, metering and errors are the gRPC ones). The collection
 * name is the UTF-8 path segment. Fields, values and elements are UTF-8 strings in JSON, or base64 under the
 * `*_base64` twin of each name; reads answer UTF-8 unless `?encoding=base64`. A missing collection is a 404
 * `item_not_found`, as a missing item is; a collection of another type is 409 FAILED_PRECONDITION.
 * Writes take `ttl_seconds` (required) and `refresh_ttl` (default true, as Momento's SDKs).
 *
 * Routes, per `:name` collection: dictionaries `GET`, `DELETE`, `GET …/length`, `POST …/{set,get,increment,
 * delete}`; lists `GET ?start&end`, `DELETE`, `GET …/length`, `POST …/{push-front,push-back,pop-front,pop-back,
 * remove,retain}`; sets `GET`, `DELETE`, `GET …/length`, `GET …/sample?limit`, `POST …/{add,remove,contains,
 * pop}`; sorted sets `GET ?start&end&order` (by rank), `GET …/by-score?min&max&…`, `DELETE`,
 * `GET …/{length,length-by-score,rank}`, `POST …/{put,scores,increment,remove,union-store}`.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { CollectionTtl, IndexRange, ScoreBound, SortedSetElement, SortOrder } from '@cachette/engine';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { CacheService } from '../../../service/cache-service.ts';
import { sendError } from '../errors.ts';
import { type Bytes, bytesField, objectBody, ttlMsField } from './item-ops.ts';

type Query = Record<string, string | undefined>;
type Req = { Params: { cache: string; name: string }; Body: unknown; Querystring: Query };

/** How a read answers bytes: `?encoding=utf8` (default) or `?encoding=base64` for binary data. */
type Encode = (bytes: Uint8Array) => string;

function encoderOf(query: Query): Encode {
  const encoding = query.encoding ?? 'utf8';
  if (encoding !== 'utf8' && encoding !== 'base64') {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `encoding must be utf8 or base64, got '${encoding}'`);
  }
  return (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(encoding);
}

const nameOf = (params: Req['Params']): Uint8Array => Buffer.from(params.name, 'utf8');

/** `name` (an array of UTF-8 strings) or `name_base64` (an array of base64 strings), never both. */
function bytesList(body: Bytes, name: string): Uint8Array[] {
  const text = body[name];
  const b64 = body[`${name}_base64`];
  if (text !== undefined && b64 !== undefined) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `give either ${name} or ${name}_base64, not both`);
  }
  const list = text ?? b64;
  if (!Array.isArray(list)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `missing ${name} (or ${name}_base64), an array of strings`);
  }
  return list.map((item) => {
    if (typeof item !== 'string') throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name} must be strings`);
    return Buffer.from(item, text !== undefined ? 'utf8' : 'base64');
  });
}

/** `ttl_seconds` and `refresh_ttl` (default true: a write refreshes the collection's TTL). */
function collectionTtl(body: Bytes): CollectionTtl {
  const refresh = body.refresh_ttl ?? true;
  if (typeof refresh !== 'boolean') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'refresh_ttl must be a boolean');
  return { ttlMs: ttlMsField(body), refreshTtl: refresh };
}

/** An optional integer query parameter (e.g. `start=-2`). */
function intQuery(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (!/^-?\d{1,15}$/.test(raw)) throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name} must be an integer`);
  return Number(raw);
}

/** An optional integer JSON field. */
function intField(body: Bytes, name: string): number | undefined {
  const v = body[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name} must be an integer`);
  }
  return v;
}

function finiteField(body: Bytes, name: string, fallback?: number): number {
  const v = body[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name} must be a finite number`);
  }
  return v;
}

function rangeOf(query: Query): IndexRange {
  const start = intQuery(query, 'start');
  const end = intQuery(query, 'end');
  return { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
}

function orderOf(query: Query): SortOrder {
  const order = query.order ?? 'ascending';
  if (order !== 'ascending' && order !== 'descending') {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `order must be ascending or descending, got '${order}'`);
  }
  return order;
}

/** A score bound from `min`/`max` with `min_exclusive`/`max_exclusive`; undefined when absent. */
function boundOf(query: Query, name: 'min' | 'max'): ScoreBound | undefined {
  const raw = query[name];
  const exclusive = query[`${name}_exclusive`];
  if (exclusive !== undefined && exclusive !== 'true' && exclusive !== 'false') {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name}_exclusive must be true or false`);
  }
  if (raw === undefined) return undefined;
  const score = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(score)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${name} must be a finite number`);
  }
  return { score, exclusive: exclusive === 'true' };
}

/** `elements` as `[{ value | value_base64, score }]` or as an object `{ "<utf8 value>": score }`. */
function sortedSetElements(body: Bytes): SortedSetElement[] {
  const elements = body.elements;
  if (Array.isArray(elements)) {
    return elements.map((raw) => {
      const e = objectBody(raw);
      return { value: bytesField(e, 'value', true), score: finiteField(e, 'score') };
    });
  }
  if (typeof elements === 'object' && elements !== null) {
    return Object.entries(elements).map(([value, score]) => {
      if (typeof score !== 'number' || !Number.isFinite(score)) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'scores must be finite numbers');
      }
      return { value: Buffer.from(value, 'utf8'), score };
    });
  }
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'elements must be an array of {value, score} or an object');
}

/** `items` as `[{ field | field_base64, value | value_base64 }]` or as an object `{ "<field>": "<value>" }`. */
function dictionaryItems(body: Bytes): [Uint8Array, Uint8Array][] {
  const items = body.items;
  if (Array.isArray(items)) {
    return items.map((raw) => {
      const item = objectBody(raw);
      return [bytesField(item, 'field', true), bytesField(item, 'value', true)];
    });
  }
  if (typeof items === 'object' && items !== null) {
    return Object.entries(items).map(([field, value]) => {
      if (typeof value !== 'string') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'values must be strings');
      return [Buffer.from(field, 'utf8'), Buffer.from(value, 'utf8')];
    });
  }
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'items must be an array of {field, value} or an object');
}

/** `value` / `values` (UTF-8) or their base64 twins: one value or a list. */
function valuesOf(body: Bytes): Uint8Array[] {
  if (body.value !== undefined || body.value_base64 !== undefined) {
    if (body.values !== undefined || body.values_base64 !== undefined) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'give either value or values, not both');
    }
    return [bytesField(body, 'value', true)];
  }
  return bytesList(body, 'values');
}

/** The 404 a missing collection answers, like a missing item. */
function miss(reply: FastifyReply, what: string): FastifyReply {
  return sendError(reply, new CacheError(ErrorCode.NOT_FOUND, `${what} not found`, 'item_not_found'));
}

/** Registers the collection routes on `app` (authentication is the app's per-route onRequest hook). */
export function registerCollections(app: FastifyInstance, service: CacheService): void {
  const c = service.collections;

  // ── dictionaries ─────────────────────────────────────────────────────────────────────────────
  const dict = '/v1/caches/:cache/dictionaries/:name';

  app.get<Req>(dict, async (request, reply) => {
    const encode = encoderOf(request.query);
    const pairs = await c.dictionaryFetch(request.principal, request.params.cache, nameOf(request.params));
    if (pairs === undefined) return miss(reply, 'dictionary');
    return { items: pairs.map(([f, v]) => ({ field: encode(f), value: encode(v) })) };
  });

  app.post<Req>(`${dict}/set`, async (request, reply) => {
    const body = objectBody(request.body);
    const { cache } = request.params;
    await c.dictionarySet(request.principal, cache, nameOf(request.params), dictionaryItems(body), collectionTtl(body));
    return reply.status(204).send();
  });

  app.post<Req>(`${dict}/get`, async (request, reply) => {
    const encode = encoderOf(request.query);
    const fields = bytesList(objectBody(request.body), 'fields');
    const values = await c.dictionaryGet(request.principal, request.params.cache, nameOf(request.params), fields);
    if (values === undefined) return miss(reply, 'dictionary');
    return { values: values.map((v) => (v === undefined ? null : encode(v))) };
  });

  app.post<Req>(`${dict}/increment`, async (request) => {
    const body = objectBody(request.body);
    const amount = body.amount ?? 1;
    if (
      !(typeof amount === 'number' && Number.isSafeInteger(amount)) &&
      !(typeof amount === 'string' && /^-?\d{1,20}$/.test(amount))
    ) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'amount must be an integer (a number or a decimal string)');
    }
    const value = await c.dictionaryIncrement(
      request.principal,
      request.params.cache,
      nameOf(request.params),
      bytesField(body, 'field', true),
      BigInt(amount),
      collectionTtl(body),
    );
    return { value: value.toString() };
  });

  app.post<Req>(`${dict}/delete`, async (request, reply) => {
    const fields = bytesList(objectBody(request.body), 'fields');
    await c.dictionaryDelete(request.principal, request.params.cache, nameOf(request.params), fields);
    return reply.status(204).send();
  });

  app.delete<Req>(dict, async (request, reply) => {
    await c.dictionaryDelete(request.principal, request.params.cache, nameOf(request.params), 'all');
    return reply.status(204).send();
  });

  app.get<Req>(`${dict}/length`, async (request, reply) => {
    const length = await c.dictionaryLength(request.principal, request.params.cache, nameOf(request.params));
    return length === undefined ? miss(reply, 'dictionary') : { length };
  });

  // ── lists ────────────────────────────────────────────────────────────────────────────────────
  const list = '/v1/caches/:cache/lists/:name';

  app.get<Req>(list, async (request, reply) => {
    const encode = encoderOf(request.query);
    const range = rangeOf(request.query);
    const values = await c.listFetch(request.principal, request.params.cache, nameOf(request.params), range);
    return values === undefined ? miss(reply, 'list') : { values: values.map(encode) };
  });

  for (const end of ['front', 'back'] as const) {
    app.post<Req>(`${list}/push-${end}`, async (request) => {
      const body = objectBody(request.body);
      const truncate = intField(body, 'truncate_to_size');
      if (truncate !== undefined && truncate <= 0) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'truncate_to_size must be a positive integer');
      }
      const length = await c.listConcatenate(
        request.principal,
        request.params.cache,
        nameOf(request.params),
        end,
        valuesOf(body),
        collectionTtl(body),
        truncate,
      );
      return { length };
    });

    app.post<Req>(`${list}/pop-${end}`, async (request, reply) => {
      const encode = encoderOf(request.query);
      const popped = await c.listPop(request.principal, request.params.cache, nameOf(request.params), end);
      return popped === undefined ? miss(reply, 'list') : { value: encode(popped.value), length: popped.length };
    });
  }

  app.post<Req>(`${list}/remove`, async (request, reply) => {
    const value = bytesField(objectBody(request.body), 'value', true);
    const length = await c.listRemoveValue(request.principal, request.params.cache, nameOf(request.params), value);
    return length === undefined ? miss(reply, 'list') : { length };
  });

  app.post<Req>(`${list}/retain`, async (request, reply) => {
    const body = objectBody(request.body);
    const start = intField(body, 'start');
    const end = intField(body, 'end');
    const range = { ...(start === undefined ? {} : { start }), ...(end === undefined ? {} : { end }) };
    const { cache } = request.params;
    const length = await c.listRetain(request.principal, cache, nameOf(request.params), range, collectionTtl(body));
    return length === undefined ? miss(reply, 'list') : { length };
  });

  app.delete<Req>(list, async (request, reply) => {
    await c.listErase(request.principal, request.params.cache, nameOf(request.params), 'all');
    return reply.status(204).send();
  });

  app.get<Req>(`${list}/length`, async (request, reply) => {
    const length = await c.listLength(request.principal, request.params.cache, nameOf(request.params));
    return length === undefined ? miss(reply, 'list') : { length };
  });

  // ── sets ─────────────────────────────────────────────────────────────────────────────────────
  const set = '/v1/caches/:cache/sets/:name';

  app.get<Req>(set, async (request, reply) => {
    const encode = encoderOf(request.query);
    const elements = await c.setFetch(request.principal, request.params.cache, nameOf(request.params));
    return elements === undefined ? miss(reply, 'set') : { elements: elements.map(encode) };
  });

  app.post<Req>(`${set}/add`, async (request, reply) => {
    const body = objectBody(request.body);
    const elements = bytesList(body, 'elements');
    await c.setAdd(request.principal, request.params.cache, nameOf(request.params), elements, collectionTtl(body));
    return reply.status(204).send();
  });

  app.post<Req>(`${set}/remove`, async (request, reply) => {
    const elements = bytesList(objectBody(request.body), 'elements');
    await c.setRemove(request.principal, request.params.cache, nameOf(request.params), elements);
    return reply.status(204).send();
  });

  app.post<Req>(`${set}/contains`, async (request, reply) => {
    const elements = bytesList(objectBody(request.body), 'elements');
    const found = await c.setContains(request.principal, request.params.cache, nameOf(request.params), elements);
    return found === undefined ? miss(reply, 'set') : { contains: found };
  });

  app.get<Req>(`${set}/sample`, async (request, reply) => {
    const encode = encoderOf(request.query);
    const limit = intQuery(request.query, 'limit');
    if (limit === undefined || limit < 0) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'limit must be a non-negative integer');
    }
    const elements = await c.setSample(request.principal, request.params.cache, nameOf(request.params), limit);
    return elements === undefined ? miss(reply, 'set') : { elements: elements.map(encode) };
  });

  app.post<Req>(`${set}/pop`, async (request, reply) => {
    const encode = encoderOf(request.query);
    const count = intField(objectBody(request.body), 'count') ?? 1;
    if (count <= 0) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'count must be a positive integer');
    const elements = await c.setPop(request.principal, request.params.cache, nameOf(request.params), count);
    return elements === undefined ? miss(reply, 'set') : { elements: elements.map(encode) };
  });

  app.delete<Req>(set, async (request, reply) => {
    await c.setRemove(request.principal, request.params.cache, nameOf(request.params), 'all');
    return reply.status(204).send();
  });

  app.get<Req>(`${set}/length`, async (request, reply) => {
    const length = await c.setLength(request.principal, request.params.cache, nameOf(request.params));
    return length === undefined ? miss(reply, 'set') : { length };
  });

  // ── sorted sets ──────────────────────────────────────────────────────────────────────────────
  const zset = '/v1/caches/:cache/sorted-sets/:name';
  const asElements = (elements: SortedSetElement[], encode: Encode) => ({
    elements: elements.map((e) => ({ value: encode(e.value), score: e.score })),
  });

  app.get<Req>(zset, async (request, reply) => {
    const { query } = request;
    const encode = encoderOf(query);
    const elements = await c.sortedSetFetchByRank(
      request.principal,
      request.params.cache,
      nameOf(request.params),
      rangeOf(query),
      orderOf(query),
    );
    return elements === undefined ? miss(reply, 'sorted set') : asElements(elements, encode);
  });

  app.get<Req>(`${zset}/by-score`, async (request, reply) => {
    const { query } = request;
    const encode = encoderOf(query);
    const min = boundOf(query, 'min');
    const max = boundOf(query, 'max');
    const offset = intQuery(query, 'offset');
    const count = intQuery(query, 'count');
    if ((offset !== undefined && offset < 0) || (count !== undefined && count <= 0)) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'offset must be >= 0 and count > 0');
    }
    const range = {
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
      ...(offset === undefined ? {} : { offset }),
      ...(count === undefined ? {} : { count }),
    };
    const { cache } = request.params;
    const elements = await c.sortedSetFetchByScore(
      request.principal,
      cache,
      nameOf(request.params),
      range,
      orderOf(query),
    );
    return elements === undefined ? miss(reply, 'sorted set') : asElements(elements, encode);
  });

  app.post<Req>(`${zset}/put`, async (request, reply) => {
    const body = objectBody(request.body);
    const elements = sortedSetElements(body);
    const { cache } = request.params;
    await c.sortedSetPut(request.principal, cache, nameOf(request.params), elements, collectionTtl(body));
    return reply.status(204).send();
  });

  app.post<Req>(`${zset}/scores`, async (request, reply) => {
    const values = bytesList(objectBody(request.body), 'values');
    const scores = await c.sortedSetGetScores(request.principal, request.params.cache, nameOf(request.params), values);
    return scores === undefined ? miss(reply, 'sorted set') : { scores: scores.map((s) => s ?? null) };
  });

  app.get<Req>(`${zset}/rank`, async (request, reply) => {
    const { query } = request;
    const value = bytesField(query as Bytes, 'value', true);
    const { cache } = request.params;
    const rank = await c.sortedSetGetRank(request.principal, cache, nameOf(request.params), value, orderOf(query));
    if (rank === undefined) {
      return sendError(reply, new CacheError(ErrorCode.NOT_FOUND, 'sorted set or element not found', 'item_not_found'));
    }
    return { rank };
  });

  app.post<Req>(`${zset}/increment`, async (request) => {
    const body = objectBody(request.body);
    const score = await c.sortedSetIncrement(
      request.principal,
      request.params.cache,
      nameOf(request.params),
      bytesField(body, 'value', true),
      finiteField(body, 'amount', 1),
      collectionTtl(body),
    );
    return { score };
  });

  app.post<Req>(`${zset}/remove`, async (request, reply) => {
    const values = bytesList(objectBody(request.body), 'values');
    await c.sortedSetRemove(request.principal, request.params.cache, nameOf(request.params), values);
    return reply.status(204).send();
  });

  app.delete<Req>(zset, async (request, reply) => {
    await c.sortedSetRemove(request.principal, request.params.cache, nameOf(request.params), 'all');
    return reply.status(204).send();
  });

  app.get<Req>(`${zset}/length-by-score`, async (request, reply) => {
    const { query } = request;
    const { cache } = request.params;
    const name = nameOf(request.params);
    const length = await c.sortedSetLengthByScore(
      request.principal,
      cache,
      name,
      boundOf(query, 'min'),
      boundOf(query, 'max'),
    );
    return length === undefined ? miss(reply, 'sorted set') : { length };
  });

  app.post<Req>(`${zset}/union-store`, async (request) => {
    const body = objectBody(request.body);
    const aggregate = body.aggregate ?? 'sum';
    if (aggregate !== 'sum' && aggregate !== 'min' && aggregate !== 'max') {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `aggregate must be sum, min or max, got '${String(aggregate)}'`);
    }
    if (!Array.isArray(body.sources)) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'sources must be an array of {name, weight}');
    }
    const sources = body.sources.map((raw) => {
      const src = objectBody(raw);
      return { key: bytesField(src, 'name', true), weight: finiteField(src, 'weight', 1) };
    });
    const { cache } = request.params;
    const name = nameOf(request.params);
    const length = await c.sortedSetUnionStore(request.principal, cache, name, sources, aggregate, ttlMsField(body));
    return { length };
  });

  app.get<Req>(`${zset}/length`, async (request, reply) => {
    const length = await c.sortedSetLength(request.principal, request.params.cache, nameOf(request.params));
    return length === undefined ? miss(reply, 'sorted set') : { length };
  });
}
