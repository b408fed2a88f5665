/**
 * @module transports/grpc/unimplemented
 * Fills every method a handler table leaves out with an UNIMPLEMENTED answer that says what is missing,
 * instead of grpc-js's generic "The server does not implement the method".
 */
import {
  type ServerWritableStream,
  type ServiceDefinition,
  type sendUnaryData,
  status,
  type UntypedHandleCall,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/**
 * `handlers` plus, for each method of `definition` without one, a handler answering UNIMPLEMENTED with
 * "`<method>` is not implemented by Cachette yet (<what>)".
 */
export function withUnimplemented(
  definition: ServiceDefinition,
  handlers: UntypedServiceImplementation,
  what: (method: string) => string,
): UntypedServiceImplementation {
  const all: Record<string, UntypedHandleCall> = { ...handlers };
  for (const [method, attrs] of Object.entries(definition)) {
    if (all[method] !== undefined) continue;
    const error = {
      code: status.UNIMPLEMENTED,
      details: `${method} is not implemented by Cachette yet (${what(method)})`,
    };
    if (attrs.responseStream) {
      all[method] = (call: ServerWritableStream<unknown, unknown>) => {
        call.emit('error', error);
      };
    } else {
      all[method] = (_call: unknown, callback: sendUnaryData<unknown>) => {
        callback(error);
      };
    }
  }
  return all;
}

/** Names the family a data-plane method belongs to, for the UNIMPLEMENTED message. */
export function dataPlaneFamily(method: string): string {
  if (method.startsWith('Dictionary')) return 'dictionary collections';
  if (method.startsWith('SortedSet')) return 'sorted-set collections';
  if (method.startsWith('List')) return 'list collections';
  if (method.startsWith('Set')) return 'set collections';
  return 'hash-conditioned operations';
}
