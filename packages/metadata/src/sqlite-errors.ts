/**
 * @module sqlite-errors
 * better-sqlite3's error codes (extended result codes such as `SQLITE_CONSTRAINT_UNIQUE`) mapped to the
 * store's {@link DbErrorKind}s.
 */

import type { DbErrorClassifier, DbErrorKind } from './db-errors.ts';

/** Primary result codes (the part before any `_EXTENDED` suffix) that a later retry may get past. */
const UNAVAILABLE_CODES = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_CANTOPEN',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'SQLITE_READONLY',
  'SQLITE_PROTOCOL',
  'SQLITE_NOLFS',
  'SQLITE_AUTH',
  'SQLITE_PERM',
]);

function primaryCode(code: string): string {
  // SQLITE_BUSY_SNAPSHOT → SQLITE_BUSY; SQLITE_CONSTRAINT_FOREIGNKEY → SQLITE_CONSTRAINT.
  const second = code.indexOf('_', 'SQLITE_'.length);
  return second === -1 ? code : code.slice(0, second);
}

/** Classifies errors thrown by better-sqlite3 (and by Kysely around it). */
export const sqliteErrors: DbErrorClassifier = {
  classify(error: unknown): DbErrorKind {
    const code = (error as { code?: unknown } | null)?.code;
    if (typeof code !== 'string' || !code.startsWith('SQLITE_')) {
      // better-sqlite3 throws a plain TypeError, without a code, once its connection is closed.
      if (error instanceof TypeError && /database connection is not open/i.test(error.message)) return 'unavailable';
      return 'other';
    }
    if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique';
    if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreignKey';
    const primary = primaryCode(code);
    if (primary === 'SQLITE_NOTADB' || primary === 'SQLITE_CORRUPT') return 'notADatabase';
    if (UNAVAILABLE_CODES.has(primary)) return 'unavailable';
    return 'other';
  },
};
