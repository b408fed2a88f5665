/**
 * @module commands/cache-get
 * `cachette cache get --key K [--name N]`: writes the value's raw bytes to stdout (no newline added, so
 * binary values survive a redirect). A miss writes nothing to stdout, a short note to stderr, and exits 1.
 */
import { CacheGetResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { fromSdkError } from '../client.ts';
import { cacheName, Miss, printJson, withClient } from '../command-context.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Adds `get` to the `cache` group. */
export function registerCacheGet(cache: Command): void {
  cache
    .command('get')
    .description('print an item (raw bytes on stdout; a miss exits 1)')
    .requiredOption('--key <key>', 'item key')
    .option('--name <cache>', "cache (default: the profile's cache)")
    .addHelpText(
      'after',
      `
Examples:
  $ cachette cache get --key andrew
  brown
  $ cachette cache get --name freecodecamp --key Quincy
  $ cachette cache get --key logo > logo.png
  $ cachette cache get --key andrew --output json    # {"cache":…,"key":…,"hit":true,"value":"brown"}`,
    )
    .action(async function (this: Command, flags: { key: string; name?: string }) {
      await withClient(this, async (ctx) => {
        const name = cacheName(flags.name, ctx.profile);
        const res = await ctx.client.get(name, flags.key);
        switch (res.type) {
          case CacheGetResponse.Hit: {
            const bytes = res.valueUint8Array();
            if (ctx.options.output === 'json') {
              printJson({ cache: name, key: flags.key, hit: true, ...jsonValue(bytes) });
            } else {
              const text = textOrUndefined(bytes);
              // A newline is added for text on a terminal only, so shells show a clean prompt while pipes
              // and redirects get the exact bytes.
              process.stdout.write(text !== undefined && process.stdout.isTTY === true ? `${text}\n` : bytes);
            }
            return;
          }
          case CacheGetResponse.Miss:
            if (ctx.options.output === 'json') printJson({ cache: name, key: flags.key, hit: false });
            throw new Miss(`miss: no item '${flags.key}' in cache '${name}'`);
          case CacheGetResponse.Error:
            throw fromSdkError(res.innerException(), ctx.errorContext(name, flags.key));
        }
      });
    });
}

function textOrUndefined(bytes: Uint8Array): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** UTF-8 values as strings; anything else base64, flagged, so JSON output is always lossless. */
function jsonValue(bytes: Uint8Array): { value: string; encoding: 'utf8' | 'base64' } {
  const text = textOrUndefined(bytes);
  return text === undefined
    ? { value: Buffer.from(bytes).toString('base64'), encoding: 'base64' }
    : { value: text, encoding: 'utf8' };
}
