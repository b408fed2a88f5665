/**
 * @module db-errors
 * Turning driver errors into {@link CacheError}s. Each dialect supplies a {@link DbErrorClassifier} that
 * knows its driver's error codes; everything else (codes, wording) is decided here, once, for all dialects.
 */

import { CacheError, ErrorCode } from '@cachette/core';

/**
 * What a driver error means to the store.
 * - `unique` / `foreignKey`: a constraint the store turns into a domain error (ALREADY_EXISTS, NOT_FOUND).
 * - `unavailable`: worth retrying later (busy, locked, I/O, disk full, connection lost, store closed).
 * - `notADatabase`: the file or database is not ours, or is corrupt; retrying will not help.
 * - `other`: a bug or an unexpected state.
 */
export type DbErrorKind = 'unique' | 'foreignKey' | 'unavailable' | 'notADatabase' | 'other';

/** Dialect-specific knowledge of driver errors. */
export interface DbErrorClassifier {
  classify(error: unknown): DbErrorKind;
}

/** The driver's own message, e.g. `SQLITE_BUSY: database is locked`. Drivers never put bound values in it. */
export function describeDbError(error: unknown): string {
  // Node's happy-eyeballs connect (a host with IPv4 and IPv6 addresses) fails with an AggregateError whose
  // own message is empty: the useful text is in the attempts it aggregates.
  if (error instanceof AggregateError && error.message === '' && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeDbError))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/** The message every store uses when a database is not a Cachette metadata database. */
export function notADatabaseMessage(database: string, detail: string): string {
  return `${database} is not a valid Cachette metadata database (${detail})`;
}

/**
 * Wraps a non-domain database error: UNAVAILABLE when retrying may help, INTERNAL otherwise. The message
 * names the operation and the database; callers must never put a secret into `action`.
 *
 * @param database - how to name the database to an operator, e.g. `sqlite database '/data/metadata.db'`
 * @param action - the operation that failed, e.g. `createCache`
 * @param redact - removes what must never reach a message (a password) from the driver's text; default none
 */
export function toCacheError(
  kind: DbErrorKind,
  error: unknown,
  database: string,
  action: string,
  redact: (text: string) => string = (text) => text,
): CacheError {
  if (error instanceof CacheError) return error;
  const detail = redact(describeDbError(error));
  switch (kind) {
    case 'unavailable':
      return new CacheError(ErrorCode.UNAVAILABLE, `metadata ${action} failed: ${database} is unavailable (${detail})`);
    case 'notADatabase':
      return new CacheError(ErrorCode.INTERNAL, `metadata ${action} failed: ${notADatabaseMessage(database, detail)}`);
    case 'unique':
    case 'foreignKey':
    case 'other':
      return new CacheError(ErrorCode.INTERNAL, `metadata ${action} failed on ${database}: ${detail}`);
  }
}
