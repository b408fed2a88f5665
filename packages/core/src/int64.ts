/**
 * @module int64
 * Signed 64-bit bounds: `increment` amounts and results live in this range on every engine and transport
 * (Momento's `int64`, Redis's `INCRBY`).
 */

/** Smallest signed 64-bit integer. */
export const INT64_MIN = -(2n ** 63n);
/** Largest signed 64-bit integer. */
export const INT64_MAX = 2n ** 63n - 1n;

/** True when `n` is a bigint within signed 64-bit range. */
export function isInt64(n: unknown): n is bigint {
  return typeof n === 'bigint' && n >= INT64_MIN && n <= INT64_MAX;
}
