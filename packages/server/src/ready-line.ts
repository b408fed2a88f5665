/**
 * @module ready-line
 * The one log line saying the server is ready: where it listens, where items and metadata live (with the
 * Valkey URL even when it is the default, so a silent `redis://127.0.0.1:6379` is visible), and where the
 * local API key is. Never the key itself.
 */
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** A URL list without passwords, for logs. */
export function redactUrl(urls: string): string {
  return urls.replace(/\/\/[^@/]*@/g, '//***@');
}

/** `memory` or `valkey redis://…` (passwords redacted). */
export function describeEngine(config: Pick<ServerConfig, 'engine' | 'valkeyUrl'>): string {
  return config.engine === 'valkey' ? `valkey ${redactUrl(config.valkeyUrl)}` : 'memory';
}

/** What the ready line reports beyond the configuration. */
export interface ReadyFacts {
  /** `host:port` bound for gRPC and HTTP. */
  readonly grpc: string;
  readonly http: string;
  /** `host:port` bound for the Redis protocol, when it is on. */
  readonly redis?: string;
  /** The HTTP API's base URL as clients see it. */
  readonly httpEndpoint: string;
  /** Where mail goes (no credentials). */
  readonly mail: string;
  readonly devApiKeyPath: string;
}

/** Logs `cachette ready on … (gRPC) and … (HTTP); items in …; local API key in …` with the facts as fields. */
export function logReady(logger: Logger, config: ServerConfig, facts: ReadyFacts): void {
  const engine = describeEngine(config);
  logger.info(
    {
      grpc: facts.grpc,
      http: facts.http,
      ...(facts.redis === undefined ? {} : { redis: facts.redis }),
      tls: config.tlsCertFile !== undefined,
      dataDir: config.dataDir,
      metadata: config.databaseUrl ? 'postgresql' : 'sqlite',
      engine,
      maxMemoryBytes: config.maxMemoryBytes,
      allowAnonymous: config.allowAnonymous,
      region: `${config.provider}/${config.region}`,
      mail: facts.mail,
      devApiKeyPath: facts.devApiKeyPath,
    },
    `cachette ready on ${facts.grpc} (gRPC)${facts.redis === undefined ? ' and' : ','} ${facts.httpEndpoint} (HTTP)${facts.redis === undefined ? '' : ` and ${facts.redis} (Redis)`}; items in ${engine}; local API key in ${facts.devApiKeyPath}`,
  );
}
