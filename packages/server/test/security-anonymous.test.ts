/**
 * Issue 14, finding 1: `--allow-anonymous` + CORS `*` let any web page mint a permanent managing key, and
 * DNS rebinding reached a loopback-only server. In anonymous mode, management is never served to pages nor
 * without a key, foreign Host names are refused, and the anonymous principal cannot mint keys.
 */
import { request as httpRequest } from 'node:http';
import {
  AllDataReadWrite,
  AuthClient,
  AuthClientConfigurations,
  CredentialProvider,
  ExpiresIn,
  GenerateApiKeyResponse,
  MomentoErrorCode,
  NoopMomentoLoggerFactory,
} from '@gomomento/sdk';
import { InternalSuperUserPermissions } from '@gomomento/sdk-core/dist/src/internal/utils/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

let b: Booted;
let cache: string;
const EVIL = 'https://evil.example';

beforeAll(async () => {
  b = await boot({ allowAnonymous: true });
  cache = uniqueName();
  await (await b.client()).createCache(cache);
  await (await b.client()).set(cache, 'k', 'v');
});
afterAll(async () => {
  await b.stop();
});

/** A raw HTTP/1.1 request, so the Host header can be what a DNS-rebinding page would send. */
function raw(
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: b.server.httpPort, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('anonymous mode over HTTP', () => {
  it('a page on another origin cannot mint a key: POST /v1/api-keys with Origin and no key answers 403', async () => {
    const res = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { origin: EVIL, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('apiKey');
  });

  it('the CORS preflight for management routes is refused (no Access-Control-Allow-Origin)', async () => {
    for (const path of ['/v1/api-keys', `/v1/caches/${cache}`, '/v1/usage']) {
      const res = await fetch(`${b.server.httpUrl}${path}`, {
        method: 'OPTIONS',
        headers: { origin: EVIL, 'access-control-request-method': 'POST' },
      });
      expect(res.status, path).toBe(403);
      expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
    }
  });

  it('the CORS preflight for item routes still succeeds (pages with a key use them)', async () => {
    const res = await fetch(`${b.server.httpUrl}/cache/${cache}?key=k`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'PUT' },
    });
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('management without a key answers 401 even from curl (no Origin)', async () => {
    const post = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(401);
    expect((await fetch(`${b.server.httpUrl}/v1/caches`)).status).toBe(401);
    expect((await fetch(`${b.server.httpUrl}/v1/usage`)).status).toBe(401);
    expect((await fetch(`${b.server.httpUrl}/v1/caches/x`, { method: 'PUT' })).status).toBe(401);
  });

  it('management with a key works from curl but not from a page', async () => {
    const key = { authorization: b.server.devApiKey };
    expect((await fetch(`${b.server.httpUrl}/v1/caches`, { headers: key })).status).toBe(200);
    expect((await fetch(`${b.server.httpUrl}/v1/caches`, { headers: { ...key, origin: EVIL } })).status).toBe(403);
  });

  it('keyless item access works from local tools but not from a page', async () => {
    expect((await fetch(`${b.server.httpUrl}/cache/${cache}?key=k`)).status).toBe(200);
    const fromPage = await fetch(`${b.server.httpUrl}/cache/${cache}?key=k`, { headers: { origin: EVIL } });
    expect(fromPage.status).toBe(403);
    expect(await fromPage.text()).not.toBe('v');
    const withKey = await fetch(`${b.server.httpUrl}/cache/${cache}?key=k`, {
      headers: { origin: EVIL, authorization: b.server.devApiKey },
    });
    expect(withKey.status).toBe(200);
  });

  it('a Host that is not the server (DNS rebinding) is refused; IPs and localhost are served', async () => {
    const rebound = await raw('GET', `/cache/${cache}?key=k`, { host: `rebind.evil.example:${b.server.httpPort}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('DNS rebinding');
    expect((await raw('GET', `/cache/${cache}?key=k`, { host: `localhost:${b.server.httpPort}` })).status).toBe(200);
    expect((await raw('GET', `/cache/${cache}?key=k`, { host: `127.0.0.1:${b.server.httpPort}` })).status).toBe(200);
  });
});

describe('anonymous mode over gRPC', () => {
  it('AuthClient with an empty token (forMomentoLocal) cannot mint keys', async () => {
    const auth = new AuthClient({
      credentialProvider: CredentialProvider.forMomentoLocal({ hostname: '127.0.0.1', port: b.server.grpcPort }),
      configuration: AuthClientConfigurations.Default.latest(new NoopMomentoLoggerFactory()),
    });
    for (const scope of [new InternalSuperUserPermissions(), AllDataReadWrite]) {
      const r = await auth.generateApiKey(scope, ExpiresIn.never());
      expect(r.type).toBe(GenerateApiKeyResponse.Error);
      if (r.type === GenerateApiKeyResponse.Error) expect(r.errorCode()).toBe(MomentoErrorCode.PERMISSION_ERROR);
    }
  });
});

describe('without anonymous mode', () => {
  it('nothing changes for keyed requests: any Host and Origin are served', async () => {
    const keyed = await boot();
    try {
      const res = await fetch(`${keyed.server.httpUrl}/v1/caches`, {
        headers: { authorization: keyed.server.devApiKey, origin: EVIL },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await keyed.stop();
    }
  });
});
