/**
 * @module transports/http/fault-injection
 * The HTTP API's side of `--enable-fault-injection`: the same headers as the gRPC metadata
 * (`return-error`, `error-rpcs`, `error-count`, `delay-ms`, `delay-rpcs`, `delay-count`, `request-id`),
 * checked in an `onRequest` hook — before the body is read or the key checked, as on gRPC. Registered only
 * when the flag is on.
 */
import type { CacheError } from '@cachette/core';
import type { FastifyInstance } from 'fastify';
import { type FaultInjector, type FaultPlan, faultMessage, rpcNamesOf } from '../../fault-injection.ts';
import { sendError } from './errors.ts';

/** `METHOD route` → the method names the gRPC API uses for the same operation, so one list serves both. */
const RPC_OF_ROUTE: Record<string, string> = {
  'GET /cache/:cache': 'Get',
  'PUT /cache/:cache': 'Set',
  'DELETE /cache/:cache': 'Delete',
  'POST /v1/caches/:cache/items/increment': 'Increment',
  'POST /v1/caches/:cache/items/set-if': 'SetIf',
  'GET /v1/caches/:cache/items/ttl': 'ItemGetTtl',
  'POST /v1/caches/:cache/items/ttl': 'UpdateTtl',
  'POST /v1/caches/:cache/items/get-batch': 'GetBatch',
  'POST /v1/caches/:cache/items/set-batch': 'SetBatch',
  'POST /v1/caches/:cache/items/keys-exist': 'KeysExist',
  'GET /v1/caches': 'ListCaches',
  'PUT /v1/caches/:name': 'CreateCache',
  'DELETE /v1/caches/:name': 'DeleteCache',
  'POST /v1/caches/:name/flush': 'FlushCache',
};

/** Gives the `plan`'s error the HTTP API's JSON error body: code from the status name, e.g. `UNAVAILABLE`. */
function bodyOf(plan: FaultPlan): { error: { code: string; message: string } } {
  const name = plan.error?.name ?? 'unknown';
  const code = name === 'resource-exhausted' ? 'LIMIT_EXCEEDED' : name.toUpperCase().replaceAll('-', '_');
  return { error: { code, message: faultMessage(plan) } };
}

/** Adds the fault-injection hook to `app`. */
export function registerFaultInjection(app: FastifyInstance, injector: FaultInjector): void {
  app.addHook('onRequest', async (request, reply) => {
    // gRPC-Web calls run the gRPC port's handlers, already wrapped with fault injection (with gRPC statuses
    // and method names): injecting here too would fail or delay them twice, in the wrong form.
    if (request.headers['content-type']?.startsWith('application/grpc-web')) return;
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    const method = RPC_OF_ROUTE[route];
    const names = method === undefined ? [route] : rpcNamesOf(method);
    let plan: FaultPlan | undefined;
    try {
      plan = injector.plan(names, (name) => {
        const v = request.headers[name];
        return Array.isArray(v) ? v[0] : v;
      });
    } catch (e) {
      return sendError(reply, e as CacheError); // plan() throws only INVALID_ARGUMENT CacheErrors
    }
    if (plan === undefined) return;
    if (plan.delayMs > 0) {
      const delayMs = plan.delayMs;
      // The client hanging up ends the wait early: nobody is left to answer.
      const socket = request.raw.socket;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          socket.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, delayMs);
        socket.once('close', done);
      });
    }
    if (plan.error !== undefined) {
      return reply.status(plan.error.httpStatus).type('application/json').send(bodyOf(plan));
    }
  });
}
