/**
 * @module commands/cache-flush
 * `cachette cache flush [--name N]`: removes every item but keeps the cache.
 */
import { FlushCacheResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, report, withClient } from '../command-context.ts';
import { withProgress } from '../progress.ts';

/** Adds `flush` to the `cache` group. */
export function registerCacheFlush(cache: Command): void {
  cache
    .command('flush')
    .description('remove every item from a cache (the cache itself stays)')
    .option('--name <cache>', "cache to flush (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette cache flush --name freecodecamp')
    .action(async function (this: Command, opts: { name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(opts.name, ctx.profile);
        const res = await withProgress(ctx.options, `flushing cache '${name}'`, () => ctx.client.flushCache(name));
        switch (res.type) {
          case FlushCacheResponse.Success:
            return report(ctx.options, `cache '${name}' flushed`, { cache: name, flushed: true });
          case FlushCacheResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name));
        }
      });
    });
}
