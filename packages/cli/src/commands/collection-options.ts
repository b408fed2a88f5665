/**
 * @module commands/collection-options
 * What the collection command groups (`dictionary`, `list`, `set`, `sorted-set`) share: `--ttl` as the SDK's
 * `CollectionTtl` (refreshed on every write, Momento's default) and whole-number flags.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { CollectionTtl } from '@gomomento/sdk';
import { optionalTtl } from '../command-context.ts';

/** `{ ttl }` for the SDK's collection writes when `--ttl` is given; `{}` leaves the profile's TTL. */
export function collectionTtlOption(ttl: string | undefined): { ttl?: CollectionTtl } {
  const seconds = optionalTtl(ttl);
  return seconds === undefined ? {} : { ttl: CollectionTtl.of(seconds) };
}

/** A whole-number flag (negative allowed, as list and rank indices count from the end); undefined when absent. */
export function optionalInt(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid ${flag} '${raw}': use a whole number`);
  }
  return n;
}
