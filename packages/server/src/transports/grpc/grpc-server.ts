/**
 * @module transports/grpc/grpc-server
 * The gRPC transport: Momento's data plane, control plane, leaderboards and ping on one port, built from the service
 * definitions in `@gomomento/generated-types`.
 */
import {
  auth as authPb,
  cache,
  control,
  leaderboard,
  ping,
  pubsub,
  token as tokenPb,
  webhook,
} from '@gomomento/generated-types';
import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import type { FaultInjector } from '../../fault-injection.ts';
import type { AccountsService } from '../../service/accounts-service.ts';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import type { TopicService } from '../../service/topic-service.ts';
import type { WebhookService } from '../../service/webhook-service.ts';
import { controlPlaneHandlers, pingHandlers } from './control-plane.ts';
import { dataPlaneHandlers } from './data-plane.ts';
import { withFaultInjection } from './fault-injection.ts';
import { healthDefinition, healthHandlers } from './health.ts';
import { withHotCodecs } from './hot-codecs.ts';
import { limitHttp2Settings } from './http2-limits.ts';
import { withPreEncodedResponses } from './leaderboard-codec.ts';
import { leaderboardHandlers } from './leaderboard-plane.ts';
import type { GrpcMethodTable } from './method-table.ts';
import type { UnexpectedErrorSink } from './status.ts';
import { authHandlers, tokenHandlers } from './token-plane.ts';
import { withTolerantDecoding } from './tolerant-decoding.ts';
import { topicHandlers, withPreEncodedSubscribe } from './topic-plane.ts';
import { dataPlaneFamily, withUnimplemented } from './unimplemented.ts';
import { webhookHandlers } from './webhook-plane.ts';

export interface GrpcTransportOptions {
  readonly service: CacheService;
  readonly accounts: AccountsService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
  /** Largest request accepted, in bytes: a maximum-size item plus message overhead. */
  readonly maxReceiveMessageBytes: number;
  /** Set only with `--enable-fault-injection`: every handler then honours the fault metadata. */
  readonly faultInjector?: FaultInjector;
  /** Concurrent calls per connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS). */
  readonly maxConcurrentStreams: number;
  /** A connection with no call in flight is closed (GOAWAY) after this long. */
  readonly idleTimeoutMs: number;
  /** Largest header block (metadata) accepted, in bytes. */
  readonly maxHeaderBytes: number;
  /** When given, every registered method is recorded here too (the gRPC-Web transport dispatches through it). */
  readonly methods?: GrpcMethodTable;
  /** Momento Topics; without it Publish/Subscribe answer UNIMPLEMENTED. */
  readonly topics?: TopicService;
  /** Topic webhooks (control endpoint); without it the webhook service answers UNIMPLEMENTED. */
  readonly webhooks?: WebhookService;
}

/** A grpc-js server with every Momento service Cachette answers. Not yet bound. */
export function createGrpcServer(options: GrpcTransportOptions): Server {
  const grpcServer = new Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes,
    'grpc.max_send_message_length': -1,
    // Keep idle SDK connections alive through NATs/load balancers without letting pings flood us.
    'grpc.keepalive_time_ms': 60_000,
    'grpc.keepalive_timeout_ms': 20_000,
    'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    'grpc.max_concurrent_streams': options.maxConcurrentStreams,
    'grpc.max_connection_idle_ms': options.idleTimeoutMs,
  });
  // The fault-injection wrapper is chosen here, once: without the flag, handlers are registered as they are.
  const faults = options.faultInjector;
  const server = {
    addService: (definition: ServiceDefinition, implementation: UntypedServiceImplementation) => {
      const served = faults === undefined ? implementation : withFaultInjection(definition, implementation, faults);
      grpcServer.addService(definition, served);
      options.methods?.addService(definition, served);
    },
  };
  limitHttp2Settings(grpcServer, { maxHeaderBytes: options.maxHeaderBytes });
  const deps = { service: options.service, auth: options.auth, onUnexpected: options.onUnexpected };
  const scs = withHotCodecs(
    withTolerantDecoding(cache.cache_client.UnimplementedScsService.definition as unknown as ServiceDefinition),
  );
  server.addService(scs, withUnimplemented(scs, dataPlaneHandlers(deps), dataPlaneFamily));
  const scsControl = withTolerantDecoding(
    control.control_client.UnimplementedScsControlService.definition as unknown as ServiceDefinition,
  );
  server.addService(
    scsControl,
    withUnimplemented(scsControl, controlPlaneHandlers(deps), () => 'signing keys and vector indexes'),
  );
  // Every service decoding protobuf goes through the guard, even those that answer UNIMPLEMENTED:
  // grpc-js decodes a request before it looks for a handler.
  server.addService(
    withTolerantDecoding(ping.cache_client.UnimplementedPingService.definition as unknown as ServiceDefinition),
    pingHandlers(),
  );
  const authDef = withTolerantDecoding(authPb.auth.UnimplementedAuthService.definition as unknown as ServiceDefinition);
  const tokenDeps = { accounts: options.accounts, auth: options.auth, onUnexpected: options.onUnexpected };
  server.addService(
    authDef,
    withUnimplemented(authDef, authHandlers(tokenDeps), () => 'login and token refresh'),
  );
  const tokenDef = withTolerantDecoding(
    tokenPb.token.UnimplementedTokenService.definition as unknown as ServiceDefinition,
  );
  server.addService(
    tokenDef,
    withUnimplemented(tokenDef, tokenHandlers(tokenDeps), () => 'token service'),
  );
  server.addService(healthDefinition, healthHandlers());
  const leaderboards = withPreEncodedResponses(
    withTolerantDecoding(
      leaderboard.leaderboard.UnimplementedLeaderboardService.definition as unknown as ServiceDefinition,
    ),
  );
  server.addService(
    leaderboards,
    withUnimplemented(leaderboards, leaderboardHandlers(options.service, deps), () => 'leaderboards'),
  );
  const topics = withPreEncodedSubscribe(
    withTolerantDecoding(
      pubsub.cache_client.pubsub.UnimplementedPubsubService.definition as unknown as ServiceDefinition,
    ),
  );
  const topicService = options.topics;
  server.addService(
    topics,
    withUnimplemented(
      topics,
      topicService === undefined
        ? {}
        : topicHandlers({ topics: topicService, auth: options.auth, onUnexpected: options.onUnexpected }),
      () => 'topics',
    ),
  );
  const webhookDef = withTolerantDecoding(
    webhook.webhook.UnimplementedWebhookService.definition as unknown as ServiceDefinition,
  );
  const webhookService = options.webhooks;
  server.addService(
    webhookDef,
    withUnimplemented(
      webhookDef,
      webhookService === undefined ? {} : webhookHandlers({ ...deps, webhooks: webhookService }),
      () => 'webhooks',
    ),
  );
  return grpcServer;
}

/** Binds `server` on `host:port` (port 0 picks a free one) and resolves with the bound port. */
export function bindGrpcServer(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(
      `${host.includes(':') ? `[${host}]` : host}:${port}`,
      ServerCredentials.createInsecure(),
      (err, bound) => (err ? reject(err) : resolve(bound)),
    );
  });
}
