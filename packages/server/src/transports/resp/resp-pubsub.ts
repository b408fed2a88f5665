/**
 * @module transports/resp/resp-pubsub
 * One connection's channel subscriptions: each channel is a topic of the connection's cache, subscribed
 * through the {@link TopicService} (so permissions, the subscriptions-per-cache limit and delivery metering
 * are those of gRPC), with a {@link TopicSink} that writes Redis `message` pushes into the connection's
 * output buffer.
 *
 * Ordering: a push is never written while a command is awaiting the service (its reply may be partly
 * written); it is held, and its subscription paused, until the command has answered. Each subscription
 * holds at most one such message, since a paused subscription queues in the topic service instead.
 *
 * Backpressure: once the connection's unsent bytes (writer + socket) reach the listener's output bound, the
 * sink answers `false` and the subscription queues, bounded, in the topic service; the socket's `drain`
 * resumes them. A subscriber so slow that the service had to drop messages (its queue overflowed) is
 * disconnected at once, as Redis disconnects a subscriber past `client-output-buffer-limit pubsub`: Redis's
 * pub/sub has no way to say "you missed some", and a silent gap would be worse than a reconnect.
 * The server ending a subscription (its cache deleted: NOT_FOUND; shutdown: UNAVAILABLE) closes the
 * connection without a reply: Redis never sends an unsolicited error, and clients in subscriber mode
 * cannot take one (ioredis throws "Command queue state error" from its socket handler). Clients reconnect
 * and resubscribe; on a deleted cache that SUBSCRIBE answers the NOT_FOUND error, which says why.
 */
import { isUtf8 } from 'node:buffer';
import type { TopicMessage, TopicValue } from '@cachette/engine';
import type { TopicSink, TopicSubscription } from '../../service/topic-service.ts';
import type { RespConnection } from './resp-connection.ts';

/** Subscriptions start from now: Redis subscribers get what is published after they subscribed. */
export const FROM_NOW = { sequence: 0, page: 0 } as const;

/**
 * A published argument as a topic value: text when it is valid UTF-8 (so Momento SDK subscribers see a
 * string, as they would from `publish(cache, topic, 'text')`), else bytes. Either way a Redis subscriber
 * gets the exact bytes back (valid UTF-8 decodes and re-encodes to itself). Copied: the parser reuses argv.
 */
export function topicValueOf(b: Buffer): TopicValue {
  return isUtf8(b) ? b.toString('utf8') : Uint8Array.prototype.slice.call(b);
}

/** One channel of one connection. */
export class ChannelSink implements TopicSink {
  /** Set once the topic service answered the subscribe. */
  sub: TopicSubscription | undefined;
  closed = false;

  constructor(
    private readonly owner: RespPubSub,
    /** The channel as the client spelled it (echoed back byte for byte). */
    readonly name: Buffer,
  ) {}

  item(message: TopicMessage): boolean {
    return this.owner.deliver(this, message.value);
  }

  discontinuity(): boolean {
    this.owner.tooSlow();
    return false;
  }

  overflowed(): void {
    this.owner.tooSlow();
  }

  heartbeat(): boolean {
    return this.owner.hasRoom();
  }

  end(): void {
    this.closed = true;
    this.owner.ended();
  }

  /** Unsubscribes (idempotent). */
  close(): void {
    this.closed = true;
    this.sub?.close();
  }
}

/** The subscriptions of one connection; created on its first SUBSCRIBE. */
export class RespPubSub {
  /** Topic name → its channel; a channel is in here from the start of its SUBSCRIBE. */
  readonly channels = new Map<string, ChannelSink>();
  /** Messages that arrived while a command was awaiting, in arrival order. */
  private held: [ChannelSink, TopicValue][] = [];
  /** Channels whose subscription waits for room before delivering more. */
  private readonly paused = new Set<ChannelSink>();
  private flushScheduled = false;
  private closed = false;

  constructor(private readonly c: RespConnection) {}

  /** Subscribed channels (Redis's count in confirmations). */
  get count(): number {
    return this.channels.size;
  }

  /** Whether the connection is gone (a SUBSCRIBE that resolves afterwards must close its subscription). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Writes `["message", channel, value]`, or holds it while a command is mid-reply. */
  deliver(sink: ChannelSink, value: TopicValue): boolean {
    if (sink.closed || this.closed) return true;
    if (this.c.awaiting) {
      this.held.push([sink, value]);
      this.paused.add(sink);
      return false;
    }
    this.write(sink.name, value);
    if (this.hasRoom()) return true;
    this.paused.add(sink);
    return false;
  }

  /** Whether the connection's unsent bytes are below the listener's bound. */
  hasRoom(): boolean {
    return this.c.unsentBytes < this.c.ctx.maxPendingOutputBytes;
  }

  /** Writes held messages and lets paused subscriptions deliver, while there is room. */
  resume(): void {
    if (this.closed || this.c.awaiting) return;
    if (this.held.length > 0) {
      const held = this.held;
      this.held = [];
      for (const [sink, value] of held) if (!sink.closed) this.write(sink.name, value);
    }
    for (const sink of [...this.paused]) {
      if (!this.hasRoom()) return;
      this.paused.delete(sink);
      if (!sink.closed) sink.sub?.drained();
    }
  }

  /** The topic service dropped messages for this subscriber: disconnect it, as Redis does. */
  tooSlow(): void {
    this.closeAll();
    this.c.socket.destroy();
  }

  /** The server ended a subscription (cache deleted, shutdown): close the connection after its replies. */
  ended(): void {
    if (this.closed) return;
    this.closeAll();
    this.c.shutdown();
  }

  /** UNSUBSCRIBE of one channel; false when it was not subscribed. */
  unsubscribe(topic: string): boolean {
    const sink = this.channels.get(topic);
    if (sink === undefined) return false;
    this.channels.delete(topic);
    this.paused.delete(sink);
    sink.close();
    return true;
  }

  /** Connection closed or RESET: every subscription ends, nothing more is written. */
  closeAll(): void {
    this.closed = true;
    this.held = [];
    this.paused.clear();
    for (const sink of this.channels.values()) sink.close();
    this.channels.clear();
  }

  private write(name: Buffer, value: TopicValue): void {
    const out = this.c.out;
    out.push(3);
    out.bulkText('message');
    out.bulk(name);
    if (typeof value === 'string') out.bulkText(value);
    else out.bulk(value);
    this.scheduleFlush();
  }

  /** Pushes outside a command leave in one write per event-loop turn; inside one, the pump flushes. */
  private scheduleFlush(): void {
    if (this.flushScheduled || this.c.pumping) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    this.flushScheduled = false;
    const c = this.c;
    if (this.closed || c.pumping || c.socket.destroyed) return;
    c.out.flush(c.socket);
    this.resume();
  };
}
