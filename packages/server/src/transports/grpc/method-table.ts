/**
 * @module transports/grpc/method-table
 * Every method the gRPC server serves, by path, with the exact handler and (de)serialisers grpc-js was
 * given. Other transports that carry gRPC calls (gRPC-Web over the HTTP port) dispatch through this table,
 * so a method added to the gRPC server, unary or server-streaming, is served by them with no code of their
 * own, through the same protobuf guard, fault injection and handler.
 */
import type {
  MethodDefinition,
  ServiceDefinition,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';

/** One registered method: its grpc-js definition and the handler the gRPC server runs for it. */
export interface RegisteredMethod {
  readonly definition: MethodDefinition<unknown, unknown>;
  readonly handler: UntypedHandleCall;
}

/** Registered methods by path (`/cache_client.Scs/Get`). */
export class GrpcMethodTable {
  private readonly methods = new Map<string, RegisteredMethod>();

  /** Records every method of `definition` that `implementation` handles (what `Server.addService` gets). */
  addService(definition: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    for (const [name, attrs] of Object.entries(definition)) {
      const handler = implementation[name];
      if (handler === undefined) continue;
      this.methods.set(attrs.path, { definition: attrs as MethodDefinition<unknown, unknown>, handler });
    }
  }

  /** The method served at `path`, or `undefined`. */
  get(path: string): RegisteredMethod | undefined {
    return this.methods.get(path);
  }

  /** Every registered path. */
  paths(): IterableIterator<string> {
    return this.methods.keys();
  }
}
