/**
 * @module transports/resp/commands/pubsub-commands
 * PUBLISH, SUBSCRIBE, UNSUBSCRIBE onto the topic service: a channel is a topic of the connection's cache.
 * Replies are Redis's: `subscribe`/`unsubscribe` confirmations with the connection's channel count, pushes
 * (`>` in RESP3, arrays in RESP2). PUBLISH answers the subscribers of the topic on this gateway (every
 * transport), as Redis Cluster answers node-local counts. Momento topics have no pattern subscriptions, so
 * PSUBSCRIBE is refused; PUNSUBSCRIBE answers as Redis does for a connection with no patterns (clients send
 * it on reconnect and RESET-like paths).
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { RespConnection } from '../resp-connection.ts';
import { ChannelSink, FROM_NOW, topicValueOf } from '../resp-pubsub.ts';

export async function publish(c: RespConnection, argv: Buffer[]): Promise<void> {
  const published = await c.ctx.topics.publish(c.p, c.cache, argv[1]!.toString('utf8'), topicValueOf(argv[2]!));
  c.out.integer(published.localSubscribers);
}

function confirm(c: RespConnection, kind: string, channel: Buffer | undefined, count: number): void {
  const out = c.out;
  out.push(3);
  out.bulkText(kind);
  out.bulk(channel);
  out.integer(count);
}

/**
 * SUBSCRIBE channel…: one confirmation per channel. A refused channel (limit, permission, bad name) is
 * answered with its error and ends the command: the channels before it stay subscribed.
 */
export async function subscribe(c: RespConnection, argv: Buffer[]): Promise<void> {
  const ps = c.subscriptions();
  const principal = c.p;
  const cache = c.cache;
  const names = argv.slice(1).map((b) => Buffer.from(b)); // argv is the parser's; it is reused after us
  for (const name of names) {
    const topic = name.toString('utf8');
    if (!ps.channels.has(topic)) {
      const sink = new ChannelSink(ps, name);
      ps.channels.set(topic, sink);
      try {
        sink.sub = await c.ctx.topics.subscribe(principal, cache, topic, FROM_NOW, sink);
      } catch (e) {
        if (ps.channels.get(topic) === sink) ps.channels.delete(topic);
        c.fail(e);
        return;
      }
      // The connection closed (or RESET ran) while subscribing: do not keep the subscription.
      if (ps.isClosed || sink.closed) {
        sink.close();
        return;
      }
    }
    confirm(c, 'subscribe', name, ps.count);
  }
}

/** UNSUBSCRIBE [channel…]: none named means all; with no subscriptions at all, one `(nil) 0` confirmation. */
export function unsubscribe(c: RespConnection, argv: Buffer[]): void {
  const ps = c.pubsub;
  const names = argv.length > 1 ? argv.slice(1) : ps === undefined ? [] : [...ps.channels.values()].map((s) => s.name);
  if (names.length === 0) {
    confirm(c, 'unsubscribe', undefined, ps?.count ?? 0);
    return;
  }
  for (const name of names) {
    ps?.unsubscribe(name.toString('utf8'));
    confirm(c, 'unsubscribe', name, ps?.count ?? 0);
  }
}

export function psubscribe(): void {
  throw new CacheError(
    ErrorCode.UNIMPLEMENTED,
    'PSUBSCRIBE is not supported: Momento topics have no pattern subscriptions; SUBSCRIBE to each channel',
  );
}

/** PUNSUBSCRIBE [pattern…]: there are never pattern subscriptions, so each is confirmed with the channel count. */
export function punsubscribe(c: RespConnection, argv: Buffer[]): void {
  const count = c.pubsub?.count ?? 0;
  if (argv.length === 1) {
    confirm(c, 'punsubscribe', undefined, count);
    return;
  }
  for (let i = 1; i < argv.length; i++) confirm(c, 'punsubscribe', argv[i], count);
}
