/**
 * @module commands/set
 * `cachette set add|fetch`: a set's elements, through the official SDK.
 */
import { CacheSetAddElementsResponse, CacheSetFetchResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, Miss, printJson, report, withClient } from '../command-context.ts';
import { collectionTtlOption } from './collection-options.ts';

/** Adds `add` and `fetch` to the `set` group. */
export function registerSet(group: Command): void {
  group
    .command('add')
    .description('add elements to a set (created when absent)')
    .requiredOption('--key <key>', 'set key')
    .requiredOption('--element <element...>', 'one or more elements')
    .option('--ttl <seconds>', "time to live, refreshed by the write (default: the profile's TTL)")
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette set add --key tags --element red blue')
    .action(async function (this: Command, flags: { key: string; element: string[]; ttl?: string; name?: string }) {
      const ttl = collectionTtlOption(flags.ttl);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.setAddElements(name, flags.key, flags.element, ttl);
        switch (res.type) {
          case CacheSetAddElementsResponse.Success:
            return report(ctx.options, undefined, { cache: name, key: flags.key, added: flags.element.length });
          case CacheSetAddElementsResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });

  group
    .command('fetch')
    .description('print a set, one element per line, in no particular order (a miss exits 1)')
    .requiredOption('--key <key>', 'set key')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette set fetch --key tags')
    .action(async function (this: Command, flags: { key: string; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.setFetch(name, flags.key);
        switch (res.type) {
          case CacheSetFetchResponse.Hit: {
            const elements = res.valueArray();
            return report(ctx.options, elements.join('\n'), { cache: name, key: flags.key, hit: true, elements });
          }
          case CacheSetFetchResponse.Miss:
            if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
            throw new Miss(`miss: no set '${flags.key}' in cache '${name}'`);
          case CacheSetFetchResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}
