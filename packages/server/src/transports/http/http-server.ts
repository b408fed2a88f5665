/**
 * @module transports/http/http-server
 * The HTTP transport (Fastify): signup and key management, items and collections under `/v1`, health. It authenticates once (an
 * `onRequest` hook, see `request-auth.ts`), maps errors once, here, and touches nothing but the service
 * layer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { CacheError, ErrorCode } from '@cachette/core';
import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import { type ConnectionLimits, defaultConfig } from '../../config.ts';
import type { FaultInjector } from '../../fault-injection.ts';
import type { Logger } from '../../logger.ts';
import type { AccountsService } from '../../service/accounts-service.ts';
import type { CacheService } from '../../service/cache-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import type { TopicService } from '../../service/topic-service.ts';
import { internalError, nextRequestId } from '../../service/unexpected-error.ts';
import type { WebhookService } from '../../service/webhook-service.ts';
import type { SecureContextTarget, TlsCertificates } from '../../tls-certificates.ts';
import { type GrpcWebOptions, grpcWebCorsOptions, isGrpcWebUrl, registerGrpcWeb } from '../grpc-web/grpc-web-routes.ts';
import { anonymousGuard } from './anonymous-guard.ts';
import { sendError } from './errors.ts';
import { registerFaultInjection } from './fault-injection.ts';
import { authenticateRoutes } from './request-auth.ts';
import { registerRequestGuard } from './request-guard.ts';
import { registerApiKeys } from './routes/api-keys.ts';
import { registerCaches } from './routes/caches.ts';
import { registerCollections } from './routes/collections.ts';
import { type ConsoleOptions, registerConsole } from './routes/console.ts';
import { registerItemOps } from './routes/item-ops.ts';
import { registerItems } from './routes/items.ts';
import { registerLeaderboards } from './routes/leaderboards.ts';
import { type PlansReporter, registerPlans } from './routes/plans.ts';
import { registerSignup } from './routes/signup.ts';
import { registerTopicEvents } from './routes/topic-events.ts';
import { registerTopics } from './routes/topics.ts';
import { registerUsage, type UsageReporter } from './routes/usage.ts';
import { registerWebhooks } from './routes/webhooks.ts';
import { refuseRepeatedQueryParameters } from './single-query.ts';
import { validationMessage } from './validation-message.ts';

export interface HttpTransportOptions {
  /** Builds the billing view for `GET /v1/usage`. */
  readonly usageReport: UsageReporter;
  /** Prometheus registry served at `GET /metrics`. */
  readonly metrics?: Registry;
  /** When set, the port serves HTTPS with this certificate, following its reloads. */
  readonly tls?: TlsCertificates | undefined;
  /** When set, `GET /metrics` needs `Authorization: Bearer <metricsToken>`. */
  readonly metricsToken?: string | undefined;
  readonly service: CacheService;
  /** Momento Topics (`POST /topics/:cache/:topic`); absent = no topic routes. */
  readonly topics?: TopicService;
  /** Topic webhooks: listing and delivery logs under `/v1/webhooks`. */
  readonly webhooks?: WebhookService;
  readonly accounts: AccountsService;
  readonly auth: Authenticator;
  readonly logger: Logger;
  /** Largest request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** Trust `X-Forwarded-For` from a reverse proxy for client IPs (rate limits). */
  readonly trustProxy?: boolean;
  /** Set only with `--enable-fault-injection`: requests may then ask for errors and delays. */
  readonly faultInjector?: FaultInjector;
  /** Connection-level limits; defaults as in `defaultConfig.connections`. */
  readonly connections?: ConnectionLimits;
  /**
   * Set when the server runs with `--allow-anonymous`: the hostnames it is configured under (for the
   * `Host` check). Enables the anonymous-mode rules of {@link anonymousGuard}.
   */
  readonly anonymousMode?: { readonly serverNames: readonly string[] };
  /** When set, the gRPC server's methods are also served as gRPC-Web (browsers, `@gomomento/sdk-web`). */
  readonly grpcWeb?: GrpcWebOptions;
  /** When set, the web console is served at `/console`. */
  readonly console?: ConsoleOptions;
  /** When set, `GET /v1/plans` answers managing keys with the plans (the console's operator view). */
  readonly plans?: PlansReporter;
}

/** True when `header` is `Bearer <token>`; compared in constant time so timing does not reveal the token. */
function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(header.slice(7).trim()).digest();
  return timingSafeEqual(given, createHash('sha256').update(token).digest());
}

/** A Fastify app with every HTTP route; not yet listening. */
export function createHttpServer(options: HttpTransportOptions): FastifyInstance {
  const limits = options.connections ?? defaultConfig.connections;
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps Fastify's default generics for route modules.
    loggerInstance: options.logger as FastifyBaseLogger,
    // Request logs are ours (below): Fastify's default would log URLs, and `?token=` may carry a key.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    trustProxy: options.trustProxy ?? false,
    // Unique across processes, and the same shape as the ids gRPC clients get, so one log search finds both.
    genReqId: nextRequestId,
    // A slow or silent client is cut off: inactivity, whole-request and header deadlines (Node answers 408).
    connectionTimeout: limits.idleTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    http: {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      // How often Node checks those deadlines (default 30 s, which would let a slow request live 30 s longer).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    ...(options.tls ? { https: options.tls.current } : {}),
    // Fastify's types follow the `https` option; routes only use what HTTP and HTTPS requests share.
  }) as unknown as FastifyInstance;
  if (options.tls) options.tls.attach(app.server as unknown as SecureContextTarget);
  app.server.maxConnections = limits.maxConnections;

  // First of all hooks (app-level onRequest hooks run before the per-route authentication): nothing may read
  // a repeated parameter as one value, and anonymous mode's Host/Origin rules apply before any key is looked at.
  app.addHook('onRequest', refuseRepeatedQueryParameters);
  if (options.anonymousMode) app.addHook('onRequest', anonymousGuard(options.anonymousMode.serverNames));
  registerRequestGuard(app, {
    bodyLimitBytes: options.bodyLimitBytes,
    maxInFlightBodyBytes: limits.maxInFlightBodyBytes,
    maxInFlightBodyBytesPerClient: limits.maxInFlightBodyBytesPerClient,
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof CacheError) return sendError(reply, error);
    const e = error as {
      validation?: Parameters<typeof validationMessage>[0];
      validationContext?: string;
      statusCode?: number;
      message: string;
      code?: string;
    };
    if (e.validation !== undefined) {
      const message = validationMessage(e.validation, e.validationContext ?? 'body');
      return sendError(reply, new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid request: ${message}`));
    }
    if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(
        reply,
        new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `request body exceeds ${options.bodyLimitBytes} bytes`,
          'request_size_limit_exceeded',
        ),
      );
    }
    if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
      return sendError(reply, new CacheError(ErrorCode.INVALID_ARGUMENT, e.message));
    }
    // A bug: the stack goes to the log under the request id, the client gets only the id.
    request.log.error({ err: error, requestId: request.id }, 'unexpected error while serving an HTTP request');
    return sendError(reply, internalError(request.id));
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new CacheError(ErrorCode.NOT_FOUND, `no route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );

  app.addHook('onResponse', async (request, reply) => {
    request.log.debug(
      { method: request.method, route: request.routeOptions.url, status: reply.statusCode, ms: reply.elapsedTime },
      'http request',
    );
  });

  // Browsers call the API from any origin with a key in the Authorization header (never cookies), so a
  // wildcard origin is safe and is what Momento's HTTP API allows.
  const httpCors = {
    origin: '*',
    methods: ['GET', 'PUT', 'POST', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: ['retry-after'],
    maxAge: 86_400,
  };
  const grpcWeb = options.grpcWeb;
  if (grpcWeb === undefined) app.register(cors, httpCors);
  else {
    // gRPC-Web paths need their own headers allowed and the status headers exposed.
    app.register(cors, {
      delegator: (request, callback) =>
        callback(null, isGrpcWebUrl(grpcWeb.methods, request.url ?? '') ? grpcWebCorsOptions : httpCors),
    });
  }

  // Before authentication, as on gRPC: a faulted call is answered whatever its key.
  if (options.faultInjector !== undefined) registerFaultInjection(app, options.faultInjector);
  // Every route below authenticates in onRequest unless it says `public: true`.
  authenticateRoutes(app, options.auth);
  app.get('/healthz', { config: { public: true } }, async () => ({ status: 'ok' }));
  const metrics = options.metrics;
  if (metrics) {
    const token = options.metricsToken;
    // Public to API keys: with --metrics-token it takes that bearer token instead.
    app.get('/metrics', { config: { public: true } }, async (request, reply) => {
      if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
        throw new CacheError(ErrorCode.UNAUTHENTICATED, '/metrics needs Authorization: Bearer <the --metrics-token>');
      }
      return reply.type(metrics.contentType).send(await metrics.metrics());
    });
  }
  registerSignup(app, options.accounts);
  registerApiKeys(app, options.accounts);
  registerCaches(app, options.service);
  registerItems(app, options.service);
  registerItemOps(app, options.service);
  registerCollections(app, options.service);
  registerLeaderboards(app, options.service);
  if (options.topics) registerTopics(app, options.topics);
  if (options.topics) registerTopicEvents(app, options.topics);
  if (options.webhooks) registerWebhooks(app, options.webhooks);
  registerUsage(app, options.usageReport);
  if (grpcWeb !== undefined) registerGrpcWeb(app, grpcWeb);
  if (options.console !== undefined) registerConsole(app, options.console);
  if (options.plans !== undefined) registerPlans(app, options.plans);
  return app;
}
