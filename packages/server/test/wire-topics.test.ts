/**
 * The official `TopicClient` (@gomomento/sdk) against a server booted in-process: publish and subscribe,
 * ordering and sequence numbers, heartbeats, resume after a broken connection (through a TCP proxy the
 * test cuts), clean ends on unsubscribe, cache deletion and shutdown, and the errors Momento answers.
 */
import { type CacheClient, MomentoErrorCode, type TopicClient, TopicPublish, TopicSubscribe } from '@gomomento/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TcpProxy } from '../../metadata/test/tcp-proxy.ts';
import { defaultTopicLimits } from '../src/service/topic-limits.ts';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { Recorder, subscribed, topicClient } from './support/topics.ts';

let b: Booted;
let cacheClient: CacheClient;
let topics: TopicClient;
let cache: string;

beforeAll(async () => {
  b = await boot({ topics: { ...defaultTopicLimits, publishesPerSecond: 100_000 } });
  cacheClient = await b.client();
  topics = topicClient(b.server.grpcAddress, b.server.devApiKey);
});
afterAll(async () => {
  await b.stop();
});
beforeEach(async () => {
  cache = uniqueName();
  expect((await cacheClient.createCache(cache)).type).toBe('Success');
});

async function publish(topic: string, value: string | Uint8Array, c = cache): Promise<void> {
  const r = await topics.publish(c, topic, value);
  if (!(r instanceof TopicPublish.Success)) throw new Error(`publish failed: ${r.toString()}`);
}

describe('publish and subscribe', () => {
  it('subscribe(cache, topic) receives text and binary messages in order with sequence numbers 1, 2, 3', async () => {
    const rec = new Recorder();
    const sub = await subscribed(topics, cache, 'news', rec);
    expect(rec.heartbeats).toBeGreaterThanOrEqual(1); // the SDK resolved on our first heartbeat
    await publish('news', 'one');
    await publish('news', new Uint8Array([0, 1, 2, 255]));
    await publish('news', 'three');
    await rec.untilItems(3);
    sub.unsubscribe();
    expect(rec.items.map((i) => i.sequence)).toEqual([1, 2, 3]);
    expect(rec.items[0]?.value).toBe('one');
    expect(Array.from(rec.items[1]?.value as Uint8Array)).toEqual([0, 1, 2, 255]);
    expect(rec.items[2]?.value).toBe('three');
  });

  it('every subscriber of a topic gets every message once; other topics and caches get none', async () => {
    const recs = [new Recorder(), new Recorder(), new Recorder()];
    const other = new Recorder();
    const subs = [];
    for (const r of recs) subs.push(await subscribed(topics, cache, 't', r));
    subs.push(await subscribed(topics, cache, 't-other', other));
    for (let i = 0; i < 50; i++) await publish('t', `m${i}`);
    await publish('t-other', 'x');
    for (const r of recs) await r.untilItems(50);
    await other.untilItems(1);
    for (const s of subs) s.unsubscribe();
    for (const r of recs) {
      expect(r.items.map((i) => i.value)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
      expect(r.items.map((i) => i.sequence)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    }
    expect(other.items.map((i) => [i.value, i.sequence])).toEqual([['x', 1]]);
  });

  it('publish to an unknown cache answers CacheNotFound; subscribe too', async () => {
    const p = await topics.publish('no-such-cache', 't', 'x');
    expect(p).toBeInstanceOf(TopicPublish.Error);
    expect((p as TopicPublish.Error).errorCode()).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    const s = await topics.subscribe('no-such-cache', 't', {});
    expect(s).toBeInstanceOf(TopicSubscribe.Error);
    expect((s as TopicSubscribe.Error).errorCode()).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });

  it('unsubscribe() ends the stream on the server: the subscription no longer counts', async () => {
    const before = b.server.topics.subscriptionCount();
    const rec = new Recorder();
    const sub = await subscribed(topics, cache, 'bye', rec);
    expect(b.server.topics.subscriptionCount()).toBe(before + 1);
    sub.unsubscribe();
    await rec.until(() => rec.events.some((e) => e.kind === 'end'));
    await vi.waitFor(() => expect(b.server.topics.subscriptionCount()).toBe(before));
    await publish('bye', 'after'); // nobody to deliver to: the publish still succeeds
  });

  it('deleting the cache ends its subscriptions with CacheNotFound', async () => {
    const rec = new Recorder();
    await subscribed(topics, cache, 'doomed', rec);
    expect((await cacheClient.deleteCache(cache)).type).toBe('Success');
    await rec.until(() => rec.events.some((e) => e.kind === 'error'));
    expect(rec.events.find((e) => e.kind === 'error')).toEqual({
      kind: 'error',
      code: MomentoErrorCode.CACHE_NOT_FOUND_ERROR,
    });
  });
});

describe('resume', () => {
  it('a subscriber whose connection broke resumes from its last sequence: every message once, in order', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: b.server.grpcPort });
    await proxy.start();
    const viaProxy = topicClient(`127.0.0.1:${proxy.port}`, b.server.devApiKey);
    const rec = new Recorder();
    const sub = await subscribed(viaProxy, cache, 'r', rec);
    for (let i = 1; i <= 3; i++) await publish('r', `m${i}`);
    await rec.untilItems(3);
    await proxy.cut();
    await rec.until(() => rec.events.some((e) => e.kind === 'lost'));
    for (let i = 4; i <= 6; i++) await publish('r', `m${i}`);
    await proxy.restore();
    await rec.untilItems(6);
    await publish('r', 'm7');
    await rec.untilItems(7);
    sub.unsubscribe();
    await proxy.cut();
    expect(rec.items.map((i) => [i.value, i.sequence])).toEqual(
      Array.from({ length: 7 }, (_, i) => [`m${i + 1}`, i + 1]),
    );
    expect(rec.events.some((e) => e.kind === 'discontinuity')).toBe(false);
  });
});

describe('resume beyond the replay window', () => {
  it('a subscriber that missed more than the window gets a discontinuity, then the window, in order', async () => {
    const proxy = new TcpProxy({ host: '127.0.0.1', port: b.server.grpcPort });
    await proxy.start();
    const viaProxy = topicClient(`127.0.0.1:${proxy.port}`, b.server.devApiKey);
    const rec = new Recorder();
    const sub = await subscribed(viaProxy, cache, 'w', rec);
    await publish('w', 'm1');
    await rec.untilItems(1);
    await proxy.cut();
    await rec.until(() => rec.events.some((e) => e.kind === 'lost'));
    for (let i = 2; i <= 200; i++) await publish('w', `m${i}`); // the window keeps the last 128: 73..200
    await proxy.restore();
    await rec.untilItems(129);
    sub.unsubscribe();
    await proxy.cut();
    const gap = rec.events.find((e) => e.kind === 'discontinuity');
    expect(gap).toMatchObject({ kind: 'discontinuity', last: 1, next: 72 });
    expect(rec.items.map((i) => i.sequence)).toEqual([1, ...Array.from({ length: 128 }, (_, i) => 73 + i)]);
    // The discontinuity came between item 1 and item 73.
    const order = rec.events.filter((e) => e.kind === 'item' || e.kind === 'discontinuity');
    expect(order[1]?.kind).toBe('discontinuity');
  });
});

describe('limits', () => {
  it('a message over the size limit answers LimitExceeded and is not delivered', async () => {
    const rec = new Recorder();
    const sub = await subscribed(topics, cache, 'big', rec);
    const r = await topics.publish(cache, 'big', 'x'.repeat(4097));
    expect(r).toBeInstanceOf(TopicPublish.Error);
    expect((r as TopicPublish.Error).errorCode()).toBe(MomentoErrorCode.LIMIT_EXCEEDED_ERROR);
    expect((r as TopicPublish.Error).message()).toContain('4096');
    await publish('big', 'x'.repeat(4096));
    await rec.untilItems(1);
    sub.unsubscribe();
    expect(rec.items.map((i) => i.sequence)).toEqual([1]);
  });

  it('an empty topic name answers InvalidArgument', async () => {
    const r = await topics.publish(cache, '', 'x');
    expect((r as TopicPublish.Error).errorCode()).toBe(MomentoErrorCode.INVALID_ARGUMENT_ERROR);
  });
});

describe('HTTP API and metering', () => {
  it('POST /topics/:cache/:topic publishes (text for text/*, bytes otherwise) and answers 204', async () => {
    const rec = new Recorder();
    const sub = await subscribed(topics, cache, 'h', rec);
    const post = (body: string | Uint8Array, type: string, c = cache) =>
      fetch(`${b.server.httpUrl}/topics/${c}/h`, {
        method: 'POST',
        headers: { authorization: b.server.devApiKey, 'content-type': type },
        body,
      });
    expect((await post('héllo', 'text/plain; charset=utf-8')).status).toBe(204);
    expect((await post(new Uint8Array([1, 2, 3]), 'application/octet-stream')).status).toBe(204);
    const missing = await post('x', 'text/plain', 'no-such-cache');
    expect(missing.status).toBe(404);
    const tooBig = await post('x'.repeat(5000), 'text/plain');
    expect(tooBig.status).toBe(413);
    await rec.untilItems(2);
    sub.unsubscribe();
    expect(rec.items[0]).toMatchObject({ value: 'héllo', sequence: 1 });
    expect(Array.from(rec.items[1]?.value as Uint8Array)).toEqual([1, 2, 3]);
  });

  it('bytes published in and delivered out count in the cache’s usage', async () => {
    const recs = [new Recorder(), new Recorder()];
    const subs = [
      await subscribed(topics, cache, 'u', recs[0] as Recorder),
      await subscribed(topics, cache, 'u', recs[1] as Recorder),
    ];
    await publish('u', 'x'.repeat(1000));
    for (const r of recs) await r.untilItems(1);
    for (const s of subs) s.unsubscribe();
    const res = await fetch(`${b.server.httpUrl}/v1/usage`, { headers: { authorization: b.server.devApiKey } });
    const report = (await res.json()) as { byCache: Array<{ cache: string; bytesIn: number; bytesOut: number }> };
    const mine = report.byCache.find((c) => c.cache === cache);
    expect(mine?.bytesIn).toBe(1000);
    expect(mine?.bytesOut).toBe(2000);
  });
});

describe('shutdown', () => {
  it('closing the server ends subscriptions (UNAVAILABLE: the SDK reports a lost connection and retries)', async () => {
    const own = await boot();
    const client = topicClient(own.server.grpcAddress, own.server.devApiKey);
    const cc = await own.client();
    expect((await cc.createCache('c')).type).toBe('Success');
    const rec = new Recorder();
    const sub = await subscribed(client, 'c', 't', rec);
    await own.stop();
    await rec.until(() => rec.events.some((e) => e.kind === 'lost'));
    sub.unsubscribe();
  });
});
