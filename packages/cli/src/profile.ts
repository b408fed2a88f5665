/**
 * @module profile
 * Where a Cachette client finds its key, default cache and default TTL: the one place that resolves
 * profiles, shared by the CLI and (later) `@cachette/sdk`.
 *
 * - `~/.cachette/credentials`: `[<profile>]` tables holding `token = "<API key>"` (mode 0600).
 * - `~/.cachette/config`: `[<profile>]` tables holding `cache = "<name>"` and `ttl = <seconds>`.
 * - The profile name comes from `--profile`, else `CACHETTE_PROFILE`, else `default`.
 * - `CACHETTE_API_KEY` overrides the profile's token (CI sets a key without writing files).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CacheError, decodeApiKey, ErrorCode } from '@cachette/core';
import { readTomlFile } from './toml-file.ts';

/** Profile used when neither `--profile` nor `CACHETTE_PROFILE` names one. */
export const DEFAULT_PROFILE = 'default';
/** Default cache name offered by `configure`. */
export const DEFAULT_CACHE_NAME = 'default-cache';
/** Default item TTL offered by `configure`, in seconds. */
export const DEFAULT_TTL_SECONDS = 600;

/** Profile names become TOML bare keys, so they are held to the bare-key alphabet. */
const PROFILE_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Paths of the two profile files under `home` (defaults to `os.homedir()`, which honours `HOME`). */
export function profilePaths(home: string = homedir()): { dir: string; credentials: string; config: string } {
  const dir = join(home, '.cachette');
  return { dir, credentials: join(dir, 'credentials'), config: join(dir, 'config') };
}

/** The profile name to use: `flag`, else `env.CACHETTE_PROFILE`, else {@link DEFAULT_PROFILE}. */
export function resolveProfileName(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const name = flag ?? (env.CACHETTE_PROFILE || undefined) ?? DEFAULT_PROFILE;
  validateProfileName(name);
  return name;
}

/** Throws `INVALID_ARGUMENT` unless `name` is a usable profile name. */
export function validateProfileName(name: string): void {
  if (!PROFILE_NAME.test(name)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `invalid profile name '${name}': use 1-64 of A-Z a-z 0-9 _ -`);
  }
}

/** Parses a TTL in whole seconds; throws `INVALID_ARGUMENT` unless it is a positive integer. */
export function parseTtlSeconds(value: string | number, what = 'TTL'): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n <= 0) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `invalid ${what} '${text}': use a positive whole number of seconds`,
    );
  }
  return n;
}

/** Decodes a v1 API key; throws `INVALID_ARGUMENT` with the fix when `key` is not one. */
export function parseApiKey(key: string): { endpoint: string; secret: string } {
  const decoded = decodeApiKey(key.trim());
  if (decoded === undefined || decoded.endpoint === '') {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      'that is not a Cachette/Momento API key (expected base64 of {"endpoint", "api_key"}); copy the whole key from `cachette api-key create`, the sign-up e-mail or <data-dir>/dev-api-key',
    );
  }
  return decoded;
}

/** Everything a client needs, resolved from files and environment. */
export interface ResolvedProfile {
  /** Profile name in effect. */
  readonly name: string;
  /** The v1 API key. */
  readonly apiKey: string;
  /** Where the key came from (`env` = `CACHETTE_API_KEY`). */
  readonly apiKeySource: 'env' | 'file';
  /** `host:port` from the key. */
  readonly endpoint: string;
  /** The profile's default cache, when configured. */
  readonly cache: string | undefined;
  /** The profile's default TTL in seconds ({@link DEFAULT_TTL_SECONDS} when not configured). */
  readonly ttlSeconds: number;
}

/** Options of {@link loadProfile}. */
export interface LoadProfileOptions {
  /** Explicit profile name (the `--profile` flag). */
  readonly profile?: string | undefined;
  /** Environment to read `CACHETTE_PROFILE` / `CACHETTE_API_KEY` from; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
  /** Home directory; defaults to `os.homedir()`. */
  readonly home?: string;
}

/**
 * Resolves the profile in effect. Throws {@link CacheError}: `INVALID_ARGUMENT` for malformed files or
 * values (naming the file), `UNAUTHENTICATED` when no key is configured for the profile.
 */
export function loadProfile(options: LoadProfileOptions = {}): ResolvedProfile {
  const env = options.env ?? process.env;
  const name = resolveProfileName(options.profile, env);
  const paths = profilePaths(options.home);
  const config = readTomlFile(paths.config).tables[name] ?? {};
  const envKey = env.CACHETTE_API_KEY?.trim() || undefined;
  let apiKey = envKey;
  if (apiKey === undefined) {
    const token = readTomlFile(paths.credentials).tables[name]?.token;
    if (token !== undefined && typeof token !== 'string') {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${paths.credentials}: [${name}] token must be a string`);
    }
    apiKey = token;
  }
  if (apiKey === undefined || apiKey === '') {
    const flag = name === DEFAULT_PROFILE ? '' : ` --profile ${name}`;
    throw new CacheError(
      ErrorCode.UNAUTHENTICATED,
      `no API key for profile '${name}': run \`cachette configure${flag}\` or set CACHETTE_API_KEY`,
    );
  }
  const { endpoint } = parseApiKey(apiKey);
  const cache = config.cache;
  if (cache !== undefined && typeof cache !== 'string') {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${paths.config}: [${name}] cache must be a string`);
  }
  const ttl = config.ttl;
  const ttlSeconds =
    ttl === undefined ? DEFAULT_TTL_SECONDS : parseTtlSeconds(String(ttl), `ttl in ${paths.config} [${name}]`);
  return { name, apiKey, apiKeySource: envKey === undefined ? 'file' : 'env', endpoint, cache, ttlSeconds };
}
