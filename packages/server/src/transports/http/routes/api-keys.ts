/**
 * @module transports/http/routes/api-keys
 * `GET /v1/api-keys`, `POST /v1/api-keys`, `DELETE /v1/api-keys/:id`: the caller's keys. Secrets are shown
 * once, in the POST answer; listings never include them.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyInstance } from 'fastify';
import type { AccountsService } from '../../../service/accounts-service.ts';
import type { KeyAccess, KeyInfo } from '../../../service/types.ts';

const ACCESS_IN: Record<string, KeyAccess> = {
  'read-write': 'readWrite',
  'read-only': 'readOnly',
  'write-only': 'writeOnly',
};
const ACCESS_OUT: Record<KeyAccess, string> = {
  readWrite: 'read-write',
  readOnly: 'read-only',
  writeOnly: 'write-only',
};

/** The JSON shape of a key in listings (and the CLI's `--output json`). */
export function keyJson(key: KeyInfo) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: key.id,
    caches: key.scope.kind === 'all' ? 'all' : key.scope.caches,
    access: ACCESS_OUT[key.access],
    description: key.description,
    region: `${key.provider}/${key.region}`,
    createdAt: iso(key.createdAtMs),
    expiresAt: iso(key.expiresAtMs),
    lastUsedAt: iso(key.lastUsedAtMs),
    revokedAt: iso(key.revokedAtMs),
    /** The key that created this one: revoking it revoked this one too. */
    parentId: key.parentKeyId,
  };
}

interface CreateBody {
  caches?: string[];
  access?: string;
  expiresInSeconds?: number;
  description?: string;
}

export function registerApiKeys(app: FastifyInstance, accounts: AccountsService): void {
  // Paginated, newest first: `?limit=N` (default 100, at most 1000) and `?page_token=` from the previous
  // answer's `nextPageToken` (null on the last page).
  app.get<{ Querystring: { limit?: string; page_token?: string } }>('/v1/api-keys', async (request) => {
    const { limit, page_token: pageToken } = request.query;
    if (limit !== undefined && !/^\d{1,7}$/.test(limit)) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `limit must be a whole number, got '${limit}'`);
    }
    const page = await accounts.listKeys(request.principal, {
      limit: limit === undefined ? undefined : Number(limit),
      pageToken,
    });
    return { keys: page.keys.map(keyJson), nextPageToken: page.nextPageToken };
  });

  app.post<{ Body: CreateBody }>(
    '/v1/api-keys',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            caches: { type: 'array', items: { type: 'string' }, maxItems: 1000 },
            access: { type: 'string', enum: Object.keys(ACCESS_IN) },
            expiresInSeconds: { type: 'integer', minimum: 1 },
            description: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {};
      const issued = await accounts.createKey(request.principal, {
        caches: body.caches,
        access: body.access === undefined ? undefined : ACCESS_IN[body.access],
        expiresInSeconds: body.expiresInSeconds,
        description: body.description,
      });
      return reply.status(201).send({ apiKey: issued.apiKey, ...keyJson(issued.key) });
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/api-keys/:id', async (request, reply) => {
    await accounts.revokeKey(request.principal, request.params.id);
    return reply.status(204).send();
  });
}
