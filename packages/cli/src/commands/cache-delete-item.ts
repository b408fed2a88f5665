/**
 * @module commands/cache-delete-item
 * `cachette cache delete-item --key K [--name N]`: removes one item. Deleting an absent key succeeds,
 * as in Momento, so the command is safe to repeat.
 */
import { CacheDeleteResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, report, withClient } from '../command-context.ts';

/** Adds `delete-item` to the `cache` group. */
export function registerCacheDeleteItem(cache: Command): void {
  cache
    .command('delete-item')
    .description('delete one item (succeeds when it is already absent)')
    .requiredOption('--key <key>', 'item key')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette cache delete-item --key andrew')
    .action(async function (this: Command, flags: { key: string; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.delete(name, flags.key);
        switch (res.type) {
          case CacheDeleteResponse.Success:
            return report(ctx.options, undefined, { cache: name, key: flags.key, deleted: true });
          case CacheDeleteResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}
