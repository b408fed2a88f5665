/**
 * TopicService on its own: the in-process bus, an in-memory SQLite metadata store and a manual clock; a
 * sink standing in for a transport whose buffer fills when the test says so. The wire tests cover the
 * same behaviour through the official TopicClient.
 */
import { type CacheError, ErrorCode, ManualClock } from '@cachette/core';
import { MemoryTopicBus, type TopicMessage } from '@cachette/engine';
import { type MetadataStore, openSqliteMetadata } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OperationObserver } from '../../src/service/observer.ts';
import type { Principal } from '../../src/service/principal.ts';
import { defaultTopicLimits, type TopicLimits } from '../../src/service/topic-limits.ts';
import { TopicService, type TopicSink } from '../../src/service/topic-service.ts';

/** A transport buffer of `room` events; `room = Infinity` never fills. */
class BufferSink implements TopicSink {
  readonly got: Array<string> = [];
  ended: CacheError | undefined;
  room = Number.POSITIVE_INFINITY;
  private take(event: string): boolean {
    this.got.push(event);
    this.room -= 1;
    return this.room > 0;
  }
  item(m: TopicMessage): boolean {
    return this.take(`${m.sequence}:${String(m.value)}`);
  }
  discontinuity(last: number, next: number, page: number): boolean {
    expect(page).toBeGreaterThan(0);
    return this.take(`gap ${last}->${next}`);
  }
  heartbeat(): boolean {
    return this.take('hb');
  }
  end(error: CacheError): void {
    this.ended = error;
  }
  /** Events other than heartbeats. */
  get messages(): string[] {
    return this.got.filter((e) => e !== 'hb');
  }
}

describe('TopicService', () => {
  let clock: ManualClock;
  let metadata: MetadataStore;
  let bus: MemoryTopicBus;
  let owner: Principal;
  let metered: Array<{ op: string; cache: string; bytesIn: number; bytesOut: number }>;
  const observer: OperationObserver = {
    observe(op, _a, cache, outcome, _ms, bytesIn, bytesOut) {
      if (outcome === 'ok') metered.push({ op, cache, bytesIn, bytesOut });
    },
  };
  const make = (limits: Partial<TopicLimits> = {}) =>
    new TopicService({
      bus,
      metadata,
      clock,
      limits: { ...defaultTopicLimits, heartbeatIntervalMs: 0, ...limits },
      observer,
    });
  const key = (overrides: Partial<Principal>): Principal => ({ ...owner, keyId: 'k', canManage: false, ...overrides });

  beforeEach(async () => {
    clock = new ManualClock();
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
    bus = new MemoryTopicBus({ clock, sweepIntervalMs: 0 });
    metered = [];
    const account = await metadata.createAccount({ email: 'o@example.com', provider: 'aws', region: 'us-west-2' });
    owner = {
      accountId: account.id,
      keyId: 'owner',
      scope: { kind: 'all' },
      access: 'readWrite',
      canManage: true,
      expiresAtMs: null,
    };
    await metadata.createCache(account.id, 'c');
  });
  afterEach(async () => {
    await bus.close();
    await metadata.close();
  });

  describe('slow subscribers', () => {
    it('subscribe() queues while the sink is full, then flushes in order on drained()', async () => {
      const topics = make();
      const sink = new BufferSink();
      const sub = await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, sink);
      sink.room = 1; // the next write fills the buffer
      for (let i = 1; i <= 5; i++) await topics.publish(owner, 'c', 't', `m${i}`);
      expect(sink.messages).toEqual(['1:m1']);
      sink.room = Number.POSITIVE_INFINITY;
      sub.drained();
      expect(sink.messages).toEqual(['1:m1', '2:m2', '3:m3', '4:m4', '5:m5']);
    });

    it('a backlog beyond maxQueuedMessages is dropped for one discontinuity, then delivery resumes', async () => {
      const topics = make({ maxQueuedMessages: 3 });
      const sink = new BufferSink();
      const sub = await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, sink);
      sink.room = 1;
      for (let i = 1; i <= 10; i++) await topics.publish(owner, 'c', 't', `m${i}`);
      // 1 delivered, 2-4 queued, 5 overflowed (gap 1->5), 6-8 queued after the gap, 9 overflowed (gap 1->9), 10 queued
      sink.room = Number.POSITIVE_INFINITY;
      sub.drained();
      expect(sink.messages).toEqual(['1:m1', 'gap 1->9', '10:m10']);
      await topics.publish(owner, 'c', 't', 'm11');
      expect(sink.messages.at(-1)).toBe('11:m11');
    });

    it('a backlog beyond maxQueuedBytes is dropped the same way (memory per subscriber stays bounded)', async () => {
      const topics = make({ maxQueuedBytes: 10 });
      const sink = new BufferSink();
      const sub = await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, sink);
      sink.room = 1;
      for (let i = 1; i <= 4; i++) await topics.publish(owner, 'c', 't', 'abcd'); // 4 bytes each
      sink.room = Number.POSITIVE_INFINITY;
      sub.drained();
      expect(sink.messages).toEqual(['1:abcd', 'gap 1->4']);
    });

    it('heartbeats skip a subscriber that is behind', async () => {
      const topics = make();
      const sink = new BufferSink();
      await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, sink);
      expect(sink.got).toEqual(['hb']);
      sink.room = 1;
      await topics.publish(owner, 'c', 't', 'x');
      (topics as unknown as { heartbeat(): void }).heartbeat();
      expect(sink.got).toEqual(['hb', '1:x']);
    });
  });

  describe('resume', () => {
    it('resume within the replay window replays exactly the missed messages', async () => {
      const topics = make();
      for (let i = 1; i <= 5; i++) await topics.publish(owner, 'c', 't', `m${i}`);
      const first = new BufferSink();
      const s1 = await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, first);
      const { page } = await topics.publish(owner, 'c', 't', 'm6');
      s1.close();
      const again = new BufferSink();
      await topics.subscribe(owner, 'c', 't', { sequence: 3, page }, again);
      expect(again.messages).toEqual(['3:m3', '4:m4', '5:m5', '6:m6']);
    });

    it('resume on another sequence page gets a discontinuity to the current sequence', async () => {
      const topics = make();
      for (let i = 1; i <= 3; i++) await topics.publish(owner, 'c', 't', `m${i}`);
      const sink = new BufferSink();
      await topics.subscribe(owner, 'c', 't', { sequence: 2, page: 123 }, sink);
      expect(sink.messages).toEqual(['gap 1->3']);
    });

    it('resume older than the window gets a discontinuity, then the window', async () => {
      bus = new MemoryTopicBus({ clock, sweepIntervalMs: 0, replayWindow: 3 });
      const topics = make();
      let page = 0;
      for (let i = 1; i <= 6; i++) page = (await topics.publish(owner, 'c', 't', `m${i}`)).page;
      const sink = new BufferSink();
      await topics.subscribe(owner, 'c', 't', { sequence: 2, page }, sink);
      expect(sink.messages).toEqual(['gap 1->3', '4:m4', '5:m5', '6:m6']);
    });

    it('an idle topic is forgotten after idleTopicMs and numbering restarts on a new page', async () => {
      bus = new MemoryTopicBus({ clock, sweepIntervalMs: 0, idleTopicMs: 1000 });
      const topics = make();
      const first = await topics.publish(owner, 'c', 't', 'a');
      clock.advance(1000);
      bus.sweep();
      expect(bus.topicCount()).toBe(0);
      const second = await topics.publish(owner, 'c', 't', 'b');
      expect(second.sequence).toBe(1);
      expect(second.page).not.toBe(first.page);
    });
  });

  describe('limits', () => {
    it('subscribe beyond maxSubscriptionsPerCache is LIMIT_EXCEEDED (topic_subscriptions_limit_exceeded)', async () => {
      const topics = make({ maxSubscriptionsPerCache: 2 });
      const a = await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, new BufferSink());
      await topics.subscribe(owner, 'c', 'u', { sequence: 0, page: 0 }, new BufferSink());
      await expect(topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, new BufferSink())).rejects.toMatchObject(
        {
          code: ErrorCode.LIMIT_EXCEEDED,
          reason: 'topic_subscriptions_limit_exceeded',
        },
      );
      a.close();
      await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, new BufferSink());
    });

    it('publish beyond publishesPerSecond is LIMIT_EXCEEDED until the clock refills the bucket', async () => {
      const topics = make({ publishesPerSecond: 2 });
      await topics.publish(owner, 'c', 't', 'a');
      await topics.publish(owner, 'c', 't', 'b');
      await expect(topics.publish(owner, 'c', 't', 'c')).rejects.toMatchObject({
        code: ErrorCode.LIMIT_EXCEEDED,
        reason: 'operations_rate_limit_exceeded',
      });
      clock.advance(500);
      await topics.publish(owner, 'c', 't', 'c');
    });

    it("a plan's topic limits narrow the server's: message size, subscriptions, publish rate", async () => {
      const topics = new TopicService({
        bus,
        metadata,
        clock,
        limits: { ...defaultTopicLimits, heartbeatIntervalMs: 0 },
        planLimits: () => ({
          maxTopicMessageBytes: 10,
          maxTopicSubscriptionsPerCache: 1,
          maxTopicPublishesPerSecond: 1,
        }),
      });
      await expect(topics.publish(owner, 'c', 't', 'x'.repeat(11))).rejects.toMatchObject({
        code: ErrorCode.LIMIT_EXCEEDED,
        message: expect.stringContaining('limit of 10 bytes'),
      });
      await topics.publish(owner, 'c', 't', 'x'.repeat(10));
      await expect(topics.publish(owner, 'c', 't', 'y')).rejects.toMatchObject({
        reason: 'operations_rate_limit_exceeded',
      });
      await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, new BufferSink());
      await expect(topics.subscribe(owner, 'c', 'u', { sequence: 0, page: 0 }, new BufferSink())).rejects.toMatchObject(
        {
          reason: 'topic_subscriptions_limit_exceeded',
        },
      );
    });

    it('negative or fractional resume numbers are INVALID_ARGUMENT', async () => {
      const topics = make();
      await expect(
        topics.subscribe(owner, 'c', 't', { sequence: -1, page: 0 }, new BufferSink()),
      ).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      await expect(
        topics.subscribe(owner, 'c', 't', { sequence: 1.5, page: 0 }, new BufferSink()),
      ).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    });
  });

  describe('permissions', () => {
    it('a read-only key subscribes but may not publish; a write-only key the reverse', async () => {
      const topics = make();
      const ro = key({ access: 'readOnly' });
      const wo = key({ access: 'writeOnly' });
      await topics.subscribe(ro, 'c', 't', { sequence: 0, page: 0 }, new BufferSink());
      await expect(topics.publish(ro, 'c', 't', 'x')).rejects.toMatchObject({ code: ErrorCode.PERMISSION_DENIED });
      await topics.publish(wo, 'c', 't', 'x');
      await expect(topics.subscribe(wo, 'c', 't', { sequence: 0, page: 0 }, new BufferSink())).rejects.toMatchObject({
        code: ErrorCode.PERMISSION_DENIED,
      });
    });

    it('a key scoped to other caches may not use this cache’s topics', async () => {
      const topics = make();
      const other = key({ scope: { kind: 'caches', caches: ['d'] } });
      await expect(topics.publish(other, 'c', 't', 'x')).rejects.toMatchObject({ code: ErrorCode.PERMISSION_DENIED });
    });

    it('explicit topic grants: exact topic, prefix, role', async () => {
      const topics = make();
      const k = key({
        scope: { kind: 'caches', caches: [] },
        topics: [
          { role: 'writeOnly', cache: 'c', topic: 'orders' },
          { role: 'readWrite', cache: null, topic: 'chat-', topicPrefix: true },
        ],
      });
      await topics.publish(k, 'c', 'orders', 'x');
      await expect(
        topics.subscribe(k, 'c', 'orders', { sequence: 0, page: 0 }, new BufferSink()),
      ).rejects.toMatchObject({ code: ErrorCode.PERMISSION_DENIED });
      await topics.publish(k, 'c', 'chat-1', 'x');
      await topics.subscribe(k, 'c', 'chat-2', { sequence: 0, page: 0 }, new BufferSink());
      await expect(topics.publish(k, 'c', 'other', 'x')).rejects.toMatchObject({
        code: ErrorCode.PERMISSION_DENIED,
        message: expect.stringContaining("no access to topic 'other'"),
      });
    });
  });

  describe('metering and lifecycle', () => {
    it('publish meters bytes in; each delivery meters bytes out to the cache', async () => {
      const topics = make();
      await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, new BufferSink());
      await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, new BufferSink());
      await topics.publish(owner, 'c', 't', 'héllo'); // 6 bytes of UTF-8
      expect(metered.filter((m) => m.op === 'topicPublish')).toEqual([
        { op: 'topicPublish', cache: 'c', bytesIn: 6, bytesOut: 0 },
      ]);
      expect(metered.filter((m) => m.op === 'topicDeliver').map((m) => m.bytesOut)).toEqual([6, 6]);
    });

    it('cacheDeleted() ends the cache’s subscriptions with NOT_FOUND; close() ends the rest with UNAVAILABLE', async () => {
      await metadata.createCache(owner.accountId, 'd');
      const topics = make();
      const inC = new BufferSink();
      const inD = new BufferSink();
      await topics.subscribe(owner, 'c', 't', { sequence: 0, page: 0 }, inC);
      await topics.subscribe(owner, 'd', 't', { sequence: 0, page: 0 }, inD);
      const c = await metadata.getCache(owner.accountId, 'c');
      topics.cacheDeleted(c?.id ?? '', 'c');
      expect(inC.ended?.code).toBe(ErrorCode.NOT_FOUND);
      expect(inD.ended).toBeUndefined();
      expect(topics.subscriptionCount()).toBe(1);
      await topics.close();
      expect(inD.ended?.code).toBe(ErrorCode.UNAVAILABLE);
      expect(topics.subscriptionCount()).toBe(0);
    });
  });
});
