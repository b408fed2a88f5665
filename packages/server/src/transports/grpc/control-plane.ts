/**
 * @module transports/grpc/control-plane
 * `/control_client.ScsControl/*` handlers (caches) and `/cache_client.Ping/Ping`.
 */
import { control, ping } from '@gomomento/generated-types';
import type { ServerUnaryCall, sendUnaryData, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import type { UnexpectedErrorSink } from './status.ts';
import { controlUnary } from './unary.ts';

import pb = control.control_client;

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => Promise<void>;

export interface ControlPlaneDeps {
  readonly service: CacheService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

/** Handlers for cache management; signing keys and indexes answer UNIMPLEMENTED. */
export function controlPlaneHandlers({ service, auth, onUnexpected }: ControlPlaneDeps): UntypedServiceImplementation {
  const deps = { auth, onUnexpected };
  const handlers = {
    CreateCache: controlUnary(deps, async (p, req: pb._CreateCacheRequest) => {
      await service.createCache(p, req.cache_name);
      return new pb._CreateCacheResponse();
    }),
    DeleteCache: controlUnary(deps, async (p, req: pb._DeleteCacheRequest) => {
      await service.deleteCache(p, req.cache_name);
      return new pb._DeleteCacheResponse();
    }),
    FlushCache: controlUnary(deps, async (p, req: pb._FlushCacheRequest) => {
      await service.flushCache(p, req.cache_name);
      return new pb._FlushCacheResponse();
    }),
    ListCaches: controlUnary(deps, async (p, _req: pb._ListCachesRequest) => {
      const caches = await service.listCaches(p);
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
      return new pb._ListCachesResponse({ cache, next_token: '' });
    }),
  };
  return handlers as unknown as UntypedServiceImplementation;
}

const PONG = new ping.cache_client._PingResponse();

/** Ping needs no key: it is the health check load balancers and SDKs use before authenticating. */
export function pingHandlers(): UntypedServiceImplementation {
  const Ping: Unary<ping.cache_client._PingRequest, ping.cache_client._PingResponse> = async (_call, callback) => {
    callback(null, PONG);
  };
  return { Ping } as Record<string, UntypedHandleCall>;
}
