/**
 * @module commands/server-start
 * `cachette server start`: runs a server in the foreground until SIGTERM/SIGINT. Its flags, their help
 * (with defaults and environment variables) and their resolution all come from the server's one settings
 * table; the server itself is imported only when the command runs, so other commands stay fast.
 */

import { resolveConfig, settingNames } from '@cachette/server/config';
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
      const config = resolveConfig({ flags, env: process.env });
      const { createServerFromSettings } = await import('@cachette/server');
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
