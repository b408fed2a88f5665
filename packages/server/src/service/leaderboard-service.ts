/**
 * @module service/leaderboard-service
 * Momento's leaderboard service for any transport: upsert, fetch by rank and by score, ordinal and
 * competition ranks, length, removal and deletion of a leaderboard that lives in a cache. Each method checks
 * its arguments against Momento's limits in a `prepare` step, then runs through
 * {@link CacheService.operate} like every collection call: authorize (reads need read, upsert/remove/delete
 * need write) → admit (rate, throughput, plan limits) → engine op on the cache's namespace → charge and
 * observe (metrics, metering) → map failures.
 *
 * Limits (the official SDK documents and enforces the same): at most {@link MAX_LEADERBOARD_PAGE} elements
 * per upsert, removal, rank lookup or fetch; a fetch by rank spans at most that many ranks. A leaderboard
 * has no TTL on Momento's wire: it lives for the service's maximum TTL after its last upsert (a cache item
 * like any other, so memory pressure may evict it first).
 *
 * Metering: an element counts 16 bytes (8-byte id, 8-byte score) in and out, an id alone 8, plus the
 * leaderboard name on the way in.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type {
  CacheEngine,
  LeaderboardElement,
  LeaderboardScoreRange,
  RankedElement,
  SortOrder,
} from '@cachette/engine';
import type { Admission, CacheService } from './cache-service.ts';
import type { ServiceLimits } from './limits.ts';
import type { Principal } from './principal.ts';

/** Most elements one call may write, remove, look up or return: Momento's page size. */
export const MAX_LEADERBOARD_PAGE = 8192;

/** Metered bytes of an element (id + score) and of an id. */
const ELEMENT_BYTES = 16;
const ID_BYTES = 8;

const NOTHING_OUT = (): number => 0;
const ELEMENTS_OUT = (r: readonly RankedElement[]): number => r.length * ELEMENT_BYTES;
const COUNT_OUT = (): number => 0;

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

function checkName(name: Uint8Array): void {
  if (name.byteLength === 0) throw invalid('leaderboard name must not be empty');
}

function checkPage(what: string, n: number): void {
  if (n > MAX_LEADERBOARD_PAGE) {
    throw invalid(`${what}: ${n} exceeds the maximum of ${MAX_LEADERBOARD_PAGE} per call`);
  }
}

/** Largest id: Momento's wire carries ids as uint32, so every transport keeps to that range. */
export const MAX_LEADERBOARD_ID = 0xffff_ffff;

function checkId(id: number): void {
  if (!Number.isInteger(id) || id < 0 || id > MAX_LEADERBOARD_ID) {
    throw invalid(`leaderboard ids are integers from 0 to ${MAX_LEADERBOARD_ID}, got ${id}`);
  }
}

/** The leaderboard part of the data plane; shares the admission path of {@link CacheService}. */
export class LeaderboardService {
  constructor(
    private readonly service: CacheService,
    private readonly engine: CacheEngine,
    private readonly limits: ServiceLimits,
  ) {}

  /** Inserts elements or replaces their scores (1..8192 per call); the leaderboard is created if needed. */
  upsert(p: Principal, cache: string, name: Uint8Array, elements: readonly LeaderboardElement[]): Promise<void> {
    return this.service.operate(
      'leaderboardUpsert',
      p,
      cache,
      () => {
        checkName(name);
        if (elements.length === 0) throw invalid('upsert needs at least one element');
        checkPage('upsert elements', elements.length);
        for (const e of elements) {
          checkId(e.id);
          if (typeof e.score !== 'number' || Number.isNaN(e.score)) {
            throw invalid(`the score of element ${e.id} must be a number, got ${e.score}`);
          }
        }
        const bytes = name.byteLength + elements.length * ELEMENT_BYTES;
        // Like a collection write, one request must fit the item-size limit (only a huge name can break it).
        if (bytes > this.limits.maxItemSizeBytes) {
          throw new CacheError(
            ErrorCode.LIMIT_EXCEEDED,
            `request of ${bytes} bytes exceeds the item size limit of ${this.limits.maxItemSizeBytes} bytes`,
            'item_size_limit_exceeded',
          );
        }
        return { permission: 'write', bytesIn: bytes, largestItemBytes: bytes };
      },
      (ns) => this.engine.leaderboardUpsert(ns, name, elements, this.limits.maxTtlMs),
      NOTHING_OUT,
    );
  }

  /** Elements at ranks `[start, end)` (0-based, end exclusive, at most 8192 ranks) in `order`. */
  fetchByRank(
    p: Principal,
    cache: string,
    name: Uint8Array,
    start: number,
    end: number,
    order: SortOrder,
  ): Promise<RankedElement[]> {
    return this.service.operate(
      'leaderboardFetchByRank',
      p,
      cache,
      () => {
        checkName(name);
        if (start >= end) throw invalid(`start rank (${start}) must be less than end rank (${end})`);
        checkPage('fetch by rank span', end - start);
        return this.read(name, 0);
      },
      (ns) => this.engine.leaderboardFetchByRank(ns, name, start, end, order),
      ELEMENTS_OUT,
    );
  }

  /** Elements with `min <= score < max` (omitted: unbounded), `offset` skipped, at most `count` (1..8192). */
  fetchByScore(
    p: Principal,
    cache: string,
    name: Uint8Array,
    range: LeaderboardScoreRange,
    order: SortOrder,
  ): Promise<RankedElement[]> {
    return this.service.operate(
      'leaderboardFetchByScore',
      p,
      cache,
      () => {
        checkName(name);
        if (range.min !== undefined && range.max !== undefined && range.min > range.max) {
          throw invalid(`minimum score (${range.min}) must not be greater than maximum score (${range.max})`);
        }
        if (range.count < 1) throw invalid(`count must be at least 1, got ${range.count}`);
        checkPage('fetch by score count', range.count);
        return this.read(name, 0);
      },
      (ns) => this.engine.leaderboardFetchByScore(ns, name, range, order),
      ELEMENTS_OUT,
    );
  }

  /** Each present id with its ordinal rank in `order` (ties broken by id); absent ids are left out. */
  getRank(p: Principal, cache: string, name: Uint8Array, ids: readonly number[], order: SortOrder) {
    return this.ranks('leaderboardGetRank', p, cache, name, ids, (ns) =>
      this.engine.leaderboardGetRank(ns, name, ids, order),
    );
  }

  /** Each present id with its competition rank in `order` (ties share a rank); absent ids are left out. */
  getCompetitionRank(p: Principal, cache: string, name: Uint8Array, ids: readonly number[], order: SortOrder) {
    return this.ranks('leaderboardGetCompetitionRank', p, cache, name, ids, (ns) =>
      this.engine.leaderboardGetCompetitionRank(ns, name, ids, order),
    );
  }

  /** The number of elements (0 for a leaderboard that does not exist). */
  length(p: Principal, cache: string, name: Uint8Array): Promise<number> {
    return this.service.operate(
      'leaderboardLength',
      p,
      cache,
      () => {
        checkName(name);
        return this.read(name, 0);
      },
      (ns) => this.engine.leaderboardLength(ns, name),
      COUNT_OUT,
    );
  }

  /** Removes elements by id (1..8192 per call); absent ids are ignored. */
  remove(p: Principal, cache: string, name: Uint8Array, ids: readonly number[]): Promise<void> {
    return this.service.operate(
      'leaderboardRemove',
      p,
      cache,
      () => {
        checkName(name);
        if (ids.length === 0) throw invalid('remove needs at least one id');
        checkPage('remove ids', ids.length);
        for (const id of ids) checkId(id);
        return { permission: 'write', bytesIn: name.byteLength + ids.length * ID_BYTES };
      },
      (ns) => this.engine.leaderboardRemove(ns, name, ids),
      NOTHING_OUT,
    );
  }

  /** Deletes the whole leaderboard; succeeds when it does not exist. */
  delete(p: Principal, cache: string, name: Uint8Array): Promise<void> {
    return this.service.operate(
      'leaderboardDelete',
      p,
      cache,
      () => {
        checkName(name);
        return { permission: 'write', bytesIn: name.byteLength };
      },
      (ns) => this.engine.leaderboardDelete(ns, name),
      NOTHING_OUT,
    );
  }

  private ranks(
    op: 'leaderboardGetRank' | 'leaderboardGetCompetitionRank',
    p: Principal,
    cache: string,
    name: Uint8Array,
    ids: readonly number[],
    run: (ns: string) => Promise<RankedElement[]>,
  ): Promise<RankedElement[]> {
    return this.service.operate(
      op,
      p,
      cache,
      () => {
        checkName(name);
        checkPage('rank lookup ids', ids.length);
        for (const id of ids) checkId(id);
        return this.read(name, ids.length * ID_BYTES);
      },
      run,
      ELEMENTS_OUT,
    );
  }

  private read(name: Uint8Array, argBytes: number): Admission {
    return { permission: 'read', bytesIn: name.byteLength + argBytes };
  }
}
