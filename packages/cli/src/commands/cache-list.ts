/**
 * @module commands/cache-list
 * `cachette cache list`: one cache name per line (easy to pipe), or a JSON array of names.
 */
import { ListCachesResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { report, withClient } from '../command-context.ts';
import { withProgress } from '../progress.ts';

/** Adds `list` to the `cache` group. */
export function registerCacheList(cache: Command): void {
  cache
    .command('list')
    .description('list the caches of the account')
    .addHelpText(
      'after',
      "\nExamples:\n  $ cachette cache list\n  $ cachette cache list --output json | jq -r '.caches[].name'",
    )
    .action(async function (this: Command) {
      await withClient(this, async (ctx) => {
        const res = await withProgress(ctx.options, 'listing caches', () => ctx.client.listCaches());
        switch (res.type) {
          case ListCachesResponse.Success: {
            const names = res
              .getCaches()
              .map((c) => c.getName())
              .sort();
            return report(ctx.options, names.length === 0 ? undefined : names.join('\n'), {
              caches: names.map((name) => ({ name })),
            });
          }
          case ListCachesResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext());
        }
      });
    });
}
