/**
 * @module collection-rules
 * Rules every engine applies the same way to collection operations, so MemoryEngine and ValkeyEngine
 * cannot drift: the wrong-type error, slice arithmetic, the scalar hash, argument checks.
 */

import { createHash } from 'node:crypto';
import { CacheError, ErrorCode } from '@cachette/core';
import type { CollectionTtl, IndexRange, ScoreBound, WriteTtl } from './engine.ts';

/**
 * The error for an operation on a key holding another type. Momento answers FAILED_PRECONDITION here
 * (e.g. a `get` of a dictionary); the reason lets tests and logs tell it from other preconditions.
 */
export function wrongTypeError(): CacheError {
  return new CacheError(
    ErrorCode.FAILED_PRECONDITION,
    'the item at this key has a different type than the operation expects',
    'wrong_type',
  );
}

/**
 * The hash `getWithHash` reports and `setIfHash` compares: the SHA-1 of the value bytes as 40 lowercase
 * hex characters. Clients treat it as opaque, but Momento's SDKs also offer it as a UTF-8 string
 * (`hashString()`) that users pass back, so it must be printable. SHA-1 hex because Valkey's Lua computes
 * exactly that (`redis.sha1hex`) inside the atomic compare-and-set, so both engines agree without storing
 * it. It is a version tag, not a security boundary.
 */
export function valueHash(value: Uint8Array): Uint8Array {
  return Buffer.from(createHash('sha1').update(value).digest('hex'), 'latin1');
}

/**
 * Resolves a Python-style slice against a length: `[start, end)` with negatives counted from the end,
 * clamped to `[0, length]`; `end <= start` means empty.
 */
export function sliceBounds(length: number, range: IndexRange): [start: number, end: number] {
  const clamp = (i: number) => (i < 0 ? Math.max(0, length + i) : Math.min(length, i));
  const start = range.start === undefined ? 0 : clamp(range.start);
  const end = range.end === undefined ? length : clamp(range.end);
  return [start, Math.max(start, end)];
}

/** Validates a {@link CollectionTtl} (positive integer ms), as the scalar writes validate `ttlMs`. */
export function checkCollectionTtl(ttl: CollectionTtl): void {
  checkTtlMs(ttl?.ttlMs);
}

/** Rejects a TTL that is not a positive integer number of milliseconds. */
export function checkTtlMs(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw invalidArgument(`ttlMs must be a positive integer number of milliseconds, got ${String(ttlMs)}`);
  }
}

/** Validates a {@link WriteTtl}: positive integer ms, or {@link KeepTtl} with such a fallback. */
export function checkWriteTtl(ttl: WriteTtl): void {
  checkTtlMs(typeof ttl === 'number' ? ttl : ttl?.keepOr);
}

/** Rejects a range bound that is not an integer. */
export function checkIndexRange(range: IndexRange): void {
  for (const bound of [range.start, range.end]) {
    if (bound !== undefined && !Number.isSafeInteger(bound)) {
      throw invalidArgument(`range bounds must be integers, got ${String(bound)}`);
    }
  }
}

/** Rejects a NaN score (Redis refuses them too: they have no place in an order). */
export function checkScore(score: number): void {
  if (typeof score !== 'number' || Number.isNaN(score))
    throw invalidArgument(`score must be a number, got ${String(score)}`);
}

/** Rejects a NaN bound. */
export function checkScoreBound(bound: ScoreBound | undefined): void {
  if (bound !== undefined) checkScore(bound.score);
}

/** Rejects a count that is not a non-negative integer. */
export function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw invalidArgument(`${name} must be a non-negative integer, got ${String(n)}`);
}

/** An INVALID_ARGUMENT error. */
export function invalidArgument(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}
