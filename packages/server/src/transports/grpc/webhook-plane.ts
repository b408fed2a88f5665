/**
 * @module transports/grpc/webhook-plane
 * `/webhook.Webhook/…` (Momento's webhook service, on the control endpoint): decode, call the
 * {@link WebhookService}, encode. The SDK reaches it through `TopicClient.putWebhook` and friends.
 */
import { webhook } from '@gomomento/generated-types';
import type { UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { WebhookService } from '../../service/webhook-service.ts';
import { controlUnary, type HandlerDeps } from './unary.ts';

const pb = webhook.webhook;
type Req<T extends abstract new (...args: never) => unknown> = InstanceType<T>;

export function webhookHandlers(
  deps: HandlerDeps & { readonly webhooks: WebhookService },
): UntypedServiceImplementation {
  const { webhooks } = deps;
  const handlers = {
    PutWebhook: controlUnary(deps, async (p, req: Req<typeof pb._PutWebhookRequest>) => {
      const w = req.webhook;
      const secret = await webhooks.put(
        p,
        w.webhook_id.cache_name,
        w.webhook_id.webhook_name,
        w.topic_name,
        w.destination.post_url,
      );
      return new pb._PutWebhookResponse({ secret_string: secret });
    }),
    ListWebhooks: controlUnary(deps, async (p, req: Req<typeof pb._ListWebhookRequest>) => {
      const list = await webhooks.list(p, req.cache_name);
      return new pb._ListWebhooksResponse({
        webhook: list.map(
          (w) =>
            new pb._Webhook({
              webhook_id: new pb._WebhookId({ cache_name: w.cacheName, webhook_name: w.name }),
              topic_name: w.topic,
              destination: new pb._WebhookDestination({ post_url: w.url }),
            }),
        ),
      });
    }),
    DeleteWebhook: controlUnary(deps, async (p, req: Req<typeof pb._DeleteWebhookRequest>) => {
      await webhooks.delete(p, req.webhook_id.cache_name, req.webhook_id.webhook_name);
      return new pb._DeleteWebhookResponse();
    }),
    GetWebhookSecret: controlUnary(deps, async (p, req: Req<typeof pb._GetWebhookSecretRequest>) => {
      const secret = await webhooks.secret(p, req.cache_name, req.webhook_name);
      return new pb._GetWebhookSecretResponse({
        cache_name: req.cache_name,
        webhook_name: req.webhook_name,
        secret_string: secret,
      });
    }),
    RotateWebhookSecret: controlUnary(deps, async (p, req: Req<typeof pb._RotateWebhookSecretRequest>) => {
      const secret = await webhooks.rotateSecret(p, req.webhook_id.cache_name, req.webhook_id.webhook_name);
      return new pb._RotateWebhookSecretResponse({ secret_string: secret });
    }),
  };
  return handlers as unknown as Record<string, UntypedHandleCall>;
}
