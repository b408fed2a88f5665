#!/usr/bin/env node
// Entry point of the `cachette` binary. The sources are TypeScript run through tsx's loader, so a fresh
// clone needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
const code = await main(process.argv);
process.exitCode = code;
// A command is done when main() returns, except `server start`, which only returns after a graceful
// stop. Exit once stdout has drained: a failed gRPC connect leaves grpc-js timers that would otherwise
// hold the process open for ~10 s after the error was already reported.
process.stdout.write('', () => process.exit(code));
