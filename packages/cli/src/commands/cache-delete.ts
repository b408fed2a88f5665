/**
 * @module commands/cache-delete
 * `cachette cache delete --name N`: deletes a cache and all its items. An unknown cache exits 1.
 */

import { validateCacheName } from '@cachette/core';
import { DeleteCacheResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { report, withClient } from '../command-context.ts';
import { withProgress } from '../progress.ts';

/** Adds `delete` to the `cache` group. */
export function registerCacheDelete(cache: Command): void {
  cache
    .command('delete')
    .description('delete a cache and every item in it')
    .requiredOption('--name <cache>', 'cache to delete')
    .addHelpText('after', '\nExamples:\n  $ cachette cache delete --name freecodecamp')
    .action(async function (this: Command, opts: { name: string }) {
      validateCacheName(opts.name);
      await withClient(this, async (ctx) => {
        const res = await withProgress(ctx.options, `deleting cache '${opts.name}'`, () =>
          ctx.client.deleteCache(opts.name),
        );
        switch (res.type) {
          case DeleteCacheResponse.Success:
            return report(ctx.options, `cache '${opts.name}' deleted`, { cache: opts.name, deleted: true });
          case DeleteCacheResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(opts.name));
        }
      });
    });
}
