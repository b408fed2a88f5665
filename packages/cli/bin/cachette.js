#!/usr/bin/env node
// Entry point of the `cachette` binary. It runs the compiled JavaScript in ../dist (`npm run build`, which
// `npm ci` runs through the root `prepare` script): no TypeScript loader at run time, so nothing is
// transpiled on start and nothing is written to TMPDIR (a read-only file system or a systemd unit with
// ProtectSystem=strict runs it as is). The import goes through the package's own name so that
// `node --conditions=@cachette/source --import tsx/esm bin/cachette.js` runs the sources instead, which is what
// the test suite does for the binaries it spawns (see vitest.config.ts).
let cli;
try {
  cli = await import('@cachette/cli');
} catch (err) {
  // Only the missing build gets a friendlier message; any other failure keeps its own stack.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && /[\\/]cli[\\/]dist[\\/]/.test(String(err.message))) {
    process.stderr.write('cachette: not built yet (no packages/cli/dist): run `npm run build` first\n');
    process.exit(1);
  }
  throw err;
}
const code = await cli.main(process.argv);
process.exitCode = code;
// A command is done when main() returns, except `server start`, which only returns after a graceful
// stop. Exit once stdout has drained: a failed gRPC connect leaves grpc-js timers that would otherwise
// hold the process open for ~10 s after the error was already reported.
process.stdout.write('', () => process.exit(code));
