/**
 * @module ids
 * Short random ids with a type prefix, so an id in a log says what it names (`acc_…`, `key_…`, `cch_…`).
 */

import { randomBytes } from 'node:crypto';

/** What an id names; the prefix is part of the id. */
export type IdPrefix = 'acc' | 'key' | 'cch';

/**
 * 12 random bytes = 96 bits: collisions are negligible at any realistic row count, yet the id stays short
 * (16 url-safe characters) because it appears in URLs, logs and — for caches — engine namespaces.
 */
const ID_BYTES = 12;

/** A new id such as `cch_3q2Zp0aVbQ1xYt9K`: the prefix, an underscore, url-safe base64 without padding. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(ID_BYTES).toString('base64url')}`;
}
