/**
 * @module logger
 * Structured logs with pino. API keys never reach a log line: every field that could hold one is redacted.
 */
import { type Logger, pino } from 'pino';
import type { LogLevel } from './settings/setting-table.ts';

export type { Logger };

/** Field paths that may carry secrets, redacted wherever they appear. */
export const REDACTED_PATHS = [
  'authorization',
  'apiKey',
  'secret',
  'token',
  '*.authorization',
  '*.apiKey',
  '*.secret',
  '*.token',
  'req.headers.authorization',
];

/** A JSON logger to stdout at `level` (`silent` for tests). */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'cachette' } });
}
