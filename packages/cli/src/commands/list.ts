/**
 * @module commands/list
 * `cachette list push|fetch|pop`: a list's elements, through the official SDK.
 */
import {
  CacheListFetchResponse,
  CacheListPopBackResponse,
  CacheListPopFrontResponse,
  CacheListPushBackResponse,
  CacheListPushFrontResponse,
} from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, Miss, printJson, report, withClient } from '../command-context.ts';
import { collectionTtlOption, optionalInt } from './collection-options.ts';

/** Adds `push`, `fetch` and `pop` to the `list` group. */
export function registerList(group: Command): void {
  group
    .command('push')
    .description('append a value (or prepend with --front) and print the new length')
    .requiredOption('--key <key>', 'list key')
    .requiredOption('--value <value>', 'value')
    .option('--front', 'push at the front instead of the back')
    .option('--truncate-to <n>', 'then keep at most n elements, dropping from the other end')
    .option('--ttl <seconds>', "time to live, refreshed by the write (default: the profile's TTL)")
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette list push --key jobs --value build\n  1')
    .action(async function (
      this: Command,
      flags: { key: string; value: string; front?: boolean; truncateTo?: string; ttl?: string; name?: string },
    ) {
      const truncate = optionalInt('--truncate-to', flags.truncateTo);
      const options = {
        ...collectionTtlOption(flags.ttl),
        ...(truncate === undefined
          ? {}
          : flags.front
            ? { truncateBackToSize: truncate }
            : { truncateFrontToSize: truncate }),
      };
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = flags.front
          ? await ctx.client.listPushFront(name, flags.key, flags.value, options)
          : await ctx.client.listPushBack(name, flags.key, flags.value, options);
        if (res.type === CacheListPushFrontResponse.Error || res.type === CacheListPushBackResponse.Error) {
          throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
        const length = res.listLength();
        return report(ctx.options, String(length), { cache: name, key: flags.key, length });
      });
    });

  group
    .command('fetch')
    .description('print a list, one element per line (a miss exits 1)')
    .requiredOption('--key <key>', 'list key')
    .option('--start <index>', 'first index, inclusive (negative counts from the end)')
    .option('--end <index>', 'last index, exclusive (negative counts from the end)')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText(
      'after',
      '\nExamples:\n  $ cachette list fetch --key jobs\n  $ cachette list fetch --key jobs --start -10',
    )
    .action(async function (this: Command, flags: { key: string; start?: string; end?: string; name?: string }) {
      const startIndex = optionalInt('--start', flags.start);
      const endIndex = optionalInt('--end', flags.end);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.listFetch(name, flags.key, {
          ...(startIndex === undefined ? {} : { startIndex }),
          ...(endIndex === undefined ? {} : { endIndex }),
        });
        switch (res.type) {
          case CacheListFetchResponse.Hit: {
            const values = res.value();
            return report(ctx.options, values.join('\n'), { cache: name, key: flags.key, hit: true, values });
          }
          case CacheListFetchResponse.Miss:
            if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
            throw new Miss(`miss: no list '${flags.key}' in cache '${name}'`);
          case CacheListFetchResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });

  group
    .command('pop')
    .description('remove and print the first element (or the last with --back); an empty list exits 1')
    .requiredOption('--key <key>', 'list key')
    .option('--back', 'pop from the back instead of the front')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette list pop --key jobs\n  build')
    .action(async function (this: Command, flags: { key: string; back?: boolean; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = flags.back
          ? await ctx.client.listPopBack(name, flags.key)
          : await ctx.client.listPopFront(name, flags.key);
        if (res.type === CacheListPopFrontResponse.Error || res.type === CacheListPopBackResponse.Error) {
          throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
        if (res.type === CacheListPopFrontResponse.Miss || res.type === CacheListPopBackResponse.Miss) {
          if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
          throw new Miss(`miss: no list '${flags.key}' in cache '${name}'`);
        }
        const value = res.value();
        return report(ctx.options, value, { cache: name, key: flags.key, hit: true, value });
      });
    });
}
