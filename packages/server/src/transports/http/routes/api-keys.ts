/**
 * @module transports/http/routes/api-keys
 * `GET /v1/api-keys`, `POST /v1/api-keys`, `DELETE /v1/api-keys/:id`: the caller's keys. Secrets are shown
 * once, in the POST answer; listings never include them.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyInstance } from 'fastify';
import type { AccountsService } from '../../../service/accounts-service.ts';
import type { KeyAccess, KeyInfo, TopicGrant } from '../../../service/types.ts';

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

/** Topic access on the wire: what the role lets a key do with a topic. */
const TOPIC_ACCESS_IN: Record<string, KeyAccess> = {
  'publish-subscribe': 'readWrite',
  subscribe: 'readOnly',
  publish: 'writeOnly',
};
const TOPIC_ACCESS_OUT: Record<KeyAccess, string> = {
  readWrite: 'publish-subscribe',
  readOnly: 'subscribe',
  writeOnly: 'publish',
};

/** A topic grant as JSON: `*` for all caches or topics, a trailing `*` for a topic-name prefix. */
interface TopicGrantJson {
  cache: string;
  topic: string;
  access: string;
}

function topicGrantJson(g: TopicGrant): TopicGrantJson {
  return {
    cache: g.cache ?? '*',
    topic: g.topic === null ? '*' : g.topicPrefix ? `${g.topic}*` : g.topic,
    access: TOPIC_ACCESS_OUT[g.role],
  };
}

function topicGrantOf(j: TopicGrantJson): TopicGrant {
  const role = TOPIC_ACCESS_IN[j.access] as KeyAccess;
  const cache = j.cache === '*' ? null : j.cache;
  if (j.topic === '*') return { role, cache, topic: null };
  if (j.topic.endsWith('*')) return { role, cache, topic: j.topic.slice(0, -1), topicPrefix: true };
  return { role, cache, topic: j.topic };
}

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
    /** Explicit topic permissions, or `as-caches` (topics follow `caches` and `access`). */
    topics: key.topics === null ? 'as-caches' : key.topics.map(topicGrantJson),
  };
}

interface CreateBody {
  caches?: string[];
  access?: string;
  expiresInSeconds?: number;
  description?: string;
  topics?: TopicGrantJson[];
  topicsOnly?: boolean;
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
            topics: {
              type: 'array',
              maxItems: 100,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['cache', 'topic', 'access'],
                properties: {
                  cache: { type: 'string', minLength: 1, maxLength: 255 },
                  topic: { type: 'string', minLength: 1, maxLength: 256 },
                  access: { type: 'string', enum: Object.keys(TOPIC_ACCESS_IN) },
                },
              },
            },
            topicsOnly: { type: 'boolean' },
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
        topics: body.topics?.map(topicGrantOf),
        topicsOnly: body.topicsOnly,
      });
      return reply.status(201).send({ apiKey: issued.apiKey, ...keyJson(issued.key) });
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/api-keys/:id', async (request, reply) => {
    await accounts.revokeKey(request.principal, request.params.id);
    return reply.status(204).send();
  });
}
