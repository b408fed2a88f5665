/**
 * @module errors
 * Maps client and server failures onto the engine's error table. Anything that says "the cluster cannot
 * answer right now" becomes UNAVAILABLE (the caller may retry); a reply error we did not expect means a
 * bug or a misconfigured server and becomes INTERNAL. Expected outcomes (missing namespace, overflow…)
 * never travel as errors: the scripts return status codes.
 */

import { CacheError, ErrorCode } from '@cachette/core';

/** Server replies that mean "not now" rather than "never": topology changes, loading, failover, busy. */
const TRANSIENT_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|BUSY|NOREPLICAS|MOVED|ASK)\b/;

/** The error for an engine used after `close()`. */
export function closedError(): CacheError {
  return new CacheError(ErrorCode.UNAVAILABLE, 'the engine is closed');
}

/** The NOT_FOUND every operation on a missing namespace rejects with. */
export function storeNotFound(): CacheError {
  return new CacheError(ErrorCode.NOT_FOUND, 'cache not found', 'store_not_found');
}

/**
 * Converts whatever the client threw into a {@link CacheError}; CacheErrors pass through unchanged.
 *
 * @param e the thrown value
 * @param what the operation, for the message (e.g. `get`)
 */
export function toCacheError(e: unknown, what: string): CacheError {
  if (e instanceof CacheError) return e;
  const message = e instanceof Error ? e.message : String(e);
  const isReply = e instanceof Error && e.name === 'ReplyError';
  if (isReply && /^OOM\b/.test(message)) {
    // maxmemory reached with a no-eviction policy: the cluster is configured wrongly for a cache.
    return new CacheError(
      ErrorCode.UNAVAILABLE,
      `${what}: the Valkey cluster is out of memory and not evicting (set maxmemory-policy to allkeys-lru): ${message}`,
    );
  }
  if (isReply && !TRANSIENT_REPLY.test(message)) {
    return new CacheError(ErrorCode.INTERNAL, `${what}: unexpected reply from Valkey: ${message}`);
  }
  // Timeouts ("Command timed out"), closed or refused connections, "Cluster isn't ready", too many
  // redirections, CLUSTERDOWN…: the data may be fine, the shard owning it just cannot answer now.
  return new CacheError(ErrorCode.UNAVAILABLE, `${what}: the Valkey shard for this key is unavailable: ${message}`);
}
