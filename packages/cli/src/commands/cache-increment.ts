/**
 * @module commands/cache-increment
 * `cachette cache increment --key K [--by N] [--ttl S] [--name N]`: adds N (default 1, may be negative)
 * to an integer item, creating it at N when absent, and prints the new value.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { CacheIncrementResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, optionalTtl, report, withClient } from '../command-context.ts';

/** Adds `increment` to the `cache` group. */
export function registerCacheIncrement(cache: Command): void {
  cache
    .command('increment')
    .description('add to an integer item and print the result')
    .requiredOption('--key <key>', 'item key')
    .option('--by <n>', 'amount to add (may be negative)', '1')
    .option('--ttl <seconds>', "time to live (default: the profile's TTL)")
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ cachette cache increment --key visits\n  1\n  $ cachette cache increment --key visits --by 10\n  11',
    )
    .action(async function (this: Command, flags: { key: string; by: string; ttl?: string; name?: string }) {
      const by = Number(flags.by);
      if (!/^-?\d+$/.test(flags.by.trim()) || !Number.isSafeInteger(by)) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid --by '${flags.by}': use a whole number`);
      }
      const ttlSeconds = optionalTtl(flags.ttl);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.increment(
          name,
          flags.key,
          by,
          ttlSeconds === undefined ? {} : { ttl: ttlSeconds },
        );
        switch (res.type) {
          case CacheIncrementResponse.Success:
            return report(ctx.options, String(res.value()), { cache: name, key: flags.key, value: res.value() });
          case CacheIncrementResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}
