/**
 * @module @cachette/core
 * What every Cachette package shares, once: the error type and code table, clocks, the v1 API-key codec,
 * int64 bounds, the cache-name rule and the usage-report wire type. It has no dependencies and no `node:`
 * imports, because `@cachette/sdk` ships it to browsers and edge runtimes.
 */

export { type DecodedApiKey, decodeApiKey, encodeApiKey } from './api-key.ts';
export { isValidCacheName, MAX_CACHE_NAME_LENGTH, validateCacheName } from './cache-name.ts';
export { type Clock, ManualClock, systemClock } from './clock.ts';
export { asErrorCode, CacheError, ErrorCode, HTTP_STATUS_OF_CODE, isCacheError } from './errors.ts';
export { INT64_MAX, INT64_MIN, isInt64 } from './int64.ts';
export type { UsageReport, UsageTotals } from './usage-report.ts';
