/**
 * @module @cachette/server/config
 * Server configuration: the resolved {@link ServerConfig}, built from the one {@link settingTable}.
 * Precedence: flags > environment (`CACHETTE_*`, then `DATABASE_URL` / `VALKEY_URL`) > config file >
 * defaults. The default is embedded everything under `./.cachette`, bound to 127.0.0.1:8080 (what
 * `CredentialProvider.forMomentoLocal()` dials).
 *
 * This entry point is light (no gRPC, HTTP or database code), so the CLI can build `server start`'s flags
 * and help without loading the server.
 */
import { isIPv4 } from 'node:net';
import { CacheError, ErrorCode } from '@cachette/core';
import { defaultServiceLimits, type ServiceLimits } from './service/limits.ts';
import { defaultTopicLimits, type TopicLimits } from './service/topic-limits.ts';
import { resolveSettings, type SettingSources } from './settings/resolve-settings.ts';
import {
  DEFAULT_HTTP_PORT,
  type EngineName,
  type GrpcServerName,
  type LogLevel,
  type Settings,
} from './settings/setting-table.ts';

export * from './settings/parsers.ts';
export * from './settings/resolve-settings.ts';
export * from './settings/setting-table.ts';
export * from './settings/settings-markdown.ts';

export interface ServerConfig {
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to serve other machines. */
  readonly host: string;
  /** gRPC port. Default 8080; 0 picks a free port (tests). */
  readonly port: number;
  /** HTTP port (signup, keys, HTTP API). Default 8081; 0 picks a free port. */
  readonly httpPort: number;
  /** Redis protocol (RESP) port; `undefined` = no Redis listener (the default); 0 picks a free port. */
  readonly redisPort?: number | undefined;
  /** TTL given to Redis writes that name none, in ms (capped at `limits.maxTtlMs`). Default 24 h. */
  readonly redisDefaultTtlMs?: number;
  /** Where metadata.db, the lock file and dev-api-key live. Default `./.cachette`. */
  readonly dataDir: string;
  /** `postgres://…` to keep metadata in PostgreSQL (shared by gateways); unset = `<data-dir>/metadata.db`. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema for Cachette's tables. Default `public`. */
  readonly databaseSchema: string | undefined;
  /** Where items live: `memory` (embedded, default) or `valkey` (a Valkey/Redis Cluster shared by gateways). */
  readonly engine: EngineName;
  /** The gRPC port's HTTP/2 server: `cachette` (our own, default) or `grpc-js` (the fallback). */
  readonly grpcServer: GrpcServerName;
  /** `redis://host:port[,host:port…]` for `engine: 'valkey'`. Default `redis://127.0.0.1:6379`. */
  readonly valkeyUrl: string;
  /** Prefix of every Valkey key, so deployments can share a cluster. Default `cachette:`. */
  readonly valkeyKeyPrefix: string | undefined;
  /**
   * Server processes sharing the ports through node:cluster (`cachette server start --workers`). Default 1.
   * More than one needs the Valkey engine and PostgreSQL metadata (see `toServerConfig`).
   */
  readonly workers: number;
  /** Memory the embedded engine may use for items. Default 1 GiB. */
  readonly maxMemoryBytes: number;
  /** Map an empty token to the local account (momento-local compatibility). Default false. */
  readonly allowAnonymous: boolean;
  /** Confirms {@link ServerConfig.allowAnonymous} on a non-loopback host. Default false. */
  readonly allowAnonymousOnNetwork: boolean;
  /** Provider and region this deployment serves. Default `local` / `local`. */
  readonly provider: string;
  readonly region: string;
  /** Host[:port] written into API keys as their endpoint. Default `<host>:<port>`. */
  readonly publicEndpoint: string | undefined;
  /** Base URL written into API keys and e-mails for the HTTP API. Default `http://<host>:<httpPort>`. */
  readonly publicHttpEndpoint: string | undefined;
  /** SMTP URL (`smtp://user:pass@host:587`); unset = write e-mails to `<data-dir>/outbox/`. */
  readonly smtpUrl: string | undefined;
  /** Sender of e-mails. Default `Cachette <no-reply@cachette.local>`. */
  readonly mailFrom: string;
  /** Take client IPs from `X-Forwarded-For` (behind a load balancer), for per-client signup limits. */
  readonly trustProxy: boolean;
  /**
   * Bearer token `GET /metrics` requires; unset = `/metrics` is open (like `/healthz`, which always is).
   * Metrics carry no keys or values, only counts per operation.
   */
  readonly metricsToken: string | undefined;
  /** pino level. Default `info`. */
  readonly logLevel: LogLevel;
  /** PEM files to serve TLS on every port (gRPC and HTTPS); both or neither. */
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly limits: ServiceLimits;
  /** Momento Topics limits (message size, subscriptions per cache, publish rate, heartbeats). */
  readonly topics: TopicLimits;
  /** How often byte counters are written to the metadata store; a crash loses at most this. Default 5 s. */
  readonly meteringFlushIntervalMs: number;
  /** Free GB per account per month, then the price per GB (USD). Defaults 50 and 0.15. */
  readonly freeGbPerMonth: number;
  readonly pricePerGbUsd: number;
  /** Honour momento-local's fault metadata (`return-error`, `delay-ms`, …) for retry tests. Default false. */
  readonly enableFaultInjection: boolean;
  /** Connection-level limits of both ports (hostile or broken clients cannot starve others). */
  readonly connections: ConnectionLimits;
  /** Throttling of failed authentications per client address (key guessing). */
  readonly authThrottle: AuthThrottleSettings;
}

/** Connection-level limits; defaults in the setting table (README "Connection limits"). */
export interface ConnectionLimits {
  /** Open connections per port (gRPC and HTTP each); more are closed at once. Default 10 000. */
  readonly maxConnections: number;
  /** Concurrent HTTP/2 streams (calls) per gRPC connection. Default 1000. */
  readonly maxConcurrentStreams: number;
  /** Largest header block accepted, in bytes (HTTP/1.1 and HTTP/2). Default 16 KiB. */
  readonly maxHeaderBytes: number;
  /** A connection with no call in flight is closed after this long, in ms. Default 5 min. */
  readonly idleTimeoutMs: number;
  /** A request must arrive whole (headers and body) within this long, in ms. Default 30 s. */
  readonly requestTimeoutMs: number;
  /** HTTP/1.1 request headers must arrive within this long, in ms. Default 10 s. */
  readonly headersTimeoutMs: number;
  /** HTTP request-body bytes being received at once, all clients together. Default 256 MiB. */
  readonly maxInFlightBodyBytes: number;
  /** HTTP request-body bytes being received at once from one client address. Default 32 MiB. */
  readonly maxInFlightBodyBytesPerClient: number;
}

/** Token bucket of failed authentications per client address. */
export interface AuthThrottleSettings {
  /** Failures an address may make in a burst before it is throttled. Default 20. */
  readonly burst: number;
  /** Failures per second an address earns back. Default 1. */
  readonly perSecond: number;
}

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

/**
 * Turns resolved settings into the server's configuration and checks what no single setting can: TLS
 * needs both files, the two ports differ, memory holds at least two of the largest items.
 * @throws {CacheError} INVALID_ARGUMENT when a check fails.
 */
export function toServerConfig(s: Settings): ServerConfig {
  const config: ServerConfig = {
    host: s.host,
    port: s.port,
    // A free gRPC port (0) without an explicit HTTP port means a free HTTP port too.
    httpPort: s.httpPort ?? (s.port === 0 ? 0 : DEFAULT_HTTP_PORT),
    redisPort: s.redisPort,
    redisDefaultTtlMs: s.redisDefaultTtl,
    dataDir: s.dataDir,
    databaseUrl: s.databaseUrl,
    databaseSchema: s.databaseSchema,
    engine: s.engine,
    grpcServer: s.grpcServer,
    valkeyUrl: s.valkeyUrl,
    valkeyKeyPrefix: s.valkeyKeyPrefix,
    workers: s.workers,
    maxMemoryBytes: s.maxMemory,
    allowAnonymous: s.allowAnonymous,
    allowAnonymousOnNetwork: s.allowAnonymousOnNetwork,
    provider: s.provider,
    region: s.region,
    publicEndpoint: s.publicEndpoint,
    publicHttpEndpoint: s.publicHttpEndpoint,
    smtpUrl: s.smtpUrl,
    mailFrom: s.mailFrom,
    trustProxy: s.trustProxy,
    metricsToken: s.metricsToken,
    logLevel: s.logLevel,
    tlsCertFile: s.tlsCert,
    tlsKeyFile: s.tlsKey,
    limits: {
      ...defaultServiceLimits,
      maxItemSizeBytes: s.maxItemSize,
      maxTtlMs: s.maxTtl,
      maxCachesPerAccount: s.maxCachesPerAccount,
    },
    topics: {
      ...defaultTopicLimits,
      maxMessageBytes: s.topicMaxMessageSize,
      maxSubscriptionsPerCache: s.topicMaxSubscriptions,
      publishesPerSecond: s.topicPublishRate,
      heartbeatIntervalMs: s.topicHeartbeat,
    },
    meteringFlushIntervalMs: s.meteringFlush,
    freeGbPerMonth: s.freeGbPerMonth,
    pricePerGbUsd: s.pricePerGb,
    enableFaultInjection: s.enableFaultInjection,
    connections: {
      maxConnections: s.maxConnections,
      maxConcurrentStreams: s.maxConcurrentStreams,
      maxHeaderBytes: s.maxHeaderSize,
      idleTimeoutMs: s.idleTimeout,
      requestTimeoutMs: s.requestTimeout,
      headersTimeoutMs: s.headersTimeout,
      maxInFlightBodyBytes: s.maxInFlightBody,
      maxInFlightBodyBytesPerClient: s.maxInFlightBodyPerClient,
    },
    authThrottle: { burst: s.authFailureBurst, perSecond: s.authFailuresPerSecond },
  };
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw invalid('TLS needs both a certificate (--tls-cert) and a private key (--tls-key)');
  }
  if (config.port !== 0 && config.port === config.httpPort) {
    throw invalid(`the gRPC port and the HTTP port must differ (both are ${config.port})`);
  }
  const redisPort = config.redisPort;
  if (redisPort !== undefined && redisPort !== 0 && (redisPort === config.port || redisPort === config.httpPort)) {
    throw invalid(`the Redis port must differ from the gRPC and HTTP ports (${redisPort} is taken by another)`);
  }
  if (config.maxMemoryBytes < config.limits.maxItemSizeBytes * 2) {
    throw invalid(
      `max memory (${config.maxMemoryBytes} bytes) must be at least twice the max item size (${config.limits.maxItemSizeBytes} bytes)`,
    );
  }
  if (config.workers > 1 && config.engine !== 'valkey') {
    // Each worker would hold its own embedded items: a Get on one worker would miss a Set made on another.
    throw invalid(
      `--workers ${config.workers} needs --engine valkey: with the embedded engine every worker would hold its own items, ` +
        'so a read answered by one worker would miss what another stored; share items in Valkey, or run one process',
    );
  }
  if (config.workers > 1 && config.databaseUrl === undefined) {
    // SQLite tells only its own process of a change: other workers would keep serving a revoked key or a
    // deleted cache until their in-process caches expire. PostgreSQL's LISTEN/NOTIFY reaches every worker.
    throw invalid(
      `--workers ${config.workers} needs --database-url (PostgreSQL): with SQLite metadata a worker would not hear of ` +
        "another's key revocations and cache changes for seconds; PostgreSQL notifies every worker at once",
    );
  }
  if (config.allowAnonymous && !config.allowAnonymousOnNetwork && !isLoopbackHost(config.host)) {
    // Keyless access on a reachable interface hands the local account to the whole network: that must be
    // a decision, never the side effect of copying a development flag into a deployment.
    throw invalid(
      `--allow-anonymous on --host ${config.host} lets anyone who can reach the server use the local account: ` +
        'listen on 127.0.0.1, or add --allow-anonymous-on-network to confirm',
    );
  }
  return config;
}

/** Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIPv4(h) && h.startsWith('127.');
}

/** The configuration when nothing is set: every setting of the table at its default. */
export const defaultConfig: ServerConfig = toServerConfig(resolveSettings({}));

/**
 * A full configuration from the parts a caller set (embedders and tests pass only what they care about);
 * `undefined` fields take the default. A free gRPC port (0) without an HTTP port means a free HTTP port.
 * Values are taken as given: {@link resolveConfig} is where text is parsed and checked.
 */
export function completeConfig(partial: Partial<ServerConfig>): ServerConfig {
  const set = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<ServerConfig>;
  const httpPort = set.httpPort ?? (set.port === 0 ? 0 : defaultConfig.httpPort);
  return { ...defaultConfig, ...set, httpPort };
}

/**
 * Resolves the configuration from flags, the environment and a config file (see {@link resolveSettings}).
 * @throws {CacheError} INVALID_ARGUMENT naming the flag or variable of an invalid value, or a failed check.
 */
export function resolveConfig(sources: SettingSources): ServerConfig {
  return toServerConfig(resolveSettings(sources));
}
