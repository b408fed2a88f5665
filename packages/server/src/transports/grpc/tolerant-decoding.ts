/**
 * @module transports/grpc/tolerant-decoding
 * grpc-js answers a request that fails to decode with INTERNAL ("Error deserializing request"), which the
 * SDK reports as a server bug. A malformed request is the caller's fault, so we answer INVALID_ARGUMENT.
 * Before google-protobuf sees a byte, {@link checkMessage} walks the request's structure: google-protobuf
 * itself can loop forever on a few hostile bytes (see protobuf-guard).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { ServiceDefinition } from '@grpc/grpc-js';
import {
  checkMessage,
  defaultGuardLimits,
  type GeneratedMessageClass,
  type GuardLimits,
  schemaOf,
} from './protobuf-guard.ts';

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

/**
 * `definition` with each request decoder wrapped: bytes the guard rejects, or that do not decode, become a
 * {@link malformed} request. The request class of each method is found by decoding an empty message (which
 * every proto3 type accepts).
 */
export function withTolerantDecoding(
  definition: ServiceDefinition,
  limits: GuardLimits = defaultGuardLimits,
): ServiceDefinition {
  const wrapped: Record<string, ServiceDefinition[string]> = {};
  for (const [method, attrs] of Object.entries(definition)) {
    const decode = attrs.requestDeserialize;
    const schema = schemaOf((decode(Buffer.alloc(0)) as object).constructor as unknown as GeneratedMessageClass);
    wrapped[method] = {
      ...attrs,
      requestDeserialize: (bytes: Buffer) => {
        const rejected = checkMessage(bytes, schema, limits);
        if (rejected !== undefined) return malformed(method, rejected);
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
