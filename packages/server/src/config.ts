/**
 * @module config
 * Server settings. Precedence: flags > environment (`CACHETTE_*`) > defaults. The default is embedded
 * everything under `./.cachette`, bound to 127.0.0.1:8080 (what `CredentialProvider.forMomentoLocal()` dials).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { defaultServiceLimits, type ServiceLimits } from './service/limits.ts';

export interface ServerConfig {
  /** Interface to bind. Default `127.0.0.1`; use `0.0.0.0` to serve other machines. */
  readonly host: string;
  /** gRPC port. Default 8080; 0 picks a free port (tests). */
  readonly port: number;
  /** HTTP port (signup, keys, HTTP API). Default 8081; 0 picks a free port. */
  readonly httpPort: number;
  /** Where metadata.db, the lock file and dev-api-key live. Default `./.cachette`. */
  readonly dataDir: string;
  /** `postgres://…` to keep metadata in PostgreSQL (shared by gateways); unset = `<data-dir>/metadata.db`. */
  readonly databaseUrl: string | undefined;
  /** PostgreSQL schema for Cachette's tables. Default `public`. */
  readonly databaseSchema: string | undefined;
  /** Where items live: `memory` (embedded, default) or `valkey` (a Valkey/Redis Cluster shared by gateways). */
  readonly engine: 'memory' | 'valkey';
  /** `redis://host:port[,host:port…]` for `engine: 'valkey'`. Default `redis://127.0.0.1:6379`. */
  readonly valkeyUrl: string | undefined;
  /** Prefix of every Valkey key, so deployments can share a cluster. Default `cachette:`. */
  readonly valkeyKeyPrefix: string | undefined;
  /** Memory the embedded engine may use for items. Default 1 GiB. */
  readonly maxMemoryBytes: number;
  /** Map an empty token to the local account (momento-local compatibility). Default false. */
  readonly allowAnonymous: boolean;
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
  /** pino level. Default `info`. */
  readonly logLevel: string;
  /** PEM files to serve gRPC over TLS; both or neither. */
  readonly tlsCertFile: string | undefined;
  readonly tlsKeyFile: string | undefined;
  readonly limits: ServiceLimits;
  /** How often byte counters are written to the metadata store; a crash loses at most this. Default 5 s. */
  readonly meteringFlushIntervalMs: number;
  /** Free GB per account per month, then the price per GB (USD). Defaults 50 and 0.15. */
  readonly freeGbPerMonth: number;
  readonly pricePerGbUsd: number;
}

export const defaultConfig: ServerConfig = {
  host: '127.0.0.1',
  port: 8080,
  httpPort: 8081,
  dataDir: './.cachette',
  databaseUrl: undefined,
  databaseSchema: undefined,
  engine: 'memory',
  valkeyUrl: undefined,
  valkeyKeyPrefix: undefined,
  maxMemoryBytes: 1024 ** 3,
  allowAnonymous: false,
  provider: 'local',
  region: 'local',
  publicEndpoint: undefined,
  publicHttpEndpoint: undefined,
  smtpUrl: undefined,
  mailFrom: 'Cachette <no-reply@cachette.local>',
  trustProxy: false,
  logLevel: 'info',
  tlsCertFile: undefined,
  tlsKeyFile: undefined,
  limits: defaultServiceLimits,
  meteringFlushIntervalMs: 5000,
  freeGbPerMonth: 50,
  pricePerGbUsd: 0.15,
};

/** Raw settings as strings, from flags or the environment. */
export interface RawSettings {
  host?: string | undefined;
  port?: string | undefined;
  httpPort?: string | undefined;
  dataDir?: string | undefined;
  databaseUrl?: string | undefined;
  databaseSchema?: string | undefined;
  engine?: string | undefined;
  valkeyUrl?: string | undefined;
  valkeyKeyPrefix?: string | undefined;
  maxMemory?: string | undefined;
  allowAnonymous?: boolean | string | undefined;
  provider?: string | undefined;
  region?: string | undefined;
  publicEndpoint?: string | undefined;
  publicHttpEndpoint?: string | undefined;
  smtpUrl?: string | undefined;
  mailFrom?: string | undefined;
  trustProxy?: boolean | string | undefined;
  logLevel?: string | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  maxItemSize?: string | undefined;
  maxTtlSeconds?: string | undefined;
  maxCachesPerAccount?: string | undefined;
  meteringFlushMs?: string | undefined;
  freeGbPerMonth?: string | undefined;
  pricePerGb?: string | undefined;
}

/** Reads `CACHETTE_HOST`, `CACHETTE_PORT`, `CACHETTE_DATA_DIR`, `CACHETTE_MAX_MEMORY`, … from `env`. */
export function settingsFromEnv(env: NodeJS.ProcessEnv): RawSettings {
  return {
    host: env.CACHETTE_HOST,
    port: env.CACHETTE_PORT,
    httpPort: env.CACHETTE_HTTP_PORT,
    dataDir: env.CACHETTE_DATA_DIR,
    databaseUrl: env.CACHETTE_DATABASE_URL ?? env.DATABASE_URL,
    databaseSchema: env.CACHETTE_DATABASE_SCHEMA,
    engine: env.CACHETTE_ENGINE,
    valkeyUrl: env.CACHETTE_VALKEY_URL ?? env.VALKEY_URL,
    valkeyKeyPrefix: env.CACHETTE_VALKEY_KEY_PREFIX,
    maxMemory: env.CACHETTE_MAX_MEMORY,
    allowAnonymous: env.CACHETTE_ALLOW_ANONYMOUS,
    provider: env.CACHETTE_PROVIDER,
    region: env.CACHETTE_REGION,
    publicEndpoint: env.CACHETTE_PUBLIC_ENDPOINT,
    publicHttpEndpoint: env.CACHETTE_PUBLIC_HTTP_ENDPOINT,
    smtpUrl: env.CACHETTE_SMTP_URL,
    mailFrom: env.CACHETTE_MAIL_FROM,
    trustProxy: env.CACHETTE_TRUST_PROXY,
    logLevel: env.CACHETTE_LOG_LEVEL,
    tlsCert: env.CACHETTE_TLS_CERT,
    tlsKey: env.CACHETTE_TLS_KEY,
    maxItemSize: env.CACHETTE_MAX_ITEM_SIZE,
    maxTtlSeconds: env.CACHETTE_MAX_TTL_SECONDS,
    maxCachesPerAccount: env.CACHETTE_MAX_CACHES_PER_ACCOUNT,
    meteringFlushMs: env.CACHETTE_METERING_FLUSH_MS,
    freeGbPerMonth: env.CACHETTE_FREE_GB_PER_MONTH,
    pricePerGb: env.CACHETTE_PRICE_PER_GB,
  };
}

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g|tb|tib|t)?$/i;
const UNIT: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses `512mb`, `1gb`, `1.5GiB`, `1048576` (binary units: 1 kb = 1024 bytes). */
export function parseSize(text: string, what: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw invalid(`${what} '${text}' is not a size: use e.g. 512mb, 1gb or a number of bytes`);
  const unit = (m[2] ?? 'b').toLowerCase()[0] ?? 'b';
  const bytes = Math.floor(Number(m[1]) * (UNIT[unit] ?? 1));
  if (bytes <= 0) throw invalid(`${what} must be greater than zero`);
  return bytes;
}

function parseIntSetting(text: string, what: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw invalid(`${what} '${text}' must be an integer from ${min} to ${max}`);
  }
  return n;
}

function parseNumberSetting(text: string | undefined, what: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw invalid(`${what} '${text}' must be a number ≥ 0`);
  return n;
}

function parseBool(value: boolean | string, what: string): boolean {
  if (typeof value === 'boolean') return value;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off|)$/i.test(value)) return false;
  throw invalid(`${what} '${value}' must be true or false`);
}

/** Merges settings in precedence order (first wins) over the defaults, validating every value. */
export function resolveConfig(...layers: RawSettings[]): ServerConfig {
  const pick = <K extends keyof RawSettings>(k: K): RawSettings[K] => {
    for (const layer of layers) if (layer[k] !== undefined && layer[k] !== '') return layer[k];
    return undefined;
  };
  const limits = { ...defaultConfig.limits };
  const maxItemSize = pick('maxItemSize');
  if (maxItemSize) limits.maxItemSizeBytes = parseSize(maxItemSize, 'max item size');
  const maxTtl = pick('maxTtlSeconds');
  if (maxTtl) limits.maxTtlMs = parseIntSetting(maxTtl, 'max TTL seconds', 1, 365 * 86400) * 1000;
  const maxCaches = pick('maxCachesPerAccount');
  if (maxCaches) limits.maxCachesPerAccount = parseIntSetting(maxCaches, 'max caches per account', 1, 1_000_000);

  const port = pick('port');
  const httpPort = pick('httpPort');
  const maxMemory = pick('maxMemory');
  const allowAnonymous = pick('allowAnonymous');
  const grpcPort = port === undefined ? defaultConfig.port : parseIntSetting(port, 'port', 0, 65535);
  const config: ServerConfig = {
    host: pick('host') ?? defaultConfig.host,
    port: grpcPort,
    // A free gRPC port (0) without an explicit HTTP port means a free HTTP port too.
    httpPort:
      httpPort === undefined
        ? grpcPort === 0
          ? 0
          : defaultConfig.httpPort
        : parseIntSetting(httpPort, 'HTTP port', 0, 65535),
    dataDir: pick('dataDir') ?? defaultConfig.dataDir,
    databaseUrl: pick('databaseUrl'),
    databaseSchema: pick('databaseSchema'),
    engine: (() => {
      const e = pick('engine') ?? 'memory';
      if (e !== 'memory' && e !== 'valkey') throw invalid(`engine '${e}' must be memory or valkey`);
      return e;
    })(),
    valkeyUrl: pick('valkeyUrl'),
    valkeyKeyPrefix: pick('valkeyKeyPrefix'),
    maxMemoryBytes: maxMemory === undefined ? defaultConfig.maxMemoryBytes : parseSize(maxMemory, 'max memory'),
    allowAnonymous: allowAnonymous === undefined ? false : parseBool(allowAnonymous, 'allow anonymous'),
    provider: pick('provider') ?? defaultConfig.provider,
    region: pick('region') ?? defaultConfig.region,
    publicEndpoint: pick('publicEndpoint'),
    publicHttpEndpoint: pick('publicHttpEndpoint'),
    smtpUrl: pick('smtpUrl'),
    mailFrom: pick('mailFrom') ?? defaultConfig.mailFrom,
    trustProxy: (() => {
      const v = pick('trustProxy');
      return v === undefined ? false : parseBool(v, 'trust proxy');
    })(),
    logLevel: pick('logLevel') ?? defaultConfig.logLevel,
    tlsCertFile: pick('tlsCert'),
    tlsKeyFile: pick('tlsKey'),
    limits,
    meteringFlushIntervalMs: (() => {
      const v = pick('meteringFlushMs');
      return v === undefined
        ? defaultConfig.meteringFlushIntervalMs
        : parseIntSetting(v, 'metering flush interval (ms)', 100, 3_600_000);
    })(),
    freeGbPerMonth: parseNumberSetting(pick('freeGbPerMonth'), 'free GB per month', defaultConfig.freeGbPerMonth),
    pricePerGbUsd: parseNumberSetting(pick('pricePerGb'), 'price per GB', defaultConfig.pricePerGbUsd),
  };
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw invalid('TLS needs both a certificate (--tls-cert) and a private key (--tls-key)');
  }
  if (config.port !== 0 && config.port === config.httpPort) {
    throw invalid(`the gRPC port and the HTTP port must differ (both are ${config.port})`);
  }
  if (config.maxMemoryBytes < config.limits.maxItemSizeBytes * 2) {
    throw invalid(
      `max memory (${config.maxMemoryBytes} bytes) must be at least twice the max item size (${config.limits.maxItemSizeBytes} bytes)`,
    );
  }
  return config;
}
