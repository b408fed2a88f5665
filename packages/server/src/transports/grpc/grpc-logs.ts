/**
 * @module transports/grpc/grpc-logs
 * grpc-js writes its own log lines straight to stderr (`E No address added out of total 1 resolved`),
 * unstructured and ahead of our worded error. Everything it reports also reaches us as an error or status,
 * so its lines go to our logger at `debug`, where an operator chasing a transport problem can still find them.
 */
import { format } from 'node:util';
import { logVerbosity, setLogger, setLogVerbosity } from '@grpc/grpc-js';
import type { Logger } from '../../logger.ts';

/** Sends grpc-js's process-wide log output to `logger` (debug level, `source: 'grpc-js'`). */
export function routeGrpcLogs(logger: Logger): void {
  const write = (...args: unknown[]) => logger.debug({ source: 'grpc-js' }, format(...args));
  setLogger({ error: write, info: write, debug: write } as unknown as Console);
  // ERROR is grpc-js's default; GRPC_VERBOSITY / GRPC_TRACE still raise it for debugging.
  if (process.env.GRPC_VERBOSITY === undefined) setLogVerbosity(logVerbosity.ERROR);
}
