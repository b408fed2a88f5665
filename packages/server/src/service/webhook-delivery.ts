/**
 * @module service/webhook-delivery
 * Delivers topic messages to webhooks: each message published through this gateway is POSTed to every
 * webhook of its topic as Momento's webhook event JSON, signed with the webhook's secret (hex HMAC
 * SHA3-256 of the exact body, header `momento-signature`, as Momento documents), and retried with
 * exponential backoff on failure (a non-2xx answer, a network error or no answer within the timeout).
 *
 * Publishers never wait: a publish only appends to a per-webhook queue; one delivery per webhook is in
 * flight at a time, so a webhook sees its topic's messages in order. A queue is bounded: a webhook that
 * cannot keep up loses its oldest pending messages (logged as `dropped`). Every attempt is recorded in a
 * per-webhook delivery log (the last {@link DeliveryOptions.logSize}), served by `GET /v1/webhooks/…`.
 */
import { createHmac } from 'node:crypto';
import type { Clock } from '@cachette/core';
import type { PublishedAt, TopicValue } from '@cachette/engine';
import type { MetadataStore, WebhookRecord } from '@cachette/metadata';

/** One attempt (or a drop) in a webhook's delivery log. */
export interface DeliveryLogEntry {
  readonly atMs: number;
  readonly topic: string;
  readonly sequence: number;
  /** 1 for the first try. */
  readonly attempt: number;
  /** `delivered`, `failed` (will retry), `gave-up` (retries exhausted) or `dropped` (queue full). */
  readonly outcome: 'delivered' | 'failed' | 'gave-up' | 'dropped';
  /** HTTP status, when the receiver answered. */
  readonly status?: number;
  readonly error?: string;
  readonly durationMs?: number;
}

export interface DeliveryOptions {
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  /** Tries per message (first + retries). Default 5. */
  readonly maxAttempts?: number;
  /** Delay before the first retry, doubled each time. Default 500 ms. */
  readonly retryBaseMs?: number;
  /** A receiver must answer within this. Default 5000 ms (Momento's delivery timeout). */
  readonly timeoutMs?: number;
  /** Pending messages per webhook before the oldest are dropped. Default 1000. */
  readonly maxQueued?: number;
  /** Delivery log entries kept per webhook. Default 100. */
  readonly logSize?: number;
  /** How long a cache's webhook list is reused before re-reading it. Default 5000 ms. */
  readonly listCacheMs?: number;
}

/** The signature Momento sends in `momento-signature`: hex HMAC SHA3-256 of the body with the secret. */
export function webhookSignature(secret: string, body: string | Uint8Array): string {
  return createHmac('sha3-256', secret).update(body).digest('hex');
}

type Pending = { topic: string; sequence: number; body: string; attempt: number };

/** One webhook's queue, worker and log. */
class WebhookQueue {
  readonly queue: Pending[] = [];
  readonly log: DeliveryLogEntry[] = [];
  busy = false;
  constructor(public webhook: WebhookRecord) {}
}

type Event = {
  accountId: string;
  cacheName: string;
  topic: string;
  value: TopicValue;
  published: PublishedAt;
  publisherId: string;
  atMs: number;
};
type CacheHooks = { hooks: WebhookRecord[] | undefined; expiresAtMs: number; waiting: Event[] | undefined };

/** Delivers every publish of this gateway to the webhooks of its topic. */
export class WebhookDelivery {
  private readonly queues = new Map<string, WebhookQueue>();
  private readonly caches = new Map<string, CacheHooks>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<AbortController>();
  private closed = false;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly timeoutMs: number;
  private readonly maxQueued: number;
  private readonly logSize: number;
  private readonly listCacheMs: number;

  constructor(private readonly options: DeliveryOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxQueued = options.maxQueued ?? 1000;
    this.logSize = options.logSize ?? 100;
    this.listCacheMs = options.listCacheMs ?? 5000;
  }

  /** A message was published (called synchronously by the topic service; returns at once). */
  published(
    accountId: string,
    cacheName: string,
    cacheId: string,
    topic: string,
    value: TopicValue,
    published: PublishedAt,
    publisherId: string,
  ): void {
    if (this.closed) return;
    const event: Event = {
      accountId,
      cacheName,
      topic,
      value,
      published,
      publisherId,
      atMs: this.options.clock.nowMs(),
    };
    let entry = this.caches.get(cacheId);
    const now = this.options.clock.nowMs();
    if (entry?.waiting !== undefined) {
      entry.waiting.push(event); // a list read is in flight: keep the order
      return;
    }
    if (entry?.hooks !== undefined && entry.expiresAtMs > now) {
      this.fanOut(entry.hooks, event);
      return;
    }
    entry = { hooks: entry?.hooks, expiresAtMs: 0, waiting: [event] };
    this.caches.set(cacheId, entry);
    const loading = entry;
    this.options.metadata
      .listWebhooks(cacheId)
      .catch(() => loading.hooks ?? []) // the store is down: keep the last known list
      .then((hooks) => {
        loading.hooks = hooks;
        loading.expiresAtMs = this.options.clock.nowMs() + this.listCacheMs;
        const waiting = loading.waiting ?? [];
        loading.waiting = undefined;
        for (const e of waiting) this.fanOut(hooks, e);
      });
  }

  /** Forgets a cache's webhook list (after a change through this gateway). */
  forget(cacheId: string): void {
    const entry = this.caches.get(cacheId);
    if (entry !== undefined && entry.waiting === undefined) this.caches.delete(cacheId);
  }

  /** The webhook's recent deliveries, newest last. */
  deliveries(cacheId: string, name: string): DeliveryLogEntry[] {
    return [...(this.queues.get(`${cacheId}/${name}`)?.log ?? [])];
  }

  /** Stops retries and aborts deliveries in flight; pending messages are not delivered. */
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const c of this.inflight) c.abort();
  }

  private fanOut(hooks: readonly WebhookRecord[], e: Event): void {
    for (const hook of hooks) {
      if (hook.topic !== e.topic) continue;
      const key = `${hook.cacheId}/${hook.name}`;
      let q = this.queues.get(key);
      if (q === undefined) {
        q = new WebhookQueue(hook);
        this.queues.set(key, q);
      }
      q.webhook = hook; // a rotated secret or new URL applies from the next message on
      const body = JSON.stringify({
        cache: e.cacheName,
        topic: e.topic,
        event_timestamp: e.atMs,
        publish_timestamp: e.atMs,
        topic_sequence_number: e.published.sequence,
        token_id: e.publisherId,
        ...(typeof e.value === 'string' ? { text: e.value } : { binary: Buffer.from(e.value).toString('base64') }),
      });
      if (q.queue.length >= this.maxQueued) {
        const dropped = q.queue.shift() as Pending;
        this.record(q, {
          topic: dropped.topic,
          sequence: dropped.sequence,
          attempt: dropped.attempt,
          outcome: 'dropped',
        });
      }
      q.queue.push({ topic: e.topic, sequence: e.published.sequence, body, attempt: 0 });
      this.pump(q);
    }
  }

  private pump(q: WebhookQueue): void {
    if (q.busy || this.closed) return;
    const next = q.queue[0];
    if (next === undefined) return;
    q.busy = true;
    // attempt() never rejects (every failure is recorded); the catch only satisfies the linter.
    this.attempt(q, next)
      .catch(() => undefined)
      .finally(() => {
        q.busy = false;
        this.pump(q);
      });
  }

  private async attempt(q: WebhookQueue, p: Pending): Promise<void> {
    p.attempt += 1;
    const hook = q.webhook;
    const t0 = this.options.clock.nowMs();
    const controller = new AbortController();
    this.inflight.add(controller);
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let status: number | undefined;
    let error: string | undefined;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'momento-signature': webhookSignature(hook.secret, p.body),
          'user-agent': 'Momento-Webhook (Cachette)',
        },
        body: p.body,
        signal: controller.signal,
        redirect: 'manual',
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (res.status < 200 || res.status > 299) error = `HTTP ${res.status}`;
    } catch (e) {
      error = controller.signal.aborted ? `no answer within ${this.timeoutMs} ms` : (e as Error).message;
    } finally {
      clearTimeout(timer);
      this.inflight.delete(controller);
    }
    const durationMs = this.options.clock.nowMs() - t0;
    const base = { topic: p.topic, sequence: p.sequence, attempt: p.attempt, durationMs };
    const withStatus = status === undefined ? base : { ...base, status };
    if (error === undefined) {
      q.queue.shift();
      this.record(q, { ...withStatus, outcome: 'delivered' });
      return;
    }
    if (p.attempt >= this.maxAttempts) {
      q.queue.shift();
      this.record(q, { ...withStatus, outcome: 'gave-up', error });
      return;
    }
    this.record(q, { ...withStatus, outcome: 'failed', error });
    // Back off, holding this webhook's queue (order), never the publisher.
    await new Promise<void>((resolve) => {
      const t = setTimeout(
        () => {
          this.timers.delete(t);
          resolve();
        },
        this.retryBaseMs * 2 ** (p.attempt - 1),
      );
      this.timers.add(t);
    });
  }

  private record(q: WebhookQueue, entry: Omit<DeliveryLogEntry, 'atMs'>): void {
    q.log.push({ atMs: this.options.clock.nowMs(), ...entry });
    if (q.log.length > this.logSize) q.log.splice(0, q.log.length - this.logSize);
  }
}
