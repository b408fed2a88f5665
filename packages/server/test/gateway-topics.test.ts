/**
 * @module test/gateway-topics
 * Topics across stateless gateways sharing one PostgreSQL schema and one real 3-master Redis Cluster: a
 * message published through gateway A reaches subscribers on gateways A and B in order with the same
 * sequence numbers; a subscriber whose gateway dies resumes on another gateway from the shared replay
 * window, every message once and in order. The official TopicClient is the client throughout.
 */
import { randomBytes } from 'node:crypto';
import { pollUntil, type RedisCluster, startRedisCluster } from '@cachette/testing';
import { type CacheClient, type TopicClient, TopicPublish } from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { SwitchProxy } from './support/switch-proxy.ts';
import { Recorder, subscribed, topicClient } from './support/topics.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const run = randomBytes(4).toString('hex');
const schema = `cachette_test_gw_topics_${run}`;
const keyPrefix = `gw-topics-${run}:`;

let cluster: RedisCluster;
let a: Booted;
let b: Booted;
let cacheClient: CacheClient;
let viaA: TopicClient;
let viaB: TopicClient;
let shared: Parameters<typeof boot>[0];

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  shared = {
    engine: 'valkey' as const,
    valkeyUrl: cluster.url,
    valkeyKeyPrefix: keyPrefix,
    databaseUrl: POSTGRES_URL,
    databaseSchema: schema,
  };
  a = await boot(shared);
  b = await boot(shared);
  cacheClient = await a.client();
  viaA = topicClient(a.server.grpcAddress, a.server.devApiKey);
  viaB = topicClient(b.server.grpcAddress, b.server.devApiKey);
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await cluster?.stop();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
});

async function newCache(): Promise<string> {
  const cache = uniqueName('gwt');
  expect((await cacheClient.createCache(cache)).type).toBe('Success');
  return cache;
}

async function publish(client: TopicClient, cache: string, topic: string, value: string): Promise<void> {
  const r = await client.publish(cache, topic, value);
  if (!(r instanceof TopicPublish.Success)) throw new Error(`publish failed: ${r.toString()}`);
}

describe('topics across two gateways on one Redis Cluster', () => {
  it('messages published through A and B reach subscribers on both, in order, with the same sequence numbers', async () => {
    const cache = await newCache();
    const onA = new Recorder();
    const onB = new Recorder();
    const subA = await subscribed(viaA, cache, 'news', onA);
    const subB = await subscribed(viaB, cache, 'news', onB);
    for (let i = 1; i <= 60; i++) await publish(i % 2 === 0 ? viaB : viaA, cache, 'news', `m${i}`);
    await onA.untilItems(60);
    await onB.untilItems(60);
    subA.unsubscribe();
    subB.unsubscribe();
    const expected = Array.from({ length: 60 }, (_, i) => [`m${i + 1}`, i + 1]);
    expect(onA.items.map((i) => [i.value, i.sequence])).toEqual(expected);
    expect(onB.items.map((i) => [i.value, i.sequence])).toEqual(expected);
    expect(onA.events.some((e) => e.kind === 'discontinuity')).toBe(false);
  });

  it('topics spread over the cluster: many topics, each numbered on its own', async () => {
    const cache = await newCache();
    const topics = Array.from({ length: 12 }, (_, i) => `t${i}`);
    const recs = new Map<string, Recorder>();
    const subs = [];
    for (const t of topics) {
      const r = new Recorder();
      recs.set(t, r);
      subs.push(await subscribed(viaB, cache, t, r));
    }
    for (let round = 1; round <= 3; round++) for (const t of topics) await publish(viaA, cache, t, `${t}-${round}`);
    for (const t of topics) await recs.get(t)?.untilItems(3);
    for (const s of subs) s.unsubscribe();
    for (const t of topics) {
      expect(recs.get(t)?.items.map((i) => [i.value, i.sequence])).toEqual([
        [`${t}-1`, 1],
        [`${t}-2`, 2],
        [`${t}-3`, 3],
      ]);
    }
  });

  it('a gateway that dies drops only its subscriptions; the client resumes on another gateway, every message once', async () => {
    const cache = await newCache();
    const c = await boot(shared);
    const lb = new SwitchProxy(c.server.grpcPort);
    await lb.start();
    try {
      const client = topicClient(`127.0.0.1:${lb.port}`, c.server.devApiKey);
      const rec = new Recorder();
      const onB = new Recorder();
      const subB = await subscribed(viaB, cache, 'r', onB);
      const sub = await subscribed(client, cache, 'r', rec);
      for (let i = 1; i <= 3; i++) await publish(viaA, cache, 'r', `m${i}`);
      await rec.untilItems(3);
      lb.target = b.server.grpcPort; // the load balancer now sends new connections to B
      await c.stop(); // C ends its subscriptions (UNAVAILABLE): the SDK reconnects, through the proxy, to B
      for (let i = 4; i <= 6; i++) await publish(viaA, cache, 'r', `m${i}`);
      await rec.untilItems(6);
      await publish(viaA, cache, 'r', 'm7');
      await rec.untilItems(7);
      await onB.untilItems(7);
      sub.unsubscribe();
      subB.unsubscribe();
      const expected = Array.from({ length: 7 }, (_, i) => [`m${i + 1}`, i + 1]);
      expect(rec.items.map((i) => [i.value, i.sequence])).toEqual(expected);
      expect(rec.events.some((e) => e.kind === 'discontinuity')).toBe(false);
      // B's own subscriber never noticed C going away.
      expect(onB.items.map((i) => [i.value, i.sequence])).toEqual(expected);
    } finally {
      await lb.stop();
    }
  });

  it('deleting the cache through A ends subscriptions on B (CacheNotFound)', async () => {
    const cache = await newCache();
    const rec = new Recorder();
    await subscribed(viaB, cache, 'doomed', rec);
    expect((await cacheClient.deleteCache(cache)).type).toBe('Success');
    await pollUntil('the subscription on B ended', 20_000, async () => rec.events.some((e) => e.kind === 'error'));
  });
});
