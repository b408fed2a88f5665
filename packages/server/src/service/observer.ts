/**
 * @module service/observer
 * Every service operation reports once, after it finished, to an {@link OperationObserver}: metrics and
 * byte metering both listen here, so gRPC and HTTP are measured identically.
 */
import type { ErrorCode } from '@cachette/core';

/** Operation names, as they appear in metrics labels. */
export type Operation =
  | 'get'
  | 'set'
  | 'setIf'
  | 'delete'
  | 'increment'
  | 'setReturning'
  | 'getAndExpire'
  | 'itemGetTtl'
  | 'updateTtl'
  | 'keysExist'
  | 'itemGetType'
  | 'getBatch'
  | 'setBatch'
  | CollectionOperation
  | LeaderboardOperation
  | 'createCache'
  | 'deleteCache'
  | 'flushCache'
  | 'listCaches'
  | TopicOperation;

/** Topic operations: a publish (bytes in), a subscribe, one message delivered to one subscriber (bytes out). */
export type TopicOperation = 'topicPublish' | 'topicSubscribe' | 'topicDeliver';

/** Collection and hash-conditioned operations (metered like scalar item operations). */
export type CollectionOperation =
  | 'getWithHash'
  | 'setIfHash'
  | 'dictionarySet'
  | 'dictionaryGet'
  | 'dictionaryFetch'
  | 'dictionaryIncrement'
  | 'dictionaryDelete'
  | 'dictionaryLength'
  | 'listConcatenate'
  | 'listPop'
  | 'listFetch'
  | 'listLength'
  | 'listRemove'
  | 'listRetain'
  | 'listErase'
  | 'setAdd'
  | 'setRemove'
  | 'setFetch'
  | 'setContains'
  | 'setLength'
  | 'setSample'
  | 'setPop'
  | 'sortedSetPut'
  | 'sortedSetFetch'
  | 'sortedSetGetScores'
  | 'sortedSetGetRank'
  | 'sortedSetIncrement'
  | 'sortedSetRemove'
  | 'sortedSetLength'
  | 'sortedSetLengthByScore'
  | 'sortedSetUnionStore';

/** Every collection operation, for sets of metered operations. */
export const COLLECTION_OPERATIONS: readonly CollectionOperation[] = [
  'getWithHash',
  'setIfHash',
  'dictionarySet',
  'dictionaryGet',
  'dictionaryFetch',
  'dictionaryIncrement',
  'dictionaryDelete',
  'dictionaryLength',
  'listConcatenate',
  'listPop',
  'listFetch',
  'listLength',
  'listRemove',
  'listRetain',
  'listErase',
  'setAdd',
  'setRemove',
  'setFetch',
  'setContains',
  'setLength',
  'setSample',
  'setPop',
  'sortedSetPut',
  'sortedSetFetch',
  'sortedSetGetScores',
  'sortedSetGetRank',
  'sortedSetIncrement',
  'sortedSetRemove',
  'sortedSetLength',
  'sortedSetLengthByScore',
  'sortedSetUnionStore',
];

/** Leaderboard operations (metered like collection operations). */
export type LeaderboardOperation =
  | 'leaderboardUpsert'
  | 'leaderboardFetchByRank'
  | 'leaderboardFetchByScore'
  | 'leaderboardGetRank'
  | 'leaderboardGetCompetitionRank'
  | 'leaderboardLength'
  | 'leaderboardRemove'
  | 'leaderboardDelete';

/** Every leaderboard operation, for sets of metered operations. */
export const LEADERBOARD_OPERATIONS: readonly LeaderboardOperation[] = [
  'leaderboardUpsert',
  'leaderboardFetchByRank',
  'leaderboardFetchByScore',
  'leaderboardGetRank',
  'leaderboardGetCompetitionRank',
  'leaderboardLength',
  'leaderboardRemove',
  'leaderboardDelete',
];

/** `ok`, `hit`/`miss` for reads, or the error code of a failure. */
export type Outcome = 'ok' | 'hit' | 'miss' | ErrorCode;

/**
 * Receives one call per finished operation. Positional arguments, not an event object, so observing
 * allocates nothing on the hot path. `accountId` is `''` when the caller was not authenticated.
 */
export interface OperationObserver {
  observe(
    op: Operation,
    accountId: string,
    cacheName: string,
    outcome: Outcome,
    durationMs: number,
    bytesIn: number,
    bytesOut: number,
  ): void;
}

/** Fans one report out to several observers. */
export function combineObservers(observers: readonly OperationObserver[]): OperationObserver {
  if (observers.length === 1 && observers[0]) return observers[0];
  return {
    observe(op, accountId, cacheName, outcome, durationMs, bytesIn, bytesOut) {
      for (const o of observers) o.observe(op, accountId, cacheName, outcome, durationMs, bytesIn, bytesOut);
    },
  };
}

export const noopObserver: OperationObserver = { observe() {} };
