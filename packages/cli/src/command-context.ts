/**
 * @module command-context
 * What every data/control command shares: the global options (`--profile`, `--output`, `--endpoint`,
 * `--tls`), the resolved profile, a connected SDK client that is always closed, and output helpers.
 */
import { CacheError, ErrorCode, validateCacheName } from '@cachette/core';
import type { CacheClient } from '@gomomento/sdk';
import type { Command } from 'commander';
import { connect, type ErrorContext } from './client.ts';
import { loadProfile, parseTtlSeconds, type ResolvedProfile } from './profile.ts';

/** Output formats of `--output`. */
export type OutputFormat = 'text' | 'json';

/** Options defined on the root program and visible to every command. */
export interface GlobalOptions {
  readonly profile?: string | undefined;
  readonly output: OutputFormat;
  readonly endpoint?: string | undefined;
  readonly tls?: boolean | undefined;
  readonly debug?: boolean | undefined;
}

/** The global options as seen from `cmd` (a command's `this` in an action). */
export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<Record<string, unknown>>();
  return {
    profile: o.profile as string | undefined,
    output: o.output === 'json' ? 'json' : 'text',
    endpoint: o.endpoint as string | undefined,
    tls: o.tls as boolean | undefined,
    debug: o.debug as boolean | undefined,
  };
}

/** A command's view of the world while it runs. */
export interface CommandContext {
  readonly options: GlobalOptions;
  readonly profile: ResolvedProfile;
  readonly client: CacheClient;
  /** `host:port` actually dialled. */
  readonly endpoint: string;
  /** Context for error messages about `cache` (and `key`). */
  errorContext(cache?: string, key?: string): ErrorContext;
}

/**
 * Resolves the profile, connects, runs `fn`, and always closes the client (its gRPC channels would
 * otherwise keep the process alive).
 */
export async function withClient<T>(cmd: Command, fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const options = globalOptions(cmd);
  const profile = loadProfile({ profile: options.profile });
  const endpoint = options.endpoint ?? profile.endpoint;
  const client = await connect({
    apiKey: profile.apiKey,
    endpoint,
    endpointOverridden: options.endpoint !== undefined,
    tls: options.tls,
    defaultTtlSeconds: profile.ttlSeconds,
  });
  try {
    return await fn({
      options,
      profile,
      client,
      endpoint,
      errorContext: (cache, key) => ({ endpoint, cache, key }),
    });
  } finally {
    client.close();
  }
}

/** `--name`, else the profile's default cache; validated. */
export function cacheName(name: string | undefined, profile: ResolvedProfile): string {
  const resolved = name ?? profile.cache;
  if (resolved === undefined) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `no cache given and profile '${profile.name}' has no default cache: pass --name or run \`cachette configure\``,
    );
  }
  validateCacheName(resolved);
  return resolved;
}

/** `--ttl` when given (positive whole seconds), else `undefined` (the profile's default applies). */
export function optionalTtl(ttl: string | undefined): number | undefined {
  return ttl === undefined ? undefined : parseTtlSeconds(ttl);
}

/** Prints one JSON document on stdout (one line, so `jq` and line-based tools both work). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Prints `text` in text mode or `json` in JSON mode. */
export function report(options: GlobalOptions, text: string | undefined, json: unknown): void {
  if (options.output === 'json') printJson(json);
  else if (text !== undefined) process.stdout.write(`${text}\n`);
}

/** A value that was not found, as a distinct outcome: the caller prints what it wants and exits 1. */
export class Miss extends Error {
  override readonly name = 'Miss';
}
