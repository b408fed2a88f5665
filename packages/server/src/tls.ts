/**
 * @module tls
 * gRPC server credentials: TLS from PEM files when both are configured, plaintext otherwise.
 */
import { readFileSync } from 'node:fs';
import { CacheError, ErrorCode } from '@cachette/core';
import { ServerCredentials } from '@grpc/grpc-js';

/**
 * Reads the certificate chain and private key (both or neither; the settings check that).
 * @throws {CacheError} INVALID_ARGUMENT when a file cannot be read or is not usable PEM.
 */
export function loadGrpcCredentials(certFile: string | undefined, keyFile: string | undefined): ServerCredentials {
  if (certFile === undefined || keyFile === undefined) return ServerCredentials.createInsecure();
  try {
    return ServerCredentials.createSsl(null, [
      { cert_chain: readFileSync(certFile), private_key: readFileSync(keyFile) },
    ]);
  } catch (e) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `cannot load TLS certificate or key: ${(e as Error).message}`);
  }
}
