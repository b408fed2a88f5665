/**
 * @module settings/setting-table
 * Every server setting, declared once: its name (the camelCase of its flag), the value placeholder of its
 * flag, its environment variables, its default, its parser and its help text. The `server start` flags, the
 * environment reading, `--help` and the README's settings table are all derived from {@link settingTable};
 * a new setting is one entry here (and its use in `toServerConfig`).
 */
import { availableParallelism } from 'node:os';
import { defaultServiceLimits } from '../service/limits.ts';
import { defaultTopicLimits } from '../service/topic-limits.ts';
import {
  choiceParser,
  durationParser,
  formatDuration,
  formatSize,
  InvalidSettingValue,
  integerParser,
  parseBoolean,
  parseNonNegativeNumber,
  parseSize,
  parseText,
} from './parsers.ts';

/** One setting. The flag is `--<kebab-case name>`; the table's key is the name. */
export interface SettingSpec<T> {
  /** Placeholder of the flag's value, e.g. `port` for `--port <port>`; absent for an on/off switch. */
  readonly arg?: string;
  /** Environment variables, most specific first: `CACHETTE_DATABASE_URL` wins over `DATABASE_URL`. */
  readonly env: readonly string[];
  /** The value when nothing sets it; `undefined` means "unset" (see {@link SettingSpec.defaultText}). */
  readonly default: T;
  /** How the default reads in `--help` and the README when the value alone would not say it. */
  readonly defaultText?: string;
  /** Turns text from a flag, the environment or a config file into the value. */
  readonly parse: (text: string) => T;
  /** The only accepted values, checked by the flag parser too (a usage error listing them). */
  readonly choices?: readonly string[];
  /** One line for `--help` and the README. */
  readonly help: string;
}

/** Identity with a type parameter, so each entry keeps its own value type. */
function setting<T>(spec: SettingSpec<T>): SettingSpec<T> {
  return spec;
}

/** pino's levels, `silent` included. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const ENGINES = ['memory', 'valkey'] as const;
export type EngineName = (typeof ENGINES)[number];
export const GRPC_SERVERS = ['cachette', 'grpc-js'] as const;
export type GrpcServerName = (typeof GRPC_SERVERS)[number];

/** What `--engine valkey` dials when no `--valkey-url` is given. */
export const DEFAULT_VALKEY_URL = 'redis://127.0.0.1:6379';
/** The HTTP port when none is given and the gRPC port is not 0 (a free gRPC port means a free HTTP port). */
export const DEFAULT_HTTP_PORT = 8081;

const port = integerParser(0, 65535);

/** The most workers `--workers` accepts: far beyond any machine's cores, low enough to catch a typo. */
export const MAX_WORKERS = 256;

/** `--workers`: a count, or `auto` for one worker per CPU the process may use. */
export function parseWorkers(text: string): number {
  if (text.trim().toLowerCase() === 'auto') return Math.min(MAX_WORKERS, availableParallelism());
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > MAX_WORKERS) {
    throw new InvalidSettingValue(`must be auto or an integer from 1 to ${MAX_WORKERS}`);
  }
  return n;
}

/** The table: order is the order of `--help` and the README. */
export const settingTable = {
  host: setting({
    arg: 'host',
    env: ['CACHETTE_HOST'],
    default: '127.0.0.1',
    parse: parseText,
    help: 'interface to listen on (0.0.0.0 serves other machines)',
  }),
  port: setting({
    arg: 'port',
    env: ['CACHETTE_PORT'],
    // What CredentialProvider.forMomentoLocal() dials.
    default: 8080,
    parse: port,
    help: 'gRPC port (Momento SDKs, forMomentoLocal); 0 picks a free port',
  }),
  httpPort: setting<number | undefined>({
    arg: 'port',
    env: ['CACHETTE_HTTP_PORT'],
    default: undefined,
    defaultText: `${DEFAULT_HTTP_PORT} (a free port when --port is 0)`,
    parse: port,
    help: 'HTTP port (signup, keys, HTTP API)',
  }),
  redisPort: setting<number | undefined>({
    arg: 'port',
    env: ['CACHETTE_REDIS_PORT'],
    default: undefined,
    defaultText: 'off',
    parse: port,
    help: 'Redis protocol (RESP2/RESP3) port for Redis clients, TLS like the other ports; 0 picks a free port',
  }),
  redisDefaultTtl: setting({
    arg: 'duration',
    env: ['CACHETTE_REDIS_DEFAULT_TTL_SECONDS'],
    default: defaultServiceLimits.maxTtlMs,
    defaultText: `${formatDuration(defaultServiceLimits.maxTtlMs)} (at most --max-ttl)`,
    parse: durationParser('s', 1000, 365 * 86_400_000),
    help: 'TTL of Redis writes that name none (SET without EX, HSET, LPUSH…): every item expires',
  }),
  dataDir: setting({
    arg: 'dir',
    env: ['CACHETTE_DATA_DIR'],
    default: './.cachette',
    parse: parseText,
    help: 'where metadata.db, the lock file and dev-api-key live',
  }),
  workers: setting({
    arg: 'count',
    env: ['CACHETTE_WORKERS'],
    default: 1,
    defaultText: '1 (one process)',
    parse: parseWorkers,
    help: 'server processes sharing the ports (node:cluster), e.g. 2 or auto (one per CPU); more than 1 needs --engine valkey and --database-url',
  }),
  maxMemory: setting({
    arg: 'size',
    env: ['CACHETTE_MAX_MEMORY'],
    default: 1024 ** 3,
    defaultText: formatSize(1024 ** 3),
    parse: parseSize,
    help: 'memory the embedded engine may use for items, e.g. 512mb, 4gb',
  }),
  engine: setting<EngineName>({
    arg: 'engine',
    env: ['CACHETTE_ENGINE'],
    default: 'memory',
    parse: choiceParser(ENGINES),
    choices: ENGINES,
    help: 'where items live: embedded memory, or a Valkey/Redis Cluster shared by gateways',
  }),
  grpcServer: setting<GrpcServerName>({
    arg: 'impl',
    env: ['CACHETTE_GRPC_SERVER'],
    default: 'cachette',
    parse: choiceParser(GRPC_SERVERS),
    choices: GRPC_SERVERS,
    help: "the gRPC port's HTTP/2 server: Cachette's own (fast path) or grpc-js (fallback)",
  }),
  valkeyUrl: setting({
    arg: 'urls',
    env: ['CACHETTE_VALKEY_URL', 'VALKEY_URL'],
    default: DEFAULT_VALKEY_URL,
    parse: parseText,
    help: 'redis://host:port[,host:port…] of the Valkey/Redis Cluster (with --engine valkey)',
  }),
  valkeyKeyPrefix: setting<string | undefined>({
    arg: 'prefix',
    env: ['CACHETTE_VALKEY_KEY_PREFIX'],
    default: undefined,
    defaultText: 'cachette:',
    parse: parseText,
    help: 'prefix of every Valkey key, so deployments can share a cluster',
  }),
  databaseUrl: setting<string | undefined>({
    arg: 'url',
    env: ['CACHETTE_DATABASE_URL', 'DATABASE_URL'],
    default: undefined,
    defaultText: 'SQLite in <data-dir>/metadata.db',
    parse: parseText,
    help: 'keep metadata in PostgreSQL (postgres://…), shared by gateways',
  }),
  databaseSchema: setting<string | undefined>({
    arg: 'name',
    env: ['CACHETTE_DATABASE_SCHEMA'],
    default: undefined,
    defaultText: 'public',
    parse: parseText,
    help: "PostgreSQL schema for Cachette's tables",
  }),
  allowAnonymous: setting({
    env: ['CACHETTE_ALLOW_ANONYMOUS'],
    default: false,
    parse: parseBoolean,
    help: 'accept an empty API key as the local account (forMomentoLocal; development only)',
  }),
  allowAnonymousOnNetwork: setting({
    env: ['CACHETTE_ALLOW_ANONYMOUS_ON_NETWORK'],
    default: false,
    parse: parseBoolean,
    help: 'confirm --allow-anonymous on a --host other machines can reach (anyone there uses the local account)',
  }),
  enableFaultInjection: setting({
    env: ['CACHETTE_ENABLE_FAULT_INJECTION'],
    default: false,
    parse: parseBoolean,
    help: "answer calls with the error or delay their metadata asks for (momento-local's return-error, delay-ms; retry tests only)",
  }),
  provider: setting({
    arg: 'name',
    env: ['CACHETTE_PROVIDER'],
    default: 'local',
    parse: parseText,
    help: 'cloud provider this deployment serves',
  }),
  region: setting({
    arg: 'name',
    env: ['CACHETTE_REGION'],
    default: 'local',
    parse: parseText,
    help: 'region this deployment serves',
  }),
  publicEndpoint: setting<string | undefined>({
    arg: 'host:port',
    env: ['CACHETTE_PUBLIC_ENDPOINT'],
    default: undefined,
    defaultText: '<host>:<port>',
    parse: parseText,
    help: 'gRPC endpoint written into API keys',
  }),
  publicHttpEndpoint: setting<string | undefined>({
    arg: 'url',
    env: ['CACHETTE_PUBLIC_HTTP_ENDPOINT'],
    default: undefined,
    defaultText: 'http://<host>:<http-port>',
    parse: parseText,
    help: 'HTTP API base URL written into API keys and e-mails',
  }),
  smtpUrl: setting<string | undefined>({
    arg: 'url',
    env: ['CACHETTE_SMTP_URL'],
    default: undefined,
    defaultText: 'write e-mails to <data-dir>/outbox/',
    parse: parseText,
    help: 'send e-mail through SMTP (smtp://user:pass@host:587)',
  }),
  mailFrom: setting({
    arg: 'address',
    env: ['CACHETTE_MAIL_FROM'],
    default: 'Cachette <no-reply@cachette.local>',
    parse: parseText,
    help: 'sender of e-mails',
  }),
  trustProxy: setting({
    env: ['CACHETTE_TRUST_PROXY'],
    default: false,
    parse: parseBoolean,
    help: 'take client IPs from X-Forwarded-For (behind a load balancer)',
  }),
  tlsCert: setting<string | undefined>({
    arg: 'file',
    env: ['CACHETTE_TLS_CERT'],
    default: undefined,
    defaultText: 'none (plaintext)',
    parse: parseText,
    help: 'PEM certificate chain to serve TLS on every port (with --tls-key); reloaded when the file changes',
  }),
  tlsKey: setting<string | undefined>({
    arg: 'file',
    env: ['CACHETTE_TLS_KEY'],
    default: undefined,
    defaultText: 'none (plaintext)',
    parse: parseText,
    help: 'PEM private key to serve TLS on every port (with --tls-cert); reloaded when the file changes',
  }),
  metricsToken: setting<string | undefined>({
    arg: 'token',
    env: ['CACHETTE_METRICS_TOKEN'],
    default: undefined,
    defaultText: 'none (/metrics is open)',
    parse: parseText,
    help: 'bearer token GET /metrics requires',
  }),
  logLevel: setting<LogLevel>({
    arg: 'level',
    env: ['CACHETTE_LOG_LEVEL'],
    default: 'info',
    parse: choiceParser(LOG_LEVELS),
    choices: LOG_LEVELS,
    help: 'log level',
  }),
  maxItemSize: setting({
    arg: 'size',
    env: ['CACHETTE_MAX_ITEM_SIZE'],
    default: defaultServiceLimits.maxItemSizeBytes,
    defaultText: formatSize(defaultServiceLimits.maxItemSizeBytes),
    parse: parseSize,
    help: 'largest key + value one item may take',
  }),
  maxTtl: setting({
    arg: 'duration',
    env: ['CACHETTE_MAX_TTL_SECONDS'],
    default: defaultServiceLimits.maxTtlMs,
    defaultText: formatDuration(defaultServiceLimits.maxTtlMs),
    parse: durationParser('s', 1000, 365 * 86_400_000),
    help: 'longest TTL a write may ask for, e.g. 24h or a number of seconds',
  }),
  maxCachesPerAccount: setting({
    arg: 'count',
    env: ['CACHETTE_MAX_CACHES_PER_ACCOUNT'],
    default: defaultServiceLimits.maxCachesPerAccount,
    parse: integerParser(1, 1_000_000),
    help: 'caches one account may own',
  }),
  meteringFlush: setting({
    arg: 'duration',
    env: ['CACHETTE_METERING_FLUSH_MS'],
    default: 5000,
    defaultText: formatDuration(5000),
    parse: durationParser('ms', 100, 3_600_000),
    help: 'how often byte counters are written to the metadata store (a crash loses at most this), e.g. 5s or a number of ms',
  }),
  freeGbPerMonth: setting({
    arg: 'gb',
    env: ['CACHETTE_FREE_GB_PER_MONTH'],
    default: 50,
    parse: parseNonNegativeNumber,
    help: 'free GB transferred per account per month',
  }),
  pricePerGb: setting({
    arg: 'usd',
    env: ['CACHETTE_PRICE_PER_GB'],
    default: 0.15,
    parse: parseNonNegativeNumber,
    help: 'price per GB beyond the free GB (USD)',
  }),
  // Momento Topics.
  topicMaxMessageSize: setting({
    arg: 'size',
    env: ['CACHETTE_TOPIC_MAX_MESSAGE_SIZE'],
    default: defaultTopicLimits.maxMessageBytes,
    defaultText: formatSize(defaultTopicLimits.maxMessageBytes),
    parse: parseSize,
    help: 'largest message one topic publish may carry (Momento: 4 KiB)',
  }),
  topicMaxSubscriptions: setting({
    arg: 'count',
    env: ['CACHETTE_TOPIC_MAX_SUBSCRIPTIONS'],
    default: defaultTopicLimits.maxSubscriptionsPerCache,
    parse: integerParser(1, 10_000_000),
    help: 'concurrent topic subscriptions per cache on one server (Momento: 100)',
  }),
  topicPublishRate: setting({
    arg: 'count',
    env: ['CACHETTE_TOPIC_PUBLISH_RATE'],
    default: defaultTopicLimits.publishesPerSecond,
    parse: integerParser(1, 100_000_000),
    help: 'topic publishes per second per cache, on one server',
  }),
  topicHeartbeat: setting({
    arg: 'duration',
    env: ['CACHETTE_TOPIC_HEARTBEAT_MS'],
    default: defaultTopicLimits.heartbeatIntervalMs,
    defaultText: formatDuration(defaultTopicLimits.heartbeatIntervalMs),
    parse: durationParser('ms', 100, 3_600_000),
    help: 'how often an idle topic subscription gets a heartbeat, e.g. 5s or a number of ms',
  }),
  // Connection-level limits: what one client (or many) may hold of the server.
  maxConnections: setting({
    arg: 'count',
    env: ['CACHETTE_MAX_CONNECTIONS'],
    default: 10_000,
    parse: integerParser(1, 10_000_000),
    help: 'open connections per port (gRPC and HTTP each); more are closed at once',
  }),
  maxConcurrentStreams: setting({
    arg: 'count',
    env: ['CACHETTE_MAX_CONCURRENT_STREAMS'],
    default: 1000,
    parse: integerParser(1, 1_000_000),
    help: 'concurrent calls per gRPC (HTTP/2) connection',
  }),
  maxHeaderSize: setting({
    arg: 'size',
    env: ['CACHETTE_MAX_HEADER_SIZE'],
    default: 16 * 1024,
    defaultText: formatSize(16 * 1024),
    parse: parseSize,
    help: 'largest header block (gRPC metadata, HTTP headers) accepted',
  }),
  idleTimeout: setting({
    arg: 'duration',
    env: ['CACHETTE_IDLE_TIMEOUT_MS'],
    default: 300_000,
    defaultText: formatDuration(300_000),
    parse: durationParser('ms', 1000, 86_400_000),
    help: 'a connection with no call in flight is closed after this long',
  }),
  requestTimeout: setting({
    arg: 'duration',
    env: ['CACHETTE_REQUEST_TIMEOUT_MS'],
    default: 30_000,
    defaultText: formatDuration(30_000),
    parse: durationParser('ms', 100, 3_600_000),
    help: 'a request (headers and body) must arrive whole within this long (gRPC and HTTP)',
  }),
  headersTimeout: setting({
    arg: 'duration',
    env: ['CACHETTE_HEADERS_TIMEOUT_MS'],
    default: 10_000,
    defaultText: formatDuration(10_000),
    parse: durationParser('ms', 100, 3_600_000),
    help: 'HTTP/1.1 request headers must arrive within this long',
  }),
  maxInFlightBody: setting({
    arg: 'size',
    env: ['CACHETTE_MAX_IN_FLIGHT_BODY'],
    default: 256 * 1024 ** 2,
    defaultText: formatSize(256 * 1024 ** 2),
    parse: parseSize,
    help: 'HTTP request-body bytes being received at once, all clients together',
  }),
  maxInFlightBodyPerClient: setting({
    arg: 'size',
    env: ['CACHETTE_MAX_IN_FLIGHT_BODY_PER_CLIENT'],
    default: 32 * 1024 ** 2,
    defaultText: formatSize(32 * 1024 ** 2),
    parse: parseSize,
    help: 'HTTP request-body bytes being received at once from one client address',
  }),
  authFailureBurst: setting({
    arg: 'count',
    env: ['CACHETTE_AUTH_FAILURE_BURST'],
    default: 20,
    parse: integerParser(1, 1_000_000),
    help: 'failed authentications a client address may make at once before it is throttled',
  }),
  authFailuresPerSecond: setting({
    arg: 'rate',
    env: ['CACHETTE_AUTH_FAILURES_PER_SECOND'],
    default: 1,
    parse: parseNonNegativeNumber,
    help: 'failed authentications per second a throttled address earns back',
  }),
};

export type SettingName = keyof typeof settingTable;

/** Resolved values, one per setting. */
export type Settings = { [K in SettingName]: (typeof settingTable)[K]['default'] };

/** Every setting's name, in table order. */
export const settingNames = Object.keys(settingTable) as SettingName[];

/** `maxMemory` → `--max-memory`. */
export function flagOf(name: SettingName): string {
  return `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `--port <port>`, or `--trust-proxy` for a switch. */
export function flagWithArg(name: SettingName): string {
  const arg = settingTable[name].arg;
  return arg === undefined ? flagOf(name) : `${flagOf(name)} <${arg}>`;
}

/** The default as `--help` and the README show it, or `undefined` when there is none to show. */
export function defaultTextOf(name: SettingName): string | undefined {
  const spec: SettingSpec<unknown> = settingTable[name];
  if (spec.defaultText !== undefined) return spec.defaultText;
  return spec.default === undefined ? undefined : String(spec.default);
}
