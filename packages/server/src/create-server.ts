/**
 * @module create-server
 * Boots a whole Cachette server in-process: data dir → metadata → engine → service → transports → local
 * account. Tests, the CLI and embedders all start here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CacheError, type Clock, ErrorCode, systemClock } from '@cachette/core';
import { type CacheEngine, MemoryEngine } from '@cachette/engine';
import { ValkeyEngine } from '@cachette/engine-valkey';
import { type MetadataStore, openMetadata } from '@cachette/metadata';
import { ServerCredentials } from '@grpc/grpc-js';
import { defaultConfig, type ServerConfig } from './config.ts';
import { lockDataDir } from './data-dir.ts';
import { ensureLocalAccount } from './local-account.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMailer } from './mail/mailer.ts';
import { createMetrics } from './observability/metrics.ts';
import { AccountsService } from './service/accounts-service.ts';
import { CacheService } from './service/cache-service.ts';
import { combineObservers } from './service/observer.ts';
import { PlanLimiter } from './service/plan-limiter.ts';
import { Authenticator } from './service/principal.ts';
import { UsageMeter } from './service/usage-meter.ts';
import { buildUsageReport, monthOf } from './service/usage-report.ts';
import { createGrpcServer } from './transports/grpc/grpc-server.ts';
import { createHttpServer } from './transports/http/http-server.ts';

export interface CreateServerOptions extends Partial<ServerConfig> {
  /** An engine instance to use instead of the one `engine` names (the server closes it). */
  readonly engineInstance?: CacheEngine;
  readonly clock?: Clock;
  readonly logger?: Logger;
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
  /** The local account and its key (also in `<data-dir>/dev-api-key`). */
  readonly localAccountId: string;
  readonly devApiKey: string;
  readonly devApiKeyPath: string;
  readonly engine: CacheEngine;
  readonly metadata: MetadataStore;
  readonly service: CacheService;
  readonly accounts: AccountsService;
  readonly auth: Authenticator;
  readonly meter: UsageMeter;
  readonly limiter: PlanLimiter;
  readonly logger: Logger;
  /** Graceful stop: refuse new calls, finish in-flight ones (up to `graceMs`), close the stores. */
  close(graceMs?: number): Promise<void>;
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Where clients on this machine dial: a wildcard bind is reached through loopback. */
function dialHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}

/**
 * Starts a server. Fails with a {@link CacheError}: UNAVAILABLE when the data dir is locked by another
 * server, a port is taken or the metadata database is corrupt or unreachable; INVALID_ARGUMENT for bad
 * settings. Anything started before the failure is stopped again.
 */
export async function createServer(options: CreateServerOptions = {}): Promise<CachetteServer> {
  // A caller asking for a free gRPC port (tests) gets a free HTTP port too unless it names one.
  const httpPort = options.httpPort ?? (options.port === 0 ? 0 : defaultConfig.httpPort);
  const { engineInstance: _engine, clock: _clock, logger: _logger, ...settings } = options;
  const config: ServerConfig = { ...defaultConfig, ...stripUndefined(settings), httpPort };
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const cleanups: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn();
  };
  try {
    const lock = lockDataDir(config.dataDir);
    cleanups.push(() => lock.release());
    const metadata = await openMetadata({
      databaseUrl: config.databaseUrl,
      sqlitePath: join(config.dataDir, 'metadata.db'),
      clock,
      schema: config.databaseSchema,
    });
    cleanups.push(() => metadata.close());

    const engine =
      options.engineInstance ??
      (config.engine === 'valkey'
        ? await ValkeyEngine.connect({
            url: config.valkeyUrl ?? 'redis://127.0.0.1:6379',
            clock,
            ...(config.valkeyKeyPrefix ? { keyPrefix: config.valkeyKeyPrefix } : {}),
          })
        : new MemoryEngine({ maxBytes: config.maxMemoryBytes, clock }));
    cleanups.push(() => engine.close());
    // Caches outlive the process in metadata; the embedded engine's namespaces do not, so re-create them
    // (idempotent on a shared engine). Big deployments skip this: the service re-creates a namespace the
    // first time a call finds it missing.
    if (config.engine === 'memory' && options.engineInstance === undefined) {
      for (const cache of await metadata.listAllCaches()) await engine.createNamespace(cache.id);
    }

    const meter = new UsageMeter({
      metadata,
      clock,
      flushIntervalMs: config.meteringFlushIntervalMs,
      onFlushError: (error) =>
        logger.warn({ err: { message: (error as Error)?.message } }, 'could not write usage; will retry'),
    });
    meter.start();
    cleanups.push(() =>
      meter
        .close()
        .catch((error: unknown) =>
          logger.error(
            { err: { message: (error as Error)?.message } },
            'usage since the last flush could not be written',
          ),
        ),
    );
    const metrics = createMetrics(engine, () => (clock.nowMs() - meter.lastFlushedAtMs) / 1000);
    const limiter = new PlanLimiter({ metadata, clock, limits: config.limits });
    const service = new CacheService({
      engine,
      metadata,
      clock,
      limits: config.limits,
      observer: combineObservers([metrics, meter]),
      limiter,
    });
    const pricing = { freeGbPerMonth: config.freeGbPerMonth, pricePerGbUsd: config.pricePerGbUsd };
    const usageReport = async (accountId: string, month: string | undefined) => {
      // Include this server's pending counters; a failed flush still reports what reached the store.
      await meter.flush().catch(() => undefined);
      return buildUsageReport(metadata, accountId, month ?? monthOf(clock.nowMs()), clock.nowMs(), pricing);
    };
    const auth = new Authenticator({
      metadata,
      clock,
      anonymousAccountId: null,
      provider: config.provider,
      region: config.region,
      onTouchError: (error) =>
        logger.warn({ err: { message: (error as Error)?.message } }, 'could not record API key use'),
    });

    const mailer = createMailer({
      smtpUrl: config.smtpUrl,
      from: config.mailFrom,
      outboxDir: join(config.dataDir, 'outbox'),
      logger,
    });
    cleanups.push(() => mailer.close());
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
    const unsubscribe = metadata.onChange((change) => {
      if (change === 'apiKeys') auth.invalidate();
      else if (change === 'caches') service.forgetCaches();
      else limiter.forgetPlans();
    });
    cleanups.push(unsubscribe);

    const grpc = createGrpcServer({
      service,
      accounts,
      auth,
      onUnexpected: (error) => logger.error({ err: error }, 'unexpected error while serving a call'),
      maxReceiveMessageBytes: config.limits.maxItemSizeBytes + 1024 * 1024,
    });
    const credentials = serverCredentials(config);
    const grpcPort = await new Promise<number>((resolve, reject) => {
      grpc.bindAsync(hostPort(config.host, config.port), credentials, (err, port) =>
        err ? reject(bindError(err, 'gRPC', config.host, config.port)) : resolve(port),
      );
    });
    cleanups.push(() => grpc.forceShutdown());
    const grpcEndpoint = config.publicEndpoint ?? hostPort(dialHost(config.host), grpcPort);
    endpoints.grpcEndpoint = grpcEndpoint;

    const http = createHttpServer({
      usageReport,
      metrics: metrics.registry,
      service,
      accounts,
      auth,
      logger,
      bodyLimitBytes: config.limits.maxItemSizeBytes + 1024 * 1024,
      trustProxy: config.trustProxy,
    });
    cleanups.push(() => http.close());
    try {
      await http.listen({ host: config.host, port: config.httpPort });
    } catch (e) {
      throw bindError(e as Error, 'HTTP', config.host, config.httpPort);
    }
    const httpPort = (http.server.address() as { port: number }).port;
    endpoints.httpEndpoint = config.publicHttpEndpoint ?? `http://${hostPort(dialHost(config.host), httpPort)}`;

    const local = await ensureLocalAccount(metadata, {
      dataDir: config.dataDir,
      provider: config.provider,
      region: config.region,
      endpoint: grpcEndpoint,
      httpEndpoint: endpoints.httpEndpoint,
    });
    auth.setAnonymousAccount(config.allowAnonymous ? local.accountId : null);

    logger.info(
      {
        grpc: hostPort(config.host, grpcPort),
        http: hostPort(config.host, httpPort),
        tls: config.tlsCertFile !== undefined,
        dataDir: config.dataDir,
        metadata: config.databaseUrl ? 'postgresql' : 'sqlite',
        engine:
          config.engine === 'valkey' ? `valkey ${redactUrl(config.valkeyUrl ?? 'redis://127.0.0.1:6379')}` : 'memory',
        maxMemoryBytes: config.maxMemoryBytes,
        allowAnonymous: config.allowAnonymous,
        region: `${config.provider}/${config.region}`,
        mail: mailer.describe,
        devApiKeyPath: local.apiKeyPath,
      },
      `cachette ready on ${hostPort(config.host, grpcPort)} (gRPC) and ${endpoints.httpEndpoint} (HTTP); local API key in ${local.apiKeyPath}`,
    );

    let closing: Promise<void> | undefined;
    return {
      config,
      grpcPort,
      grpcAddress: hostPort(dialHost(config.host), grpcPort),
      httpPort,
      httpUrl: `http://${hostPort(dialHost(config.host), httpPort)}`,
      localAccountId: local.accountId,
      devApiKey: local.apiKey,
      devApiKeyPath: local.apiKeyPath,
      engine,
      metadata,
      service,
      accounts,
      auth,
      meter,
      limiter,
      logger,
      close(graceMs = 10_000) {
        closing ??= (async () => {
          // Stop accepting on both transports, let in-flight calls finish, and bound the wait so a stuck
          // client cannot keep the process (and the data-dir lock) forever.
          const timer = setTimeout(() => grpc.forceShutdown(), graceMs);
          timer.unref();
          await Promise.all([new Promise<void>((resolve) => grpc.tryShutdown(() => resolve())), http.close()]);
          clearTimeout(timer);
          await unwind();
          logger.info('cachette stopped');
        })();
        return closing;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}

function serverCredentials(config: ServerConfig): ServerCredentials {
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) return ServerCredentials.createInsecure();
  try {
    return ServerCredentials.createSsl(null, [
      { cert_chain: readFileSync(config.tlsCertFile), private_key: readFileSync(config.tlsKeyFile) },
    ]);
  } catch (e) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `cannot load TLS certificate or key: ${(e as Error).message}`);
  }
}

function bindError(err: Error, what: string, host: string, port: number): CacheError {
  const inUse = err.message.includes('EADDRINUSE') || err.message.includes('No address added');
  return new CacheError(
    ErrorCode.UNAVAILABLE,
    `cannot listen for ${what} on ${hostPort(host, port)}: ${err.message}${inUse ? ' (is another server using that port? choose another port)' : ''}`,
  );
}

/** A URL list without passwords, for logs. */
function redactUrl(urls: string): string {
  return urls.replace(/\/\/[^@/]*@/g, '//***@');
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
