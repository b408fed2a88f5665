/**
 * @module logger
 * Structured logs with pino. API keys never reach a log line: every field that could hold one is redacted.
 */
import { type DestinationStream, type Logger, pino } from 'pino';
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

/**
 * A JSON logger at `level` (`silent` for tests), to stdout unless `destination` is given (tests capture
 * lines there). Errors logged under `err` carry their type, message and stack.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'cachette' } };
  return destination === undefined ? pino(options) : pino(options, destination);
}
