/**
 * @module transports/http/routes/webhooks
 * `GET /v1/webhooks/:cache` (the cache's webhooks) and `GET /v1/webhooks/:cache/:name/deliveries` (the
 * webhook's recent delivery attempts on this server: time, topic, sequence, attempt, outcome, HTTP status,
 * error), so an owner can see why a receiver is not getting messages. Creating and deleting webhooks is
 * Momento's gRPC webhook service (`TopicClient.putWebhook`, …).
 */
import type { FastifyInstance } from 'fastify';
import type { WebhookService } from '../../../service/webhook-service.ts';

export function registerWebhooks(app: FastifyInstance, webhooks: WebhookService): void {
  app.get<{ Params: { cache: string } }>('/v1/webhooks/:cache', async (request) => ({
    webhooks: await webhooks.list(request.principal, request.params.cache),
  }));
  app.get<{ Params: { cache: string; name: string } }>('/v1/webhooks/:cache/:name/deliveries', async (request) => {
    const entries = await webhooks.deliveries(request.principal, request.params.cache, request.params.name);
    return { deliveries: entries.map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })) };
  });
}
