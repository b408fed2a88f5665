/**
 * @module transports/http/routes/signup
 * `POST /v1/signup { provider, region, email }` → 202. The answer is the same whether or not the address
 * had an account, and never contains the key: it goes to the mailbox only.
 */
import type { FastifyInstance } from 'fastify';
import type { AccountsService } from '../../../service/accounts-service.ts';

export const SIGNUP_ACCEPTED_MESSAGE = 'Success! Your API key will be emailed to you shortly.';

export function registerSignup(app: FastifyInstance, accounts: AccountsService): void {
  app.post<{ Body: { provider: string; region: string; email: string } }>(
    '/v1/signup',
    {
      // Signing up is how a caller gets its first key.
      config: { public: true },
      // Anyone may call it, so it buffers no more than a sign-up form needs.
      bodyLimit: 16 * 1024,
      schema: {
        body: {
          type: 'object',
          required: ['provider', 'region', 'email'],
          additionalProperties: false,
          properties: {
            provider: { type: 'string', minLength: 1, maxLength: 64 },
            region: { type: 'string', minLength: 1, maxLength: 64 },
            email: { type: 'string', minLength: 1, maxLength: 320 },
          },
        },
      },
    },
    async (request, reply) => {
      await accounts.signup({ ...request.body, clientId: request.ip });
      return reply.status(202).send({ message: SIGNUP_ACCEPTED_MESSAGE });
    },
  );
}
