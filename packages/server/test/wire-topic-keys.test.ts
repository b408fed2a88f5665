/**
 * Topic permissions on the wire: keys minted by Momento's AuthClient (TopicRole scopes, disposable
 * tokens with topic scopes) and by `POST /v1/api-keys` (what `cachette api-key create --topic` sends),
 * used with the official TopicClient and CacheClient.
 */
import {
  AllDataReadWrite,
  AllTopics,
  AuthClient,
  AuthClientConfigurations,
  CacheGetResponse,
  ExpiresIn,
  GenerateApiKeyResponse,
  GenerateDisposableTokenResponse,
  MomentoErrorCode,
  NoopMomentoLoggerFactory,
  PermissionScopes,
  TopicPublish,
  TopicSubscribe,
} from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';
import { Recorder, subscribed, topicClient } from './support/topics.ts';

let b: Booted;
let auth: AuthClient;
let cache: string;

beforeAll(async () => {
  b = await boot();
  auth = new AuthClient({
    credentialProvider: keyCredentials(b.server.grpcAddress, b.server.devApiKey),
    configuration: AuthClientConfigurations.Default.latest(new NoopMomentoLoggerFactory()),
  });
  cache = uniqueName();
  await (await b.client()).createCache(cache);
});
afterAll(async () => {
  await b.stop();
});

const publishCode = async (key: string, topic: string) => {
  const r = await topicClient(b.server.grpcAddress, key).publish(cache, topic, 'x');
  return r instanceof TopicPublish.Error ? r.errorCode() : 'ok';
};
const subscribeCode = async (key: string, topic: string) => {
  const r = await topicClient(b.server.grpcAddress, key).subscribe(cache, topic, {});
  if (r instanceof TopicSubscribe.Subscription) {
    r.unsubscribe();
    return 'ok';
  }
  return (r as TopicSubscribe.Error).errorCode();
};
const DENIED = MomentoErrorCode.PERMISSION_ERROR;

describe('AuthClient topic scopes', () => {
  it('AllDataReadWrite publishes and subscribes to any topic', async () => {
    const r = await auth.generateApiKey(AllDataReadWrite, ExpiresIn.never());
    if (r.type !== GenerateApiKeyResponse.Success) throw new Error(r.toString());
    expect(await publishCode(r.apiKey, 'any')).toBe('ok');
    expect(await subscribeCode(r.apiKey, 'any')).toBe('ok');
  });

  it('topicSubscribeOnly(cache, topic) subscribes to that topic only, never publishes, reads no items', async () => {
    const r = await auth.generateApiKey(PermissionScopes.topicSubscribeOnly(cache, 'news'), ExpiresIn.never());
    if (r.type !== GenerateApiKeyResponse.Success) throw new Error(r.toString());
    expect(await subscribeCode(r.apiKey, 'news')).toBe('ok');
    expect(await publishCode(r.apiKey, 'news')).toBe(DENIED);
    expect(await subscribeCode(r.apiKey, 'sports')).toBe(DENIED);
    expectSdkError(await (await b.client(r.apiKey)).get(cache, 'k'), DENIED);
  });

  it('a disposable token with topicPublishOnly(cache, topic) publishes to that topic only', async () => {
    const r = await auth.generateDisposableToken(
      PermissionScopes.topicPublishOnly(cache, 'chat-1'),
      ExpiresIn.minutes(5),
    );
    if (r.type !== GenerateDisposableTokenResponse.Success) throw new Error(r.toString());
    expect(await publishCode(r.authToken, 'chat-1')).toBe('ok');
    expect(await publishCode(r.authToken, 'orders')).toBe(DENIED);
    expect(await subscribeCode(r.authToken, 'chat-1')).toBe(DENIED);
  });

  it('a token with cache permissions only may use no topics', async () => {
    const r = await auth.generateDisposableToken(
      { permissions: [{ role: 'readwrite', cache: cache }] } as never,
      ExpiresIn.minutes(5),
    );
    if (r.type !== GenerateDisposableTokenResponse.Success) throw new Error(r.toString());
    expect((await (await b.client(r.authToken)).get(cache, 'k')).type).toBe(CacheGetResponse.Miss);
    expect(await publishCode(r.authToken, 't')).toBe(DENIED);
  });

  it('topicPublishSubscribe(cache, AllTopics) grants every topic of that cache', async () => {
    const r = await auth.generateApiKey(PermissionScopes.topicPublishSubscribe(cache, AllTopics), ExpiresIn.never());
    if (r.type !== GenerateApiKeyResponse.Success) throw new Error(r.toString());
    const rec = new Recorder();
    const sub = await subscribed(topicClient(b.server.grpcAddress, r.apiKey), cache, 'z', rec);
    expect(await publishCode(r.apiKey, 'z')).toBe('ok');
    await rec.untilItems(1);
    sub.unsubscribe();
  });
});

describe('POST /v1/api-keys with topics', () => {
  const create = async (body: object) => {
    const res = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { authorization: b.server.devApiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as { apiKey: string; topics: unknown; message?: string } };
  };

  it('topicsOnly + a subscribe grant: subscribes to the granted topic, nothing else', async () => {
    const { status, json } = await create({
      topicsOnly: true,
      topics: [{ cache, topic: 'room-*', access: 'subscribe' }],
    });
    expect(status).toBe(201);
    expect(json.topics).toEqual([{ cache, topic: 'room-*', access: 'subscribe' }]);
    expect(await subscribeCode(json.apiKey, 'room-7')).toBe('ok');
    expect(await publishCode(json.apiKey, 'room-7')).toBe(DENIED);
    expect(await subscribeCode(json.apiKey, 'lobby')).toBe(DENIED);
    expectSdkError(await (await b.client(json.apiKey)).set(cache, 'k', 'v'), DENIED);
  });

  it('a key without topics lists topics as-caches; a bad grant is a 400', async () => {
    const plain = await create({ access: 'read-only' });
    expect(plain.json.topics).toBe('as-caches');
    expect(await subscribeCode(plain.json.apiKey, 'any')).toBe('ok');
    expect(await publishCode(plain.json.apiKey, 'any')).toBe(DENIED);
    const bad = await create({ topics: [{ cache, topic: 'x', access: 'admin' }] });
    expect(bad.status).toBe(400);
    const onlyNoTopics = await create({ topicsOnly: true });
    expect(onlyNoTopics.status).toBe(400);
  });
});
