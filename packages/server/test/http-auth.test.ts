/**
 * HTTP authentication happens once, from the headers, before any body is read: every route but the
 * declared public ones refuses a caller without a valid key, and an unauthenticated upload is answered
 * without the server waiting for (or reading) its body.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

/** Every authenticated route, with a body where the route takes one. */
const PROTECTED: Array<[method: string, path: string, body?: unknown]> = [
  ['GET', '/v1/caches'],
  ['PUT', '/v1/caches/c'],
  ['DELETE', '/v1/caches/c'],
  ['POST', '/v1/caches/c/flush'],
  ['GET', '/v1/api-keys'],
  ['POST', '/v1/api-keys', {}],
  ['DELETE', '/v1/api-keys/k'],
  ['GET', '/v1/usage'],
  ['GET', '/cache/c?key=k'],
  ['PUT', '/cache/c?key=k&ttl_seconds=10', 'value'],
  ['DELETE', '/cache/c?key=k'],
  ['POST', '/v1/caches/c/items/increment', { key: 'k', ttl_seconds: 10 }],
  ['POST', '/v1/caches/c/items/set-if', { key: 'k', value: 'v', ttl_seconds: 10, condition: 'absent' }],
  ['GET', '/v1/caches/c/items/ttl?key=k'],
  ['POST', '/v1/caches/c/items/ttl', { key: 'k', ttl_seconds: 10 }],
  ['POST', '/v1/caches/c/items/get-batch', { keys: ['k'] }],
  ['POST', '/v1/caches/c/items/set-batch', { items: [] }],
  ['POST', '/v1/caches/c/items/keys-exist', { keys: ['k'] }],
];

/** Sends a request head declaring `declaredBytes` of body plus `sentBytes` of it, and reads the answer. */
function partialUpload(
  port: number,
  path: string,
  declaredBytes: number,
  sentBytes: number,
): Promise<{ head: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('connect', () => {
      socket.write(
        `PUT ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Length: ${declaredBytes}\r\n\r\n`,
      );
      socket.write(Buffer.alloc(sentBytes, 0x61));
      // The rest of the body is never sent: only an answer from the headers can end this exchange.
    });
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ head: received, closed: true }));
  });
}

describe('HTTP authentication', () => {
  let booted: Booted;
  let auth: Record<string, string>;
  const url = (path: string) => `${booted.server.httpUrl}${path}`;

  beforeAll(async () => {
    booted = await boot();
    auth = { authorization: booted.server.devApiKey };
  });
  afterAll(() => booted.stop());

  it('an unauthenticated PUT declaring a 5 MB body gets 401 and a closed connection before the body is sent', async () => {
    const { head, closed } = await partialUpload(
      booted.server.httpPort,
      '/cache/c?key=k&ttl_seconds=10',
      5_000_000,
      1024,
    );
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 401 Unauthorized');
    expect(head.toLowerCase()).toContain('connection: close');
    expect(head).toContain('"code":"UNAUTHENTICATED"');
    expect(closed).toBe(true);
  });

  it('a POST with an invalid JSON body and no key is 401, not a body error: the body is never parsed', async () => {
    const res = await fetch(url('/v1/api-keys'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{ not json',
    });
    expect(res.status).toBe(401);
  });

  it.each(PROTECTED)(
    '%s %s without a key is 401 UNAUTHENTICATED',
    async (method: string, path: string, body?: unknown) => {
      const res = await fetch(url(path), {
        method,
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? { body, headers: { 'content-type': 'application/octet-stream' } }
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="cachette"');
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    },
  );

  it('the public routes answer without a key: health, metrics, signup', async () => {
    expect((await fetch(url('/healthz'))).status).toBe(200);
    expect((await fetch(url('/metrics'))).status).toBe(200);
    const signup = await fetch(url('/v1/signup'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // Refused for its region, which proves the handler ran without a key.
      body: JSON.stringify({ provider: 'nowhere', region: 'none', email: 'a@example.com' }),
    });
    expect(signup.status).toBe(400);
    expect(((await signup.json()) as { error: { message: string } }).error.message).toContain('nowhere/none');
  });

  it('the key is taken from Authorization (bare or Bearer) or ?token=, and the principal reaches the route', async () => {
    const cache = uniqueName();
    expect((await fetch(url(`/v1/caches/${cache}`), { method: 'PUT', headers: auth })).status).toBe(201);
    const bearer = { authorization: `Bearer ${booted.server.devApiKey}` };
    const list = await fetch(url('/v1/caches'), { headers: bearer });
    expect(((await list.json()) as { caches: { name: string }[] }).caches.map((c) => c.name)).toContain(cache);
    const put = await fetch(
      url(`/cache/${cache}?key=k&ttl_seconds=10&token=${encodeURIComponent(booted.server.devApiKey)}`),
      {
        method: 'PUT',
        body: 'v',
      },
    );
    expect(put.status).toBe(204);
    expect(await (await fetch(url(`/cache/${cache}?key=k`), { headers: auth })).text()).toBe('v');
  });

  it('an unknown route is 404 with or without a key (nothing there to protect)', async () => {
    expect((await fetch(url('/v1/nothing-here'))).status).toBe(404);
    expect((await fetch(url('/v1/nothing-here'), { headers: auth })).status).toBe(404);
  });
});
