/**
 * @module service/topic-subscription
 * One subscriber, between the bus and a transport's sink. Delivers straight through while the sink keeps
 * up; when the sink reports a full buffer, later messages wait in a bounded queue until the sink drains.
 * A queue that would grow past its bounds is dropped and replaced by one discontinuity (from the last
 * message the subscriber got to the last one dropped), so a slow subscriber costs bounded memory and
 * learns exactly what it missed. Heartbeats are only sent to subscriptions that are keeping up.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { TopicBusSubscription, TopicListener, TopicMessage } from '@cachette/engine';

/**
 * Where a subscription's events go: implemented by each transport (a gRPC stream, a RESP connection, …).
 * Each method returns `false` when the transport's buffer is full; the subscription then queues until the
 * transport calls {@link TopicSubscription.drained}.
 */
export interface TopicSink {
  item(message: TopicMessage): boolean;
  discontinuity(lastSequence: number, newSequence: number, page: number): boolean;
  heartbeat(): boolean;
  /**
   * Optional: the subscriber fell so far behind that queued messages were just dropped (it will get a
   * discontinuity once it drains). Transports without discontinuities (RESP) disconnect it here, at once.
   */
  overflowed?(): void;
  /**
   * The server ended the subscription: NOT_FOUND when its cache was deleted, UNAVAILABLE when the server
   * shuts down or lost its bus (subscribers resume elsewhere). Not called after the transport's own close.
   */
  end(error: CacheError): void;
}

/** What the service needs to know as a subscription delivers and ends. */
export interface SubscriptionOwner {
  /** Counts bytes delivered (metering). */
  delivered(subscription: TopicSubscription, bytes: number): void;
  /** The subscription is over (either side); forget it. */
  removed(subscription: TopicSubscription): void;
}

type Gap = { lastSequence: number; newSequence: number; page: number };

/** A live subscription; the transport calls {@link drained} and {@link close}. */
export class TopicSubscription implements TopicListener {
  /** Set once the bus subscription exists. */
  bus: TopicBusSubscription | undefined;
  private paused = false;
  private closed = false;
  /** Allocated on the first backlog only: an idle or fast subscription holds no array. */
  private queue: TopicMessage[] | undefined;
  private queuedBytes = 0;
  private gap: Gap | undefined;
  private lastSequence = 0;

  constructor(
    private readonly sink: TopicSink,
    private readonly owner: SubscriptionOwner,
    /** The cache's id (engine namespace), for ending every subscription of a deleted cache. */
    readonly cacheId: string,
    readonly accountId: string,
    readonly cacheName: string,
    readonly topic: string,
    private readonly maxQueuedMessages: number,
    private readonly maxQueuedBytes: number,
  ) {}

  message(m: TopicMessage): void {
    if (this.closed) return;
    if (!this.paused && this.gap === undefined && (this.queue === undefined || this.queue.length === 0)) {
      this.send(m);
      return;
    }
    if (this.queue === undefined) this.queue = [];
    const queue = this.queue;
    if (queue.length >= this.maxQueuedMessages || this.queuedBytes + m.bytes > this.maxQueuedBytes) {
      // Drop the backlog and this message: the subscriber will learn of the gap instead.
      this.gap = {
        lastSequence: this.gap?.lastSequence ?? this.lastSequence,
        newSequence: m.sequence,
        page: m.page,
      };
      queue.length = 0;
      this.queuedBytes = 0;
      this.sink.overflowed?.();
      return;
    }
    queue.push(m);
    this.queuedBytes += m.bytes;
  }

  discontinuity(lastSequence: number, newSequence: number, page: number): void {
    if (this.closed) return;
    if (!this.paused && this.gap === undefined && (this.queue === undefined || this.queue.length === 0)) {
      this.lastSequence = newSequence;
      this.paused = !this.sink.discontinuity(lastSequence, newSequence, page);
      return;
    }
    // Behind a backlog: fold it into the pending gap (the queued messages precede it, so drop them too).
    this.gap = { lastSequence: this.gap?.lastSequence ?? this.lastSequence, newSequence, page };
    if (this.queue) this.queue.length = 0;
    this.queuedBytes = 0;
  }

  lost(reason: string): void {
    this.end(
      new CacheError(ErrorCode.UNAVAILABLE, `topic subscription interrupted (${reason}); resubscribe to resume`),
    );
  }

  /** Sends a heartbeat unless the sink is behind (a backlog tells the client more than a heartbeat). */
  heartbeat(): void {
    if (this.closed || this.paused) return;
    this.paused = !this.sink.heartbeat();
  }

  /** The transport's buffer has room again: flush the gap and the queue, in order, while it lasts. */
  drained(): void {
    if (this.closed) return;
    this.paused = false;
    const gap = this.gap;
    if (gap !== undefined) {
      this.gap = undefined;
      this.lastSequence = gap.newSequence;
      this.paused = !this.sink.discontinuity(gap.lastSequence, gap.newSequence, gap.page);
    }
    const queue = this.queue;
    if (queue === undefined) return;
    let i = 0;
    while (i < queue.length && !this.paused) {
      const m = queue[i++] as TopicMessage;
      this.queuedBytes -= m.bytes;
      this.send(m);
    }
    queue.splice(0, i);
    if (queue.length === 0) this.queue = undefined;
  }

  /** The transport is done (client cancelled or disconnected): nothing more is sent. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = undefined;
    this.bus?.close();
    this.owner.removed(this);
  }

  /** The server ends the subscription with `error` (cache deleted, shutdown). */
  end(error: CacheError | undefined): void {
    if (this.closed) return;
    this.close();
    if (error) this.sink.end(error);
  }

  private send(m: TopicMessage): void {
    this.lastSequence = m.sequence;
    this.paused = !this.sink.item(m);
    this.owner.delivered(this, m.bytes);
  }
}
