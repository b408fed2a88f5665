/**
 * @module mail/signup-email
 * The e-mail that carries a new API key: which endpoint and region it is for, and the next commands.
 */
import type { MailMessage } from './mailer.ts';

export interface SignupEmailInput {
  readonly to: string;
  readonly apiKey: string;
  readonly provider: string;
  readonly region: string;
  readonly grpcEndpoint: string;
  readonly httpEndpoint: string;
}

/** Renders the signup e-mail. The key appears once, on its own line, easy to copy. */
export function signupEmail(input: SignupEmailInput): MailMessage {
  const text = `Welcome to Cachette!

Your API key for ${input.provider}/${input.region}:

${input.apiKey}

It works against:
  gRPC (Momento SDKs):  ${input.grpcEndpoint}
  HTTP API:             ${input.httpEndpoint}
  Region:               ${input.provider}/${input.region} (the key is refused in any other region)

Next steps:

  cachette configure
      (paste the key above; it saves a profile in ~/.cachette and creates your default cache)

  cachette cache set --key hello --value world
  cachette cache get --key hello

This is the newest key for this address: signup keys mailed here earlier that were never used no longer
work. Keys you already use keep working.

Keep this key secret: anyone holding it can read and write your caches. If it leaks, create a new key
with \`cachette api-key create\` and revoke this one with \`cachette api-key revoke <id>\`.
`;
  return { to: input.to, subject: `Your Cachette API key (${input.provider}/${input.region})`, text };
}
