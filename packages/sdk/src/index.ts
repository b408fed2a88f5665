/**
 * @module @cachette/sdk
 * TypeScript client for Cachette over its HTTP API, on `fetch` alone (Node.js, browsers, edge runtimes).
 * Responses are values with a `type` discriminant (`Hit | Miss | Error`, …), for items and for dictionaries,
 * lists, sets and sorted sets; `getOrSet` is cache-aside with single-flight and optional
 * stale-while-revalidate. For `CACHETTE_API_KEY` and the CLI's profile files,
 * import `CacheClient` from `@cachette/sdk/node` instead.
 */
export { type Clock, type DecodedApiKey, decodeApiKey, systemClock } from '@cachette/core';
export type { BytesLike } from './bytes.ts';
export {
  type CacheAsideErrorEvent,
  type GetOrSetOptions,
  jsonSerializer,
  type Serializer,
} from './cache-aside.ts';
export {
  type BatchItem,
  CacheClient,
  type CacheClientOptions,
  DEFAULT_RETRIES,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_TTL_SECONDS,
  type SetIfCondition,
  type TtlOptions,
  type TtlUpdateMode,
} from './cache-client.ts';
export type {
  CollectionTtlOptions,
  DictionaryItems,
  FetchByScoreOptions,
  IndexRangeOptions,
  ListPushOptions,
  ScoreBoundsOptions,
  SortedSetElements,
  SortOrder,
  UnionStoreSource,
} from './collection-calls.ts';
export { CachetteError, ErrorCode } from './errors.ts';
export {
  type Done as LeaderboardDone,
  Leaderboard,
  type LeaderboardFetchByScoreOptions,
  type LeaderboardOrder,
} from './leaderboard.ts';
export * as CacheDelete from './responses/cache-delete.ts';
export * as CacheGet from './responses/cache-get.ts';
export * as CacheGetBatch from './responses/cache-get-batch.ts';
export * as CacheIncrement from './responses/cache-increment.ts';
export * as CacheItemGetTtl from './responses/cache-item-get-ttl.ts';
export * as CacheKeysExist from './responses/cache-keys-exist.ts';
export * as CacheSet from './responses/cache-set.ts';
export * as CacheSetBatch from './responses/cache-set-batch.ts';
export * as CacheSetIf from './responses/cache-set-if.ts';
export * as CacheUpdateTtl from './responses/cache-update-ttl.ts';
export * as CollectionLength from './responses/collection-length.ts';
export * as CollectionWrite from './responses/collection-write.ts';
export { ErrorResponse, SuccessResponse } from './responses/common.ts';
export * as CreateCache from './responses/create-cache.ts';
export * as DeleteCache from './responses/delete-cache.ts';
export * as DictionaryFetch from './responses/dictionary-fetch.ts';
export * as DictionaryGetFields from './responses/dictionary-get-fields.ts';
export * as FlushCache from './responses/flush-cache.ts';
export type { UsageReport, UsageTotals } from './responses/get-usage.ts';
export * as GetUsage from './responses/get-usage.ts';
export * as LeaderboardFetch from './responses/leaderboard-fetch.ts';
export * as LeaderboardLength from './responses/leaderboard-length.ts';
export type { CacheInfo, CacheLimits } from './responses/list-caches.ts';
export * as ListCaches from './responses/list-caches.ts';
export * as ListFetch from './responses/list-fetch.ts';
export * as ListPop from './responses/list-pop.ts';
export * as ListPush from './responses/list-push.ts';
export * as SetContains from './responses/set-contains.ts';
export * as SetFetch from './responses/set-fetch.ts';
export type { SortedSetElement } from './responses/sorted-set-fetch.ts';
export * as SortedSetFetch from './responses/sorted-set-fetch.ts';
export * as SortedSetGetRank from './responses/sorted-set-get-rank.ts';
export * as SortedSetGetScore from './responses/sorted-set-get-score.ts';
export * as SortedSetGetScores from './responses/sorted-set-get-scores.ts';
export * as SortedSetIncrement from './responses/sorted-set-increment.ts';
export * as SortedSetUnionStore from './responses/sorted-set-union-store.ts';
export {
  type ExchangeAnswer,
  type ExchangeRequest,
  ExchangeTimeout,
  type FetchLike,
  fetchExchange,
  type HttpExchange,
} from './transport.ts';
