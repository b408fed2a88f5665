/**
 * @module service/topic-limits
 * Momento Topics' published limits (docs.momentohq.com "Service Limits"): 4 KiB messages, 100 subscribers
 * per cache; the publish rate is ours (Momento's 10/s per cache is too tight for a local server), and every
 * value is a server setting.
 */
import { CacheError, ErrorCode } from '@cachette/core';

/** Limits the topic service enforces. */
export interface TopicLimits {
  /** Largest message, in bytes (UTF-8 for text). Momento: 4 KiB. */
  readonly maxMessageBytes: number;
  /** Concurrent subscriptions per cache, on this gateway. Momento: 100. */
  readonly maxSubscriptionsPerCache: number;
  /** Publishes per second per cache (token bucket, burst of one second). */
  readonly publishesPerSecond: number;
  /**
   * Messages one slow subscriber may have queued before the oldest are dropped and it gets a
   * discontinuity instead; bounds memory per subscriber.
   */
  readonly maxQueuedMessages: number;
  /** Bytes one slow subscriber may have queued (same rule). */
  readonly maxQueuedBytes: number;
  /** How often an idle subscription is sent a heartbeat, in ms. */
  readonly heartbeatIntervalMs: number;
}

export const defaultTopicLimits: TopicLimits = {
  maxMessageBytes: 4096,
  maxSubscriptionsPerCache: 100,
  publishesPerSecond: 100,
  maxQueuedMessages: 1024,
  maxQueuedBytes: 1024 * 1024,
  heartbeatIntervalMs: 5000,
};

/** Longest topic name, in characters. */
export const MAX_TOPIC_NAME_LENGTH = 255;

/** A control character in a topic name is a mistake (or an attack on logs), never a topic. */
function hasControlCharacter(topic: string): boolean {
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Throws INVALID_ARGUMENT unless `topic` is a usable topic name. */
export function validateTopicName(topic: string): void {
  if (topic.length === 0) throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'topic name must not be empty');
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `invalid topic name: it is ${topic.length} characters; the maximum is ${MAX_TOPIC_NAME_LENGTH}`,
    );
  }
  if (hasControlCharacter(topic)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'invalid topic name: it must not contain control characters');
  }
}
