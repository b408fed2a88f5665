/**
 * Signup and API keys over real HTTP (fetch against a listening server), with e-mail read from the outbox
 * and from a real SMTP receiver. Keys obtained this way are then used with the official SDK.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeApiKey, ManualClock } from '@cachette/core';
import { apiKeyIn, outbox, startSmtpReceiver } from '@cachette/testing';
import { CacheGetResponse, CacheSetResponse, CreateCacheResponse, MomentoErrorCode } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

const clock = new ManualClock();
let b: Booted;

beforeAll(async () => {
  b = await boot({ clock, provider: 'aws', region: 'us-east-1' });
});
afterAll(async () => {
  await b.stop();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${b.server.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}
const signup = (email: string, region = 'us-east-1') => post('/v1/signup', { provider: 'aws', region, email });
const bearer = (apiKey: string) => ({ authorization: `Bearer ${apiKey}` });

describe('signup', () => {
  it('POST /v1/signup answers 202 without the key and e-mails a working key to the outbox', async () => {
    const email = `${uniqueName('a')}@example.com`;
    const res = await signup(email);
    expect(res.status).toBe(202);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ message: 'Success! Your API key will be emailed to you shortly.' });

    const mails = (await outbox(b.dataDir)).filter((m) => m.to && JSON.stringify(m.to).includes(email));
    expect(mails).toHaveLength(1);
    const text = mails[0]?.text ?? '';
    const apiKey = apiKeyIn(text);
    expect(body).not.toContain(apiKey);
    expect(text).toContain('aws/us-east-1');
    expect(text).toContain(b.server.grpcAddress);
    expect(text).toContain('cachette configure');
    expect(decodeApiKey(apiKey)?.httpEndpoint).toBe(b.server.httpUrl);
    // Readable as a plain file: the key sits whole on one line (no quoted-printable folding).
    const rawFiles = readdirSync(join(b.dataDir, 'outbox')).map((f) =>
      readFileSync(join(b.dataDir, 'outbox', f), 'utf8'),
    );
    expect(rawFiles.some((raw) => raw.split('\n').includes(apiKey))).toBe(true);

    const client = await b.client(apiKey);
    const cache = uniqueName();
    expect((await client.createCache(cache)).type).toBe(CreateCacheResponse.Success);
    expect((await client.set(cache, 'k', 'v')).type).toBe(CacheSetResponse.Success);
    expect((await client.get(cache, 'k')).type).toBe(CacheGetResponse.Hit);
    // The new account cannot see the local account's caches.
    const dev = await b.client();
    const devCache = uniqueName();
    await dev.createCache(devCache);
    expectSdkError(await client.get(devCache, 'k'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
  });

  it('signing up again with the same address answers the same and sends a fresh key to the same account', async () => {
    const email = `${uniqueName('again')}@example.com`;
    const first = await signup(email);
    const second = await signup(email.toUpperCase());
    expect(second.status).toBe(first.status);
    expect(await second.text()).toBe(await first.text());
    const keys = (await outbox(b.dataDir))
      .filter((m) => JSON.stringify(m.to).includes(email))
      .map((m) => apiKeyIn(m.text ?? ''));
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]);
    const [a, c] = await Promise.all(
      keys.map((k) => b.server.metadata.findApiKeyBySecret(decodeApiKey(k)?.secret ?? '')),
    );
    expect(a?.accountId).toBe(c?.accountId);
  });

  it('a bad e-mail address gets 400 INVALID_ARGUMENT', async () => {
    for (const bad of ['a@b', 'a b@example.com', 'x@example.com\r\nBcc: y@example.com', 'ü@example.com']) {
      expect((await signup(bad)).status).toBe(400);
    }
    const res = await signup('not-an-address');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: "'not-an-address' is not a valid e-mail address" },
    });
  });

  it('a region this deployment does not serve gets 400 naming what is served', async () => {
    const res = await signup(`${uniqueName('r')}@example.com`, 'eu-west-1');
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { message: string } };
    expect(error.message).toContain('serves aws/us-east-1 only');
    expect(error.message).toContain('aws/eu-west-1');
  });

  it('a missing field gets 400 with a JSON error body', async () => {
    const res = await post('/v1/signup', { provider: 'aws' });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(/^invalid request: (region|email) is required$/);
  });

  it('an empty e-mail is worded for people, not as the raw schema text', async () => {
    const res = await post('/v1/signup', { provider: 'aws', region: 'us-east-1', email: '' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: { code: 'INVALID_ARGUMENT', message: 'invalid request: email must not be empty' },
    });
  });

  it('repeated signups for one address are rate-limited with 429 and Retry-After, then allowed again', async () => {
    const email = `${uniqueName('rl')}@example.com`;
    for (let i = 0; i < 3; i++) expect((await signup(email)).status).toBe(202);
    const limited = await signup(email);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(3_600_000);
    expect((await signup(email)).status).toBe(202);
  });

  it('behind a proxy (--trust-proxy) signups are limited per forwarded client, 10 an hour', async () => {
    const s = await boot({ trustProxy: true });
    try {
      const from = (ip: string) =>
        fetch(`${s.server.httpUrl}/v1/signup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
          body: JSON.stringify({ provider: 'local', region: 'local', email: `${uniqueName('p')}@example.com` }),
        });
      for (let i = 0; i < 10; i++) expect((await from('203.0.113.7')).status).toBe(202);
      expect((await from('203.0.113.7')).status).toBe(429);
      expect((await from('198.51.100.9')).status).toBe(202);
    } finally {
      await s.stop();
    }
  });

  it('with --smtp-url the key arrives through a real SMTP server', async () => {
    const smtp = await startSmtpReceiver();
    const s = await boot({ smtpUrl: smtp.url });
    try {
      const email = `${uniqueName('smtp')}@example.com`;
      const arrived = smtp.next();
      const res = await fetch(`${s.server.httpUrl}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'local', region: 'local', email }),
      });
      expect(res.status).toBe(202);
      const mail = await arrived;
      expect(JSON.stringify(mail.to)).toContain(email);
      const client = await s.client(apiKeyIn(mail.text ?? ''));
      expect((await client.createCache(uniqueName())).type).toBe(CreateCacheResponse.Success);
      expect(await outbox(s.dataDir)).toEqual([]);
    } finally {
      await s.stop();
      await smtp.stop();
    }
  });

  it('when SMTP is down the signup fails with 503 and leaves no usable key', async () => {
    const smtp = await startSmtpReceiver();
    await smtp.stop(); // a port that just closed: connection refused
    const s = await boot({ smtpUrl: smtp.url });
    try {
      const email = `${uniqueName('down')}@example.com`;
      const res = await fetch(`${s.server.httpUrl}/v1/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'local', region: 'local', email }),
      });
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.message).toContain('could not send e-mail');
      const account = await s.server.metadata.findAccountByEmail(email);
      const keys = account ? await s.server.metadata.listApiKeys(account.id) : [];
      expect(keys.every((k) => k.revokedAtMs !== null)).toBe(true);
    } finally {
      await s.stop();
    }
  });
});

describe('api keys over HTTP', () => {
  it('creates a scoped read-only expiring key, lists it without secrets, and revokes it at once', async () => {
    const cache = uniqueName();
    const dev = await b.client();
    await dev.createCache(cache);
    await dev.set(cache, 'k', 'v');

    const created = await post(
      '/v1/api-keys',
      { caches: [cache], access: 'read-only', expiresInSeconds: 3600, description: 'ci reader' },
      bearer(b.server.devApiKey),
    );
    expect(created.status).toBe(201);
    const key = (await created.json()) as {
      apiKey: string;
      id: string;
      caches: string[];
      access: string;
      expiresAt: string;
    };
    expect(key.caches).toEqual([cache]);
    expect(key.access).toBe('read-only');
    expect(Date.parse(key.expiresAt)).toBe(clock.nowMs() + 3_600_000);

    const reader = await b.client(key.apiKey);
    expect((await reader.get(cache, 'k')).type).toBe(CacheGetResponse.Hit);
    expectSdkError(await reader.set(cache, 'k', 'x'), MomentoErrorCode.PERMISSION_ERROR);

    const list = await fetch(`${b.server.httpUrl}/v1/api-keys`, { headers: bearer(b.server.devApiKey) });
    const listed = (await list.json()) as {
      keys: Array<{ id: string; description: string | null; lastUsedAt: string | null }>;
    };
    const text = JSON.stringify(listed);
    const entry = listed.keys.find((k) => k.id === key.id);
    expect(entry?.description).toBe('ci reader');
    expect(entry?.lastUsedAt).toBe(new Date(clock.nowMs()).toISOString());
    expect(text).not.toContain(decodeApiKey(key.apiKey)?.secret);
    expect(text).not.toContain('secret');

    const del = await fetch(`${b.server.httpUrl}/v1/api-keys/${key.id}`, {
      method: 'DELETE',
      headers: bearer(b.server.devApiKey),
    });
    expect(del.status).toBe(204);
    expectSdkError(await reader.get(cache, 'k'), MomentoErrorCode.AUTHENTICATION_ERROR, 'revoked');
  });

  it('a key can be passed as the token query parameter', async () => {
    const res = await fetch(`${b.server.httpUrl}/v1/api-keys?token=${encodeURIComponent(b.server.devApiKey)}`);
    expect(res.status).toBe(200);
  });

  it('without a key: 401 with a JSON error; with a read-only key: 403', async () => {
    const res = await fetch(`${b.server.httpUrl}/v1/api-keys`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    const ro = (await (await post('/v1/api-keys', { access: 'read-only' }, bearer(b.server.devApiKey))).json()) as {
      apiKey: string;
    };
    const denied = await post('/v1/api-keys', {}, bearer(ro.apiKey));
    expect(denied.status).toBe(403);
  });

  it("revoking another account's key is 404 and leaves it working", async () => {
    const email = `${uniqueName('other')}@example.com`;
    await signup(email);
    const mail = (await outbox(b.dataDir)).find((m) => JSON.stringify(m.to).includes(email));
    const otherKey = apiKeyIn(mail?.text ?? '');
    const other = await b.server.metadata.findApiKeyBySecret(decodeApiKey(otherKey)?.secret ?? '');
    const res = await fetch(`${b.server.httpUrl}/v1/api-keys/${other?.id}`, {
      method: 'DELETE',
      headers: bearer(b.server.devApiKey),
    });
    expect(res.status).toBe(404);
    const c = await b.client(otherKey);
    expect((await c.listCaches()).type).toBe('Success');
  });

  it('an unknown route is a JSON 404', async () => {
    const res = await fetch(`${b.server.httpUrl}/nope?token=secret`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route for GET /nope' } });
  });
});
