/**
 * @module postgres-errors
 * node-postgres errors mapped to the store's {@link DbErrorKind}s. Server errors carry a five-character
 * SQLSTATE in `code`; failures to reach the server carry a Node system error code (`ECONNREFUSED`) or,
 * for a connection lost mid-flight, only a message.
 */

import type { DbErrorClassifier, DbErrorKind } from './db-errors.ts';

/** Node socket and DNS errors: the server cannot be reached right now. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/**
 * SQLSTATEs a later retry may get past. Classes: 08 connection exception, 53 insufficient resources (too
 * many connections, disk full), 57P0x the server is shutting down or starting, 28 authentication (an
 * operator fixes credentials without restarting us), 3D000 the database does not exist yet, 40001/40P01
 * serialisation failure and deadlock, 55P03 lock not available, 57014 statement timeout.
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '3D000', '40001', '40P01', '55P03', '57014']);
const UNAVAILABLE_CLASSES = new Set(['08', '53', '28']);

/**
 * Errors from pg, pg-pool and Kysely's driver that have no code: a socket closed under a query, a pool
 * that timed out connecting, a client already broken. Matched on their fixed wording.
 */
const UNAVAILABLE_MESSAGES =
  /connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|cannot use a pool after calling end|driver has already been destroyed|connection has been discarded/i;

function classifyCode(code: string): DbErrorKind | undefined {
  if (code === '23505') return 'unique';
  if (code === '23503') return 'foreignKey';
  if (NETWORK_CODES.has(code)) return 'unavailable';
  if (!/^[0-9A-Z]{5}$/.test(code)) return undefined;
  if (UNAVAILABLE_STATES.has(code) || UNAVAILABLE_CLASSES.has(code.slice(0, 2))) return 'unavailable';
  return 'other';
}

function classify(error: unknown): DbErrorKind {
  // Node's multi-address connect fails with an AggregateError of per-address errors; any one of them
  // being a network error makes the whole a network error.
  if (error instanceof AggregateError && error.errors.some((e) => classify(e) === 'unavailable')) {
    return 'unavailable';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const kind = classifyCode(code);
    if (kind !== undefined) return kind;
  }
  if (error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message)) return 'unavailable';
  return 'other';
}

/** Classifies errors thrown by node-postgres (and by Kysely around it). */
export const postgresErrors: DbErrorClassifier = { classify };
