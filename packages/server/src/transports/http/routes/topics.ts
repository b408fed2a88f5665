/**
 * @module transports/http/routes/topics
 * Momento's HTTP API for topics: `POST /topics/{cache}/{topic}` with the message as the body → 204. A body
 * sent as `text/*` (or JSON) is published as text, as Momento's HTTP API does; anything else as bytes.
 * Same service, permissions, limits and errors as gRPC.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TopicService } from '../../../service/topic-service.ts';

type TopicRequest = FastifyRequest<{ Params: { cache: string; topic: string } }>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Text when the content type says text and the bytes are valid UTF-8, else the bytes. */
function messageOf(request: TopicRequest): string | Uint8Array {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('text/') && !type.startsWith('application/json')) return body;
  try {
    return utf8.decode(body);
  } catch {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `the body is sent as ${type} but is not valid UTF-8`);
  }
}

/** Registers the topic route in its own context, where every body is read as raw bytes. */
export function registerTopics(app: FastifyInstance, topics: TopicService): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    scope.post('/topics/:cache/:topic', async (request: TopicRequest, reply) => {
      const message = messageOf(request);
      if (message.length === 0) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'a published message must not be empty');
      }
      await topics.publish(request.principal, request.params.cache, request.params.topic, message);
      return reply.status(204).send();
    });
  });
}
