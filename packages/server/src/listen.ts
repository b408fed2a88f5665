/**
 * @module listen
 * Binds the transports to their ports and words the failures for operators: which transport, which
 * address, and what to do when the port is taken.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { Server as GrpcServer, ServerCredentials } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';
import { hostPort } from './host-port.ts';

/** A failed listen as UNAVAILABLE, with a hint when the port is in use. */
export function listenError(err: Error, what: string, host: string, port: number): CacheError {
  // grpc-js reports a taken port as "No address added out of total 1 resolved".
  const inUse = err.message.includes('EADDRINUSE') || err.message.includes('No address added');
  return new CacheError(
    ErrorCode.UNAVAILABLE,
    `cannot listen for ${what} on ${hostPort(host, port)}: ${err.message}${inUse ? ' (is another server using that port? choose another port)' : ''}`,
  );
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
      err ? reject(listenError(err, 'gRPC', host, port)) : resolve(bound),
    );
  });
}

/** Starts the HTTP server; resolves with the bound port. */
export async function listenHttp(http: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await http.listen({ host, port });
  } catch (e) {
    throw listenError(e as Error, 'HTTP', host, port);
  }
  return (http.server.address() as { port: number }).port;
}
