/**
 * @module @cachette/engine-conformance
 * The one suite every {@link CacheEngine} must pass, keyv/hono style: each engine runs it in a few lines
 * and declares, with a reason, anything it deliberately does not do.
 *
 * @example
 * import { afterEach, beforeEach, describe, expect, it } from 'vitest';
 * engineConformance({ describe, it, expect, beforeEach, afterEach },
 *   ({ clock, maxBytes }) => new MemoryEngine({ clock, maxBytes, sweepIntervalMs: 0 }),
 *   { reclaimExpired: async (engine) => void engine.sweepExpired(Number.POSITIVE_INFINITY) });
 */

import type { CacheEngine } from '@cachette/engine';
import type { ConformanceOptions, ConformanceTestApi, MakeEngine } from './api.ts';
import { basicTests } from './basic.ts';
import { collectionSizeTests } from './collection-size.ts';
import { conditionalTests } from './conditional.ts';
import { dictionaryTests } from './dictionary.ts';
import { evictionTests } from './eviction.ts';
import { Suite } from './harness.ts';
import { incrementTests } from './increment.ts';
import { itemTypeTests } from './item-type.ts';
import { leaderboardTests } from './leaderboard.ts';
import { listTests } from './list.ts';
import { memoryLimitTests } from './memory-limit.ts';
import { namespaceTests } from './namespaces.ts';
import { readModifyWriteTests } from './read-modify-write.ts';
import { setTests } from './set.ts';
import { setIfHashTests } from './set-if-hash.ts';
import { sortedSetTests } from './sorted-set.ts';
import { ttlTests } from './ttl.ts';

export type {
  Capabilities,
  ConformanceOptions,
  ConformanceTestApi,
  DeclaredSkip,
  EngineContext,
  MakeEngine,
} from './api.ts';
export type { Fixture } from './harness.ts';
export { MAX_ITEM_OVERHEAD_BYTES, SUITE_MAX_BYTES } from './limits.ts';

/**
 * Registers the conformance suite with the caller's test runner: one `describe` per capability
 * (basic, ttl, conditional, increment, read-modify-write, namespaces, eviction, memory-limit, item types, set if hash,
 * dictionary, list, set, sorted set, collection size, leaderboard), a fresh engine, ManualClock
 * and namespace per test, random keys.
 *
 * @param test the runner's functions, e.g. vitest's `{ describe, it, expect, beforeEach, afterEach }`
 * @param makeEngine builds an engine reading `ctx.clock`, limited to `ctx.maxBytes` when given
 * @param options capabilities (all default to true), declared skips `{ reason, tests: [exact names] }`,
 *   `reclaimExpired` hook for active expiry, `cleanup` (default `engine.close()`)
 */
export function engineConformance<E extends CacheEngine>(
  test: ConformanceTestApi,
  makeEngine: MakeEngine<E>,
  options: ConformanceOptions<E> = {},
): void {
  const suite = new Suite(test, makeEngine, options);
  test.describe('engine conformance', () => {
    basicTests(suite);
    ttlTests(suite);
    conditionalTests(suite);
    incrementTests(suite);
    readModifyWriteTests(suite);
    namespaceTests(suite);
    evictionTests(suite);
    memoryLimitTests(suite);
    itemTypeTests(suite);
    setIfHashTests(suite);
    dictionaryTests(suite);
    listTests(suite);
    setTests(suite);
    sortedSetTests(suite);
    collectionSizeTests(suite);
    leaderboardTests(suite);

    // A typo in a skip declaration would otherwise leave the test running and the declaration lying.
    // Checked when the test runs, not here: vitest collects the nested describe blocks (and so registers
    // their tests) only after this callback returns.
    if ((options.skip ?? []).length > 0) {
      test.it('options.skip names only existing tests', () => {
        test.expect(suite.unknownSkips(), 'declared skips that match no test').toEqual([]);
      });
    }
  });
}
