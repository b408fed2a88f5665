/** The error type and the code table every transport maps. */
import { describe, expect, test } from 'vitest';
import { asErrorCode, CacheError, ErrorCode, HTTP_STATUS_OF_CODE, isCacheError, ManualClock } from '../src/index.ts';

describe('errors', () => {
  test('codes are their own names (they travel as strings in JSON bodies)', () => {
    for (const [name, value] of Object.entries(ErrorCode)) expect(value).toBe(name);
    expect(Object.keys(ErrorCode).sort()).toEqual(
      [
        'ALREADY_EXISTS',
        'FAILED_PRECONDITION',
        'INTERNAL',
        'INVALID_ARGUMENT',
        'LIMIT_EXCEEDED',
        'NOT_FOUND',
        'PERMISSION_DENIED',
        'UNAUTHENTICATED',
        'UNAVAILABLE',
        'UNIMPLEMENTED',
      ].sort(),
    );
  });

  test('every code has an HTTP status, and the statuses are the documented ones', () => {
    expect(HTTP_STATUS_OF_CODE).toEqual({
      NOT_FOUND: 404,
      ALREADY_EXISTS: 409,
      INVALID_ARGUMENT: 400,
      FAILED_PRECONDITION: 409,
      UNAUTHENTICATED: 401,
      PERMISSION_DENIED: 403,
      LIMIT_EXCEEDED: 429,
      UNIMPLEMENTED: 501,
      UNAVAILABLE: 503,
      INTERNAL: 500,
    });
  });

  test('CacheError carries code, message, reason and retry hint; isCacheError narrows by code', () => {
    const e = new CacheError(ErrorCode.LIMIT_EXCEEDED, 'slow down', 'rate_limited', 3);
    expect(e).toBeInstanceOf(Error);
    expect([e.name, e.code, e.message, e.reason, e.retryAfterSeconds]).toEqual([
      'CacheError',
      'LIMIT_EXCEEDED',
      'slow down',
      'rate_limited',
      3,
    ]);
    expect(isCacheError(e)).toBe(true);
    expect(isCacheError(e, ErrorCode.LIMIT_EXCEEDED)).toBe(true);
    expect(isCacheError(e, ErrorCode.NOT_FOUND)).toBe(false);
    expect(isCacheError(new Error('x'))).toBe(false);
  });

  test('asErrorCode accepts only known codes', () => {
    expect(asErrorCode('NOT_FOUND')).toBe(ErrorCode.NOT_FOUND);
    expect(asErrorCode('not_found')).toBeUndefined();
    expect(asErrorCode(404)).toBeUndefined();
  });
});

describe('ManualClock', () => {
  test('moves only when told to', () => {
    const clock = new ManualClock(1000);
    expect(clock.nowMs()).toBe(1000);
    clock.advance(250);
    expect(clock.nowMs()).toBe(1250);
    clock.set(5);
    expect(clock.nowMs()).toBe(5);
  });
});
