/**
 * @module commands/account-signup
 * `cachette account signup <provider> --email EMAIL --region REGION [--signup-url URL]`: asks the server
 * to create an account and e-mail its API key. The key never passes through the CLI.
 */
import type { Command } from 'commander';
import { globalOptions, report } from '../command-context.ts';
import { callHttpApi } from '../http-api.ts';
import { withProgress } from '../progress.ts';

export const DEFAULT_SIGNUP_ENDPOINT = 'http://127.0.0.1:8081';

/** Adds `signup` to the `account` group. */
export function registerAccountSignup(account: Command): void {
  account
    .command('signup')
    .description('sign up for an account; the API key is e-mailed to you')
    .argument('<provider>', 'cloud provider the deployment serves, e.g. local or aws')
    .requiredOption('--email <address>', 'where the API key is sent')
    .requiredOption('--region <region>', 'region of the account, e.g. local or us-east-1')
    .option('--signup-url <url>', `the server's HTTP address (default ${DEFAULT_SIGNUP_ENDPOINT})`)
    .addHelpText(
      'after',
      `
The global --endpoint option is accepted too (--signup-url wins when both are given).

Examples:
  $ cachette account signup local --email you@example.com --region local
  $ cachette account signup aws --email you@example.com --region us-east-1 --signup-url https://cachette.example.com`,
    )
    .action(async function (
      this: Command,
      provider: string,
      opts: { email: string; region: string; signupUrl?: string },
    ) {
      const options = globalOptions(this);
      const baseUrl = opts.signupUrl ?? options.endpoint ?? DEFAULT_SIGNUP_ENDPOINT;
      const res = await withProgress(options, 'signing up', () =>
        callHttpApi<{ message: string }>({
          baseUrl: baseUrl.includes('://') ? baseUrl : `http://${baseUrl}`,
          method: 'POST',
          path: 'v1/signup',
          body: { provider, region: opts.region, email: opts.email },
        }),
      );
      report(options, res.message, { ok: true, message: res.message });
    });
}
