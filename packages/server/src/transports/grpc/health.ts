/**
 * @module transports/grpc/health
 * The standard gRPC health service (`grpc.health.v1.Health/Check`), what Kubernetes' gRPC probes and
 * most load balancers call. Its two tiny messages are encoded by hand: the schema is fixed by the gRPC
 * project, and no well-kept package for it is reachable from this project's registry.
 *
 * `HealthCheckResponse { status = 1 }`: SERVING while the server accepts calls. `Watch` is not offered
 * (UNIMPLEMENTED), which the health-checking protocol allows.
 */
import { type ServiceDefinition, type sendUnaryData, status, type UntypedServiceImplementation } from '@grpc/grpc-js';

// Protobuf: field 1 (status), varint, value 1 (SERVING).
const SERVING = Buffer.from([0x08, 0x01]);
const identity = (b: Buffer) => b;

/** The service definition; requests are kept as raw bytes (the service name is not needed to answer). */
export const healthDefinition: ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  Watch: {
    path: '/grpc.health.v1.Health/Watch',
    requestStream: false,
    responseStream: true,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

export function healthHandlers(): UntypedServiceImplementation {
  return {
    Check: (_call: unknown, callback: sendUnaryData<Buffer>) => callback(null, SERVING),
    Watch: (call: { emit(event: 'error', e: unknown): void }) =>
      call.emit('error', { code: status.UNIMPLEMENTED, details: 'health Watch is not offered; use Check' }),
  };
}
