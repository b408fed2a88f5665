/**
 * @module listen
 * Binds the transports to their ports and words the failures for operators: which transport, which
 * address, and what to do when the port is taken.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { hostPort } from './host-port.ts';
import type { RespServer } from './transports/resp/resp-server.ts';

/**
 * A failed listen as UNAVAILABLE. A taken port (the common case) gets its own sentence naming the flag that
 * moves it, instead of the libraries' wording; anything else keeps the library's message.
 * @param flag the setting that chooses this port (`--port`, `--http-port`).
 */
export function listenError(err: Error, what: string, host: string, port: number, flag: string): CacheError {
  const where = hostPort(host, port);
  // grpc-js reports a taken port as "No address added out of total 1 resolved errors: [listen EADDRINUSE …]".
  if (err.message.includes('EADDRINUSE')) {
    return new CacheError(
      ErrorCode.UNAVAILABLE,
      `cannot listen for ${what} on ${where}: the port is already in use (another Cachette server?); stop that process or choose another port with ${flag}`,
    );
  }
  if (err.message.includes('EACCES')) {
    return new CacheError(
      ErrorCode.UNAVAILABLE,
      `cannot listen for ${what} on ${where}: permission denied (ports below 1024 need privileges); choose another port with ${flag}`,
    );
  }
  return new CacheError(ErrorCode.UNAVAILABLE, `cannot listen for ${what} on ${where}: ${err.message}`);
}

/** Binds the gRPC server; resolves with the bound port (differs from `port` when that is 0). */
export function listenGrpc(
  grpc: GrpcServer,
  host: string,
  port: number,
  credentials: ServerCredentials,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    grpc.bindAsync(hostPort(host, port), credentials, (err, bound) =>
      err ? reject(listenError(err, 'gRPC', host, port, '--port')) : resolve(bound),
    );
  });
}

/** Starts the HTTP server; resolves with the bound port. */
export async function listenHttp(http: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await http.listen({ host, port });
  } catch (e) {
    throw listenError(e as Error, 'HTTP', host, port, '--http-port');
  }
  return (http.server.address() as { port: number }).port;
}

/** Starts the Redis protocol listener; resolves with the bound port. */
export async function listenRedis(resp: RespServer, host: string, port: number): Promise<number> {
  try {
    return await resp.listen(host, port);
  } catch (e) {
    throw listenError(e as Error, 'the Redis protocol', host, port, '--redis-port');
  }
}
