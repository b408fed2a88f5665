/**
 * Topic webhooks through the official TopicClient (putWebhook, listWebhooks, getWebhookSecret,
 * rotateWebhookSecret, deleteWebhook), delivering to a real HTTP receiver on a local port: each message is
 * POSTed as Momento's event JSON with a `momento-signature` the test verifies independently (HMAC SHA3-256
 * of the raw body with the secret, as Momento's docs show), in order; a failing receiver is retried and
 * every attempt shows in the delivery log; a receiver that never answers does not slow publishers.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DeleteWebhook,
  GetWebhookSecret,
  ListWebhooks,
  MomentoErrorCode,
  PutWebhook,
  RotateWebhookSecret,
  type TopicClient,
  TopicPublish,
} from '@gomomento/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { topicClient } from './support/topics.ts';

type Received = { body: string; signature: string; userAgent: string };

/** A local receiver: records requests, answers with `status()` (or never, when it returns 0). */
class Receiver {
  readonly got: Received[] = [];
  status: () => number = () => 204;
  private server: Server | undefined;
  private waiters: Array<() => void> = [];
  url = '';
  async start(): Promise<void> {
    const server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.got.push({
          body: Buffer.concat(chunks).toString('utf8'),
          signature: String(req.headers['momento-signature'] ?? ''),
          userAgent: String(req.headers['user-agent'] ?? ''),
        });
        for (const w of this.waiters.splice(0)) w();
        const status = this.status();
        if (status === 0) return; // never answer
        res.statusCode = status;
        res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }
  async until(n: number): Promise<void> {
    while (this.got.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

let b: Booted;
let topics: TopicClient;
let cache: string;
let receiver: Receiver;

beforeAll(async () => {
  b = await boot();
  topics = topicClient(b.server.grpcAddress, b.server.devApiKey);
});
afterAll(async () => {
  await b.stop();
});
beforeEach(async () => {
  cache = uniqueName();
  expect((await (await b.client()).createCache(cache)).type).toBe('Success');
  receiver = new Receiver();
  await receiver.start();
  return () => receiver.stop();
});

const verify = (secret: string, r: Received) =>
  createHmac('SHA3-256', secret).update(r.body).digest('hex') === r.signature;

async function put(name: string, topic: string, url = receiver.url): Promise<string> {
  const r = await topics.putWebhook(cache, name, { topicName: topic, destination: url });
  if (!(r instanceof PutWebhook.Success)) throw new Error(`putWebhook failed: ${r.toString()}`);
  return r.secretString();
}

async function publish(topic: string, value: string | Uint8Array): Promise<void> {
  const r = await topics.publish(cache, topic, value);
  if (!(r instanceof TopicPublish.Success)) throw new Error(`publish failed: ${r.toString()}`);
}

describe('webhooks', () => {
  it('putWebhook: every message of the topic is POSTed in order, signed with the secret', async () => {
    const secret = await put('orders-hook', 'orders');
    await publish('orders', 'first');
    await publish('other-topic', 'not for this hook');
    await publish('orders', new Uint8Array([1, 2, 3]));
    await receiver.until(2);
    const events = receiver.got.map((r) => JSON.parse(r.body));
    expect(events.map((e) => [e.topic, e.topic_sequence_number, e.text ?? e.binary])).toEqual([
      ['orders', 1, 'first'],
      ['orders', 2, Buffer.from([1, 2, 3]).toString('base64')],
    ]);
    expect(events[0]).toMatchObject({ cache, token_id: '' });
    expect(typeof events[0].publish_timestamp).toBe('number');
    for (const r of receiver.got) expect(verify(secret, r)).toBe(true);
    expect(verify('wrong-secret', receiver.got[0] as Received)).toBe(false);
  });

  it('listWebhooks, getWebhookSecret, rotateWebhookSecret (new deliveries use the new secret), deleteWebhook', async () => {
    const secret = await put('h1', 't');
    await put('h2', 'u', 'https://example.invalid/x');
    const listed = await topics.listWebhooks(cache);
    if (!(listed instanceof ListWebhooks.Success)) throw new Error(listed.toString());
    expect(listed.getWebhooks().map((w) => [w.id.webhookName, w.topicName, w.destination.url()])).toEqual([
      ['h1', 't', receiver.url],
      ['h2', 'u', 'https://example.invalid/x'],
    ]);
    const got = await topics.getWebhookSecret(cache, 'h1');
    expect(got instanceof GetWebhookSecret.Success && got.secret()).toBe(secret);
    const rotated = await topics.rotateWebhookSecret(cache, 'h1');
    if (!(rotated instanceof RotateWebhookSecret.Success)) throw new Error(rotated.toString());
    expect(rotated.secret()).not.toBe(secret);
    await publish('t', 'after rotation');
    await receiver.until(1);
    expect(verify(rotated.secret(), receiver.got[0] as Received)).toBe(true);
    expect((await topics.deleteWebhook(cache, 'h1')) instanceof DeleteWebhook.Success).toBe(true);
    const gone = await topics.deleteWebhook(cache, 'h1');
    expect(gone instanceof DeleteWebhook.Error && gone.errorCode()).toBe(MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    const bad = await topics.putWebhook(cache, 'h3', { topicName: 't', destination: 'ftp://x' });
    expect(bad instanceof PutWebhook.Error && bad.errorCode()).toBe(MomentoErrorCode.INVALID_ARGUMENT_ERROR);
  });

  it('a failing receiver is retried until it accepts; the delivery log shows every attempt', async () => {
    await put('flaky', 'f');
    let calls = 0;
    receiver.status = () => (++calls <= 2 ? 503 : 204);
    await publish('f', 'eventually');
    await receiver.until(3);
    const log = async () => {
      const res = await fetch(`${b.server.httpUrl}/v1/webhooks/${cache}/flaky/deliveries`, {
        headers: { authorization: b.server.devApiKey },
      });
      return ((await res.json()) as { deliveries: Array<{ outcome: string; attempt: number; status: number }> })
        .deliveries;
    };
    await expect.poll(async () => (await log()).length).toBe(3);
    expect((await log()).map((d) => [d.attempt, d.outcome, d.status])).toEqual([
      [1, 'failed', 503],
      [2, 'failed', 503],
      [3, 'delivered', 204],
    ]);
    expect(new Set(receiver.got.map((r) => r.body)).size).toBe(1); // the same event, re-sent
  });

  it('a receiver that never answers does not hold up publishers', async () => {
    await put('stuck', 's');
    receiver.status = () => 0;
    for (let i = 0; i < 20; i++) await publish('s', `m${i}`); // each publish returns without waiting
    await receiver.until(1);
    expect(receiver.got).toHaveLength(1); // one delivery in flight per webhook, in order
    expect(JSON.parse((receiver.got[0] as Received).body).text).toBe('m0');
  });
});
