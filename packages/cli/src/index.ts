/**
 * @module @cachette/cli
 * The `cachette` command line (the binary lives in `bin/cachette.js`), plus the profile resolution that
 * other clients (such as `@cachette/sdk`) reuse so `~/.cachette` means the same thing everywhere.
 */

/** The server's cache-name rule, re-exported because CLI callers check names before they reach a file. */
export { validateCacheName } from '@cachette/core';
export { buildProgram, type CommandRegistrar, commandRegistrars, ExitCode, exitCodeFor, group, main } from './main.ts';
export {
  DEFAULT_CACHE_NAME,
  DEFAULT_PROFILE,
  DEFAULT_TTL_SECONDS,
  type LoadProfileOptions,
  loadProfile,
  parseApiKey,
  parseTtlSeconds,
  profilePaths,
  type ResolvedProfile,
  resolveProfileName,
  validateProfileName,
} from './profile.ts';
