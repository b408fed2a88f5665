/**
 * @module increment
 * Signed 64-bit decimal arithmetic for `increment`, matching Redis/Valkey `INCRBY` so every engine agrees.
 */

import { CacheError, ErrorCode, INT64_MAX, INT64_MIN } from '@cachette/core';

// Canonical decimal only, like Redis's string2ll: an optional '-', no '+', no spaces, no leading zeros,
// no "-0". Strictness keeps MemoryEngine and ValkeyEngine (which delegates to INCRBY) in agreement.
const CANONICAL_INTEGER = /^(?:0|-?[1-9][0-9]{0,18})$/;

/**
 * Parses a stored value (latin1 text) as a signed 64-bit integer in canonical decimal form.
 * Returns `undefined` when it is not one (including values outside int64).
 */
export function parseInt64(text: string): bigint | undefined {
  // The regex also bounds the length (≤ 20 chars), so a 5 MB value never reaches BigInt().
  if (!CANONICAL_INTEGER.test(text)) return undefined;
  const n = BigInt(text);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

/**
 * `current + amount`, rejecting with `CacheError(FAILED_PRECONDITION, …, 'overflow')` when the result
 * leaves signed 64-bit range.
 */
export function addInt64(current: bigint, amount: bigint): bigint {
  const result = current + amount;
  if (result < INT64_MIN || result > INT64_MAX) {
    throw new CacheError(ErrorCode.FAILED_PRECONDITION, 'increment would overflow a signed 64-bit integer', 'overflow');
  }
  return result;
}

/** The error for a stored value that is not a decimal integer. */
export function notAnIntegerError(): CacheError {
  return new CacheError(
    ErrorCode.FAILED_PRECONDITION,
    'the value stored at this key is not a decimal integer',
    'not_an_integer',
  );
}
