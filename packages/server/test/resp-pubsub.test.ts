/**
 * Redis pub/sub onto Momento topics, with real clients: ioredis (subscriber and publisher connections),
 * node-redis in RESP3 (push frames, commands while subscribed), `redis-cli subscribe`/`publish`, the
 * official @gomomento/sdk TopicClient on the other side of the same topic (both ways), and exact bytes on
 * a bare socket for RESP2 subscribe mode, RESP3 pushes, limits, cache deletion and a subscriber that stops
 * reading (bounded: it is disconnected, as Redis disconnects a subscriber past its output buffer limit).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  AuthClient,
  AuthClientConfigurations,
  ExpiresIn,
  GenerateDisposableTokenResponse,
  NoopMomentoLoggerFactory,
  PermissionScopes,
  type TopicClient,
} from '@gomomento/sdk';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultTopicLimits } from '../src/service/topic-limits.ts';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { command, RespSocket } from './support/resp-socket.ts';
import { Recorder, subscribed, topicClient } from './support/topics.ts';

const run = promisify(execFile);
const MAX_SUBSCRIPTIONS = 6;
let b: Booted;
let cache: string;
let topics: TopicClient;
const closers: (() => void)[] = [];

function ioredis(): Redis {
  const r = new Redis({
    port: b.server.redisPort!,
    host: '127.0.0.1',
    username: cache,
    password: b.server.devApiKey,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  closers.push(() => r.disconnect());
  return r;
}

/** A bare socket, authenticated on the test's cache. */
async function raw(): Promise<RespSocket> {
  const s = await RespSocket.open(b.server.redisPort!);
  closers.push(() => s.close());
  s.send(command('AUTH', cache, b.server.devApiKey));
  expect(await s.lines(1)).toEqual(['+OK']);
  return s;
}

/** The lines of one RESP frame of `n` bulk strings/ints after its header. */
function frame(kind: '*' | '>', ...parts: (string | number | null)[]): string[] {
  const lines = [`${kind}${parts.length}`];
  for (const p of parts) {
    if (p === null) lines.push(kind === '>' ? '_' : '$-1');
    else if (typeof p === 'number') lines.push(`:${p}`);
    else lines.push(`$${Buffer.byteLength(p)}`, p);
  }
  return lines;
}

function lineCount(kind: '*' | '>', ...parts: (string | number | null)[]): number {
  return frame(kind, ...parts).length;
}

beforeAll(async () => {
  b = await boot({
    redisPort: 0,
    topics: { ...defaultTopicLimits, publishesPerSecond: 1_000_000, maxSubscriptionsPerCache: MAX_SUBSCRIPTIONS },
  });
  topics = topicClient(b.server.grpcAddress, b.server.devApiKey);
});
afterAll(async () => {
  for (const c of closers.splice(0)) c();
  await b.stop();
});
beforeEach(async () => {
  for (const c of closers.splice(0)) c();
  cache = uniqueName();
  const admin = await b.client();
  expect((await admin.createCache(cache)).type).toBe('Success');
});

describe('ioredis', () => {
  it('a subscriber connection gets every message in order; PUBLISH answers the subscriber count', async () => {
    const sub = ioredis();
    const pub = ioredis();
    expect(await pub.publish('news', 'nobody')).toBe(0);
    expect(await sub.subscribe('news', 'sport')).toBe(2);
    const got: [string, string][] = [];
    const all = new Promise<void>((resolve) => {
      sub.on('message', (channel: string, message: string) => {
        got.push([channel, message]);
        if (got.length === 101) resolve();
      });
    });
    expect(await pub.publish('news', 'first')).toBe(1);
    const pipeline = pub.pipeline();
    for (let i = 0; i < 99; i++) pipeline.publish('news', `m${i}`);
    pipeline.publish('sport', 'goal');
    const replies = await pipeline.exec();
    expect(replies?.every(([e, n]) => e === null && n === 1)).toBe(true);
    await all;
    // In order per channel (across channels, a clustered topic bus may deliver in either order).
    const news = got.filter(([c]) => c === 'news').map(([, m]) => m);
    expect(news).toEqual(['first', ...Array.from({ length: 99 }, (_, i) => `m${i}`)]);
    expect(got.filter(([c]) => c === 'sport')).toEqual([['sport', 'goal']]);
    // Unsubscribing one channel leaves the other; the publish count follows.
    expect(await sub.unsubscribe('sport')).toBe(1);
    expect(await pub.publish('sport', 'x')).toBe(0);
    expect(await pub.publish('news', 'y')).toBe(1);
  });

  it('binary messages round-trip byte for byte (messageBuffer), as do UTF-8 texts', async () => {
    const sub = ioredis();
    const pub = ioredis();
    await sub.subscribe('bin');
    const bytes = Buffer.from([0, 255, 13, 10, 0xc3, 0x28, 1, 0xfe, 0xef, 0xbb, 0xbf]);
    const text = Buffer.from('\uFEFFhéllo ✓ 🎉');
    const got: Buffer[] = [];
    const two = new Promise<void>((resolve) =>
      sub.on('messageBuffer', (_c: Buffer, m: Buffer) => {
        got.push(m);
        if (got.length === 2) resolve();
      }),
    );
    await pub.publish('bin', bytes);
    await pub.publish('bin', text);
    await two;
    expect(got[0]).toEqual(bytes);
    expect(got[1]).toEqual(text);
  });

  it('topic limits answer Redis errors: message size, subscriptions per cache', async () => {
    const pub = ioredis();
    await expect(pub.publish('t', 'x'.repeat(4097))).rejects.toThrow(
      'ERR message of 4097 bytes exceeds the topic message size limit of 4096 bytes',
    );
    expect(await pub.publish('t', 'x'.repeat(4096))).toBe(0);
    const s = await raw();
    const names = Array.from({ length: MAX_SUBSCRIPTIONS + 1 }, (_, i) => `c${i}`);
    s.send(command('SUBSCRIBE', ...names));
    const expected: string[] = [];
    for (let i = 0; i < MAX_SUBSCRIPTIONS; i++) expected.push(...frame('*', 'subscribe', `c${i}`, i + 1));
    expect(await s.lines(expected.length)).toEqual(expected);
    const [error] = await s.lines(1);
    expect(error).toMatch(/^-ERR cache '.*' already has 6 topic subscriptions on this server, the maximum/);
    // The refused channel is not subscribed; the connection still works in subscribe mode.
    s.send(command('PING'));
    expect(await s.lines(5)).toEqual(frame('*', 'pong', ''));
  });
});

describe('keys', () => {
  it("a token's topic permissions apply: publish-only on one topic publishes there, nothing else", async () => {
    const auth = new AuthClient({
      credentialProvider: keyCredentials(b.server.grpcAddress, b.server.devApiKey),
      configuration: AuthClientConfigurations.Default.latest(new NoopMomentoLoggerFactory()),
    });
    const r = await auth.generateDisposableToken(
      PermissionScopes.topicPublishOnly(cache, 'chat-1'),
      ExpiresIn.minutes(5),
    );
    if (r.type !== GenerateDisposableTokenResponse.Success) throw new Error(r.toString());
    const s = await RespSocket.open(b.server.redisPort!);
    closers.push(() => s.close());
    s.send(command('AUTH', cache, r.authToken));
    expect(await s.lines(1)).toEqual(['+OK']);
    s.send(
      Buffer.concat([
        command('PUBLISH', 'chat-1', 'hi'),
        command('PUBLISH', 'orders', 'hi'),
        command('SUBSCRIBE', 'chat-1'),
      ]),
    );
    const [ok, publishDenied, subscribeDenied] = await s.lines(3);
    expect(ok).toBe(':0');
    expect(publishDenied).toMatch(/^-NOPERM /);
    expect(subscribeDenied).toMatch(/^-NOPERM /);
  });
});

describe('RESP2 subscribe mode on a bare socket', () => {
  it("only (P)SUBSCRIBE, (P)UNSUBSCRIBE, PING, QUIT, RESET run; others get Redis's error; PING is a pong array", async () => {
    const s = await raw();
    s.send(command('SUBSCRIBE', 'a', 'b', 'a'));
    const subs = [
      ...frame('*', 'subscribe', 'a', 1),
      ...frame('*', 'subscribe', 'b', 2),
      ...frame('*', 'subscribe', 'a', 2),
    ];
    expect(await s.lines(subs.length)).toEqual(subs);
    s.send(Buffer.concat([command('GET', 'k'), command('PING'), command('PING', 'hi'), command('PSUBSCRIBE', 'a*')]));
    expect(await s.lines(1 + 5 + 5 + 1)).toEqual([
      "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
      ...frame('*', 'pong', ''),
      ...frame('*', 'pong', 'hi'),
      '-ERR PSUBSCRIBE is not supported: Momento topics have no pattern subscriptions; SUBSCRIBE to each channel',
    ]);
    s.send(command('PUNSUBSCRIBE'));
    expect(await s.lines(lineCount('*', 'punsubscribe', null, 2))).toEqual(frame('*', 'punsubscribe', null, 2));
    // UNSUBSCRIBE without channels: every channel, one confirmation each; then a normal connection again.
    s.send(command('UNSUBSCRIBE'));
    const unsubs = [...frame('*', 'unsubscribe', 'a', 1), ...frame('*', 'unsubscribe', 'b', 0)];
    expect(await s.lines(unsubs.length)).toEqual(unsubs);
    s.send(Buffer.concat([command('UNSUBSCRIBE'), command('PING')]));
    expect(await s.lines(lineCount('*', 'unsubscribe', null, 0) + 1)).toEqual([
      ...frame('*', 'unsubscribe', null, 0),
      '+PONG',
    ]);
  });

  it('RESET leaves subscribe mode and ends the subscriptions; closing the connection frees them', async () => {
    const pub = ioredis();
    const s = await raw();
    s.send(command('SUBSCRIBE', 'r'));
    await s.lines(lineCount('*', 'subscribe', 'r', 1));
    expect(await pub.publish('r', 'x')).toBe(1);
    s.send(Buffer.concat([command('RESET'), command('AUTH', cache, b.server.devApiKey), command('GET', 'k')]));
    // The message published before RESET may arrive first: skip to RESET's reply.
    const text = await s.until((t) => t.includes('+RESET\r\n+OK\r\n$-1\r\n'));
    expect(text.endsWith('+RESET\r\n+OK\r\n$-1\r\n')).toBe(true);
    expect(await pub.publish('r', 'y')).toBe(0);
    const t = await raw();
    t.send(command('SUBSCRIBE', 'r'));
    await t.lines(lineCount('*', 'subscribe', 'r', 1));
    expect(await pub.publish('r', 'z')).toBe(1);
    t.close();
    // The server notices the close asynchronously: poll PUBLISH until the subscription is gone.
    let n = 1;
    while (n !== 0) n = await pub.publish('r', 'after close');
    expect(n).toBe(0);
  });

  it('deleting the cache ends the subscription: the connection closes; subscribing again says why', async () => {
    const s = await raw();
    s.send(command('SUBSCRIBE', 'd'));
    await s.lines(lineCount('*', 'subscribe', 'd', 1));
    const admin = await b.client();
    expect((await admin.deleteCache(cache)).type).toBe('Success');
    await s.closedByServer();
    expect(await s.until(() => true)).toBe('');
    const again = await RespSocket.open(b.server.redisPort!);
    closers.push(() => again.close());
    again.send(Buffer.concat([command('AUTH', cache, b.server.devApiKey), command('SUBSCRIBE', 'd')]));
    const [ok, error] = await again.lines(2);
    expect(ok).toBe('+OK');
    expect(error).toMatch(/^-ERR .*not found/i);
  });

  it('a subscriber that stops reading costs bounded memory: it is disconnected, as Redis does', async () => {
    const s = await raw();
    s.send(command('SUBSCRIBE', 'firehose'));
    await s.lines(lineCount('*', 'subscribe', 'firehose', 1));
    s.socket.pause();
    const pub = ioredis();
    const body = 'x'.repeat(4000);
    let published = 0;
    // Publish until the server gives up on the subscriber (its count drops to 0); at most 200 MB.
    for (let round = 0; round < 500; round++) {
      const p = pub.pipeline();
      for (let i = 0; i < 100; i++) p.publish('firehose', body);
      const replies = (await p.exec()) ?? [];
      published += replies.length;
      if (replies.some(([, n]) => n === 0)) break;
    }
    expect(await pub.publish('firehose', body)).toBe(0);
    s.countOnly();
    s.socket.resume();
    await s.closedByServer();
    // It got fewer than were published: the rest was dropped, not buffered without bound.
    expect(s.bytes).toBeLessThan(published * 4000);
  });
});

describe('RESP3', () => {
  it('HELLO 3: confirmations and messages are > pushes, and normal commands run while subscribed', async () => {
    const s = await raw();
    s.send(command('HELLO', '3'));
    const hello = await s.until((t) => t.includes('modules\r\n*0\r\n'));
    await s.lines(hello.split('\r\n').length - 1);
    s.send(command('SUBSCRIBE', 'p'));
    expect(await s.lines(lineCount('>', 'subscribe', 'p', 1))).toEqual(frame('>', 'subscribe', 'p', 1));
    s.send(
      Buffer.concat([command('SET', 'k', 'v'), command('GET', 'k'), command('PUBLISH', 'p', 'hi'), command('PING')]),
    );
    const push = frame('>', 'message', 'p', 'hi').join('\r\n');
    const text = await s.until((t) => t.includes('+PONG\r\n') && t.includes(push));
    // Replies stay whole and in order; the push for our own PUBLISH comes after PUBLISH has answered (at
    // once in-process, whenever the cluster's bus delivers it on a gateway), never inside a reply.
    expect(text.replace(`${push}\r\n`, '')).toBe('+OK\r\n$1\r\nv\r\n:1\r\n+PONG\r\n');
    expect(text.indexOf(push)).toBeGreaterThan(text.indexOf(':1\r\n'));
    s.send(command('UNSUBSCRIBE'));
    await s.until((t) => t.includes('unsubscribe'));
  });

  it('node-redis with RESP: 3 subscribes, receives, and runs commands on the same connection', async () => {
    const url = `redis://${encodeURIComponent(cache)}:${encodeURIComponent(b.server.devApiKey)}@127.0.0.1:${b.server.redisPort}`;
    const sub = createClient({ url, RESP: 3 });
    const pub = createClient({ url });
    closers.push(
      () => void sub.destroy(),
      () => void pub.destroy(),
    );
    await sub.connect();
    await pub.connect();
    const got: string[] = [];
    let done: () => void = () => {};
    const three = new Promise<void>((resolve) => {
      done = resolve;
    });
    await sub.subscribe('nr', (message: string, channel: string) => {
      got.push(`${channel}:${message}`);
      if (got.length === 3) done();
    });
    expect(await sub.set('k', 'v')).toBe('OK');
    expect(await sub.get('k')).toBe('v');
    for (const m of ['a', 'b', 'c']) expect(await pub.publish('nr', m)).toBe(1);
    await three;
    expect(got).toEqual(['nr:a', 'nr:b', 'nr:c']);
    await sub.unsubscribe('nr');
    expect(await pub.publish('nr', 'd')).toBe(0);
  });
});

describe('redis-cli', () => {
  it('redis-cli subscribe prints confirmations and messages; redis-cli publish prints the count', async () => {
    const base = ['--no-auth-warning', '-h', '127.0.0.1', '-p', String(b.server.redisPort), '--user', cache];
    const child: ChildProcess = spawn('redis-cli', [...base, '--pass', b.server.devApiKey, 'subscribe', 'cli']);
    closers.push(() => child.kill());
    let out = '';
    const waiters: (() => void)[] = [];
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      for (const w of waiters.splice(0)) w();
    });
    const until = async (text: string) => {
      while (!out.includes(text)) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    await until('subscribe\ncli\n1\n');
    const { stdout } = await run('redis-cli', [...base, '--pass', b.server.devApiKey, 'publish', 'cli', 'hello cli']);
    expect(stdout).toBe('1\n');
    await until('message\ncli\nhello cli\n');
    expect(out).toBe('subscribe\ncli\n1\nmessage\ncli\nhello cli\n');
  });
});

describe('across transports: the same topic over RESP and the Momento SDK', () => {
  it('PUBLISH over RESP reaches a TopicClient subscriber (text as text, bytes as bytes), and back', async () => {
    const rec = new Recorder();
    const sdkSub = await subscribed(topics, cache, 'x', rec);
    const pub = ioredis();
    expect(await pub.publish('x', 'from redis')).toBe(1);
    await pub.publish('x', Buffer.from([0xff, 0, 1]));
    await rec.untilItems(2);
    expect(rec.items[0]?.value).toBe('from redis');
    expect(Array.from(rec.items[1]?.value as Uint8Array)).toEqual([0xff, 0, 1]);
    sdkSub.unsubscribe();

    const sub = ioredis();
    await sub.subscribe('y');
    const got: Buffer[] = [];
    const two = new Promise<void>((resolve) =>
      sub.on('messageBuffer', (_c: Buffer, m: Buffer) => {
        got.push(m);
        if (got.length === 2) resolve();
      }),
    );
    expect((await topics.publish(cache, 'y', 'from momento')).type).toBe('Success');
    expect((await topics.publish(cache, 'y', new Uint8Array([9, 0, 255]))).type).toBe('Success');
    await two;
    expect(got[0]?.toString()).toBe('from momento');
    expect(got[1]).toEqual(Buffer.from([9, 0, 255]));
  });
});
