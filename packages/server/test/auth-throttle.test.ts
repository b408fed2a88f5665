/**
 * Failed authentications are throttled per client address; valid keys are not; /metrics shows it.
 */
import { ManualClock } from '@cachette/core';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthThrottle, addressOfPeer } from '../src/service/auth-throttle.ts';
import { type Booted, boot } from './support/boot.ts';
import { RawClient } from './support/raw-client.ts';

describe('AuthThrottle', () => {
  it('retryAfterSeconds(address) is 0 until burst failures, then counts down as failures are earned back', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle({ burst: 3, perSecond: 0.5, clock });
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterSeconds('10.0.0.1')).toBe(0);
      t.recordFailure('10.0.0.1');
    }
    expect(t.retryAfterSeconds('10.0.0.1')).toBe(2);
    expect(t.retryAfterSeconds('10.0.0.2')).toBe(0);
    expect(t.throttledClients()).toBe(1);
    clock.advance(2000);
    expect(t.retryAfterSeconds('10.0.0.1')).toBe(0);
    expect(t.throttledClients()).toBe(0);
  });

  it('forgets recovered addresses rather than growing past maxClients', () => {
    const clock = new ManualClock();
    const t = new AuthThrottle({ burst: 1, perSecond: 1, clock, maxClients: 2 });
    t.recordFailure('a');
    t.recordFailure('b');
    clock.advance(5000);
    t.recordFailure('c');
    expect(t.throttledClients()).toBe(1);
  });

  it('addressOfPeer strips the port from IPv4, IPv6 and grpc-js peer strings', () => {
    expect(addressOfPeer('127.0.0.1:5000')).toBe('127.0.0.1');
    expect(addressOfPeer('[::1]:5000')).toBe('::1');
    expect(addressOfPeer('ipv4:10.1.2.3:80')).toBe('10.1.2.3');
    expect(addressOfPeer('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1');
  });
});

describe('throttling on the wire', () => {
  let b: Booted;
  let raw: RawClient;
  let secret: string;
  const get = (authorization: string) =>
    raw.unary('/control_client.ScsControl/ListCaches', Buffer.alloc(0), { authorization });

  beforeAll(async () => {
    b = await boot({ authThrottle: { burst: 3, perSecond: 0.001 } });
    raw = new RawClient(b.server.grpcAddress);
    secret = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;
    // The valid key is seen once before the attack.
    expect((await get(secret)).code).toBe(status.OK);
  });
  afterAll(async () => {
    raw.close();
    await b.stop();
  });

  it('after burst failures, unknown keys get RESOURCE_EXHAUSTED without a lookup; the valid key still works', async () => {
    for (let i = 0; i < 3; i++) expect((await get(`cachette_sk_guess${i}`)).code).toBe(status.UNAUTHENTICATED);
    const throttled = await get('cachette_sk_guess-more');
    expect(throttled.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(throttled.details).toContain('too many failed authentications');
    expect((await get(secret)).code).toBe(status.OK);
  });

  it('the HTTP port shares the throttle: 429 with Retry-After for unknown keys, 200 for the valid one', async () => {
    const bad = await fetch(`${b.server.httpUrl}/v1/caches`, { headers: { authorization: 'cachette_sk_guess-http' } });
    expect(bad.status).toBe(429);
    expect(Number(bad.headers.get('retry-after'))).toBeGreaterThan(0);
    const good = await fetch(`${b.server.httpUrl}/v1/caches`, { headers: { authorization: secret } });
    expect(good.status).toBe(200);
  });

  it('/metrics shows failures, refusals and throttled clients', async () => {
    const text = await (await fetch(`${b.server.httpUrl}/metrics`)).text();
    expect(text).toMatch(/^cachette_auth_failures_total 3$/m);
    expect(text).toMatch(/^cachette_auth_throttled_total [2-9]$/m);
    expect(text).toMatch(/^cachette_auth_throttled_clients 1$/m);
  });
});
