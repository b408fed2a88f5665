/**
 * @module main
 * The `cachette` command line. One file per command under `commands/`; this file only wires them and
 * turns errors into one readable line and an exit code.
 */
import { readFileSync } from 'node:fs';
import { CacheError, ErrorCode } from '@cachette/engine';
import { Command, CommanderError } from 'commander';
import { registerServerStart } from './commands/server-start.ts';

/** Documented exit codes. */
export const ExitCode = { OK: 0, MISS: 1, USAGE: 2, AUTH: 3, LIMIT: 4, UNAVAILABLE: 5 } as const;

function exitCodeFor(e: CacheError): number {
  switch (e.code) {
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

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Builds the program (exported for tests and `help`). */
export function buildProgram(): Command {
  const program = new Command('cachette')
    .description('Cachette: a serverless cache that speaks Momento')
    .version(version(), '-v, --version')
    .option('--debug', 'print stack traces on errors')
    .showHelpAfterError()
    .exitOverride();
  const server = program.command('server').description('run a Cachette server');
  registerServerStart(server);
  return program;
}

/** Runs the CLI and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
    const debug = program.opts<{ debug?: boolean }>().debug === true;
    if (e instanceof CacheError) {
      process.stderr.write(`cachette: ${e.message}\n`);
      if (debug) process.stderr.write(`${e.stack}\n`);
      return exitCodeFor(e);
    }
    process.stderr.write(`cachette: unexpected error: ${(e as Error)?.message ?? e}\n`);
    if (debug) process.stderr.write(`${(e as Error)?.stack}\n`);
    return ExitCode.UNAVAILABLE;
  }
}
