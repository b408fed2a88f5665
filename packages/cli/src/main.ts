/**
 * @module main
 * The `cachette` command line. One file per command under `commands/`; this file only wires them (see
 * {@link commandRegistrars}) and turns errors into one readable line and an exit code.
 */
import { readFileSync } from 'node:fs';
import { CacheError, ErrorCode } from '@cachette/core';
import { Command, CommanderError, Option } from 'commander';
import { Miss } from './command-context.ts';
import { registerAccountSignup } from './commands/account-signup.ts';
import { registerAdmin } from './commands/admin.ts';
import { registerApiKey } from './commands/api-key.ts';
import { registerCacheCreate } from './commands/cache-create.ts';
import { registerCacheDelete } from './commands/cache-delete.ts';
import { registerCacheDeleteItem } from './commands/cache-delete-item.ts';
import { registerCacheFlush } from './commands/cache-flush.ts';
import { registerCacheGet } from './commands/cache-get.ts';
import { registerCacheIncrement } from './commands/cache-increment.ts';
import { registerCacheList } from './commands/cache-list.ts';
import { registerCacheSet } from './commands/cache-set.ts';
import { registerCacheTtl } from './commands/cache-ttl.ts';
import { registerConfigure } from './commands/configure.ts';
import { registerDictionary } from './commands/dictionary.ts';
import { registerLeaderboard } from './commands/leaderboard.ts';
import { registerList } from './commands/list.ts';
import { registerServerStart } from './commands/server-start.ts';
import { registerSet } from './commands/set.ts';
import { registerSortedSet } from './commands/sorted-set.ts';
import { registerTopic } from './commands/topic.ts';
import { registerUsage } from './commands/usage.ts';
import { quietKnownWarnings } from './quiet-warnings.ts';

/** Documented exit codes. */
export const ExitCode = { OK: 0, MISS: 1, USAGE: 2, AUTH: 3, LIMIT: 4, UNAVAILABLE: 5 } as const;

/** Maps an error code to the documented exit code. */
export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.NOT_FOUND:
      return ExitCode.MISS;
    case ErrorCode.INVALID_ARGUMENT:
    case ErrorCode.ALREADY_EXISTS:
    case ErrorCode.FAILED_PRECONDITION:
    case ErrorCode.UNIMPLEMENTED:
      return ExitCode.USAGE;
    case ErrorCode.UNAUTHENTICATED:
    case ErrorCode.PERMISSION_DENIED:
      return ExitCode.AUTH;
    case ErrorCode.LIMIT_EXCEEDED:
      return ExitCode.LIMIT;
    case ErrorCode.UNAVAILABLE:
    case ErrorCode.INTERNAL:
      return ExitCode.UNAVAILABLE;
  }
}

/** Command groups (`cachette <group> <command>`), created on first use by a registrar. */
const GROUPS: Record<string, string> = {
  cache: 'create, list, flush and delete caches; get, set and delete items',
  server: 'run a Cachette server',
  account: 'sign up and manage accounts',
  'api-key': 'create, list and revoke API keys',
  admin: 'operator commands on the metadata store (plans)',
  dictionary: "set, get and fetch a dictionary's fields",
  list: 'push, fetch and pop list elements',
  set: 'add and fetch set elements',
  'sorted-set': 'put and fetch sorted-set elements by rank',
  leaderboard: 'upsert, fetch, rank, count, remove and delete leaderboard elements',
  topic: 'publish to and subscribe to topics (Momento Topics)',
};

/** The `cachette <name>` group command, created (with its description) when first asked for. */
export function group(program: Command, name: string): Command {
  const existing = program.commands.find((c) => c.name() === name);
  if (existing !== undefined) return existing;
  return program.command(name).description(GROUPS[name] ?? name);
}

/** Adds one command (or a few) to the program; groups come from {@link group}. */
export type CommandRegistrar = (program: Command) => void;

/**
 * Every command, in help order. A new command is one file under `commands/` plus one line here, e.g.
 * `(p) => registerAccountSignup(group(p, 'account'))`. Registering must stay cheap: a command whose
 * action needs heavy modules (the server, database drivers) imports them in its action.
 */
export const commandRegistrars: readonly CommandRegistrar[] = [
  registerConfigure,
  (p) => registerCacheCreate(group(p, 'cache')),
  (p) => registerCacheDelete(group(p, 'cache')),
  (p) => registerCacheList(group(p, 'cache')),
  (p) => registerCacheFlush(group(p, 'cache')),
  (p) => registerCacheSet(group(p, 'cache')),
  (p) => registerCacheGet(group(p, 'cache')),
  (p) => registerCacheDeleteItem(group(p, 'cache')),
  (p) => registerCacheTtl(group(p, 'cache')),
  (p) => registerCacheIncrement(group(p, 'cache')),
  (p) => registerDictionary(group(p, 'dictionary')),
  (p) => registerList(group(p, 'list')),
  (p) => registerSet(group(p, 'set')),
  (p) => registerSortedSet(group(p, 'sorted-set')),
  (p) => registerLeaderboard(group(p, 'leaderboard')),
  (p) => registerTopic(group(p, 'topic')),
  (p) => registerAccountSignup(group(p, 'account')),
  (p) => registerApiKey(group(p, 'api-key')),
  registerUsage,
  (p) => registerAdmin(group(p, 'admin')),
  (p) => registerServerStart(group(p, 'server')),
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the program with every command of {@link commandRegistrars}. */
export function buildProgram(registrars: readonly CommandRegistrar[] = commandRegistrars): Command {
  const program = new Command('cachette')
    .description('Cachette: a serverless cache that speaks Momento')
    .version(version(), '-v, --version')
    .option('--profile <name>', 'profile in ~/.cachette/{credentials,config} (env: CACHETTE_PROFILE; default: default)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--endpoint <host:port>', "server to dial instead of the API key's endpoint")
    .option('--tls', 'use TLS (default: only for port 443)')
    .option('--no-tls', 'do not use TLS')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError('(run `cachette help <command>` for usage and examples)')
    .exitOverride()
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({
      // Commander's own usage errors get the same one-line `cachette: …` shape as every other error.
      outputError: (str, write) => write(`cachette: ${str.replace(/^error: /, '')}`),
    })
    .addHelpText(
      'after',
      `
Examples:
  $ cachette configure
  $ cachette cache set --key andrew --value brown
  $ cachette cache get --key andrew
  $ cachette help cache set

Exit codes: 0 ok, 1 miss / not found, 2 usage, 3 auth, 4 limit, 5 unavailable.`,
    );
  for (const register of registrars) register(program);
  // Groups inherit error handling and output so `cachette cache bogus` is a usage error (exit 2), too.
  for (const cmd of program.commands) {
    cmd.exitOverride().showHelpAfterError('(run `cachette help <command>` for usage and examples)');
    cmd.configureOutput({ outputError: (str, write) => write(`cachette: ${str.replace(/^error: /, '')}`) });
    for (const sub of cmd.commands) {
      sub
        .exitOverride()
        .configureOutput({ outputError: (str, write) => write(`cachette: ${str.replace(/^error: /, '')}`) });
    }
  }
  return program;
}

/** Runs the CLI with `argv` (as `process.argv`) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // `cachette cache list | head -1` closes the pipe early; that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  quietKnownWarnings();
  const args = rewriteNestedHelp(argv);
  const program = buildProgram();
  try {
    await program.parseAsync(args);
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    const opts = program.opts<{ debug?: boolean; output?: string }>();
    if (e instanceof Miss) {
      process.stderr.write(`cachette: ${e.message}\n`);
      return ExitCode.MISS;
    }
    const err = e instanceof CacheError ? e : undefined;
    const code = err === undefined ? ExitCode.UNAVAILABLE : exitCodeFor(err.code);
    const message = err?.message ?? `unexpected error: ${(e as Error)?.message ?? String(e)}`;
    if (opts.output === 'json') {
      process.stderr.write(
        `${JSON.stringify({ error: { code: err?.code ?? ErrorCode.INTERNAL, message, exitCode: code } })}\n`,
      );
    } else {
      process.stderr.write(`cachette: ${message}\n`);
    }
    if (opts.debug === true) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
    return code;
  }
}

/**
 * Commander's built-in `help <command>` only looks one level deep; `cachette help cache set` is rewritten
 * to `cachette cache set --help` so help works for every command path.
 */
function rewriteNestedHelp(argv: string[]): string[] {
  const [node, script, first, ...rest] = argv;
  if (first !== 'help' || rest.length === 0 || node === undefined || script === undefined) return argv;
  return [node, script, ...rest, '--help'];
}
