/**
 * @module transports/http/routes/leaderboards
 * JSON routes for Momento's leaderboards under `/v1/caches/:cache/leaderboards/:name…`, each a thin mapping
 * onto `CacheService.leaderboards` (so permissions, limits, metering and errors are the gRPC ones):
 *
 * - `POST …/upsert` `{ "elements": [{ "id": 1, "score": 9.5 }] }` (or `{ "elements": { "1": 9.5 } }`) → 204
 * - `GET …/by-rank?start=0&end=10&order=descending` → `{ "elements": [{ "id", "score", "rank" }] }`
 * - `GET …/by-score?min=10&max=20&offset=0&count=100&order=ascending` (min inclusive, max exclusive)
 * - `POST …/rank` `{ "ids": [1, 2], "order": "descending", "competition": false }` → `{ "elements" }`
 * - `GET …/length` → `{ "length" }`, `POST …/remove` `{ "ids": [1] }` → 204, `DELETE …` → 204
 *
 * A missing leaderboard reads as empty (length 0), as on Momento's wire. Orders default to ascending
 * (rank 0 = lowest score), except competition ranks, which default to descending like Momento's SDKs.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { LeaderboardElement, RankedElement, SortOrder } from '@cachette/engine';
import type { FastifyInstance } from 'fastify';
import type { CacheService } from '../../../service/cache-service.ts';
import { MAX_LEADERBOARD_PAGE } from '../../../service/leaderboard-service.ts';
import { type Bytes, objectBody } from './item-ops.ts';

type Query = Record<string, string | undefined>;
type Req = { Params: { cache: string; name: string }; Body: unknown; Querystring: Query };

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

const nameOf = (params: Req['Params']): Uint8Array => Buffer.from(params.name, 'utf8');

function orderOf(raw: unknown, fallback: SortOrder): SortOrder {
  if (raw === undefined) return fallback;
  if (raw !== 'ascending' && raw !== 'descending') {
    throw invalid(`order must be ascending or descending, got '${String(raw)}'`);
  }
  return raw;
}

/** An integer query parameter (`fallback` when absent). */
function intQuery(query: Query, name: string, fallback?: number): number {
  const raw = query[name];
  if (raw === undefined) {
    if (fallback === undefined) throw invalid(`missing ${name}, an integer`);
    return fallback;
  }
  if (!/^\d{1,15}$/.test(raw)) throw invalid(`${name} must be a non-negative integer`);
  return Number(raw);
}

/** A number query parameter (`-inf`/`inf` allowed), or undefined. */
function scoreQuery(query: Query, name: string): number | undefined {
  const raw = query[name];
  if (raw === undefined) return undefined;
  if (raw === 'inf' || raw === '+inf') return Number.POSITIVE_INFINITY;
  if (raw === '-inf') return Number.NEGATIVE_INFINITY;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw invalid(`${name} must be a number (or -inf/inf)`);
  return n;
}

function id(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(`ids must be integers, got ${JSON.stringify(v)}`);
  return v;
}

function score(v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw invalid(`scores must be finite numbers, got ${JSON.stringify(v)}`);
  return v;
}

/** `elements` as `[{ id, score }]` or `{ "<id>": score }`. */
function elementsOf(body: Bytes): LeaderboardElement[] {
  const elements = body.elements;
  if (Array.isArray(elements)) {
    return elements.map((raw) => {
      const e = objectBody(raw);
      return { id: id(e.id), score: score(e.score) };
    });
  }
  if (typeof elements === 'object' && elements !== null) {
    return Object.entries(elements).map(([k, v]) => {
      if (!/^\d{1,10}$/.test(k)) throw invalid(`ids must be integers, got ${JSON.stringify(k)}`);
      return { id: Number(k), score: score(v) };
    });
  }
  throw invalid('elements must be an array of {id, score} or an object {"<id>": score}');
}

function idsOf(body: Bytes): number[] {
  if (!Array.isArray(body.ids)) throw invalid('missing ids, an array of integers');
  return body.ids.map(id);
}

const asElements = (elements: readonly RankedElement[]) => ({
  elements: elements.map((e) => ({ id: e.id, score: e.score, rank: e.rank })),
});

/** Registers the leaderboard routes. */
export function registerLeaderboards(app: FastifyInstance, service: CacheService): void {
  const lb = service.leaderboards;
  const base = '/v1/caches/:cache/leaderboards/:name';

  app.post<Req>(`${base}/upsert`, async (request, reply) => {
    const elements = elementsOf(objectBody(request.body));
    await lb.upsert(request.principal, request.params.cache, nameOf(request.params), elements);
    return reply.status(204).send();
  });

  app.get<Req>(`${base}/by-rank`, async (request) => {
    const { query } = request;
    const start = intQuery(query, 'start', 0);
    const end = intQuery(query, 'end', start + MAX_LEADERBOARD_PAGE);
    const order = orderOf(query.order, 'ascending');
    const { cache } = request.params;
    return asElements(await lb.fetchByRank(request.principal, cache, nameOf(request.params), start, end, order));
  });

  app.get<Req>(`${base}/by-score`, async (request) => {
    const { query } = request;
    const range = {
      min: scoreQuery(query, 'min'),
      max: scoreQuery(query, 'max'),
      offset: intQuery(query, 'offset', 0),
      count: intQuery(query, 'count', MAX_LEADERBOARD_PAGE),
    };
    const order = orderOf(query.order, 'ascending');
    const { cache } = request.params;
    return asElements(await lb.fetchByScore(request.principal, cache, nameOf(request.params), range, order));
  });

  app.post<Req>(`${base}/rank`, async (request) => {
    const body = objectBody(request.body);
    const ids = idsOf(body);
    const competition = body.competition ?? false;
    if (typeof competition !== 'boolean') throw invalid('competition must be a boolean');
    const { cache } = request.params;
    const name = nameOf(request.params);
    if (competition) {
      const order = orderOf(body.order, 'descending');
      return asElements(await lb.getCompetitionRank(request.principal, cache, name, ids, order));
    }
    return asElements(await lb.getRank(request.principal, cache, name, ids, orderOf(body.order, 'ascending')));
  });

  app.get<Req>(`${base}/length`, async (request) => ({
    length: await lb.length(request.principal, request.params.cache, nameOf(request.params)),
  }));

  app.post<Req>(`${base}/remove`, async (request, reply) => {
    const ids = idsOf(objectBody(request.body));
    await lb.remove(request.principal, request.params.cache, nameOf(request.params), ids);
    return reply.status(204).send();
  });

  app.delete<Req>(base, async (request, reply) => {
    await lb.delete(request.principal, request.params.cache, nameOf(request.params));
    return reply.status(204).send();
  });
}
