/**
 * @module @cachette/engine
 * The cache engine contract and the embedded in-memory engine. Errors and clocks come from
 * `@cachette/core`; import them from there.
 */

export { checkWriteTtl, sliceBounds, valueHash, wrongTypeError } from './collection-rules.ts';
export type {
  CacheEngine,
  CollectionTtl,
  EngineStats,
  ExistenceCondition,
  HashCondition,
  IndexRange,
  ItemType,
  KeepTtl,
  LeaderboardElement,
  LeaderboardScoreRange,
  ListEnd,
  RankedElement,
  ScoreBound,
  ScoreRange,
  SetCondition,
  SetReturningResult,
  SortedSetAggregate,
  SortedSetElement,
  SortedSetSource,
  SortOrder,
  SyncScalarEngine,
  TtlUpdate,
  TtlUpdateResult,
  ValueWithHash,
  WriteTtl,
} from './engine.ts';
export {
  bytesToId,
  checkLeaderboardElements,
  checkLeaderboardId,
  checkLeaderboardScoreRange,
  checkRankRange,
  idToBytes,
  LEADERBOARD_ID_BYTES,
} from './leaderboard-rules.ts';
export { MemoryEngine, type MemoryEngineOptions } from './memory-engine.ts';
export { MemoryTopicBus, type MemoryTopicBusOptions, newSequencePage } from './memory-topic-bus.ts';
export {
  type PublishedAt,
  planResume,
  type TopicBus,
  type TopicBusSubscription,
  type TopicListener,
  type TopicMessage,
  type TopicResumePoint,
  type TopicValue,
  topicValueBytes,
} from './topic-bus.ts';
