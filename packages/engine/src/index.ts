/**
 * @module @cachette/engine
 * The cache engine contract, the embedded in-memory engine, errors and clocks.
 */

export { type Clock, ManualClock, systemClock } from './clock.ts';
export type { CacheEngine, EngineStats, ItemType, SetCondition, TtlUpdate, TtlUpdateResult } from './engine.ts';
export { CacheError, ErrorCode, isCacheError } from './errors.ts';
export { MemoryEngine, type MemoryEngineOptions } from './memory-engine.ts';
