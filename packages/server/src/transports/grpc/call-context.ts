/**
 * @module transports/grpc/call-context
 * Reads Momento's per-call metadata: `authorization` (the key's secret, or '' from momento-local style
 * clients) and `cache` (the cache name on data-plane calls); and gRPC's `grpc-timeout` as a deadline.
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

// Same grammar and units as grpc-js's server (`server-interceptors.ts`).
const DEADLINE_PATTERN = /(\d{1,8})\s*([HMSmun])/;
const UNIT_MS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 };

/** The deadline `grpc-timeout` asks for (ms since the epoch); `undefined` when the header is malformed. */
export function deadlineOf(timeout: string | undefined, now: number): number | undefined {
  if (timeout === undefined) return Number.POSITIVE_INFINITY;
  const match = DEADLINE_PATTERN.exec(timeout);
  if (match === null) return undefined;
  return now + ((Number(match[1]) * (UNIT_MS[match[2] as string] as number)) | 0);
}
