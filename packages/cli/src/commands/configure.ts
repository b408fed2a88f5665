/**
 * @module commands/configure
 * `cachette configure`: asks for (or takes as flags) an API key, a default cache and a default TTL,
 * checks them, creates the cache on the server, then writes the profile into `~/.cachette/credentials`
 * and `~/.cachette/config` without disturbing other profiles, comments or unknown keys.
 */
import { CacheError, ErrorCode, validateCacheName } from '@cachette/core';
import { CreateCacheResponse } from '@gomomento/sdk';
import type { Command } from 'commander';
import { connect, fromSdkError } from '../client.ts';
import { globalOptions, report } from '../command-context.ts';
import {
  DEFAULT_CACHE_NAME,
  DEFAULT_TTL_SECONDS,
  parseApiKey,
  parseTtlSeconds,
  profilePaths,
  resolveProfileName,
} from '../profile.ts';
import { withProgress } from '../progress.ts';
import { createPrompter, readStdin } from '../prompt.ts';
import { readTomlFile, withTableValues, writeFileAtomic } from '../toml-file.ts';

interface ConfigureFlags {
  apiKey?: string;
  cache?: string;
  ttl?: string;
}

/** Adds `configure` to the root program. */
export function registerConfigure(program: Command): void {
  program
    .command('configure')
    .description('save an API key, default cache and default TTL in a profile (and create the cache)')
    .option('--api-key <key>', 'API key; "-" reads it from stdin (no questions are asked when given)')
    .option('--cache <name>', `default cache (default: ${DEFAULT_CACHE_NAME})`)
    .option('--ttl <seconds>', `default TTL in seconds (default: ${DEFAULT_TTL_SECONDS})`)
    .addHelpText(
      'after',
      `
Examples:
  $ cachette configure                                   # asks for the key, cache and TTL
  $ cachette configure --profile staging                 # a second profile; [default] is left alone
  $ cachette configure --api-key "$KEY" --cache orders --ttl 300
  $ cat .cachette/dev-api-key | cachette configure --api-key -

Files (TOML; comments and other keys you add are kept):
  ~/.cachette/credentials   [default]  token = "<API key>"           (mode 0600)
  ~/.cachette/config        [default]  cache = "default-cache"  ttl = 600`,
    )
    .action(async function (this: Command, flags: ConfigureFlags) {
      await configure(this, flags);
    });
}

async function configure(cmd: Command, flags: ConfigureFlags): Promise<void> {
  const options = globalOptions(cmd);
  const profile = resolveProfileName(options.profile);
  const paths = profilePaths();
  // Read (and so validate) both files before asking anything: a broken file is reported, never replaced.
  const credentials = readTomlFile(paths.credentials);
  const config = readTomlFile(paths.config);
  const existingToken = stringOrUndefined(credentials.tables[profile]?.token);
  const existingCache = stringOrUndefined(config.tables[profile]?.cache);
  const existingTtl = config.tables[profile]?.ttl;

  let apiKey: string;
  let cache: string;
  let ttlText: string;
  if (flags.apiKey !== undefined) {
    apiKey = flags.apiKey === '-' ? (await readStdin()).toString('utf8').trim() : flags.apiKey.trim();
    cache = flags.cache ?? existingCache ?? DEFAULT_CACHE_NAME;
    ttlText = flags.ttl ?? String(existingTtl ?? DEFAULT_TTL_SECONDS);
  } else {
    const prompter = createPrompter();
    try {
      apiKey = await prompter.ask({
        message: existingToken === undefined ? 'API key' : `API key (Enter keeps ****${existingToken.slice(-4)})`,
        secret: true,
      });
      if (apiKey === '' && existingToken !== undefined) apiKey = existingToken;
      parseApiKey(apiKey); // fail before the next questions
      cache =
        flags.cache ?? (await prompter.ask({ message: 'Default cache', default: existingCache ?? DEFAULT_CACHE_NAME }));
      validateCacheName(cache);
      ttlText =
        flags.ttl ??
        (await prompter.ask({ message: 'Default TTL seconds', default: String(existingTtl ?? DEFAULT_TTL_SECONDS) }));
    } finally {
      prompter.close();
    }
  }
  if (apiKey === '') {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      'an API key is required: paste the key from `cachette api-key create` or <data-dir>/dev-api-key',
    );
  }
  const { endpoint: keyEndpoint } = parseApiKey(apiKey);
  validateCacheName(cache);
  const ttlSeconds = parseTtlSeconds(ttlText);

  // Creating the cache first doubles as a check of the key and endpoint: nothing is written unless the
  // server accepted the key.
  const endpoint = options.endpoint ?? keyEndpoint;
  await withProgress(options, `creating cache '${cache}' on ${endpoint}`, async () => {
    const client = await connect({
      apiKey,
      endpoint,
      endpointOverridden: options.endpoint !== undefined,
      tls: options.tls,
      defaultTtlSeconds: ttlSeconds,
    });
    try {
      const created = await client.createCache(cache);
      if (created.type === CreateCacheResponse.Error) {
        throw fromSdkError(created.innerException(), { endpoint });
      }
    } finally {
      client.close();
    }
  });

  writeFileAtomic(paths.credentials, withTableValues(credentials, profile, { token: apiKey }), 0o600);
  writeFileAtomic(paths.config, withTableValues(config, profile, { cache, ttl: ttlSeconds }), 0o644);
  report(options, `${cache} successfully created as the default with default TTL of ${ttlSeconds}s`, {
    profile,
    cache,
    ttlSeconds,
    endpoint,
    credentials: paths.credentials,
    config: paths.config,
  });
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
