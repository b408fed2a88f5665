/**
 * @module conformance
 * Runs the shared engine conformance suite against a ValkeyEngine, single node or cluster, with the
 * deviations declared and explained in one place.
 */

import { randomBytes } from 'node:crypto';
import { engineConformance } from '@cachette/engine-conformance';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValkeyEngine } from '../src/index.ts';

/**
 * Registers the suite. `url()` is read when each engine is made, so a cluster started in `beforeAll`
 * works; every engine of a run shares `keyPrefix`, which the caller deletes afterwards.
 */
export function valkeyConformance(url: () => string, keyPrefix: string): void {
  engineConformance(
    { describe, it, expect, beforeEach, afterEach },
    // The engine judges deadlines on ctx.clock (see valkey-engine.ts), so ManualClock tests run as is.
    ({ clock, maxItemBytes }) =>
      ValkeyEngine.connect({ url: url(), keyPrefix, clock, statsIntervalMs: 0, maxItemBytes }),
    {
      capabilities: {
        // Memory is the cluster's: maxmemory + allkeys-lru on each node, sampled LRU, not per engine.
        memoryLimit: false,
        eviction: false,
      },
      skip: [
        {
          reason:
            'stats() reports cluster-wide INFO figures (all caches, all tenants of the server), refreshed in the background, not this engine instance’s item count',
          tests: ['stats().items counts stored items'],
        },
        {
          reason:
            'reclamation is the server’s job (each item’s PX TTL, on the real clock); valkey-engine tests check the PX TTL instead',
          tests: ['reclaiming expired items drops stats().items and counts stats().expirations without any read'],
        },
      ],
    },
  );
}

/** A key prefix unique to this test run, so cleanup deletes exactly what the run wrote. */
export function testKeyPrefix(): string {
  return `cachette-test-${randomBytes(6).toString('hex')}:`;
}
