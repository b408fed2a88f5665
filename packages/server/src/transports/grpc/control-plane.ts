/**
 * @module transports/grpc/control-plane
 * `/control_client.ScsControl/*` handlers (caches) and `/cache_client.Ping/Ping`.
 */
import { control, ping } from '@gomomento/generated-types';
import type { ServerUnaryCall, sendUnaryData, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import { tokenOf } from './call-context.ts';
import { toGrpcError, type UnexpectedErrorSink } from './status.ts';

import pb = control.control_client;

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => Promise<void>;

export interface ControlPlaneDeps {
  readonly service: CacheService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

/** Handlers for cache management; signing keys and indexes answer UNIMPLEMENTED. */
export function controlPlaneHandlers({ service, auth, onUnexpected }: ControlPlaneDeps): UntypedServiceImplementation {
  const CreateCache: Unary<pb._CreateCacheRequest, pb._CreateCacheResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      await service.createCache(principal, call.request.cache_name);
      callback(null, new pb._CreateCacheResponse());
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const DeleteCache: Unary<pb._DeleteCacheRequest, pb._DeleteCacheResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      await service.deleteCache(principal, call.request.cache_name);
      callback(null, new pb._DeleteCacheResponse());
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const FlushCache: Unary<pb._FlushCacheRequest, pb._FlushCacheResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      await service.flushCache(principal, call.request.cache_name);
      callback(null, new pb._FlushCacheResponse());
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  const ListCaches: Unary<pb._ListCachesRequest, pb._ListCachesResponse> = async (call, callback) => {
    try {
      const principal = await auth.authenticate(tokenOf(call.metadata));
      const caches = await service.listCaches(principal);
      // Accounts hold at most a few hundred caches, so one page is the whole list (next_token stays empty).
      const cache = caches.map(
        ({ name, limits }) =>
          new pb._Cache({
            cache_name: name,
            cache_limits: new pb._CacheLimits({
              max_traffic_rate: limits.maxTrafficRate,
              max_throughput_kbps: limits.maxThroughputKbps,
              max_item_size_kb: limits.maxItemSizeKb,
              max_ttl_seconds: limits.maxTtlSeconds,
            }),
            topic_limits: new pb._TopicLimits({
              max_publish_rate: 100,
              max_subscription_count: 100,
              max_publish_message_size_kb: 4,
            }),
          }),
      );
      callback(null, new pb._ListCachesResponse({ cache, next_token: '' }));
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };

  return { CreateCache, DeleteCache, FlushCache, ListCaches } as Record<string, UntypedHandleCall>;
}

const PONG = new ping.cache_client._PingResponse();

/** Ping needs no key: it is the health check load balancers and SDKs use before authenticating. */
export function pingHandlers(): UntypedServiceImplementation {
  const Ping: Unary<ping.cache_client._PingRequest, ping.cache_client._PingResponse> = async (_call, callback) => {
    callback(null, PONG);
  };
  return { Ping } as Record<string, UntypedHandleCall>;
}
