/**
 * @module commands/dictionary
 * `cachette dictionary set|get|fetch`: a dictionary's fields, through the official SDK.
 */
import {
  CacheDictionaryFetchResponse,
  CacheDictionaryGetFieldResponse,
  CacheDictionarySetFieldResponse,
} from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, Miss, printJson, report, withClient } from '../command-context.ts';
import { collectionTtlOption } from './collection-options.ts';

/** Adds `set`, `get` and `fetch` to the `dictionary` group. */
export function registerDictionary(group: Command): void {
  group
    .command('set')
    .description('set one field of a dictionary (created when absent)')
    .requiredOption('--key <key>', 'dictionary key')
    .requiredOption('--field <field>', 'field')
    .requiredOption('--value <value>', 'value')
    .option('--ttl <seconds>', "time to live, refreshed by the write (default: the profile's TTL)")
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette dictionary set --key user:1 --field name --value Ada')
    .action(async function (
      this: Command,
      flags: { key: string; field: string; value: string; ttl?: string; name?: string },
    ) {
      const ttl = collectionTtlOption(flags.ttl);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.dictionarySetField(name, flags.key, flags.field, flags.value, ttl);
        switch (res.type) {
          case CacheDictionarySetFieldResponse.Success:
            return report(ctx.options, undefined, { cache: name, key: flags.key, field: flags.field });
          case CacheDictionarySetFieldResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });

  group
    .command('get')
    .description('print one field of a dictionary (a miss exits 1)')
    .requiredOption('--key <key>', 'dictionary key')
    .requiredOption('--field <field>', 'field')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette dictionary get --key user:1 --field name\n  Ada')
    .action(async function (this: Command, flags: { key: string; field: string; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.dictionaryGetField(name, flags.key, flags.field);
        switch (res.type) {
          case CacheDictionaryGetFieldResponse.Hit:
            return report(ctx.options, res.value(), {
              cache: name,
              key: flags.key,
              field: flags.field,
              hit: true,
              value: res.value(),
            });
          case CacheDictionaryGetFieldResponse.Miss:
            if (ctx.options.output === 'json')
              printJson({ cache: name, key: flags.key, field: flags.field, hit: false });
            throw new Miss(`miss: no field '${flags.field}' in dictionary '${flags.key}' of cache '${name}'`);
          case CacheDictionaryGetFieldResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });

  group
    .command('fetch')
    .description('print every field of a dictionary, one "field<TAB>value" per line (a miss exits 1)')
    .requiredOption('--key <key>', 'dictionary key')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText('after', '\nExamples:\n  $ cachette dictionary fetch --key user:1\n  name\tAda')
    .action(async function (this: Command, flags: { key: string; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.dictionaryFetch(name, flags.key);
        switch (res.type) {
          case CacheDictionaryFetchResponse.Hit: {
            const items = res.value();
            const text = Object.entries(items)
              .map(([f, v]) => `${f}\t${v}`)
              .join('\n');
            return report(ctx.options, text, { cache: name, key: flags.key, hit: true, items });
          }
          case CacheDictionaryFetchResponse.Miss:
            if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
            throw new Miss(`miss: no dictionary '${flags.key}' in cache '${name}'`);
          case CacheDictionaryFetchResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}
