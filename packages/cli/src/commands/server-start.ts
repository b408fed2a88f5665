/**
 * @module commands/server-start
 * `cachette server start`: runs a server in the foreground until SIGTERM/SIGINT. Its flags, their help
 * (with defaults and environment variables) and their resolution all come from the server's one settings
 * table; the server itself is imported only when the command runs, so other commands stay fast.
 */

import { resolveConfig, type ServerConfig, settingNames } from '@cachette/server/config';
import type { Command } from 'commander';
import { settingOption } from '../setting-options.ts';

/** Adds `server start` to `server`. */
export function registerServerStart(server: Command): void {
  const start = server
    .command('start')
    .description('run a Cachette server in the foreground (Ctrl-C or SIGTERM stops it gracefully)');
  for (const name of settingNames) start.addOption(settingOption(name));
  start
    .addHelpText(
      'after',
      `
Flags win over the environment, the environment over defaults; CACHETTE_* variables win over
DATABASE_URL and VALKEY_URL.

Examples:
  $ cachette server start
  $ cachette server start --port 9090 --max-memory 4gb --data-dir /var/lib/cachette
  $ CACHETTE_ALLOW_ANONYMOUS=true cachette server start   # CredentialProvider.forMomentoLocal() works`,
    )
    // Each option's camelCase name is its setting's name, so the parsed flags are the first source as is.
    .action(async (flags: Record<string, unknown>) => {
      // Checked in the primary before any worker starts: a bad flag is reported once.
      const config = resolveConfig({ flags, env: process.env });
      if (config.workers > 1) {
        const workers = await import('@cachette/server/workers');
        if (workers.isServerWorker()) return runWorker(config, workers);
        const code = await workers.superviseWorkers({
          workers: config.workers,
          dataDir: config.dataDir,
          logger: workers.createLogger(config.logLevel),
        });
        // The worker that failed already printed why (once); main() would turn a return into exit 0.
        if (code !== 0) process.exit(code);
        return;
      }
      const { createServerFromSettings, tuneGarbageCollector } = await import('@cachette/server');
      tuneGarbageCollector({ grpcServer: config.grpcServer });
      const server = await createServerFromSettings(config);
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

/**
 * One worker of `--workers N`: the whole server on the ports the primary shares, without the data-dir lock
 * (the primary holds it), its log lines tagged with its worker id. Tells the primary once it serves; stops
 * gracefully on SIGTERM/SIGINT or when the primary goes away.
 */
async function runWorker(config: ServerConfig, workers: typeof import('@cachette/server/workers')): Promise<void> {
  const { createServerFromSettings, tuneGarbageCollector } = await import('@cachette/server');
  tuneGarbageCollector({ grpcServer: config.grpcServer });
  const logger = workers.createLogger(config.logLevel).child({ worker: workers.workerId() });
  const server = await createServerFromSettings({ ...config, logger, dataDirLockHeld: true });
  await new Promise<void>((resolve) => {
    workers.onWorkerStop((reason) => {
      logger.info({ reason }, 'worker shutting down: finishing in-flight calls');
      server.close().then(resolve, resolve);
    });
    workers.reportWorkerReady({
      grpc: server.grpcAddress,
      http: server.httpUrl,
      ...(server.redisPort === undefined
        ? {}
        : { redis: `${server.grpcAddress.replace(/:\d+$/, '')}:${server.redisPort}` }),
    });
  });
}
