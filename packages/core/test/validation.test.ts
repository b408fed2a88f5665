/** The shared rules: cache names (one wording for server and clients) and signed 64-bit bounds. */
import { describe, expect, test } from 'vitest';
import {
  CacheError,
  ErrorCode,
  INT64_MAX,
  INT64_MIN,
  isInt64,
  isValidCacheName,
  MAX_CACHE_NAME_LENGTH,
  validateCacheName,
} from '../src/index.ts';

function failureOf(name: string): CacheError {
  try {
    validateCacheName(name);
  } catch (e) {
    if (e instanceof CacheError) return e;
    throw e;
  }
  throw new Error(`validateCacheName(${JSON.stringify(name)}) did not throw`);
}

describe('cache names', () => {
  test('letters, digits, - _ . up to 255 characters are valid', () => {
    for (const name of ['a', 'a.b-c_D9', 'x'.repeat(MAX_CACHE_NAME_LENGTH)]) {
      expect(isValidCacheName(name)).toBe(true);
      expect(() => validateCacheName(name)).not.toThrow();
    }
  });

  test('each broken rule gets its own INVALID_ARGUMENT message', () => {
    const empty = failureOf('');
    expect(empty.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(empty.message).toBe('invalid cache name: it must not be empty');
    expect(failureOf('x'.repeat(256)).message).toBe('invalid cache name: it is 256 characters; the maximum is 255');
    expect(failureOf('bad name!').message).toBe(
      "invalid cache name 'bad name!': use only letters, digits, '-', '_' and '.'",
    );
    for (const bad of ['a/b', 'caché', 'a b', 'x'.repeat(256)]) expect(isValidCacheName(bad)).toBe(false);
  });
});

describe('int64 bounds', () => {
  test('are the signed 64-bit limits', () => {
    expect(INT64_MAX).toBe(9223372036854775807n);
    expect(INT64_MIN).toBe(-9223372036854775808n);
  });

  test('isInt64 accepts exactly the bigints in range', () => {
    expect([INT64_MIN, -1n, 0n, INT64_MAX].every(isInt64)).toBe(true);
    expect([INT64_MIN - 1n, INT64_MAX + 1n, 1, '1', undefined].some(isInt64)).toBe(false);
  });
});
