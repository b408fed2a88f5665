/**
 * @module progress
 * A spinner on stderr for operations that may take a moment (connecting, control-plane calls). It only
 * appears when stderr is a terminal and output is text, so pipes, CI logs and `--output json` stay clean.
 */
import yoctoSpinner from 'yocto-spinner';
import type { GlobalOptions } from './command-context.ts';

/** Runs `fn` under a spinner labelled `label` (when interactive); the spinner is cleared either way. */
export async function withProgress<T>(options: GlobalOptions, label: string, fn: () => Promise<T>): Promise<T> {
  if (options.output === 'json' || process.stderr.isTTY !== true) return fn();
  const spinner = yoctoSpinner({ text: label, stream: process.stderr }).start();
  try {
    return await fn();
  } finally {
    spinner.clear();
    spinner.stop();
  }
}
