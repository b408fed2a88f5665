/**
 * A subscriber that stops reading (a raw grpc-js stream, paused) against a real server: once HTTP/2 flow
 * control and the stream's buffer are full, the server queues at most `maxQueuedMessages` for it, then
 * drops the backlog for one discontinuity. When the client reads again it gets what was buffered, the
 * discontinuity naming exactly the numbers it missed, and then the rest, in order.
 */
import { pubsub } from '@gomomento/generated-types';
import { TopicPublish } from '@gomomento/sdk';
import { credentials, Metadata } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultTopicLimits } from '../src/service/topic-limits.ts';
import { type Booted, boot } from './support/boot.ts';
import { topicClient } from './support/topics.ts';

const pb = pubsub.cache_client.pubsub;
let b: Booted;

beforeAll(async () => {
  b = await boot({
    topics: {
      ...defaultTopicLimits,
      publishesPerSecond: 1_000_000,
      maxQueuedMessages: 50,
      heartbeatIntervalMs: 60_000,
    },
  });
  expect((await (await b.client()).createCache('slow')).type).toBe('Success');
});
afterAll(async () => {
  await b.stop();
});

type Event = { kind: 'item'; sequence: number } | { kind: 'gap'; last: number; next: number } | { kind: 'heartbeat' };

it('a paused subscriber gets a bounded backlog, then one discontinuity, then the rest in order', {
  timeout: 120_000,
}, async () => {
  const client = new pb.PubsubClient(b.server.grpcAddress, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key);
  const call = client.Subscribe(new pb._SubscriptionRequest({ cache_name: 'slow', topic: 't' }), metadata);
  const events: Event[] = [];
  let wake: (() => void) | undefined;
  call.on('data', (item: InstanceType<typeof pb._SubscriptionItem>) => {
    if (item.has_item) events.push({ kind: 'item', sequence: item.item.topic_sequence_number });
    else if (item.has_discontinuity)
      events.push({
        kind: 'gap',
        last: item.discontinuity.last_topic_sequence,
        next: item.discontinuity.new_topic_sequence,
      });
    else events.push({ kind: 'heartbeat' });
    wake?.();
  });
  call.on('error', () => undefined);
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise<void>((resolve) => (wake = resolve));
  };
  await until(() => events.length > 0); // the first heartbeat: subscribed
  call.pause();

  const publisher = topicClient(b.server.grpcAddress, b.server.devApiKey);
  const TOTAL = 1500;
  const body = 'x'.repeat(4000);
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < TOTAL) {
        next += 1;
        const r = await publisher.publish('slow', 't', body);
        if (!(r instanceof TopicPublish.Success)) throw new Error(r.toString());
      }
    }),
  );
  call.resume();
  await until(() => events.some((e) => e.kind === 'item' && e.sequence === TOTAL));
  call.cancel();
  client.close();

  const seen = events.filter((e) => e.kind !== 'heartbeat');
  const gaps = seen.filter((e): e is Extract<Event, { kind: 'gap' }> => e.kind === 'gap');
  expect(gaps.length).toBeGreaterThanOrEqual(1);
  // Every event continues exactly where the previous one left off: nothing duplicated, nothing silently lost.
  let last = 0;
  for (const e of seen) {
    if (e.kind === 'item') {
      expect(e.sequence).toBe(last + 1);
      last = e.sequence;
    } else if (e.kind === 'gap') {
      expect(e.last).toBe(last);
      expect(e.next).toBeGreaterThan(last);
      last = e.next;
    }
  }
  expect(last).toBe(TOTAL);
  // The server never held more than the transport's buffer plus 50 queued messages for this subscriber.
  expect(seen.filter((e) => e.kind === 'item').length).toBeLessThan(TOTAL);
});
