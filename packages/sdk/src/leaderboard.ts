/**
 * @module leaderboard
 * {@link Leaderboard}: one leaderboard of a cache over the HTTP API (`/v1/caches/:cache/leaderboards/:name`),
 * with the calls of Momento's `PreviewLeaderboardClient`: upsert, fetch by rank and by score, rank
 * (ordinal or competition), length, remove and delete. Like every call of this SDK, they answer with
 * response values and never throw.
 */
import { toCachetteError } from './errors.ts';
import { ErrorResponse, SuccessResponse } from './responses/common.ts';
import * as LeaderboardFetch from './responses/leaderboard-fetch.ts';
import * as LeaderboardLength from './responses/leaderboard-length.ts';
import type { TransportAnswer, TransportRequest } from './transport.ts';

/** Order of a leaderboard read: ascending (rank 0 = lowest score) or descending (rank 0 = highest). */
export type LeaderboardOrder = 'ascending' | 'descending';

/** Options of {@link Leaderboard.fetchByScore}. */
export interface LeaderboardFetchByScoreOptions {
  /** Lowest score included. Default: no lower bound. */
  readonly minScore?: number | undefined;
  /** Scores from this one up are left out (exclusive). Default: no upper bound. */
  readonly maxScore?: number | undefined;
  /** Default `'ascending'`. */
  readonly order?: LeaderboardOrder | undefined;
  /** Matching elements to skip first. Default 0. */
  readonly offset?: number | undefined;
  /** Most elements returned, 1..8192. Default 8192. */
  readonly count?: number | undefined;
}

/** The transport's `send`, as {@link CacheClient.leaderboard} hands it over. */
type Send = (request: TransportRequest) => Promise<TransportAnswer>;

/**
 * One leaderboard, from {@link CacheClient.leaderboard}. Elements are integer ids (0..2^32 − 1) with
 * numeric scores; ranks are 0-based; at most 8192 elements per call (Momento's page size).
 *
 * ```ts
 * const board = client.leaderboard('default-cache', 'weekly');
 * await board.upsert({ 42: 1200, 7: 990 });
 * const top = await board.fetchByRank(0, 10, { order: 'descending' });
 * if (top.type === 'Success') console.log(top.elements);
 * ```
 */
export class Leaderboard {
  private readonly path: string;

  constructor(
    private readonly send: Send,
    readonly cacheName: string,
    readonly leaderboardName: string,
  ) {
    this.path = `/v1/caches/${encodeURIComponent(cacheName)}/leaderboards/${encodeURIComponent(leaderboardName)}`;
  }

  /** Inserts elements or replaces their scores (a Map or a Record of id → score). Retried. */
  async upsert(elements: ReadonlyMap<number, number> | Readonly<Record<number, number>>): Promise<Done> {
    const list =
      elements instanceof Map
        ? [...elements].map(([id, score]) => ({ id, score }))
        : Object.entries(elements).map(([id, score]) => ({ id: Number(id), score }));
    return this.done({ method: 'POST', path: `${this.path}/upsert`, body: { elements: list }, idempotent: true });
  }

  /** Elements at ranks `[startRank, endRank)` (at most 8192 ranks). Retried. */
  fetchByRank(
    startRank: number,
    endRank: number,
    options: { readonly order?: LeaderboardOrder | undefined } = {},
  ): Promise<LeaderboardFetch.Response> {
    const query: Record<string, string> = { start: String(startRank), end: String(endRank) };
    if (options.order !== undefined) query.order = options.order;
    return this.fetch({ method: 'GET', path: `${this.path}/by-rank`, query, idempotent: true });
  }

  /** Elements with `minScore <= score < maxScore`, `offset` skipped, at most `count`. Retried. */
  fetchByScore(options: LeaderboardFetchByScoreOptions = {}): Promise<LeaderboardFetch.Response> {
    const query: Record<string, string> = {};
    if (options.minScore !== undefined) query.min = scoreText(options.minScore);
    if (options.maxScore !== undefined) query.max = scoreText(options.maxScore);
    if (options.order !== undefined) query.order = options.order;
    if (options.offset !== undefined) query.offset = String(options.offset);
    if (options.count !== undefined) query.count = String(options.count);
    return this.fetch({ method: 'GET', path: `${this.path}/by-score`, query, idempotent: true });
  }

  /** Ordinal ranks (unique; ties broken by id) of the ids present. Default order ascending. Retried. */
  getRank(
    ids: readonly number[],
    options: { readonly order?: LeaderboardOrder | undefined } = {},
  ): Promise<LeaderboardFetch.Response> {
    return this.fetch({
      method: 'POST',
      path: `${this.path}/rank`,
      body: { ids, order: options.order },
      idempotent: true,
    });
  }

  /**
   * Competition ranks of the ids present: ties share a rank and the next one skips (0, 1, 1, 3). Default
   * order descending (rank 0 = the highest score), as Momento's SDKs. Retried.
   */
  getCompetitionRank(
    ids: readonly number[],
    options: { readonly order?: LeaderboardOrder | undefined } = {},
  ): Promise<LeaderboardFetch.Response> {
    const body = { ids, order: options.order, competition: true };
    return this.fetch({ method: 'POST', path: `${this.path}/rank`, body, idempotent: true });
  }

  /** The number of elements (0 when the leaderboard does not exist). Retried. */
  async length(): Promise<LeaderboardLength.Response> {
    try {
      const answer = await this.send({ method: 'GET', path: `${this.path}/length`, idempotent: true });
      return new LeaderboardLength.Success(parse<{ length: number }>(answer).length);
    } catch (error) {
      return new ErrorResponse(toCachetteError(error));
    }
  }

  /** Removes elements by id (absent ids are ignored). Retried. */
  removeElements(ids: readonly number[]): Promise<Done> {
    return this.done({ method: 'POST', path: `${this.path}/remove`, body: { ids }, idempotent: true });
  }

  /** Deletes the whole leaderboard (a success when it does not exist). Retried. */
  delete(): Promise<Done> {
    return this.done({ method: 'DELETE', path: this.path, idempotent: true });
  }

  private async fetch(request: TransportRequest): Promise<LeaderboardFetch.Response> {
    try {
      const answer = await this.send(request);
      return new LeaderboardFetch.Success(parse<{ elements: LeaderboardFetch.RankedElement[] }>(answer).elements);
    } catch (error) {
      return new ErrorResponse(toCachetteError(error));
    }
  }

  private async done(request: TransportRequest): Promise<Done> {
    try {
      await this.send(request);
      return new SuccessResponse();
    } catch (error) {
      return new ErrorResponse(toCachetteError(error));
    }
  }
}

/** What upsert, removeElements and delete resolve to. */
export type Done = SuccessResponse | ErrorResponse;

/** Infinite bounds travel as `inf`/`-inf` (JSON and query strings have no Infinity). */
function scoreText(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return 'inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return String(score);
}

function parse<T>(answer: TransportAnswer): T {
  return JSON.parse(new TextDecoder().decode(answer.body)) as T;
}
