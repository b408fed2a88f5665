/**
 * @module service/topic-service
 * Momento Topics for any transport (gRPC `Pubsub`, HTTP `POST /topics`, RESP PUBLISH/SUBSCRIBE, webhooks):
 * validate → authorize (cache scope and topic permission) → resolve the cache → limits (message size,
 * plan rate and throughput, publish rate, subscriptions per cache) → the {@link TopicBus} → meter bytes
 * published in and delivered out. Transports only decode requests and implement a {@link TopicSink}.
 *
 * Subscriptions are tracked per cache: deleting a cache ends its subscriptions with NOT_FOUND, closing the
 * server ends them all with UNAVAILABLE (clients resume on another gateway). One timer sends every
 * subscription its heartbeat, so an idle subscription costs one small object and no timer of its own.
 */
import { performance } from 'node:perf_hooks';
import { CacheError, type Clock, ErrorCode } from '@cachette/core';
import {
  type PublishedAt,
  type TopicBus,
  type TopicResumePoint,
  type TopicValue,
  topicValueBytes,
} from '@cachette/engine';
import type { MetadataStore } from '@cachette/metadata';
import { CacheDirectory } from './cache-directory.ts';
import type { RequestLimiter } from './cache-service.ts';
import { noopObserver, type Operation, type OperationObserver } from './observer.ts';
import type { Principal } from './principal.ts';
import { type TopicLimits, validateTopicName } from './topic-limits.ts';

export { validateTopicName } from './topic-limits.ts';

import { authorizeTopic } from './topic-permissions.ts';
import { type SubscriptionOwner, type TopicSink, TopicSubscription } from './topic-subscription.ts';

export type { TopicSink } from './topic-subscription.ts';
export { TopicSubscription } from './topic-subscription.ts';

/** Told about every message published through this gateway (webhooks listen here). */
export type PublishListener = (
  accountId: string,
  cacheName: string,
  cacheId: string,
  topic: string,
  value: TopicValue,
  published: PublishedAt,
  publisherId: string,
) => void;

export interface TopicServiceOptions {
  readonly bus: TopicBus;
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  readonly limits: TopicLimits;
  readonly observer?: OperationObserver;
  /** The plan's per-cache rate and throughput apply to publishes too (Momento: "all cache limits apply"). */
  readonly limiter?: RequestLimiter;
  /** The account's plan's topic limits, which narrow the server's; absent = the server's settings only. */
  readonly planLimits?: (accountId: string) => PlanTopicLimits | Promise<PlanTopicLimits>;
}

/** Topic limits a plan may set (`undefined`/`null` = the server's setting). */
export interface PlanTopicLimits {
  readonly maxTopicPublishesPerSecond?: number | null;
  readonly maxTopicSubscriptionsPerCache?: number | null;
  readonly maxTopicMessageBytes?: number | null;
}

const NO_PLAN_LIMITS: PlanTopicLimits = {};

/** The smaller of a server limit and a plan's (when the plan sets one). */
function narrower(server: number, plan: number | null | undefined): number {
  return plan === null || plan === undefined ? server : Math.min(server, plan);
}

type Bucket = { tokens: number; lastMs: number };
const MAX_BUCKETS = 100_000;

function topicKey(cacheId: string, topic: string): string {
  return `${cacheId}\n${topic}`;
}

function validateResume(resume: TopicResumePoint): void {
  for (const [what, n] of [
    ['resume_at_topic_sequence_number', resume.sequence],
    ['sequence_page', resume.page],
  ] as const) {
    if (!Number.isSafeInteger(n) || n < 0) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${what} must be a non-negative integer below 2^53; got ${n}`);
    }
  }
}

/** What a publish assigned, and how many subscribers on this gateway it was delivered to. */
export interface Published extends PublishedAt {
  /**
   * Subscriptions of the topic on this gateway (every transport) when it was published: Redis's PUBLISH
   * reply. Subscribers on other gateways of a cluster are not counted (Redis Cluster counts node-local too).
   */
  readonly localSubscribers: number;
}

/** Topics of every cache, for any transport. */
export class TopicService implements SubscriptionOwner {
  private readonly directory: CacheDirectory;
  private readonly observer: OperationObserver;
  /** cache id → its live subscriptions on this gateway. */
  private readonly byCache = new Map<string, Set<TopicSubscription>>();
  /** `cacheId \n topic` → live subscriptions of that topic on this gateway (PUBLISH's count). */
  private readonly byTopic = new Map<string, number>();
  private readonly buckets = new Map<string, Bucket>();
  private readonly publishListeners: PublishListener[] = [];
  private readonly heartbeats: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly options: TopicServiceOptions) {
    this.directory = new CacheDirectory(options.metadata, options.clock);
    this.observer = options.observer ?? noopObserver;
    const every = options.limits.heartbeatIntervalMs;
    if (every > 0) {
      this.heartbeats = setInterval(() => this.heartbeat(), every);
      this.heartbeats.unref();
    }
  }

  /** Publishes `value` to `topic` of `cache`; resolves with the sequence number it got. */
  async publish(principal: Principal, cache: string, topic: string, value: TopicValue): Promise<Published> {
    const t0 = performance.now();
    try {
      validateTopicName(topic);
      const bytes = topicValueBytes(value);
      const plan = await this.planOf(principal.accountId);
      const max = narrower(this.options.limits.maxMessageBytes, plan.maxTopicMessageBytes);
      if (bytes > max) {
        throw new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `message of ${bytes} bytes exceeds the topic message size limit of ${max} bytes`,
          'request_size_limit_exceeded',
        );
      }
      const record = await this.admit(principal, cache, topic, 'publish');
      if (this.options.limiter) await this.options.limiter.admit(principal, record, bytes, bytes, 0);
      this.takePublishToken(
        record.id,
        narrower(this.options.limits.publishesPerSecond, plan.maxTopicPublishesPerSecond),
      );
      const publisherId = '';
      const localSubscribers = this.byTopic.get(topicKey(record.id, topic)) ?? 0;
      const published = await this.options.bus.publish(record.id, topic, value, publisherId);
      this.observer.observe('topicPublish', principal.accountId, cache, 'ok', performance.now() - t0, bytes, 0);
      for (const listener of this.publishListeners) {
        listener(principal.accountId, cache, record.id, topic, value, published, publisherId);
      }
      return { sequence: published.sequence, page: published.page, localSubscribers };
    } catch (e) {
      throw this.failed('topicPublish', principal, cache, t0, e);
    }
  }

  /**
   * Subscribes `sink` to `topic` of `cache` from `resume` (sequence 0: from now). The sink first gets what
   * the replay window holds from `resume` on (or a discontinuity), then a heartbeat, then live messages.
   * The transport calls `drained()` on the returned subscription when its buffer empties and `close()`
   * when the client goes away.
   */
  async subscribe(
    principal: Principal,
    cache: string,
    topic: string,
    resume: TopicResumePoint,
    sink: TopicSink,
  ): Promise<TopicSubscription> {
    const t0 = performance.now();
    try {
      validateTopicName(topic);
      validateResume(resume);
      if (this.closing) throw new CacheError(ErrorCode.UNAVAILABLE, 'the server is shutting down; subscribe again');
      const record = await this.admit(principal, cache, topic, 'subscribe');
      let subs = this.byCache.get(record.id);
      const plan = await this.planOf(principal.accountId);
      const max = narrower(this.options.limits.maxSubscriptionsPerCache, plan.maxTopicSubscriptionsPerCache);
      if (subs !== undefined && subs.size >= max) {
        throw new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `cache '${cache}' already has ${subs.size} topic subscriptions on this server, the maximum; unsubscribe one first`,
          'topic_subscriptions_limit_exceeded',
        );
      }
      const { maxQueuedMessages, maxQueuedBytes } = this.options.limits;
      const sub = new TopicSubscription(
        sink,
        this,
        record.id,
        principal.accountId,
        cache,
        topic,
        maxQueuedMessages,
        maxQueuedBytes,
      );
      if (subs === undefined) {
        subs = new Set();
        this.byCache.set(record.id, subs);
      }
      subs.add(sub); // counted before the bus call, so concurrent subscribes cannot overshoot the limit
      const key = topicKey(record.id, topic);
      this.byTopic.set(key, (this.byTopic.get(key) ?? 0) + 1);
      try {
        sub.bus = await this.options.bus.subscribe(record.id, topic, resume, sub);
      } catch (e) {
        sub.close();
        throw e;
      }
      sub.heartbeat(); // the SDK's subscribe resolves on the first message: answer at once
      this.observer.observe('topicSubscribe', principal.accountId, cache, 'ok', performance.now() - t0, 0, 0);
      return sub;
    } catch (e) {
      throw this.failed('topicSubscribe', principal, cache, t0, e);
    }
  }

  /** Registers a listener for every publish through this gateway (webhook delivery). */
  onPublish(listener: PublishListener): void {
    this.publishListeners.push(listener);
  }

  /** Live subscriptions on this gateway, all caches. */
  subscriptionCount(): number {
    let n = 0;
    for (const subs of this.byCache.values()) n += subs.size;
    return n;
  }

  /** A cache was deleted: its subscriptions end with NOT_FOUND and its topics are forgotten. */
  cacheDeleted(cacheId: string, cacheName: string): void {
    const subs = this.byCache.get(cacheId);
    if (subs !== undefined) {
      const error = new CacheError(ErrorCode.NOT_FOUND, `cache '${cacheName}' was deleted`);
      for (const sub of [...subs]) sub.end(error);
    }
    this.options.bus.dropNamespace(cacheId).catch(() => {
      // Best effort: a deleted cache's topic state also ages out of the bus.
    });
  }

  /**
   * Another gateway changed caches: forget resolved names, and end the subscriptions of caches that no
   * longer exist.
   */
  async forgetCaches(): Promise<void> {
    this.directory.clear();
    for (const [cacheId, subs] of [...this.byCache]) {
      const any = subs.values().next().value;
      if (any === undefined) continue;
      const record = await this.options.metadata.getCache(any.accountId, any.cacheName).catch(() => null);
      if (record === undefined || (record !== null && record.id !== cacheId)) this.cacheDeleted(cacheId, any.cacheName);
    }
  }

  /** Ends every subscription with UNAVAILABLE (clients resume elsewhere) and stops the heartbeats. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeats) clearInterval(this.heartbeats);
    const error = new CacheError(ErrorCode.UNAVAILABLE, 'the server is shutting down; resubscribe to resume');
    for (const subs of [...this.byCache.values()]) for (const sub of [...subs]) sub.end(error);
    await this.options.bus.close();
  }

  // ── SubscriptionOwner ───────────────────────────────────────────────────────────────────────

  delivered(sub: TopicSubscription, bytes: number): void {
    this.observer.observe('topicDeliver', sub.accountId, sub.cacheName, 'ok', 0, 0, bytes);
  }

  removed(sub: TopicSubscription): void {
    const subs = this.byCache.get(sub.cacheId);
    if (subs === undefined || !subs.delete(sub)) return;
    if (subs.size === 0) this.byCache.delete(sub.cacheId);
    const key = topicKey(sub.cacheId, sub.topic);
    const n = (this.byTopic.get(key) ?? 1) - 1;
    if (n > 0) this.byTopic.set(key, n);
    else this.byTopic.delete(key);
  }

  // ── internals ────────────────────────────────────────────────────────────────────────────────

  private heartbeat(): void {
    for (const subs of this.byCache.values()) for (const sub of subs) sub.heartbeat();
  }

  private async admit(principal: Principal, cache: string, topic: string, action: 'publish' | 'subscribe') {
    if (cache === '') throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'cache name must not be empty');
    authorizeTopic(principal, cache, topic, action);
    return this.directory.resolve(principal.accountId, cache);
  }

  private planOf(accountId: string): PlanTopicLimits | Promise<PlanTopicLimits> {
    return this.options.planLimits === undefined ? NO_PLAN_LIMITS : this.options.planLimits(accountId);
  }

  /** Token bucket per cache: `rate` publishes per second, with a burst of one second's worth. */
  private takePublishToken(cacheId: string, rate: number): void {
    const now = this.options.clock.nowMs();
    let b = this.buckets.get(cacheId);
    if (b === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
      b = { tokens: rate, lastMs: now };
      this.buckets.set(cacheId, b);
    } else {
      b.tokens = Math.min(rate, b.tokens + ((now - b.lastMs) * rate) / 1000);
      b.lastMs = now;
    }
    if (b.tokens < 1) {
      const retryAfterS = Math.max(1, Math.ceil((1 - b.tokens) / rate));
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `publish rate limit of ${rate} messages per second for this cache exceeded; retry in ${retryAfterS} s`,
        'operations_rate_limit_exceeded',
        retryAfterS,
      );
    }
    b.tokens -= 1;
  }

  private failed(op: Operation, principal: Principal, cache: string, t0: number, e: unknown): unknown {
    const error = e;
    const outcome = error instanceof CacheError ? error.code : ErrorCode.INTERNAL;
    this.observer.observe(op, principal.accountId, cache, outcome, performance.now() - t0, 0, 0);
    return error;
  }
}
