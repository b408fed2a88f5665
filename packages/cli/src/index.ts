/**
 * @module @cachette/cli
 * The `cachette` command line (the binary lives in `bin/cachette.js`).
 */
export { buildProgram, ExitCode, main } from './main.ts';
