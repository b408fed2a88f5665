import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CacheClient, ErrorCode } from '@cachette/sdk';
import { CacheClient as NodeCacheClient } from '@cachette/sdk/node';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeHttpServer, fakeHttpServer, stallingServer } from './support/server.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A server answering 503 UNAVAILABLE to the first `failures` requests, then `ok`. */
async function flakyServer(failures: number, ok: { status: number; body?: string }): Promise<FakeHttpServer> {
  const fake = await fakeHttpServer((_request, response, index) => {
    if (index < failures) {
      response.writeHead(503, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'store unreachable' } }));
      return;
    }
    response.writeHead(ok.status, { 'content-type': 'application/json' });
    response.end(ok.body);
  });
  cleanups.push(() => fake.close());
  return fake;
}

/** The same transport contract holds over the core's fetch and over the Node entry's node:http exchange. */
const flavors = [
  { name: 'core client (fetch)', Client: CacheClient },
  { name: 'Node client (node:http)', Client: NodeCacheClient },
];

describe.each(flavors)('$name', ({ Client }) => {
  function clientFor(baseUrl: string, extra: { timeoutMs?: number; retries?: number } = {}): CacheClient {
    return new Client({ apiKey: 'secret', baseUrl, retryBaseDelayMs: 1, defaultTtlSeconds: 600, ...extra });
  }

  describe('timeouts', () => {
    it('get against a server that accepts and never answers returns Error TIMEOUT after timeoutMs', async () => {
      const stall = await stallingServer();
      cleanups.push(() => stall.close());
      const client = clientFor(stall.url, { timeoutMs: 150, retries: 0 });
      const started = performance.now();
      const got = await client.get('c', 'k');
      const elapsed = performance.now() - started;
      if (got.type !== 'Error') throw new Error(`expected Error, got ${got.type}`);
      expect(got.errorCode()).toBe(ErrorCode.TIMEOUT);
      expect(got.message()).toContain('150 ms');
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(5_000);
    });

    it('a timed-out get is sent 1 + retries times; a timed-out increment once', async () => {
      const stall = await stallingServer();
      cleanups.push(() => stall.close());
      const client = clientFor(stall.url, { timeoutMs: 100, retries: 2 });
      expect((await client.get('c', 'k')).type).toBe('Error');
      expect(stall.requestLines()).toEqual(Array(3).fill('GET /cache/c?key=k'));
      const inc = await client.increment('c', 'k');
      expect(inc.type === 'Error' && inc.errorCode()).toBe(ErrorCode.TIMEOUT);
      expect(stall.requestLines().filter((l) => l.startsWith('POST'))).toEqual(['POST /v1/caches/c/items/increment']);
    });
  });

  describe('retries', () => {
    it('get is retried after 503 UNAVAILABLE and succeeds on the third attempt', async () => {
      const fake = await flakyServer(2, { status: 200, body: 'value' });
      const got = await clientFor(fake.url).get('c', 'k');
      expect(got.type === 'Hit' && got.valueString()).toBe('value');
      expect(fake.requests).toHaveLength(3);
    });

    it('get gives up after `retries` extra attempts and returns the last Error UNAVAILABLE', async () => {
      const fake = await flakyServer(10, { status: 200 });
      const got = await clientFor(fake.url, { retries: 1 }).get('c', 'k');
      expect(got.type === 'Error' && got.errorCode()).toBe(ErrorCode.UNAVAILABLE);
      expect(fake.requests).toHaveLength(2);
    });

    it('set, delete, itemGetTtl, getBatch, keysExist are retried', async () => {
      const cases: Array<[string, (c: CacheClient) => Promise<{ type: string }>, string | undefined]> = [
        ['set', (c) => c.set('c', 'k', 'v'), undefined],
        ['delete', (c) => c.delete('c', 'k'), undefined],
        ['itemGetTtl', (c) => c.itemGetTtl('c', 'k'), '{"remainingTtlMs":5}'],
        ['getBatch', (c) => c.getBatch('c', ['k']), '{"values":[null]}'],
        ['keysExist', (c) => c.keysExist('c', ['k']), '{"exists":[false]}'],
      ];
      for (const [name, call, body] of cases) {
        const fake = await flakyServer(1, { status: body === undefined ? 204 : 200, body });
        const r = await call(clientFor(fake.url));
        expect({ name, type: r.type }).not.toEqual({ name, type: 'Error' });
        expect({ name, requests: fake.requests.length }).toEqual({ name, requests: 2 });
      }
    });

    it('increment, setIf, updateTtl and createCache are never retried', async () => {
      const cases: Array<[string, (c: CacheClient) => Promise<{ type: string }>]> = [
        ['increment', (c) => c.increment('c', 'k')],
        ['setIfAbsent', (c) => c.setIfAbsent('c', 'k', 'v')],
        ['updateTtl', (c) => c.updateTtl('c', 'k', 10)],
        ['createCache', (c) => c.createCache('c')],
      ];
      for (const [name, call] of cases) {
        const fake = await flakyServer(1, { status: 200, body: '{}' });
        const r = await call(clientFor(fake.url));
        expect({ name, type: r.type }).toEqual({ name, type: 'Error' });
        expect({ name, requests: fake.requests.length }).toEqual({ name, requests: 1 });
      }
    });

    it('INVALID_ARGUMENT is not retried even for get', async () => {
      const fake = await fakeHttpServer((_q, response) => {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: 'INVALID_ARGUMENT', message: 'bad key' } }));
      });
      cleanups.push(() => fake.close());
      const got = await clientFor(fake.url).get('c', 'k');
      expect(got.type === 'Error' && got.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
      expect(fake.requests).toHaveLength(1);
    });

    it('a refused connection is UNAVAILABLE naming the server', async () => {
      const fake = await fakeHttpServer((_q, response) => response.end());
      const url = fake.url;
      await fake.close();
      const got = await clientFor(url, { retries: 0 }).get('c', 'k');
      if (got.type !== 'Error') throw new Error(`expected Error, got ${got.type}`);
      expect(got.errorCode()).toBe(ErrorCode.UNAVAILABLE);
      expect(got.message()).toContain(url);
    });

    it('LIMIT_EXCEEDED carries Retry-After and is not retried', async () => {
      const fake = await fakeHttpServer((_q, response) => {
        response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
        response.end(JSON.stringify({ error: { code: 'LIMIT_EXCEEDED', message: 'slow down', reason: 'rate' } }));
      });
      cleanups.push(() => fake.close());
      const got = await clientFor(fake.url).get('c', 'k');
      if (got.type !== 'Error') throw new Error(`expected Error, got ${got.type}`);
      expect(got.error.retryAfterSeconds).toBe(3);
      expect(got.error.reason).toBe('rate');
      expect(fake.requests).toHaveLength(1);
    });
  });

  describe('connections and requests', () => {
    // undici hands a connection back to its pool just after the body is read, so the next call may open one
    // more; after that the pool is reused. 20 calls over 1-2 connections is keep-alive; 20 would be none.
    it('consecutive calls reuse keep-alive connections: 20 calls, at most 2 connections', async () => {
      const fake = await fakeHttpServer((_q, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream' });
        response.end('v');
      });
      cleanups.push(() => fake.close());
      const client = clientFor(fake.url);
      for (let i = 0; i < 20; i++) expect((await client.get('c', `k${i}`)).type).toBe('Hit');
      expect(fake.requests).toHaveLength(20);
      expect(fake.connections).toBeLessThanOrEqual(2);
    });

    it('sends the key in Authorization, cache names and keys URL-encoded, bytes keys as key_base64', async () => {
      let authorization: string | undefined;
      const fake = await fakeHttpServer((request, response) => {
        authorization = request.headers.authorization;
        response.writeHead(204);
        response.end();
      });
      cleanups.push(() => fake.close());
      const client = clientFor(fake.url);
      await client.set('my cache', 'a b&c', 'v', { ttlSeconds: 1.5 });
      await client.delete('c', new Uint8Array([0xff, 0xfe]));
      expect(authorization).toBe('secret');
      expect(fake.requests[0]).toEqual({ method: 'PUT', url: '/cache/my%20cache?key=a+b%26c&ttl_seconds=1.5' });
      expect(fake.requests[1]).toEqual({ method: 'DELETE', url: '/cache/c?key_base64=%2F%2F4%3D' });
    });

    it('an answer cut off in the middle of its body is UNAVAILABLE, retried like any network failure', async () => {
      const fake = await fakeHttpServer((_q, response) => {
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': '100' });
        response.write('only ten b');
        setImmediate(() => response.destroy());
      });
      cleanups.push(() => fake.close());
      const got = await clientFor(fake.url, { retries: 1 }).get('c', 'k');
      expect(got.type === 'Error' && got.errorCode()).toBe(ErrorCode.UNAVAILABLE);
      expect(fake.requests).toHaveLength(2);
    });
  });
});

describe('injected fetch', () => {
  it('an injected fetch is used for every call', async () => {
    const urls: string[] = [];
    const client = new CacheClient({
      apiKey: 'k',
      baseUrl: 'http://cachette.invalid/',
      fetch: async (input) => {
        urls.push(input);
        return new Response(null, { status: 204 });
      },
    });
    expect((await client.set('c', 'k', 'v')).type).toBe('Success');
    expect(urls).toEqual(['http://cachette.invalid/cache/c?key=k&ttl_seconds=600']);
  });

  it('the Node client uses an injected fetch instead of node:http', async () => {
    const urls: string[] = [];
    const client = new NodeCacheClient({
      apiKey: 'k',
      baseUrl: 'http://cachette.invalid/',
      defaultTtlSeconds: 60,
      fetch: async (input) => {
        urls.push(input);
        return new Response(null, { status: 204 });
      },
    });
    expect((await client.set('c', 'k', 'v')).type).toBe('Success');
    expect(urls).toEqual(['http://cachette.invalid/cache/c?key=k&ttl_seconds=60']);
  });
});

describe('Node client over https', () => {
  it('verifies the server certificate: a self-signed one is refused (UNAVAILABLE), nothing is sent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cachette-sdk-tls-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // -subj keeps openssl from prompting.
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1']
        .concat(['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'])
        .concat(['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')]),
      { stdio: 'pipe' },
    );
    let requests = 0;
    const server = createHttpsServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (_request, response) => {
        requests++;
        response.end('v');
      },
    );
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const { port } = server.address() as AddressInfo;
    const client = new NodeCacheClient({
      apiKey: 'k',
      baseUrl: `https://127.0.0.1:${port}`,
      defaultTtlSeconds: 60,
      retries: 0,
    });
    const got = await client.get('c', 'k');
    if (got.type !== 'Error') throw new Error(`expected Error, got ${got.type}`);
    expect(got.errorCode()).toBe(ErrorCode.UNAVAILABLE);
    expect(got.message()).toMatch(/self-signed|CERT/i);
    expect(requests).toBe(0);
  });
});
