/**
 * @module topic-bus
 * The topic bus contract: Momento Topics' publish/subscribe beside the cache engine, never stored as items.
 * A bus numbers each topic's messages (1, 2, 3, … within a *sequence page*), keeps a short replay window so
 * a reconnecting subscriber can resume where it left off, and fans messages out to subscribers in order.
 * It knows nothing about accounts, permissions, limits or protocols: namespaces are cache ids, as for
 * engines. Slow subscribers are the service's concern (it buffers and reports discontinuities); a listener
 * must return quickly.
 */

/** A message body: text (UTF-8 on the wire) or bytes, as the publisher sent it. */
export type TopicValue = string | Uint8Array;

/** One published message, shared by every subscriber that receives it (never mutate). */
export interface TopicMessage {
  /** Position in the topic, from 1, without gaps within one {@link page}. */
  readonly sequence: number;
  /**
   * Identifies one numbering of the topic: when a topic's state is lost (idle topic pruned, gateway or
   * cluster restart) numbering restarts on a new page, and a subscriber resuming on the old page gets a
   * discontinuity instead of wrong messages.
   */
  readonly page: number;
  readonly value: TopicValue;
  /** Id of the key that published it (Momento's `publisher_id`/token id); may be empty. */
  readonly publisherId: string;
  /** Size of the value in bytes (UTF-8 for text), computed once at publish. */
  readonly bytes: number;
}

/** Where a subscription starts: sequence 0 means "from now" (no replay). */
export interface TopicResumePoint {
  /** The first sequence the subscriber wants (Momento's `resume_at_topic_sequence_number`). */
  readonly sequence: number;
  /** The page that sequence belongs to (Momento's `sequence_page`). */
  readonly page: number;
}

/** Receives one subscription's messages, in sequence order. Called synchronously; must not block. */
export interface TopicListener {
  message(message: TopicMessage): void;
  /**
   * Messages after `lastSequence` up to and including `newSequence` will never arrive (they fell out of
   * the replay window, or the topic restarted on `page`); the next message is `newSequence + 1` on `page`.
   */
  discontinuity(lastSequence: number, newSequence: number, page: number): void;
  /**
   * The bus can no longer deliver this subscription (its connection to a shared bus broke); it is closed.
   * Subscribers resume elsewhere from their last sequence.
   */
  lost?(reason: string): void;
}

/** One subscription; closing it is idempotent. */
export interface TopicBusSubscription {
  close(): void;
}

/** What a publish assigned. */
export interface PublishedAt {
  readonly sequence: number;
  readonly page: number;
}

/** Publish/subscribe per (namespace, topic). */
export interface TopicBus {
  /** Numbers `value` and delivers it to every current subscriber of the topic, on every gateway. */
  publish(namespace: string, topic: string, value: TopicValue, publisherId: string): Promise<PublishedAt>;
  /**
   * Starts delivering the topic's messages to `listener`: first what `resume` asks for from the replay
   * window (or a discontinuity when the window cannot serve it), then live messages, without gaps or
   * duplicates between the two.
   */
  subscribe(
    namespace: string,
    topic: string,
    resume: TopicResumePoint,
    listener: TopicListener,
  ): Promise<TopicBusSubscription>;
  /** Forgets every topic of a namespace (its cache was deleted). Subscriptions are the service's to end. */
  dropNamespace(namespace: string): Promise<void>;
  close(): Promise<void>;
}

/** Byte size of a value as published (UTF-8 for text). */
export function topicValueBytes(value: TopicValue): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : value.byteLength;
}

/**
 * Where a resuming subscriber starts, given the topic's state: `replayFrom` is the first sequence to
 * replay from the window (none when greater than `lastSequence`), `gap` a discontinuity to report first.
 * `oldestSequence` is the oldest message still in the window (`lastSequence + 1` when it is empty).
 */
export function planResume(
  resume: TopicResumePoint,
  page: number,
  oldestSequence: number,
  lastSequence: number,
): { replayFrom: number; gap?: { lastSequence: number; newSequence: number } } {
  const live = lastSequence + 1;
  if (resume.sequence <= 0) return { replayFrom: live };
  const last = resume.sequence - 1;
  // Another numbering, or a sequence the topic never reached: everything the client knows is stale.
  if (resume.page !== page || resume.sequence > live) {
    return { replayFrom: live, gap: { lastSequence: last, newSequence: lastSequence } };
  }
  if (resume.sequence >= oldestSequence) return { replayFrom: resume.sequence };
  return { replayFrom: oldestSequence, gap: { lastSequence: last, newSequence: oldestSequence - 1 } };
}
