/**
 * @module memory-topic-bus
 * The in-process {@link TopicBus}: one server, topics in a Map. Each topic keeps its sequence counter, a
 * ring of its last `replayWindow` messages (bounded in count and bytes) and its subscribers. A topic with
 * no subscribers that saw no publish for `idleTopicMs` is forgotten, so a server that saw millions of
 * topic names does not keep them; publishing again starts a new sequence page.
 */
import { type Clock, systemClock } from '@cachette/core';
import {
  type PublishedAt,
  planResume,
  type TopicBus,
  type TopicBusSubscription,
  type TopicListener,
  type TopicMessage,
  type TopicResumePoint,
  type TopicValue,
  topicValueBytes,
} from './topic-bus.ts';

export interface MemoryTopicBusOptions {
  /** Messages per topic kept for resuming subscribers. Default 128. */
  readonly replayWindow?: number;
  /** Bytes per topic kept for resuming subscribers (the oldest go first). Default 1 MiB. */
  readonly replayWindowBytes?: number;
  /** A topic without subscribers and publishes for this long is forgotten. Default 300 000 (5 min). */
  readonly idleTopicMs?: number;
  /** How often idle topics are looked for. Default 60 000; 0 = never (tests call {@link sweep}). */
  readonly sweepIntervalMs?: number;
  readonly clock?: Clock;
}

/** A new page per topic state: random, so a restarted server never reuses the page of its predecessor. */
export function newSequencePage(): number {
  return 1 + Math.floor(Math.random() * 0x7fff_fffe);
}

class TopicState {
  lastSequence = 0;
  readonly page = newSequencePage();
  /** Ring of the last messages: `ring[(start + i) % capacity]` for i < count. */
  readonly ring: (TopicMessage | undefined)[];
  start = 0;
  count = 0;
  ringBytes = 0;
  readonly listeners = new Set<TopicListener>();
  lastActiveMs: number;

  constructor(capacity: number, nowMs: number) {
    this.ring = new Array(capacity);
    this.lastActiveMs = nowMs;
  }

  oldestSequence(): number {
    return this.lastSequence - this.count + 1;
  }

  remember(m: TopicMessage, maxBytes: number): void {
    const capacity = this.ring.length;
    if (capacity === 0) return;
    if (this.count === capacity) this.dropOldest();
    this.ring[(this.start + this.count) % capacity] = m;
    this.count += 1;
    this.ringBytes += m.bytes;
    while (this.ringBytes > maxBytes && this.count > 1) this.dropOldest();
  }

  private dropOldest(): void {
    const old = this.ring[this.start];
    this.ring[this.start] = undefined;
    this.start = (this.start + 1) % this.ring.length;
    this.count -= 1;
    this.ringBytes -= old?.bytes ?? 0;
  }

  /** Delivers the window's messages from `fromSequence` on. */
  replay(fromSequence: number, listener: TopicListener): void {
    const skip = fromSequence - this.oldestSequence();
    for (let i = Math.max(0, skip); i < this.count; i++) {
      const m = this.ring[(this.start + i) % this.ring.length];
      if (m !== undefined) listener.message(m);
    }
  }
}

/** Topics of one process. */
export class MemoryTopicBus implements TopicBus {
  /** namespace → topic → state; nested so dropping a namespace is one delete. */
  private readonly namespaces = new Map<string, Map<string, TopicState>>();
  private readonly replayWindow: number;
  private readonly replayWindowBytes: number;
  private readonly idleTopicMs: number;
  private readonly clock: Clock;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: MemoryTopicBusOptions = {}) {
    this.replayWindow = options.replayWindow ?? 128;
    this.replayWindowBytes = options.replayWindowBytes ?? 1024 * 1024;
    this.idleTopicMs = options.idleTopicMs ?? 300_000;
    this.clock = options.clock ?? systemClock;
    const every = options.sweepIntervalMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => this.sweep(), every);
      this.timer.unref();
    }
  }

  publish(namespace: string, topic: string, value: TopicValue, publisherId: string): Promise<PublishedAt> {
    const state = this.state(namespace, topic);
    state.lastSequence += 1;
    state.lastActiveMs = this.clock.nowMs();
    const message: TopicMessage = {
      sequence: state.lastSequence,
      page: state.page,
      value,
      publisherId,
      bytes: topicValueBytes(value),
    };
    state.remember(message, this.replayWindowBytes);
    for (const listener of state.listeners) listener.message(message);
    return Promise.resolve({ sequence: message.sequence, page: message.page });
  }

  subscribe(
    namespace: string,
    topic: string,
    resume: TopicResumePoint,
    listener: TopicListener,
  ): Promise<TopicBusSubscription> {
    const state = this.state(namespace, topic);
    const plan = planResume(resume, state.page, state.oldestSequence(), state.lastSequence);
    if (plan.gap) listener.discontinuity(plan.gap.lastSequence, plan.gap.newSequence, state.page);
    state.replay(plan.replayFrom, listener);
    state.listeners.add(listener);
    let open = true;
    return Promise.resolve({
      close: () => {
        if (!open) return;
        open = false;
        state.listeners.delete(listener);
        state.lastActiveMs = this.clock.nowMs();
      },
    });
  }

  dropNamespace(namespace: string): Promise<void> {
    this.namespaces.delete(namespace);
    return Promise.resolve();
  }

  /** Forgets topics idle for `idleTopicMs` (no subscribers, no publish). */
  sweep(): void {
    const cutoff = this.clock.nowMs() - this.idleTopicMs;
    for (const [namespace, topics] of this.namespaces) {
      for (const [topic, state] of topics) {
        if (state.listeners.size === 0 && state.lastActiveMs <= cutoff) topics.delete(topic);
      }
      if (topics.size === 0) this.namespaces.delete(namespace);
    }
  }

  /** Topics currently held (for tests and metrics). */
  topicCount(): number {
    let n = 0;
    for (const topics of this.namespaces.values()) n += topics.size;
    return n;
  }

  close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.namespaces.clear();
    return Promise.resolve();
  }

  private state(namespace: string, topic: string): TopicState {
    let topics = this.namespaces.get(namespace);
    if (topics === undefined) {
      topics = new Map();
      this.namespaces.set(namespace, topics);
    }
    let state = topics.get(topic);
    if (state === undefined) {
      state = new TopicState(this.replayWindow, this.clock.nowMs());
      topics.set(topic, state);
    }
    return state;
  }
}
