/**
 * @module @cachette/engine
 * The cache engine contract and the embedded in-memory engine. Errors and clocks come from
 * `@cachette/core`; import them from there.
 */

export type { CacheEngine, EngineStats, ItemType, SetCondition, TtlUpdate, TtlUpdateResult } from './engine.ts';
export { MemoryEngine, type MemoryEngineOptions } from './memory-engine.ts';
