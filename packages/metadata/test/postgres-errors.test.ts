import { describe, expect, it } from 'vitest';
import { describeDbError, toCacheError } from '../src/db-errors.ts';
import { postgresErrors } from '../src/postgres-errors.ts';

function pgError(code: string, message = 'boom'): Error {
  return Object.assign(new Error(message), { code });
}

describe('postgresErrors', () => {
  it('classify() maps 23505 to unique and 23503 to foreignKey', () => {
    expect(postgresErrors.classify(pgError('23505'))).toBe('unique');
    expect(postgresErrors.classify(pgError('23503'))).toBe('foreignKey');
  });

  it('classify() maps connection failures to unavailable', () => {
    for (const code of [
      'ECONNREFUSED',
      'ENOTFOUND',
      'ETIMEDOUT',
      'ECONNRESET',
      '57P01',
      '57P03',
      '08006',
      '08001',
      '53300',
      '28P01',
    ]) {
      expect(postgresErrors.classify(pgError(code)), code).toBe('unavailable');
    }
    for (const message of ['Connection terminated unexpectedly', 'timeout exceeded when trying to connect']) {
      expect(postgresErrors.classify(new Error(message)), message).toBe('unavailable');
    }
    const aggregate = new AggregateError([pgError('ECONNREFUSED', 'connect ECONNREFUSED ::1:5432')], '');
    expect(postgresErrors.classify(aggregate)).toBe('unavailable');
    expect(describeDbError(aggregate)).toBe('connect ECONNREFUSED ::1:5432');
  });

  it('classify() maps anything else (syntax errors, missing tables, codeless errors) to other', () => {
    for (const error of [pgError('42601'), pgError('42P01'), pgError('23502'), new Error('bug'), 'text', null]) {
      expect(postgresErrors.classify(error)).toBe('other');
    }
  });

  it('toCacheError(…, redact) removes the password from the driver’s message', () => {
    const error = toCacheError(
      'unavailable',
      new Error('auth for pw123 failed'),
      'postgresql database h:1/db',
      'getAccount',
      (t) => t.replaceAll('pw123', '***'),
    );
    expect(error.message).toBe(
      'metadata getAccount failed: postgresql database h:1/db is unavailable (auth for *** failed)',
    );
  });
});
