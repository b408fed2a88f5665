/**
 * @module keys
 * Test cleanup for shared servers: deletes only the keys under one prefix (SCAN + UNLINK on every master),
 * never FLUSHALL, so tests can run against the machine's own Redis without touching anyone else's data.
 */

import type { Cluster, Redis } from 'iovalkey';

/** A standalone or cluster client (the shape `@cachette/engine-valkey` connects). */
type ValkeyClient = Redis | Cluster;

/**
 * Deletes every key matching `pattern` (a SCAN glob such as `cachette-test-1a2b:*`) on every master.
 *
 * @returns how many keys were deleted
 */
export async function deleteKeysMatching(client: ValkeyClient, pattern: string): Promise<number> {
  const nodes = 'nodes' in client ? client.nodes('master') : [client];
  let deleted = 0;
  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scanBuffer(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = String(next);
      // One UNLINK per key: keys of a page may hash to different slots, which a multi-key UNLINK rejects.
      if (keys.length > 0) deleted += (await Promise.all(keys.map((k) => node.unlink(k)))).reduce((a, b) => a + b, 0);
    } while (cursor !== '0');
  }
  return deleted;
}
