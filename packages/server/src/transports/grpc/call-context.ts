/**
 * @module transports/grpc/call-context
 * Reads Momento's per-call metadata: `authorization` (the key's secret, or '' from momento-local style
 * clients) and `cache` (the cache name on data-plane calls).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { Metadata } from '@grpc/grpc-js';

/** Metadata that can hand out a header's first value without building an array (direct-unary's). */
interface FirstValue {
  first(name: string): string | undefined;
}

function first(metadata: Metadata, name: string): string | undefined {
  if ('first' in metadata) return (metadata as unknown as FirstValue).first(name);
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
