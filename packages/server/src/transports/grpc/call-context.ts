/**
 * @module transports/grpc/call-context
 * Reads Momento's per-call metadata: `authorization` (the key's secret, or '' from momento-local style
 * clients) and `cache` (the cache name on data-plane calls).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { Metadata } from '@grpc/grpc-js';

function first(metadata: Metadata, name: string): string | undefined {
  const values = metadata.get(name);
  if (values.length === 0) return undefined;
  const v = values[0];
  return typeof v === 'string' ? v : v?.toString('utf8');
}

/** The `authorization` header, or `undefined`. */
export function tokenOf(metadata: Metadata): string | undefined {
  return first(metadata, 'authorization');
}

/** The `cache` header; INVALID_ARGUMENT when absent, as every data-plane call needs one. */
export function cacheNameOf(metadata: Metadata): string {
  const name = first(metadata, 'cache');
  if (name === undefined || name === '') {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      "missing 'cache' metadata header: data-plane calls name their cache",
    );
  }
  return name;
}
