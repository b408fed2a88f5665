/**
 * @module transports/grpc/fault-injection
 * Wraps a service's handlers so a request's metadata can ask for a fault (see `fault-injection.ts`). Used
 * only when the server was started with `--enable-fault-injection`: otherwise the handlers are registered
 * as they are and no call pays for this.
 */
import type {
  Metadata,
  ServerUnaryCall,
  ServerWritableStream,
  ServiceDefinition,
  ServiceError,
  sendUnaryData,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import {
  type FaultInjector,
  type FaultPlan,
  faultMessage,
  type HeaderReader,
  rpcNamesOf,
} from '../../fault-injection.ts';
import { toGrpcError } from './status.ts';

function readerOf(metadata: Metadata): HeaderReader {
  return (name) => {
    const v = metadata.get(name)[0];
    return v === undefined ? undefined : typeof v === 'string' ? v : v.toString('utf8');
  };
}

function errorOf(plan: FaultPlan): Partial<ServiceError> {
  return { code: plan.error?.grpcCode, details: faultMessage(plan) };
}

type Call = { metadata: Metadata; once(event: 'cancelled', listener: () => void): unknown };

/** Runs `then` after the plan's delay, unless the client gave up meanwhile (its deadline, a cancel). */
function afterDelay(call: Call, plan: FaultPlan, then: () => void): void {
  if (plan.delayMs === 0) {
    then();
    return;
  }
  const timer = setTimeout(then, plan.delayMs);
  call.once('cancelled', () => clearTimeout(timer));
}

/** `implementation` with every unary and server-streaming handler consulting `injector` first. */
export function withFaultInjection(
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
  injector: FaultInjector,
): UntypedServiceImplementation {
  const wrapped: UntypedServiceImplementation = {};
  for (const [method, handler] of Object.entries(implementation)) {
    const spec = definition[method];
    const names = rpcNamesOf(method);
    if (spec === undefined || spec.requestStream) {
      wrapped[method] = handler; // no client-streaming methods are served; nothing to inject into
    } else if (spec.responseStream) {
      const serve = handler as (call: ServerWritableStream<unknown, unknown>) => void;
      wrapped[method] = ((call: ServerWritableStream<unknown, unknown>) => {
        let plan: FaultPlan | undefined;
        try {
          plan = injector.plan(names, readerOf(call.metadata));
        } catch (e) {
          call.emit('error', toGrpcError(e));
          return;
        }
        if (plan === undefined) return serve(call);
        const p = plan;
        afterDelay(call, p, () => (p.error === undefined ? serve(call) : call.emit('error', errorOf(p))));
      }) as UntypedHandleCall;
    } else {
      const serve = handler as (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => void;
      wrapped[method] = ((call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        let plan: FaultPlan | undefined;
        try {
          plan = injector.plan(names, readerOf(call.metadata));
        } catch (e) {
          callback(toGrpcError(e));
          return;
        }
        if (plan === undefined) return serve(call, callback);
        const p = plan;
        afterDelay(call, p, () => (p.error === undefined ? serve(call, callback) : callback(errorOf(p))));
      }) as UntypedHandleCall;
    }
  }
  return wrapped;
}
