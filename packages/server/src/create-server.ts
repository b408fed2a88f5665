/**
 * @module create-server
 * The composition root: takes a server's parts (engine, metadata store, clock, logger, mailer) and wires
 * the service and the transports over them. Choosing parts from configuration is the preset's job
 * (`preset.ts`); wording listen errors, loading TLS, the ready line and draining live in modules of their
 * own, so this file reads as the table of contents of a running server.
 */
import { join } from 'node:path';
import { consoleFiles } from '@cachette/console';
import { type Clock, systemClock } from '@cachette/core';
import { type CacheEngine, MemoryTopicBus, type TopicBus } from '@cachette/engine';
import type { MetadataStore } from '@cachette/metadata';
import { ServerCredentials } from '@grpc/grpc-js';
import { completeConfig, type ServerConfig } from './config.ts';
import { FaultInjector } from './fault-injection.ts';
import { dialHost, hostPort } from './host-port.ts';
import { listenError, listenGrpc, listenHttp, listenRedis } from './listen.ts';
import { ensureLocalAccount } from './local-account.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMailer, type Mailer } from './mail/mailer.ts';
import { createMetrics, registerAuthThrottleMetrics } from './observability/metrics.ts';
import { logReady } from './ready-line.ts';
import { AccountsService } from './service/accounts-service.ts';
import { AuthThrottle } from './service/auth-throttle.ts';
import { CacheService } from './service/cache-service.ts';
import { combineObservers } from './service/observer.ts';
import { PlanLimiter } from './service/plan-limiter.ts';
import { Authenticator } from './service/principal.ts';
import type { SharedCounter } from './service/shared-budget.ts';
import { TopicService } from './service/topic-service.ts';
import { UsageMeter } from './service/usage-meter.ts';
import { buildUsageReport, monthOf } from './service/usage-report.ts';
import { WebhookDelivery } from './service/webhook-delivery.ts';
import { WebhookService } from './service/webhook-service.ts';
import { drainTransports, type GrpcTransport, grpcJsTransport, Teardown } from './shutdown.ts';
import { TlsCertificates } from './tls-certificates.ts';
import { answerUnaryDirectly } from './transports/grpc/direct-unary.ts';
import { GrpcH2Server } from './transports/grpc/grpc-h2-server.ts';
import { routeGrpcLogs } from './transports/grpc/grpc-logs.ts';
import { createGrpcServer } from './transports/grpc/grpc-server.ts';
import { limitHttp2Servers } from './transports/grpc/http2-limits.ts';
import { GrpcMethodTable } from './transports/grpc/method-table.ts';
import { createHttpServer } from './transports/http/http-server.ts';
import { createRespServer, type RespServer } from './transports/resp/resp-server.ts';

/**
 * What a server is made of. The server owns the parts it is given: `close()`, or a failed start, closes
 * the engine, the metadata store and the mailer, then runs `onClosed`.
 */
export interface ServerParts {
  /** Ports, endpoints, limits, …; missing fields take {@link defaultConfig}'s values. */
  readonly config?: Partial<ServerConfig>;
  /** Where items live. */
  readonly engine: CacheEngine;
  /** Accounts, keys, caches, plans, usage. */
  readonly metadata: MetadataStore;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Default: JSON to stdout at `config.logLevel`. */
  readonly logger?: Logger;
  /** Default: SMTP at `config.smtpUrl`, else `.eml` files under `<data-dir>/outbox/`. */
  readonly mailer?: Mailer;
  /**
   * grpc-js credentials for the gRPC port, with `grpcServer: 'grpc-js'` only (our own HTTP/2 server takes TLS
   * from `config.tlsCertFile`/`tlsKeyFile`). Default: that TLS pair (every port), else plaintext.
   */
  readonly grpcCredentials?: ServerCredentials;
  /** How often the TLS certificate and key files are checked for a renewal, in ms. Default 10 000. */
  readonly tlsWatchIntervalMs?: number;
  /** Momento Topics' bus. Default: in-process (one server); the Valkey preset shares one across gateways. */
  readonly topicBus?: TopicBus;
  /** Plan budgets shared by every gateway (the preset's Valkey engine); unset = per-process buckets. */
  readonly sharedCounter?: SharedCounter;
  /** Runs last when the server stops or fails to start, e.g. releasing the data-dir lock. */
  readonly onClosed?: () => Promise<void> | void;
}

/** A running server. */
export interface CachetteServer {
  readonly config: ServerConfig;
  /** The bound gRPC port (differs from `config.port` when that was 0). */
  readonly grpcPort: number;
  /** `host:port` gRPC clients dial. */
  readonly grpcAddress: string;
  /** The bound HTTP port. */
  readonly httpPort: number;
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8081`. */
  readonly httpUrl: string;
  /** The bound Redis protocol port, or `undefined` when `config.redisPort` is unset (no Redis listener). */
  readonly redisPort: number | undefined;
  /** The local account and its key (also in `<data-dir>/dev-api-key`). */
  readonly localAccountId: string;
  readonly devApiKey: string;
  readonly devApiKeyPath: string;
  readonly engine: CacheEngine;
  readonly metadata: MetadataStore;
  readonly service: CacheService;
  /** Momento Topics: publish and subscribe, for every transport. */
  readonly topics: TopicService;
  /** Topic webhooks (Momento's webhook service) and their delivery. */
  readonly webhooks: WebhookService;
  readonly accounts: AccountsService;
  readonly auth: Authenticator;
  readonly meter: UsageMeter;
  readonly limiter: PlanLimiter;
  readonly logger: Logger;
  /** Graceful stop: refuse new calls, finish in-flight ones (up to `graceMs`, default 10 s), close the parts. */
  close(graceMs?: number): Promise<void>;
}

/** Logs carry an error's message only: a stack of a database driver says nothing to an operator. */
const messageOf = (error: unknown) => ({ err: { message: (error as Error)?.message } });

/**
 * Wires a server over `parts` and starts listening. Fails with a {@link CacheError}: UNAVAILABLE when a
 * port is taken or the metadata store is unreachable, INVALID_ARGUMENT for unusable TLS files; the parts
 * are closed again.
 */
export async function createServer(parts: ServerParts): Promise<CachetteServer> {
  const config = completeConfig(parts.config ?? {});
  const { engine, metadata } = parts;
  const clock = parts.clock ?? systemClock;
  const logger = parts.logger ?? createLogger(config.logLevel);
  const teardown = new Teardown();
  teardown.push(parts.onClosed);
  teardown.push(() => metadata.close());
  teardown.push(() => engine.close());
  try {
    // Usage and metrics: counted per call, written to the store in the background.
    const meter = new UsageMeter({
      metadata,
      clock,
      flushIntervalMs: config.meteringFlushIntervalMs,
      onFlushError: (error) => logger.warn(messageOf(error), 'could not write usage; will retry'),
    });
    meter.start();
    teardown.push(() =>
      meter
        .close()
        .catch((error: unknown) => logger.error(messageOf(error), 'usage since the last flush could not be written')),
    );
    const metrics = createMetrics(engine, () => (clock.nowMs() - meter.lastFlushedAtMs) / 1000);

    // The service: limits, then the data plane over the engine.
    const limiter = new PlanLimiter({ metadata, clock, limits: config.limits, shared: parts.sharedCounter });
    const observer = combineObservers([metrics, meter]);
    // Topics: a bus beside the engine; the service ends subscriptions on cache deletion and at shutdown.
    const topics = new TopicService({
      bus: parts.topicBus ?? new MemoryTopicBus({ clock }),
      metadata,
      clock,
      limits: config.topics,
      observer,
      limiter,
      planLimits: (accountId) => limiter.planFor(accountId),
    });
    teardown.push(() => topics.close());
    // Webhooks: every publish through this gateway is queued for its topic's webhooks (never blocking it).
    const delivery = new WebhookDelivery({ metadata, clock });
    topics.onPublish((...event) => delivery.published(...event));
    teardown.push(() => delivery.close());
    const webhooks = new WebhookService({ metadata, clock, delivery });
    const service = new CacheService({
      engine,
      metadata,
      clock,
      limits: config.limits,
      observer,
      limiter,
      onCacheDeleted: (cacheId, cacheName) => topics.cacheDeleted(cacheId, cacheName),
    });
    const pricing = { freeGbPerMonth: config.freeGbPerMonth, pricePerGbUsd: config.pricePerGbUsd };
    const usageReport = async (accountId: string, month: string | undefined) => {
      // Include this server's pending counters; a failed flush still reports what reached the store.
      await meter.flush().catch(() => undefined);
      return buildUsageReport(metadata, accountId, month ?? monthOf(clock.nowMs()), clock.nowMs(), pricing);
    };
    // The gauge reads the throttle at scrape time, after both exist.
    const authMetrics = registerAuthThrottleMetrics(metrics.registry, () => throttle.throttledClients());
    const throttle = new AuthThrottle({
      burst: config.authThrottle.burst,
      perSecond: config.authThrottle.perSecond,
      clock,
      onFailure: authMetrics.failed,
      onRefusal: authMetrics.refused,
    });

    // Identity: API keys, accounts, signup mail.
    const auth = new Authenticator({
      throttle,
      metadata,
      clock,
      anonymousAccountId: null,
      provider: config.provider,
      region: config.region,
      onTouchError: (error) => logger.warn(messageOf(error), 'could not record API key use'),
    });
    const mailer =
      parts.mailer ??
      createMailer({
        smtpUrl: config.smtpUrl,
        from: config.mailFrom,
        outboxDir: join(config.dataDir, 'outbox'),
        logger,
      });
    teardown.push(() => mailer.close());
    // Keys carry both endpoints, known only once the transports are bound: accounts read them lazily.
    const endpoints = { grpcEndpoint: '', httpEndpoint: '' };
    const accounts = new AccountsService({
      metadata,
      mailer,
      auth,
      clock,
      provider: config.provider,
      region: config.region,
      get grpcEndpoint() {
        return endpoints.grpcEndpoint;
      },
      get httpEndpoint() {
        return endpoints.httpEndpoint;
      },
    });

    // Another server revoked a key, changed caches or plans: drop what this process cached of that kind
    // now rather than at the end of the cache windows (1 s keys, 5 s caches, 10 s plans).
    teardown.push(
      metadata.onChange((change) => {
        if (change === 'apiKeys') auth.invalidate();
        else if (change === 'caches') {
          service.forgetCaches();
          topics
            .forgetCaches()
            .catch((error: unknown) => logger.warn(messageOf(error), 'could not re-check topic caches'));
        } else limiter.forgetPlans();
      }),
    );

    // Only with --enable-fault-injection: requests may then ask for errors and delays (retry tests).
    const faultInjector = config.enableFaultInjection ? new FaultInjector() : undefined;
    if (faultInjector !== undefined) {
      logger.warn('fault injection is enabled: requests can ask for errors and delays; never use this in production');
    }
    // Transports.
    routeGrpcLogs(logger);
    // A maximum-size item plus the message's own fields.
    const maxRequestBytes = config.limits.maxItemSizeBytes + 1024 * 1024;
    // Filled by the gRPC server as it registers methods; the HTTP port serves them as gRPC-Web.
    const grpcMethods = new GrpcMethodTable();
    const grpc = createGrpcServer({
      methods: grpcMethods,
      service,
      accounts,
      auth,
      topics,
      webhooks,
      onUnexpected: (error, requestId) =>
        logger.error({ err: error, requestId }, 'unexpected error while serving a call'),
      maxReceiveMessageBytes: maxRequestBytes,
      ...(faultInjector === undefined ? {} : { faultInjector }),
      maxConcurrentStreams: config.connections.maxConcurrentStreams,
      idleTimeoutMs: config.connections.idleTimeoutMs,
      maxHeaderBytes: config.connections.maxHeaderBytes,
    });
    // One certificate for every listener, reloaded when the files change (renewals), without a restart.
    const tls =
      config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined
        ? new TlsCertificates(config.tlsCertFile, config.tlsKeyFile, (error) =>
            logger.error(messageOf(error), 'new TLS certificate not loaded; still serving the previous one'),
          )
        : undefined;
    if (tls) {
      tls.watch(parts.tlsWatchIntervalMs ?? 10_000);
      teardown.push(() => tls.close());
    }
    const grpcListener = await listenGrpcPort();
    const grpcPort = grpcListener.port;
    endpoints.grpcEndpoint = config.publicEndpoint ?? hostPort(dialHost(config.host), grpcPort);

    /** The gRPC port on our own HTTP/2 server (default) or, with `--grpc-server grpc-js`, on grpc-js. */
    async function listenGrpcPort(): Promise<{ port: number; transport: GrpcTransport }> {
      if (config.grpcServer === 'grpc-js') {
        const credentials = parts.grpcCredentials ?? tls?.grpcCredentials() ?? ServerCredentials.createInsecure();
        const port = await listenGrpc(grpc, config.host, config.port, credentials);
        teardown.push(() => grpc.forceShutdown());
        teardown.push(limitHttp2Servers(grpc, config.connections));
        // Unary calls skip grpc-js's per-call machinery (see direct-unary.ts); streaming and the rest stay on it.
        answerUnaryDirectly(grpc, { maxReceiveMessageBytes: maxRequestBytes });
        return { port, transport: grpcJsTransport(grpc) };
      }
      const server = new GrpcH2Server({
        methods: grpcMethods,
        maxReceiveMessageBytes: maxRequestBytes,
        maxConnections: config.connections.maxConnections,
        maxConcurrentStreams: config.connections.maxConcurrentStreams,
        maxHeaderListBytes: config.connections.maxHeaderBytes,
        idleTimeoutMs: config.connections.idleTimeoutMs,
        requestTimeoutMs: config.connections.requestTimeoutMs,
        keepaliveTimeMs: 60_000,
        keepaliveTimeoutMs: 20_000,
        ...(tls === undefined ? {} : { tls }),
        onUnexpected: (error) => logger.error({ err: error }, 'unexpected error on a gRPC connection; closed it'),
      });
      let port: number;
      try {
        port = await server.listen(config.host, config.port);
      } catch (e) {
        throw listenError(e as Error, 'gRPC', config.host, config.port, '--port');
      }
      teardown.push(() => server.forceShutdown());
      return { port, transport: server };
    }

    const http = createHttpServer({
      usageReport,
      metrics: metrics.registry,
      metricsToken: config.metricsToken,
      service,
      topics,
      webhooks,
      accounts,
      auth,
      logger,
      bodyLimitBytes: maxRequestBytes,
      trustProxy: config.trustProxy,
      ...(faultInjector === undefined ? {} : { faultInjector }),
      connections: config.connections,
      tls,
      ...(config.allowAnonymous ? { anonymousMode: { serverNames: serverNames(config) } } : {}),
      grpcWeb: { methods: grpcMethods, auth, maxMessageBytes: maxRequestBytes },
      console: { files: consoleFiles(), provider: config.provider, region: config.region },
      plans: async (accountId) => ({
        plans: await metadata.listPlans(),
        current: (await metadata.getAccount(accountId))?.plan ?? null,
      }),
    });
    teardown.push(() => http.close());
    const httpPort = await listenHttp(http, config.host, config.httpPort);
    const scheme = tls ? 'https' : 'http';
    // The Redis protocol, only when asked for: the same service, keys and limits as gRPC.
    let resp: RespServer | undefined;
    let redisPort: number | undefined;
    if (config.redisPort !== undefined) {
      const redis = createRespServer({
        service,
        topics,
        auth,
        clock,
        limits: config.limits,
        defaultTtlMs: config.redisDefaultTtlMs ?? config.limits.maxTtlMs,
        onUnexpected: (error, requestId) =>
          logger.error({ err: error, requestId }, 'unexpected error while serving a Redis command'),
        maxConnections: config.connections.maxConnections,
        requestTimeoutMs: config.connections.requestTimeoutMs,
        tls,
      });
      teardown.push(() => redis.close(0));
      redisPort = await listenRedis(redis, config.host, config.redisPort);
      resp = redis;
    }
    endpoints.httpEndpoint = config.publicHttpEndpoint ?? `${scheme}://${hostPort(dialHost(config.host), httpPort)}`;

    // The local account and its key file, then the ready line.
    const local = await ensureLocalAccount(metadata, {
      dataDir: config.dataDir,
      provider: config.provider,
      region: config.region,
      endpoint: endpoints.grpcEndpoint,
      httpEndpoint: endpoints.httpEndpoint,
    });
    auth.setAnonymousAccount(config.allowAnonymous ? local.accountId : null);
    if (config.allowAnonymous) {
      logger.warn(
        { allowAnonymous: true, host: config.host },
        `anonymous access is on: anyone who can reach ${hostPort(config.host, grpcPort)} or port ${httpPort} can use the local account without a key (development only)`,
      );
    }
    logReady(logger, config, {
      grpc: hostPort(config.host, grpcPort),
      http: hostPort(config.host, httpPort),
      httpEndpoint: endpoints.httpEndpoint,
      ...(redisPort === undefined ? {} : { redis: hostPort(config.host, redisPort) }),
      mail: mailer.describe,
      devApiKeyPath: local.apiKeyPath,
    });

    let closing: Promise<void> | undefined;
    return {
      config,
      grpcPort,
      grpcAddress: hostPort(dialHost(config.host), grpcPort),
      httpPort,
      httpUrl: `${scheme}://${hostPort(dialHost(config.host), httpPort)}`,
      redisPort,
      localAccountId: local.accountId,
      devApiKey: local.apiKey,
      devApiKeyPath: local.apiKeyPath,
      engine,
      metadata,
      service,
      topics,
      webhooks,
      accounts,
      auth,
      meter,
      limiter,
      logger,
      close(graceMs = 10_000) {
        closing ??= (async () => {
          // Subscriptions are streams a drain would wait on: end them first (clients resume elsewhere).
          await topics.close();
          await Promise.all([drainTransports(grpcListener.transport, http, graceMs), resp?.close(graceMs)]);
          await teardown.run();
          logger.info('cachette stopped');
        })();
        return closing;
      },
    };
  } catch (e) {
    await teardown.run();
    throw e;
  }
}

/** Hostnames the server is configured under, for the anonymous-mode `Host` check. */
function serverNames(config: ServerConfig): string[] {
  const names: string[] = [];
  if (config.host !== '0.0.0.0' && config.host !== '::') names.push(config.host);
  if (config.publicEndpoint) names.push(config.publicEndpoint);
  if (config.publicHttpEndpoint) {
    try {
      names.push(new URL(config.publicHttpEndpoint).host);
    } catch {
      // Not a URL: the settings report it.
    }
  }
  return names;
}
