/**
 * @module transports/grpc/tolerant-decoding
 * grpc-js answers a request that fails to decode with INTERNAL ("Error deserializing request"), which the
 * SDK reports as a server bug. A malformed request is the caller's fault, so we answer INVALID_ARGUMENT.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ServiceDefinition } from '@grpc/grpc-js';

/**
 * A request stand-in for bytes that did not decode: reading any field throws INVALID_ARGUMENT, which the
 * handler's ordinary error path turns into the status. This keeps the check out of every handler and off
 * the hot path (well-formed requests pay nothing).
 */
function malformed(method: string, reason: string): object {
  const error = () => {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `malformed ${method} request: ${reason}`);
  };
  return new Proxy({}, { get: error, has: error, ownKeys: error });
}

/** `definition` with each request decoder wrapped so undecodable bytes become a {@link malformed} request. */
export function withTolerantDecoding(definition: ServiceDefinition): ServiceDefinition {
  const wrapped: Record<string, ServiceDefinition[string]> = {};
  for (const [method, attrs] of Object.entries(definition)) {
    const decode = attrs.requestDeserialize;
    wrapped[method] = {
      ...attrs,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return decode(bytes);
        } catch (e) {
          return malformed(method, (e as Error).message);
        }
      },
    };
  }
  return wrapped;
}
