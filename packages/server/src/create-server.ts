/**
 * @module create-server
 * Boots a whole Cachette server in-process: data dir → metadata → local account → engine → service →
 * transports. Tests, the CLI and embedders all start here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CacheEngine, CacheError, type Clock, ErrorCode, MemoryEngine, systemClock } from '@cachette/engine';
import { type MetadataStore, openSqliteMetadata } from '@cachette/metadata';
import { ServerCredentials } from '@grpc/grpc-js';
import { defaultConfig, type ServerConfig } from './config.ts';
import { type DataDirLock, lockDataDir } from './data-dir.ts';
import { ensureLocalAccount } from './local-account.ts';
import { createLogger, type Logger } from './logger.ts';
import { CacheService } from './service/cache-service.ts';
import { Authenticator } from './service/principal.ts';
import { createGrpcServer } from './transports/grpc/grpc-server.ts';

export interface CreateServerOptions extends Partial<ServerConfig> {
  /** An engine to use instead of a `MemoryEngine` of `maxMemoryBytes`. */
  readonly engine?: CacheEngine;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

/** A running server. */
export interface CachetteServer {
  readonly config: ServerConfig;
  /** The bound gRPC port (differs from `config.port` when that was 0). */
  readonly grpcPort: number;
  /** `host:port` clients dial. */
  readonly grpcAddress: string;
  /** The local account and its key (also in `<data-dir>/dev-api-key`). */
  readonly localAccountId: string;
  readonly devApiKey: string;
  readonly devApiKeyPath: string;
  readonly engine: CacheEngine;
  readonly metadata: MetadataStore;
  readonly service: CacheService;
  readonly auth: Authenticator;
  readonly logger: Logger;
  /** Graceful stop: refuse new calls, finish in-flight ones (up to `graceMs`), close the stores. */
  close(graceMs?: number): Promise<void>;
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Starts a server. Fails with a {@link CacheError} (UNAVAILABLE) when the data dir is locked by another
 * server or its metadata database is corrupt, and with INVALID_ARGUMENT for bad settings.
 */
export async function createServer(options: CreateServerOptions = {}): Promise<CachetteServer> {
  const config: ServerConfig = { ...defaultConfig, ...stripUndefined(options) };
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const cleanups: Array<() => Promise<void> | void> = [];
  const unwind = async () => {
    for (const fn of cleanups.reverse()) await fn();
  };
  try {
    const lock: DataDirLock = lockDataDir(config.dataDir);
    cleanups.push(() => lock.release());
    const metadata = await openSqliteMetadata({ path: join(config.dataDir, 'metadata.db'), clock });
    cleanups.push(() => metadata.close());

    const engine = options.engine ?? new MemoryEngine({ maxBytes: config.maxMemoryBytes, clock });
    cleanups.push(() => engine.close());
    // Caches outlive the process in metadata; the embedded engine's namespaces do not, so re-create them.
    for (const cache of await metadata.listAllCaches()) await engine.createNamespace(cache.id);

    const credentials = serverCredentials(config);
    const service = new CacheService({ engine, metadata, clock, limits: config.limits });
    const auth = new Authenticator({
      metadata,
      clock,
      anonymousAccountId: null,
      provider: config.provider,
      region: config.region,
    });
    const grpc = createGrpcServer({
      service,
      auth,
      onUnexpected: (error) => logger.error({ err: error }, 'unexpected error while serving a call'),
      maxReceiveMessageBytes: config.limits.maxItemSizeBytes + 1024 * 1024,
    });
    const grpcPort = await new Promise<number>((resolve, reject) => {
      grpc.bindAsync(formatHostPort(config.host, config.port), credentials, (err, port) =>
        err ? reject(bindError(err, config)) : resolve(port),
      );
    });
    cleanups.push(() => new Promise<void>((resolve) => grpc.tryShutdown(() => resolve())));

    const endpoint = config.publicEndpoint ?? formatHostPort(config.host, grpcPort);
    const local = await ensureLocalAccount(metadata, {
      dataDir: config.dataDir,
      provider: config.provider,
      region: config.region,
      endpoint,
    });
    auth.setAnonymousAccount(config.allowAnonymous ? local.accountId : null);

    logger.info(
      {
        grpc: formatHostPort(config.host, grpcPort),
        tls: credentials !== undefined && config.tlsCertFile !== undefined,
        dataDir: config.dataDir,
        maxMemoryBytes: config.maxMemoryBytes,
        allowAnonymous: config.allowAnonymous,
        region: `${config.provider}/${config.region}`,
        devApiKeyPath: local.apiKeyPath,
      },
      `cachette ready on ${formatHostPort(config.host, grpcPort)}; local API key in ${local.apiKeyPath}`,
    );

    let closing: Promise<void> | undefined;
    return {
      config,
      grpcPort,
      grpcAddress: formatHostPort(config.host === '0.0.0.0' ? '127.0.0.1' : config.host, grpcPort),
      localAccountId: local.accountId,
      devApiKey: local.apiKey,
      devApiKeyPath: local.apiKeyPath,
      engine,
      metadata,
      service,
      auth,
      logger,
      close(graceMs = 10_000) {
        closing ??= (async () => {
          // tryShutdown waits for in-flight calls; forceShutdown bounds the wait so a stuck client cannot
          // keep the process (and the data-dir lock) forever.
          const timer = setTimeout(() => grpc.forceShutdown(), graceMs);
          timer.unref();
          cleanups.pop(); // the tryShutdown cleanup, done here with the grace timer
          await new Promise<void>((resolve) => grpc.tryShutdown(() => resolve()));
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

function bindError(err: Error, config: ServerConfig): CacheError {
  return new CacheError(
    ErrorCode.UNAVAILABLE,
    `cannot listen on ${formatHostPort(config.host, config.port)}: ${err.message}` +
      (err.message.includes('EADDRINUSE') || err.message.includes('No address added')
        ? ' (is another server using that port? choose another with --port)'
        : ''),
  );
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
