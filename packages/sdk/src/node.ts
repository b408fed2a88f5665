/**
 * @module @cachette/sdk/node
 * The SDK for Node.js: everything of `@cachette/sdk`, with a `CacheClient` that finds its key and default
 * TTL the way the `cachette` CLI does when none is passed —
 *
 * 1. `options.apiKey`;
 * 2. `CACHETTE_API_KEY`;
 * 3. `token` of the profile's table in `~/.cachette/credentials`, the profile being `options.profile`, else
 *    `CACHETTE_PROFILE`, else `default`; its default TTL is `ttl` in `~/.cachette/config`.
 *
 * It is also the fast client for Node: concurrent `get`/`set` calls of one event-loop turn are coalesced into
 * batch requests (`coalesce`, see `coalescer.ts`) and requests go over `node:http` keep-alive connections
 * rather than `fetch` (see `node-http-exchange.ts`).
 *
 * Kept apart from the core entry because it reads files and uses `node:http`: browsers and edge runtimes
 * import `@cachette/sdk`, which touches nothing but `fetch`.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { CacheClient as CoreCacheClient, type CacheClientOptions as CoreOptions } from './cache-client.ts';
import { CachetteError, ErrorCode } from './errors.ts';
import { nodeHttpExchange } from './node-http-exchange.ts';

export * from './index.ts';

/** Profile used when neither `options.profile` nor `CACHETTE_PROFILE` names one. */
export const DEFAULT_PROFILE = 'default';

/** What {@link loadProfile} resolves. */
export interface SdkProfile {
  readonly name: string;
  /** The API key, or `undefined` when none is configured. */
  readonly apiKey: string | undefined;
  readonly apiKeySource: 'env' | 'file' | undefined;
  /** The profile's default cache (`cache` in `~/.cachette/config`). */
  readonly cache: string | undefined;
  /** The profile's default TTL (`ttl` in `~/.cachette/config`). */
  readonly ttlSeconds: number | undefined;
}

/** Where to look for a profile. */
export interface ProfileOptions {
  /** Profile name; default `CACHETTE_PROFILE`, else `default`. */
  readonly profile?: string | undefined;
  /** Environment; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Home directory holding `.cachette/`; default `os.homedir()`. */
  readonly home?: string | undefined;
}

/**
 * Reads the CLI's profile: `CACHETTE_API_KEY` or `[profile] token` from `~/.cachette/credentials`, and
 * `[profile] cache` / `ttl` from `~/.cachette/config`. Missing files read as empty. Throws a
 * {@link CachetteError} (`INVALID_ARGUMENT`) naming the file when one is not valid TOML.
 */
export function loadProfile(options: ProfileOptions = {}): SdkProfile {
  const env = options.env ?? process.env;
  const name = options.profile ?? (env.CACHETTE_PROFILE || undefined) ?? DEFAULT_PROFILE;
  const dir = join(options.home ?? homedir(), '.cachette');
  const config = readTable(join(dir, 'config'), name);
  const envKey = env.CACHETTE_API_KEY?.trim() || undefined;
  let apiKey = envKey;
  if (apiKey === undefined) {
    const token = readTable(join(dir, 'credentials'), name).token;
    apiKey = typeof token === 'string' && token.trim() !== '' ? token.trim() : undefined;
  }
  const ttl = config.ttl;
  return {
    name,
    apiKey,
    apiKeySource: envKey !== undefined ? 'env' : apiKey !== undefined ? 'file' : undefined,
    cache: typeof config.cache === 'string' ? config.cache : undefined,
    ttlSeconds: typeof ttl === 'number' || typeof ttl === 'bigint' ? Number(ttl) : undefined,
  };
}

/** Options of the Node.js {@link CacheClient}: the core options plus where to find a profile. */
export interface CacheClientOptions extends CoreOptions, ProfileOptions {}

/**
 * `CacheClient` of `@cachette/sdk`, falling back to `CACHETTE_API_KEY` and the CLI's profile files for the
 * key (and for `defaultTtlSeconds`) when the options do not give them. Throws a {@link CachetteError}
 * (`UNAUTHENTICATED`) when no key can be found and no `baseUrl` is given.
 */
export class CacheClient extends CoreCacheClient {
  constructor(options: CacheClientOptions = {}) {
    // Coalescing on by default: a Node process usually serves many requests at once (see coalescer.ts);
    // node:http instead of fetch unless a fetch is given (see node-http-exchange.ts).
    super({
      coalesce: true,
      ...withProfile(options),
      ...(options.fetch === undefined && options.exchange === undefined ? { exchange: nodeHttpExchange() } : {}),
    });
  }
}

function withProfile(options: CacheClientOptions): CoreOptions {
  if (options.apiKey !== undefined && options.defaultTtlSeconds !== undefined) return options;
  let profile: SdkProfile;
  try {
    profile = loadProfile(options);
  } catch (error) {
    // With a key in hand the profile only offers a default TTL: a broken file must not stop the client.
    if (options.apiKey !== undefined) return options;
    throw error;
  }
  const apiKey = options.apiKey ?? profile.apiKey;
  if (apiKey === undefined && options.baseUrl === undefined) {
    const flag = profile.name === DEFAULT_PROFILE ? '' : ` --profile ${profile.name}`;
    throw new CachetteError(
      ErrorCode.UNAUTHENTICATED,
      `no API key for profile '${profile.name}': pass apiKey, set CACHETTE_API_KEY, or run \`cachette configure${flag}\``,
    );
  }
  return { ...options, apiKey, defaultTtlSeconds: options.defaultTtlSeconds ?? profile.ttlSeconds };
}

function readTable(path: string, table: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new CachetteError(ErrorCode.INVALID_ARGUMENT, `${path}: ${(error as Error).message}`, { cause: error });
  }
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new CachetteError(ErrorCode.INVALID_ARGUMENT, `${path}: invalid TOML: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const value = doc[table];
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
