/**
 * @module service/validation
 * Argument checks shared by every transport, each failing with a message that says exactly what was wrong.
 * The cache-name rule is `validateCacheName` in `@cachette/core`, shared with the clients.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ServiceLimits } from './limits.ts';

/** Throws INVALID_ARGUMENT when `key` is empty. */
export function validateKey(key: Uint8Array): void {
  if (key.byteLength === 0) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'key must not be empty');
}

/**
 * A TTL in the unit people give it: whole seconds as `86400 s (24 h)`, anything else in ms. Clients send
 * milliseconds on the wire, but users type seconds (`--ttl 600`, `EX 600`), so `999999999000 ms` reads wrong.
 */
export function formatTtl(ms: number): string {
  if (ms % 1000 !== 0) return `${ms} ms`;
  const s = ms / 1000;
  return s % 3600 === 0 ? `${s} s (${s / 3600} h)` : `${s} s`;
}

/** Throws INVALID_ARGUMENT unless `ttlMs` is an integer in 1..maxTtlMs. */
export function validateTtlMs(ttlMs: number, limits: ServiceLimits): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `ttl must be a positive number of milliseconds, got ${ttlMs}`);
  }
  if (ttlMs > limits.maxTtlMs) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `ttl of ${formatTtl(ttlMs)} exceeds the maximum of ${formatTtl(limits.maxTtlMs)}`,
    );
  }
}

/** Throws LIMIT_EXCEEDED (Momento cause `item_size_limit_exceeded`) when key + value are too large. */
export function validateItemSize(key: Uint8Array, value: Uint8Array, limits: ServiceLimits): void {
  const size = key.byteLength + value.byteLength;
  if (size > limits.maxItemSizeBytes) {
    throw new CacheError(
      ErrorCode.LIMIT_EXCEEDED,
      `item size ${size} bytes exceeds the item size limit of ${limits.maxItemSizeBytes} bytes`,
      'item_size_limit_exceeded',
    );
  }
}

/** Throws INVALID_ARGUMENT when a batch is empty or larger than the limit. */
export function validateBatchSize(count: number, limits: ServiceLimits): void {
  if (count > limits.maxBatchKeys) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `batch of ${count} keys exceeds the maximum of ${limits.maxBatchKeys} keys per call`,
    );
  }
}
