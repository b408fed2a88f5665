/**
 * @module transports/grpc/unary
 * The one shape every unary handler shares: authenticate, run, answer or map the error. Built once per
 * method at registration. A data-plane call on a remembered connection whose `run` answers at once allocates
 * no promise; the others cost one async frame, as before.
 */
import type { Metadata, ServerUnaryCall, ServerWritableStream, sendUnaryData } from '@grpc/grpc-js';
import type { Authenticator, AuthMemo, Principal } from '../../service/principal.ts';
import { cacheNameOf, tokenOf } from './call-context.ts';
import { toGrpcError, type UnexpectedErrorSink } from './status.ts';

export interface HandlerDeps {
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

/** A call that can lend its connection's {@link AuthMemo} (direct-unary's calls can; grpc-js's cannot). */
interface WithAuthMemo {
  authMemo?: () => AuthMemo | undefined;
}

/**
 * A unary handler for a data-plane method: `run` gets the principal, the `cache` header and the request,
 * and answers with a value or a promise. On a connection whose key is remembered and a `run` that answers
 * synchronously (a known cache on the embedded engine), the call is answered without a single promise.
 */
export function dataUnary<Req, Res>(
  deps: HandlerDeps,
  run: (principal: Principal, cache: string, request: Req) => Res | Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => void {
  return (call, callback) => {
    const token = tokenOf(call.metadata);
    const memo = (call as WithAuthMemo).authMemo?.();
    const principal = memo === undefined ? undefined : deps.auth.recall(token, memo);
    if (principal !== undefined) {
      answer(deps, run, principal, call, callback);
      return;
    }
    deps.auth.authenticate(token, call.getPeer(), memo).then(
      (p) => answer(deps, run, p, call, callback),
      (e: unknown) => callback(toGrpcError(e, deps.onUnexpected)),
    );
  };
}

function answer<Req, Res>(
  deps: HandlerDeps,
  run: (principal: Principal, cache: string, request: Req) => Res | Promise<Res>,
  principal: Principal,
  call: ServerUnaryCall<Req, Res>,
  callback: sendUnaryData<Res>,
): void {
  let result: Res | Promise<Res>;
  try {
    result = run(principal, cacheNameOf(call.metadata), call.request);
  } catch (e) {
    callback(toGrpcError(e, deps.onUnexpected));
    return;
  }
  if (result instanceof Promise) {
    result.then(
      (value) => callback(null, value),
      (e: unknown) => callback(toGrpcError(e, deps.onUnexpected)),
    );
  } else {
    callback(null, result);
  }
}

/** A unary handler for a control-plane method (the cache, if any, is in the request body). */
export function controlUnary<Req, Res>(
  deps: HandlerDeps,
  run: (principal: Principal, request: Req) => Promise<Res>,
): (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => Promise<void> {
  return async (call, callback) => {
    try {
      const principal = await deps.auth.authenticate(tokenOf(call.metadata), call.getPeer());
      callback(null, await run(principal, call.request));
    } catch (e) {
      callback(toGrpcError(e, deps.onUnexpected));
    }
  };
}

/** A server-streaming data-plane handler: `run` returns every message; they are written in order. */
export function dataStream<Req, Res>(
  deps: HandlerDeps,
  run: (principal: Principal, cache: string, request: Req) => Promise<readonly Res[]>,
): (call: ServerWritableStream<Req, Res>) => Promise<void> {
  return async (call) => {
    try {
      const principal = await deps.auth.authenticate(tokenOf(call.metadata as Metadata), call.getPeer());
      for (const message of await run(principal, cacheNameOf(call.metadata), call.request)) call.write(message);
      call.end();
    } catch (e) {
      // grpc-js turns an 'error' event on a server stream into the call's final status.
      call.emit('error', toGrpcError(e, deps.onUnexpected));
    }
  };
}
