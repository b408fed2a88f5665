/**
 * @module shutdown
 * Orderly stop: a stack of teardown steps run newest first (so the metadata store closes after the usage
 * meter's last flush, and the data-dir lock goes last), and a bounded drain of both transports.
 */
import type { Server as GrpcServer } from '@grpc/grpc-js';
import type { FastifyInstance } from 'fastify';

/** Teardown steps, run in reverse order of registration, each once. */
export class Teardown {
  readonly #steps: Array<() => Promise<void> | void> = [];

  /** Registers a step; `undefined` is skipped, so optional parts need no `if`. */
  push(step: (() => Promise<void> | void) | undefined): void {
    if (step !== undefined) this.#steps.push(step);
  }

  /** Runs every registered step, newest first; a step registered later runs in a later call. */
  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) await step();
  }
}

/** The gRPC port's server, whichever implementation serves it. */
export interface GrpcTransport {
  /** Stops accepting, lets calls in flight finish and resolves; after `graceMs` the rest are cut off. */
  shutdown(graceMs: number): Promise<void>;
}

/** grpc-js's server as a {@link GrpcTransport}. */
export function grpcJsTransport(grpc: GrpcServer): GrpcTransport {
  return {
    async shutdown(graceMs) {
      const timer = setTimeout(() => grpc.forceShutdown(), graceMs);
      timer.unref();
      await new Promise<void>((resolve) => grpc.tryShutdown(() => resolve()));
      clearTimeout(timer);
    },
  };
}

/**
 * Stops accepting on both transports and lets in-flight calls finish, bounded by `graceMs` so a stuck
 * client cannot keep the process (and the data-dir lock) forever: after it, gRPC calls are cut off.
 */
export async function drainTransports(grpc: GrpcTransport, http: FastifyInstance, graceMs: number): Promise<void> {
  await Promise.all([grpc.shutdown(graceMs), http.close()]);
}
