/**
 * @module cache-name
 * Momento's cache-name rule, checked by the server on every call and by clients before a name reaches a
 * file or the network, with one wording so the same mistake reads the same everywhere.
 */
import { CacheError, ErrorCode } from './errors.ts';

/** Longest cache name, in characters. */
export const MAX_CACHE_NAME_LENGTH = 255;

// Letters, digits, '-', '_' and '.', 1–255 characters.
const CACHE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;

/** True when `name` is a valid cache name. */
export function isValidCacheName(name: string): boolean {
  return CACHE_NAME.test(name);
}

/** Throws INVALID_ARGUMENT unless `name` is a valid cache name; the message says which rule it broke. */
export function validateCacheName(name: string): void {
  if (CACHE_NAME.test(name)) return;
  if (name.length === 0) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'invalid cache name: it must not be empty');
  if (name.length > MAX_CACHE_NAME_LENGTH) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `invalid cache name: it is ${name.length} characters; the maximum is ${MAX_CACHE_NAME_LENGTH}`,
    );
  }
  throw new CacheError(
    ErrorCode.INVALID_ARGUMENT,
    `invalid cache name '${name}': use only letters, digits, '-', '_' and '.'`,
  );
}
