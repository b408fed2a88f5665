/**
 * @module commands/server-start
 * `cachette server start`: runs a server in the foreground until SIGTERM/SIGINT.
 */

import { createServer, type RawSettings, resolveConfig, settingsFromEnv } from '@cachette/server';
import { type Command, Option } from 'commander';

/** Adds `server start` to `server`. */
export function registerServerStart(server: Command): void {
  server
    .command('start')
    .description('run a Cachette server in the foreground (Ctrl-C or SIGTERM stops it gracefully)')
    .addOption(new Option('--host <host>', 'interface to listen on').env('CACHETTE_HOST').default('127.0.0.1'))
    .addOption(
      new Option('--port <port>', 'gRPC port (Momento SDKs, forMomentoLocal)').env('CACHETTE_PORT').default('8080'),
    )
    .addOption(
      new Option('--data-dir <dir>', 'metadata, lock and dev-api-key').env('CACHETTE_DATA_DIR').default('./.cachette'),
    )
    .addOption(
      new Option('--max-memory <size>', 'memory for items, e.g. 512mb, 4gb').env('CACHETTE_MAX_MEMORY').default('1gb'),
    )
    .addOption(
      new Option('--http-port <port>', 'HTTP port (signup, keys, HTTP API); default 8081').env('CACHETTE_HTTP_PORT'),
    )
    .addOption(
      new Option('--database-url <url>', 'keep metadata in PostgreSQL (postgres://…), shared by gateways').env(
        'DATABASE_URL',
      ),
    )
    .addOption(
      new Option('--database-schema <name>', 'PostgreSQL schema for Cachette tables').env('CACHETTE_DATABASE_SCHEMA'),
    )
    .addOption(
      new Option('--engine <engine>', 'where items live: memory or valkey')
        .choices(['memory', 'valkey'])
        .env('CACHETTE_ENGINE'),
    )
    .addOption(
      new Option('--valkey-url <urls>', 'redis://host:port[,host:port…] of the Valkey/Redis Cluster').env('VALKEY_URL'),
    )
    .addOption(
      new Option('--valkey-key-prefix <prefix>', 'prefix of every Valkey key (default cachette:)').env(
        'CACHETTE_VALKEY_KEY_PREFIX',
      ),
    )
    .addOption(new Option('--trust-proxy', 'client IPs from X-Forwarded-For (behind a load balancer)'))
    .addOption(new Option('--allow-anonymous', 'accept an empty API key as the local account (development only)'))
    .addOption(new Option('--provider <name>', 'cloud provider this deployment serves').env('CACHETTE_PROVIDER'))
    .addOption(new Option('--region <name>', 'region this deployment serves').env('CACHETTE_REGION'))
    .addOption(
      new Option('--public-endpoint <host:port>', 'endpoint written into API keys').env('CACHETTE_PUBLIC_ENDPOINT'),
    )
    .addOption(
      new Option('--public-http-endpoint <url>', 'HTTP API base URL written into keys and e-mails').env(
        'CACHETTE_PUBLIC_HTTP_ENDPOINT',
      ),
    )
    .addOption(
      new Option('--smtp-url <url>', 'send e-mail through SMTP (else <data-dir>/outbox/*.eml)').env(
        'CACHETTE_SMTP_URL',
      ),
    )
    .addOption(new Option('--mail-from <address>', 'sender of e-mails').env('CACHETTE_MAIL_FROM'))
    .addOption(new Option('--tls-cert <file>', 'PEM certificate chain to serve TLS').env('CACHETTE_TLS_CERT'))
    .addOption(new Option('--tls-key <file>', 'PEM private key to serve TLS').env('CACHETTE_TLS_KEY'))
    .addOption(
      new Option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent').env('CACHETTE_LOG_LEVEL'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ cachette server start
  $ cachette server start --port 9090 --max-memory 4gb --data-dir /var/lib/cachette
  $ CACHETTE_ALLOW_ANONYMOUS=true cachette server start   # CredentialProvider.forMomentoLocal() works`,
    )
    // Each option's camelCase name is its RawSettings field, so the parsed flags are the first layer as is.
    .action(async (opts: RawSettings) => {
      const config = resolveConfig(opts, settingsFromEnv(process.env));
      const server = await createServer(config);
      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          server.logger.info({ signal }, 'shutting down: finishing in-flight calls');
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          server.close().then(resolve, resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });
}
