/**
 * Issue 14, finding 7: signup abuse. Limits live in the metadata store (shared by gateways, never
 * forgotten), IPv6 clients count per /64, and someone spending an address's signups never locks its
 * owner out: each e-mail holds the newest key and older unseen signup keys stop working.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyIn, outbox } from '@cachette/testing';
import { CacheGetResponse, MomentoErrorCode } from '@gomomento/sdk';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { clientBucketOf } from '../src/service/rate-limiter.ts';
import { type Booted, boot, uniqueName } from './support/boot.ts';

const POSTGRES_URL = process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function signup(b: Booted, email: string, forwardedFor?: string) {
  return fetch(`${b.server.httpUrl}/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ provider: 'local', region: 'local', email }),
  });
}

describe('clientBucketOf', () => {
  it('IPv4 as is, IPv6 by /64, IPv4-mapped IPv6 as IPv4', () => {
    expect(clientBucketOf('203.0.113.7')).toBe('203.0.113.7');
    expect(clientBucketOf('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(clientBucketOf('2001:0db8:0001:0002:ffff:eeee:dddd:cccc')).toBe('2001:db8:1:2::/64');
    expect(clientBucketOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientBucketOf('::1')).toBe('0:0:0:0::/64');
    expect(clientBucketOf('::ffff:198.51.100.9')).toBe('198.51.100.9');
  });
});

describe('signup limits', () => {
  it('IPv6 clients rotating addresses inside one /64 share one quota of 10 an hour', async () => {
    const s = await boot({ trustProxy: true });
    try {
      for (let i = 1; i <= 10; i++) {
        expect((await signup(s, `${uniqueName('v6')}@example.com`, `2001:db8:7:7::${i.toString(16)}`)).status).toBe(
          202,
        );
      }
      expect((await signup(s, `${uniqueName('v6')}@example.com`, '2001:db8:7:7:ffff::1')).status).toBe(429);
      expect((await signup(s, `${uniqueName('v6')}@example.com`, '2001:db8:7:8::1')).status).toBe(202);
    } finally {
      await s.stop();
    }
  });

  it('the limits survive a restart (kept in the metadata store, not in process memory)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cachette-signup-'));
    try {
      const email = `${uniqueName('r')}@example.com`;
      const first = await boot({ dataDir });
      for (let i = 0; i < 3; i++) expect((await signup(first, email)).status).toBe(202);
      await first.stop();
      const second = await boot({ dataDir });
      try {
        expect((await signup(second, email)).status).toBe(429);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe('two gateways sharing PostgreSQL', () => {
    const schema = `cachette_test_signup_${randomBytes(4).toString('hex')}`;
    afterAll(async () => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      await admin.query(`drop schema if exists "${schema}" cascade`);
      await admin.end();
    });

    it('enforce one limit per address between them (3 an hour in total, not 3 each)', async () => {
      const shared = { databaseUrl: POSTGRES_URL, databaseSchema: schema };
      const [a, b] = await Promise.all([boot(shared), boot(shared)]);
      try {
        const email = `${uniqueName('gw')}@example.com`;
        expect((await signup(a, email)).status).toBe(202);
        expect((await signup(b, email)).status).toBe(202);
        expect((await signup(a, email)).status).toBe(202);
        const over = await signup(b, email);
        expect(over.status).toBe(429);
        expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
      } finally {
        await Promise.all([a.stop(), b.stop()]);
      }
    });
  });

  it('someone spending an address’s signups does not lock its owner out: the newest e-mail holds the working key', async () => {
    const s = await boot();
    try {
      const email = `${uniqueName('victim')}@example.com`;
      for (let i = 0; i < 3; i++) expect((await signup(s, email)).status).toBe(202);
      const over = await signup(s, email);
      expect(over.status).toBe(429);
      expect(((await over.json()) as { error: { message: string } }).error.message).toContain(
        'the newest Cachette e-mail in that mailbox holds a working key',
      );
      const mails = (await outbox(s.dataDir)).filter((m) => JSON.stringify(m.to).includes(email));
      expect(mails).toHaveLength(3);
      expect(mails[2]?.text).toContain('This is the newest key for this address');
      const keys = mails.map((m) => apiKeyIn(m.text ?? ''));
      const cache = uniqueName();
      // The newest works (and can create a cache); the older, never used, were revoked by the later signups.
      const newest = await s.client(keys[2]);
      expect((await newest.createCache(cache)).type).toBe('Success');
      for (const old of keys.slice(0, 2)) {
        const got = await (await s.client(old)).get(cache, 'k');
        expect(got.type).toBe(CacheGetResponse.Error);
        if (got.type === CacheGetResponse.Error) expect(got.errorCode()).toBe(MomentoErrorCode.AUTHENTICATION_ERROR);
      }
    } finally {
      await s.stop();
    }
  });

  it('a signup key already in use keeps working after a later signup', async () => {
    const s = await boot();
    try {
      const email = `${uniqueName('user')}@example.com`;
      expect((await signup(s, email)).status).toBe(202);
      const [mail] = (await outbox(s.dataDir)).filter((m) => JSON.stringify(m.to).includes(email));
      const inUse = apiKeyIn(mail?.text ?? '');
      const cache = uniqueName();
      const c = await s.client(inUse);
      expect((await c.createCache(cache)).type).toBe('Success');
      // Use is recorded off the request path; make sure it reached the store before the next signup.
      const owner = await s.server.auth.authenticate(inUse);
      await s.server.metadata.touchApiKey(owner.keyId ?? '', Date.now());
      expect((await signup(s, email)).status).toBe(202);
      expect((await c.set(cache, 'k', 'v')).type).toBe('Success');
    } finally {
      await s.stop();
    }
  });
});
