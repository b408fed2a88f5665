/**
 * @module commands/cache-create
 * `cachette cache create --name N`. Creating a cache that already exists succeeds (and says so), so
 * scripts can run it unconditionally.
 */

import { validateCacheName } from '@cachette/core';
import { CreateCacheResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { report, withClient } from '../command-context.ts';
import { withProgress } from '../progress.ts';

/** Adds `create` to the `cache` group. */
export function registerCacheCreate(cache: Command): void {
  cache
    .command('create')
    .description('create a cache (succeeds if it already exists)')
    .requiredOption('--name <cache>', 'cache name (1-255 of A-Z a-z 0-9 - _ .)')
    .addHelpText(
      'after',
      '\nExamples:\n  $ cachette cache create --name freecodecamp\n  $ cachette cache create --name orders --output json',
    )
    .action(async function (this: Command, opts: { name: string }) {
      validateCacheName(opts.name);
      await withClient(this, async (ctx) => {
        const res = await withProgress(ctx.options, `creating cache '${opts.name}'`, () =>
          ctx.client.createCache(opts.name),
        );
        switch (res.type) {
          case CreateCacheResponse.Success:
            return report(ctx.options, `cache '${opts.name}' created`, { cache: opts.name, created: true });
          case CreateCacheResponse.AlreadyExists:
            return report(ctx.options, `cache '${opts.name}' already exists`, { cache: opts.name, created: false });
          case CreateCacheResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext());
        }
      });
    });
}
