/**
 * @module commands/cache-ttl
 * `cachette cache ttl --key K [--name N]`: prints the remaining time to live in whole seconds (rounded
 * up, like `redis-cli TTL`); JSON output also carries milliseconds. A missing item exits 1.
 */
import { CacheItemGetTtlResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, Miss, printJson, report, withClient } from '../command-context.ts';

/** Adds `ttl` to the `cache` group. */
export function registerCacheTtl(cache: Command): void {
  cache
    .command('ttl')
    .description("print an item's remaining time to live, in seconds")
    .requiredOption('--key <key>', 'item key')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette cache ttl --key andrew\n  597')
    .action(async function (this: Command, flags: { key: string; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.itemGetTtl(name, flags.key);
        switch (res.type) {
          case CacheItemGetTtlResponse.Hit: {
            const ms = res.remainingTtlMillis();
            const seconds = Math.ceil(ms / 1000);
            return report(ctx.options, String(seconds), {
              cache: name,
              key: flags.key,
              hit: true,
              ttlMillis: ms,
              ttlSeconds: seconds,
            });
          }
          case CacheItemGetTtlResponse.Miss:
            if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
            throw new Miss(`miss: no item '${flags.key}' in cache '${name}'`);
          case CacheItemGetTtlResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}
