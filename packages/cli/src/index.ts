/**
 * @module @cachette/cli
 * The `cachette` command line (the binary lives in `bin/cachette.js`), plus the profile resolution that
 * other clients (such as `@cachette/sdk`) reuse so `~/.cachette` means the same thing everywhere.
 */
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
  validateCacheName,
  validateProfileName,
} from './profile.ts';
