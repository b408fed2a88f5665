/**
 * @module commands/sorted-set
 * `cachette sorted-set put|fetch`: a sorted set's elements and scores, through the official SDK.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { CacheSortedSetFetchResponse, CacheSortedSetPutElementResponse, SortedSetOrder } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, Miss, printJson, report, withClient } from '../command-context.ts';
import { collectionTtlOption, optionalInt } from './collection-options.ts';

/** Adds `put` and `fetch` to the `sorted-set` group. */
export function registerSortedSet(group: Command): void {
  group
    .command('put')
    .description('put an element with its score (replacing its score when present)')
    .requiredOption('--key <key>', 'sorted set key')
    .requiredOption('--value <value>', 'element')
    .requiredOption('--score <number>', 'score')
    .option('--ttl <seconds>', "time to live, refreshed by the write (default: the profile's TTL)")
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette sorted-set put --key board --value ada --score 42.5')
    .action(async function (
      this: Command,
      flags: { key: string; value: string; score: string; ttl?: string; name?: string },
    ) {
      const score = Number(flags.score);
      if (flags.score.trim() === '' || !Number.isFinite(score)) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid --score '${flags.score}': use a number`);
      }
      const ttl = collectionTtlOption(flags.ttl);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.sortedSetPutElement(name, flags.key, flags.value, score, ttl);
        switch (res.type) {
          case CacheSortedSetPutElementResponse.Success:
            return report(ctx.options, undefined, { cache: name, key: flags.key, value: flags.value, score });
          case CacheSortedSetPutElementResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });

  group
    .command('fetch')
    .description('print elements by rank, one "value<TAB>score" per line (a miss exits 1)')
    .requiredOption('--key <key>', 'sorted set key')
    .option('--start <rank>', 'first rank, inclusive (negative counts from the end)')
    .option('--end <rank>', 'last rank, exclusive (negative counts from the end)')
    .option('--descending', 'highest score first')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette sorted-set fetch --key board --descending --end 10')
    .action(async function (
      this: Command,
      flags: { key: string; start?: string; end?: string; descending?: boolean; name?: string },
    ) {
      const startRank = optionalInt('--start', flags.start);
      const endRank = optionalInt('--end', flags.end);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.sortedSetFetchByRank(name, flags.key, {
          order: flags.descending ? SortedSetOrder.Descending : SortedSetOrder.Ascending,
          ...(startRank === undefined ? {} : { startRank }),
          ...(endRank === undefined ? {} : { endRank }),
        });
        switch (res.type) {
          case CacheSortedSetFetchResponse.Hit: {
            const elements = res.value();
            const text = elements.map((e) => `${e.value}\t${e.score}`).join('\n');
            return report(ctx.options, text, { cache: name, key: flags.key, hit: true, elements });
          }
          case CacheSortedSetFetchResponse.Miss:
            if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
            throw new Miss(`miss: no sorted set '${flags.key}' in cache '${name}'`);
          case CacheSortedSetFetchResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}
