/**
 * @module commands/cache-set
 * `cachette cache set --key K (--value V | --value-file PATH | --value -) [--ttl S] [--name N]`. Values
 * from a file or stdin are sent byte for byte, so binary data round-trips through `cache get`.
 */
import { readFileSync } from 'node:fs';
import { CacheError, ErrorCode } from '@cachette/engine';
import { CacheSetResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, optionalTtl, report, withClient } from '../command-context.ts';
import { readStdin } from '../prompt.ts';

interface SetFlags {
  key: string;
  value?: string;
  valueFile?: string;
  ttl?: string;
  name?: string;
}

/** Adds `set` to the `cache` group. */
export function registerCacheSet(cache: Command): void {
  cache
    .command('set')
    .description('store an item')
    .requiredOption('--key <key>', 'item key')
    .option('--value <value>', 'item value; "-" reads raw bytes from stdin')
    .option('--value-file <path>', 'read the value, byte for byte, from a file')
    .option('--ttl <seconds>', "time to live (default: the profile's TTL)")
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText(
      'after',
      `
Examples:
  $ cachette cache set --key andrew --value brown
  $ cachette cache set --name freecodecamp --key Quincy --value Larson --ttl 60
  $ cachette cache set --key logo --value-file logo.png
  $ gzip -c report.json | cachette cache set --key report --value -`,
    )
    .action(async function (this: Command, flags: SetFlags) {
      const ttlSeconds = optionalTtl(flags.ttl);
      const value = await readValue(flags);
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.set(name, flags.key, value, ttlSeconds === undefined ? {} : { ttl: ttlSeconds });
        switch (res.type) {
          case CacheSetResponse.Success:
            return report(ctx.options, undefined, {
              cache: name,
              key: flags.key,
              bytes: value.byteLength,
              ttlSeconds: ttlSeconds ?? ctx.profile.ttlSeconds,
            });
          case CacheSetResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}

async function readValue(flags: SetFlags): Promise<Uint8Array> {
  if (flags.value !== undefined && flags.valueFile !== undefined) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'pass either --value or --value-file, not both');
  }
  if (flags.valueFile !== undefined) {
    try {
      return readFileSync(flags.valueFile);
    } catch (e) {
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        `cannot read --value-file ${flags.valueFile}: ${(e as Error).message}`,
      );
    }
  }
  if (flags.value === '-') return readStdin();
  if (flags.value !== undefined) return Buffer.from(flags.value, 'utf8');
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'no value: pass --value V, --value-file PATH or --value - (stdin)');
}
