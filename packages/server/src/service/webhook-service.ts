/**
 * @module service/webhook-service
 * Momento's webhook control calls for any transport: put, list, delete, get and rotate a webhook's secret.
 * Webhooks belong to a cache (stored by the cache's id) and need a key that may manage caches, as other
 * control-plane calls do. Delivery itself is {@link WebhookDelivery}'s.
 */
import { randomBytes } from 'node:crypto';
import { CacheError, type Clock, ErrorCode, validateCacheName } from '@cachette/core';
import type { MetadataStore, WebhookRecord } from '@cachette/metadata';
import { CacheDirectory } from './cache-directory.ts';
import { authorize, type Principal } from './principal.ts';
import { validateTopicName } from './topic-limits.ts';
import type { DeliveryLogEntry, WebhookDelivery } from './webhook-delivery.ts';

/** A webhook as shown to its owner (no secret). */
export interface WebhookInfo {
  readonly cacheName: string;
  readonly name: string;
  readonly topic: string;
  readonly url: string;
}

export interface WebhookServiceOptions {
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  readonly delivery: WebhookDelivery;
  /** Webhooks per cache. Default 10 (Momento's basic support tier). */
  readonly maxPerCache?: number;
}

const MAX_NAME = 255;

function validateName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `webhook name must be 1 to ${MAX_NAME} characters`);
  }
}

function validateUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `webhook destination '${url}' is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'webhook destination must be an http:// or https:// URL');
  }
}

/** A new signing secret: 32 random bytes, base64url. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Topic webhooks of every cache. */
export class WebhookService {
  private readonly directory: CacheDirectory;

  constructor(private readonly options: WebhookServiceOptions) {
    this.directory = new CacheDirectory(options.metadata, options.clock);
  }

  /** Creates or replaces a webhook; returns its signing secret (kept when replacing). */
  async put(principal: Principal, cacheName: string, name: string, topic: string, url: string): Promise<string> {
    validateName(name);
    validateTopicName(topic);
    validateUrl(url);
    const cacheId = await this.resolve(principal, cacheName);
    const existing = await this.options.metadata.listWebhooks(cacheId);
    const max = this.options.maxPerCache ?? 10;
    if (!existing.some((w) => w.name === name) && existing.length >= max) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `cache '${cacheName}' already has ${existing.length} webhooks, the maximum; delete one first`,
      );
    }
    const stored = await this.options.metadata.putWebhook({
      cacheId,
      name,
      accountId: principal.accountId,
      topic,
      url,
      secret: newSecret(),
    });
    this.options.delivery.forget(cacheId);
    return stored.secret;
  }

  async list(principal: Principal, cacheName: string): Promise<WebhookInfo[]> {
    const cacheId = await this.resolve(principal, cacheName);
    return (await this.options.metadata.listWebhooks(cacheId)).map((w) => infoOf(cacheName, w));
  }

  async delete(principal: Principal, cacheName: string, name: string): Promise<void> {
    const cacheId = await this.resolve(principal, cacheName);
    await this.options.metadata.deleteWebhook(cacheId, name).catch((e: unknown) => {
      throw notFound(e, name);
    });
    this.options.delivery.forget(cacheId);
  }

  async secret(principal: Principal, cacheName: string, name: string): Promise<string> {
    const cacheId = await this.resolve(principal, cacheName);
    const hook = (await this.options.metadata.listWebhooks(cacheId)).find((w) => w.name === name);
    if (hook === undefined) throw new CacheError(ErrorCode.NOT_FOUND, `webhook '${name}' not found`, 'store_not_found');
    return hook.secret;
  }

  async rotateSecret(principal: Principal, cacheName: string, name: string): Promise<string> {
    const cacheId = await this.resolve(principal, cacheName);
    const rotated = await this.options.metadata.rotateWebhookSecret(cacheId, name, newSecret()).catch((e: unknown) => {
      throw notFound(e, name);
    });
    this.options.delivery.forget(cacheId);
    return rotated.secret;
  }

  /** The webhook's recent delivery attempts on this gateway, oldest first. */
  async deliveries(principal: Principal, cacheName: string, name: string): Promise<DeliveryLogEntry[]> {
    const cacheId = await this.resolve(principal, cacheName);
    return this.options.delivery.deliveries(cacheId, name);
  }

  private async resolve(principal: Principal, cacheName: string): Promise<string> {
    authorize(principal, cacheName, 'control');
    validateCacheName(cacheName);
    return (await this.directory.resolve(principal.accountId, cacheName)).id;
  }
}

function infoOf(cacheName: string, w: WebhookRecord): WebhookInfo {
  return { cacheName, name: w.name, topic: w.topic, url: w.url };
}

/** The store's NOT_FOUND carries `store_not_found`, which the SDK would read as a missing store. */
function notFound(e: unknown, name: string): unknown {
  return e instanceof CacheError && e.code === ErrorCode.NOT_FOUND
    ? new CacheError(ErrorCode.NOT_FOUND, `webhook '${name}' not found`)
    : e;
}
