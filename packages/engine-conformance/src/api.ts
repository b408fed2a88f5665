/**
 * @module api
 * The types a caller of {@link engineConformance} deals with.
 *
 * The suite never imports a test runner at run time: the caller passes vitest's functions in. Only their
 * *types* come from vitest (a root devDependency; `import type` is erased), so any runner with the same
 * shape (describe/it/it.skip/expect/beforeEach/afterEach, jest-style matchers) can drive it.
 */

import type { ManualClock } from '@cachette/core';
import type { CacheEngine } from '@cachette/engine';
import type { afterEach, beforeEach, describe, ExpectStatic, it } from 'vitest';

/** The test-runner functions the suite registers its tests with, e.g. vitest's. */
export interface ConformanceTestApi {
  readonly describe: typeof describe;
  readonly it: typeof it;
  readonly expect: ExpectStatic;
  readonly beforeEach: typeof beforeEach;
  readonly afterEach: typeof afterEach;
}

/** What the suite hands to `makeEngine` for each test. */
export interface EngineContext {
  /** The clock the engine must read; tests advance it instead of sleeping. */
  readonly clock: ManualClock;
  /** Set by the eviction and memory-limit groups; otherwise use the engine's default. */
  readonly maxBytes?: number;
  /**
   * Set by the collection-size group: the item-size limit a collection's total (key plus fields and values,
   * elements, members plus 8 bytes per score) must respect; otherwise none.
   */
  readonly maxItemBytes?: number;
}

/** Builds a fresh engine for one test. */
export type MakeEngine<E extends CacheEngine> = (ctx: EngineContext) => Promise<E> | E;

/**
 * What an engine can do. All default to `true`: an engine that lacks one says so, and every test that
 * needs it is reported as skipped with the capability named.
 */
export interface Capabilities {
  /** The engine reads `ctx.clock`, so `clock.advance()` expires items (false for server-side clocks). */
  readonly manualClock?: boolean;
  /** The engine enforces `ctx.maxBytes` and reports `bytesUsed` exactly enough to test. */
  readonly memoryLimit?: boolean;
  /** The engine evicts in exact LRU order (not sampled/approximated LRU). */
  readonly eviction?: boolean;
}

/** Tests the engine deliberately does not pass, by exact test name, with the reason shown in the report. */
export interface DeclaredSkip {
  readonly reason: string;
  readonly tests: readonly string[];
}

/** Options of {@link engineConformance}. */
export interface ConformanceOptions<E extends CacheEngine> {
  readonly capabilities?: Capabilities;
  readonly skip?: readonly DeclaredSkip[];
  /**
   * Makes the engine reclaim expired items now (e.g. `MemoryEngine#sweepExpired`). Without it the
   * active-reclamation test is reported as skipped.
   */
  readonly reclaimExpired?: (engine: E) => Promise<void>;
  /** Tears an engine down after its test. Default: `engine.close()`. */
  readonly cleanup?: (engine: E) => Promise<void>;
}
