/**
 * @module valkey-topic-bus
 * The {@link TopicBus} across gateways: every gateway sharing one Valkey/Redis (Cluster) numbers and
 * sees the same messages.
 *
 * Per topic, three keys under one hash tag (so one script on one shard touches them all):
 * `<prefix>t{<len>:<ns>/<topic>}s` (the last sequence, INCR), `…p` (the sequence page, random, set once)
 * and `…x` (a stream capped at the replay window, entry id `<seq>-0`). A publish is one script: INCR, XADD
 * with MAXLEN, PUBLISH of the encoded message on the topic's channel, PEXPIRE of the three keys (an idle
 * topic is forgotten; the next publish starts a new page). Because the script runs atomically on the
 * shard owning the topic, sequence numbers are assigned in one order and published in that order; Redis
 * delivers a channel's messages to each subscriber connection in publish order.
 *
 * Each gateway holds one subscriber connection and subscribes to a topic's channel while it has local
 * subscribers. A new subscription first subscribes to the channel (so nothing published from then on is
 * missed), then reads the page, the last sequence and the stream entries it must replay in one script,
 * replays them and only then delivers the live messages it buffered meanwhile, dropping those it already
 * replayed: no gap and no duplicate between replay and live. A subscription that sees a sequence jump (or
 * a new page) reports a discontinuity. When the subscriber connection drops, messages may have been lost,
 * so every local subscription is told it was lost: clients resubscribe and resume from the stream.
 */
import type { Clock } from '@cachette/core';
import {
  newSequencePage,
  type PublishedAt,
  planResume,
  type TopicBus,
  type TopicBusSubscription,
  type TopicListener,
  type TopicMessage,
  type TopicResumePoint,
  type TopicValue,
  topicValueBytes,
} from '@cachette/engine';
import type { ValkeyClient } from './connect.ts';
import { toCacheError } from './errors.ts';

export interface ValkeyTopicBusOptions {
  /** Key prefix shared by every gateway (the engine's `keyPrefix`); must not contain `{` or `}`. */
  readonly keyPrefix?: string;
  /** Messages per topic kept for resuming subscribers. Default 128. */
  readonly replayWindow?: number;
  /** A topic without publishes for this long is forgotten (its keys expire). Default 3 600 000 (1 h). */
  readonly idleTopicMs?: number;
  readonly clock?: Clock;
}

// KEYS: seq, page, stream. ARGV: channel, value, kind ('t'|'b'), publisher, maxlen, new page, idle ms.
const PUBLISH = `
local page = redis.call('GET', KEYS[2])
if not page then
  page = ARGV[6]
  redis.call('SET', KEYS[2], page)
end
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[5], seq .. '-0', 'k', ARGV[3], 'p', ARGV[4], 'v', ARGV[2])
redis.call('PUBLISH', ARGV[1], page .. '\\n' .. seq .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('PEXPIRE', KEYS[2], ARGV[7])
redis.call('PEXPIRE', KEYS[3], ARGV[7])
return {seq, page}
`;

// KEYS: seq, page, stream. ARGV: first sequence to return (0 = none), new page, idle ms.
// Returns {page, last sequence, oldest sequence in the stream (0 if empty), entries from ARGV[1]}.
const STATE = `
local page = redis.call('GET', KEYS[2])
if not page then
  page = ARGV[2]
  redis.call('SET', KEYS[2], page, 'PX', ARGV[3])
end
local seq = redis.call('GET', KEYS[1]) or '0'
local first = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)
local oldest = '0'
if #first > 0 then oldest = first[1][1] end
local entries = {}
if tonumber(ARGV[1]) > 0 then entries = redis.call('XRANGE', KEYS[3], ARGV[1] .. '-0', '+') end
return {page, seq, oldest, entries}
`;

interface ScriptClient {
  ctPublish(
    seq: string,
    page: string,
    stream: string,
    ...argv: (string | Uint8Array | number)[]
  ): Promise<[number, string]>;
  ctStateBuffer(
    seq: string,
    page: string,
    stream: string,
    from: number,
    newPage: string,
    idleMs: number,
  ): Promise<[Buffer, Buffer, Buffer, Array<[Buffer, Buffer[]]>]>;
}

type TopicKeys = { seq: string; page: string; stream: string; channel: string };

/** One subscription on this gateway: replays, buffers while joining, then follows the channel. */
class Joiner implements TopicBusSubscription {
  /** Live messages that arrived while the replay was being read. */
  private pending: TopicMessage[] | undefined = [];
  private lastSequence = 0;
  private page = 0;
  closed = false;

  constructor(
    readonly listener: TopicListener,
    private readonly onClose: (joiner: Joiner) => void,
  ) {}

  /**
   * The replay was read: deliver the gap and the entries (`startAt` is the sequence just before the first
   * one), count everything up to `stateLast` (the last sequence when the replay was read) as delivered,
   * then deliver what arrived meanwhile, and go live.
   */
  start(
    page: number,
    startAt: number,
    replay: readonly TopicMessage[],
    gap: { lastSequence: number; newSequence: number } | undefined,
    stateLast: number,
  ): void {
    if (this.closed) return;
    this.page = page;
    this.lastSequence = startAt;
    if (gap) {
      this.listener.discontinuity(gap.lastSequence, gap.newSequence, page);
      this.lastSequence = gap.newSequence;
    }
    for (const m of replay) this.deliver(m);
    if (this.lastSequence < stateLast) this.lastSequence = stateLast;
    const pending = this.pending ?? [];
    this.pending = undefined;
    for (const m of pending) this.live(m);
  }

  live(m: TopicMessage): void {
    if (this.closed) return;
    if (this.pending !== undefined) {
      this.pending.push(m);
      return;
    }
    if (m.page === this.page && m.sequence <= this.lastSequence) return; // already replayed
    this.deliver(m);
  }

  private deliver(m: TopicMessage): void {
    if (m.page !== this.page || m.sequence !== this.lastSequence + 1) {
      // A new page (the topic was forgotten and restarted) or a jump (a message lost on the way).
      this.listener.discontinuity(this.lastSequence, m.sequence - 1, m.page);
      this.page = m.page;
    }
    this.lastSequence = m.sequence;
    this.listener.message(m);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = undefined;
    this.onClose(this);
  }
}

/** Topics shared by every gateway of one Valkey deployment. */
export class ValkeyTopicBus implements TopicBus {
  private readonly scripts: ScriptClient;
  private readonly subscriber: ValkeyClient;
  private readonly prefix: string;
  private readonly replayWindow: number;
  private readonly idleTopicMs: number;
  /** channel → joiners of that topic on this gateway. */
  private readonly local = new Map<string, Set<Joiner>>();
  /** channel → the SUBSCRIBE in flight or done, so concurrent first subscribers share it. */
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private closed = false;
  /** Resolves once the subscriber connection can take SUBSCRIBE (the client queues nothing offline). */
  private readonly ready: Promise<void>;

  /**
   * @param client the engine's connected client (shared; the bus never closes it)
   */
  constructor(client: ValkeyClient, options: ValkeyTopicBusOptions = {}) {
    this.prefix = options.keyPrefix ?? 'cachette:';
    this.replayWindow = options.replayWindow ?? 128;
    this.idleTopicMs = options.idleTopicMs ?? 3_600_000;
    if (!('ctPublish' in client)) {
      client.defineCommand('ctPublish', { lua: PUBLISH, numberOfKeys: 3 });
      client.defineCommand('ctState', { lua: STATE, numberOfKeys: 3 });
    }
    this.scripts = client as unknown as ScriptClient;
    // A connection of its own: a connection in subscribe mode takes no other commands.
    this.subscriber = client.duplicate();
    this.subscriber.on('messageBuffer', (channel: Buffer, payload: Buffer) => this.onMessage(channel, payload));
    this.subscriber.on('error', () => {
      // Reconnects by itself; 'close' below tells the subscriptions.
    });
    // The engine's client connects lazily (and so does its duplicate): connect now, subscribe once ready.
    this.ready = this.subscriber.connect().then(
      () => undefined,
      () => undefined, // a failed connect surfaces as a failed SUBSCRIBE (UNAVAILABLE to the subscriber)
    );
    this.subscriber.on('close', () => this.lostAll('the connection to Valkey dropped'));
  }

  async publish(namespace: string, topic: string, value: TopicValue, publisherId: string): Promise<PublishedAt> {
    const k = this.keys(namespace, topic);
    const kind = typeof value === 'string' ? 't' : 'b';
    // The client sends Buffers as bytes but would stringify a plain Uint8Array ("1,2,3").
    const arg = typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    let reply: [number, string];
    try {
      reply = await this.scripts.ctPublish(
        k.seq,
        k.page,
        k.stream,
        k.channel,
        arg,
        kind,
        publisherId,
        this.replayWindow,
        String(newSequencePage()),
        this.idleTopicMs,
      );
    } catch (e) {
      throw toCacheError(e, 'topic publish');
    }
    const [seq, page] = reply;
    return { sequence: Number(seq), page: Number(page) };
  }

  async subscribe(
    namespace: string,
    topic: string,
    resume: TopicResumePoint,
    listener: TopicListener,
  ): Promise<TopicBusSubscription> {
    const k = this.keys(namespace, topic);
    let joiners = this.local.get(k.channel);
    if (joiners === undefined) {
      joiners = new Set();
      this.local.set(k.channel, joiners);
    }
    const joiner = new Joiner(listener, (j) => this.leave(k.channel, j));
    joiners.add(joiner);
    try {
      let subscribing = this.subscribed.get(k.channel);
      if (subscribing === undefined) {
        subscribing = this.ready.then(() => this.subscriber.subscribe(k.channel));
        this.subscribed.set(k.channel, subscribing);
      }
      await subscribing;
      const [pageB, seqB, oldestB, entries] = await this.scripts.ctStateBuffer(
        k.seq,
        k.page,
        k.stream,
        resume.sequence,
        String(newSequencePage()),
        this.idleTopicMs,
      );
      const page = Number(pageB.toString());
      const last = Number(seqB.toString());
      const oldestId = oldestB.toString();
      const oldest = oldestId === '0' ? last + 1 : Number(oldestId.slice(0, oldestId.indexOf('-')));
      const plan = planResume(resume, page, oldest, last);
      const replay: TopicMessage[] = [];
      for (const [id, fields] of entries) {
        const sequence = Number(id.toString().split('-')[0]);
        if (sequence < plan.replayFrom) continue;
        replay.push(messageOf(page, sequence, fields));
      }
      // Live from the resume point on: the joiner's "last" is the sequence just before what it delivers.
      const startAt = plan.gap ? plan.gap.lastSequence : plan.replayFrom - 1;
      joiner.start(page, startAt, replay, plan.gap, last);
      return joiner;
    } catch (e) {
      joiner.close();
      throw toCacheError(e, 'topic subscribe');
    }
  }

  dropNamespace(_namespace: string): Promise<void> {
    // Topic keys cannot be listed without a SCAN of the cluster; they expire after `idleTopicMs`.
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriber.removeAllListeners('close');
    this.local.clear();
    this.subscriber.disconnect();
  }

  private keys(namespace: string, topic: string): TopicKeys {
    const tag = `${this.prefix}t{${Buffer.byteLength(namespace)}:${namespace}/${topic}}`;
    return { seq: `${tag}s`, page: `${tag}p`, stream: `${tag}x`, channel: tag };
  }

  private onMessage(channelB: Buffer, payload: Buffer): void {
    const joiners = this.local.get(channelB.toString());
    if (joiners === undefined || joiners.size === 0) return;
    const m = decodePayload(payload);
    if (m === undefined) return;
    for (const j of joiners) j.live(m);
  }

  private leave(channel: string, joiner: Joiner): void {
    const joiners = this.local.get(channel);
    if (joiners === undefined) return;
    joiners.delete(joiner);
    if (joiners.size > 0) return;
    this.local.delete(channel);
    this.subscribed.delete(channel);
    if (!this.closed) {
      this.subscriber.unsubscribe(channel).catch(() => {
        // The connection is gone: nothing is subscribed any more anyway.
      });
    }
  }

  private lostAll(reason: string): void {
    if (this.closed) return;
    const all = [...this.local.values()].flatMap((s) => [...s]);
    for (const j of all) {
      j.close();
      j.listener.lost?.(reason);
    }
  }
}

function messageOf(page: number, sequence: number, fields: Buffer[]): TopicMessage {
  let kind = 't';
  let publisherId = '';
  let raw: Buffer = Buffer.alloc(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const f = (fields[i] as Buffer).toString();
    const v = fields[i + 1] as Buffer;
    if (f === 'k') kind = v.toString();
    else if (f === 'p') publisherId = v.toString();
    else if (f === 'v') raw = v;
  }
  const value: TopicValue = kind === 't' ? raw.toString('utf8') : new Uint8Array(raw);
  return { sequence, page, value, publisherId, bytes: topicValueBytes(value) };
}

/** `page\nseq\nkind\npublisher\nvalue` as published by the script. */
function decodePayload(payload: Buffer): TopicMessage | undefined {
  const cuts: number[] = [];
  let at = -1;
  for (let i = 0; i < 4; i++) {
    at = payload.indexOf(10, at + 1);
    if (at < 0) return undefined;
    cuts.push(at);
  }
  const [a, b, c, d] = cuts as [number, number, number, number];
  const page = Number(payload.toString('latin1', 0, a));
  const sequence = Number(payload.toString('latin1', a + 1, b));
  const kind = payload.toString('latin1', b + 1, c);
  const publisherId = payload.toString('utf8', c + 1, d);
  const raw = payload.subarray(d + 1);
  const value: TopicValue = kind === 't' ? raw.toString('utf8') : new Uint8Array(raw);
  return { sequence, page, value, publisherId, bytes: topicValueBytes(value) };
}
