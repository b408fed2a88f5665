/**
 * @module commands/cache-set
 * `cachette cache set --key K (--value V | --value-file PATH | --value -) [--ttl S] [--name N]`. Values
 * from a file or stdin are sent byte for byte, so binary data round-trips through `cache get`.
 */
import { readFileSync } from 'node:fs';
import { CacheError, ErrorCode } from '@cachette/core';
import { type CacheClient, CacheSetResponse, ListCachesResponse } from '@gomomento/sdk';
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
        await checkItemSize(ctx.client, name, Buffer.byteLength(flags.key) + value.byteLength);
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

/** Every plan takes items this large, so smaller ones go straight to the server without a look-up. */
const ALWAYS_ALLOWED_BYTES = 1024 * 1024;

/**
 * Refuses an item over the cache's item-size limit before sending it. Without this, a value above the gRPC
 * message limit (item limit + 1 MiB) never reaches our size check: the server's gRPC library refuses the
 * message, or the SDK refuses to send it, with messages that do not say what to do.
 */
async function checkItemSize(client: CacheClient, cache: string, bytes: number): Promise<void> {
  if (bytes <= ALWAYS_ALLOWED_BYTES) return;
  const listed = await client.listCaches();
  // An error or an unknown cache is left to the set itself, which reports it the usual way.
  if (listed.type !== ListCachesResponse.Success) return;
  const info = listed.getCaches().find((c) => c.getName() === cache);
  if (info === undefined) return;
  const limitBytes = info.getCacheLimits().maxItemSizeKb * 1024;
  if (bytes > limitBytes) {
    throw new CacheError(
      ErrorCode.LIMIT_EXCEEDED,
      `item too large: key + value are ${bytes} bytes, over the ${mib(limitBytes)} MiB (${limitBytes} bytes) item limit of cache '${cache}'; store a smaller value`,
      'item_size_limit_exceeded',
    );
  }
}

const mib = (bytes: number) => Number((bytes / (1024 * 1024)).toFixed(2)).toString();
