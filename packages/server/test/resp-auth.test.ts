/**
 * Authentication and authorization on the Redis port, with ioredis: `AUTH <cache> <key>`, `AUTH <key>`,
 * `HELLO 3 AUTH`, a Redis URL, WRONGPASS and NOAUTH, anonymous access, and scoped, read-only, expired and
 * revoked keys behaving as they do on gRPC. Metrics count Redis commands as the same service operations.
 */
import { ManualClock } from '@cachette/core';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { command, RespSocket } from './support/resp-socket.ts';

const clock = new ManualClock();
let b: Booted;
let cache: string;
let other: string;
const clients: Redis[] = [];

function client(options: RedisOptions | string): Redis {
  const base: RedisOptions = { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null };
  const r =
    typeof options === 'string'
      ? new Redis(options, base)
      : new Redis({ host: '127.0.0.1', port: b.server.redisPort!, ...base, ...options });
  r.on('error', () => {}); // refused AUTH at connect is asserted through connect()'s rejection
  clients.push(r);
  return r;
}

async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error reply');
}

async function mint(body: Record<string, unknown>): Promise<{ apiKey: string; id: string }> {
  const res = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: b.server.devApiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { apiKey: string; id: string };
}

beforeAll(async () => {
  b = await boot({ clock, redisPort: 0 });
  cache = uniqueName();
  other = uniqueName('other');
  const admin = await b.client();
  for (const name of [cache, other, 'default-cache']) expect((await admin.createCache(name)).type).toBe('Success');
  await admin.set(cache, 'present', 'v', { ttl: 86_400 });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await b.stop();
});

describe('authentication', () => {
  it('AUTH <cache> <api-key> selects the cache', async () => {
    const r = client({ username: cache, password: b.server.devApiKey });
    await r.connect();
    expect(await r.get('present')).toBe('v');
  });

  it('a Redis URL redis://<cache>:<api-key>@host:port works (the key URL-encoded)', async () => {
    const url = `redis://${cache}:${encodeURIComponent(b.server.devApiKey)}@127.0.0.1:${b.server.redisPort}`;
    const r = client(url);
    await r.connect();
    expect(await r.get('present')).toBe('v');
  });

  it('AUTH <api-key> alone selects default-cache', async () => {
    const r = client({ password: b.server.devApiKey });
    await r.connect();
    await r.set('k', 'in-default');
    const admin = await b.client();
    const got = await admin.get('default-cache', 'k');
    expect(got.type === 'Hit' ? got.value() : got.type).toBe('in-default');
  });

  it('a wrong key answers WRONGPASS; a command before AUTH answers NOAUTH', async () => {
    const wrong = client({ username: cache, password: 'not-a-key' });
    const errors: string[] = [];
    wrong.on('error', (e: Error) => errors.push(e.message));
    await wrong.connect().catch(() => undefined);
    expect(errors).toContain('WRONGPASS invalid username-password pair or user is disabled.');
    const raw = await RespSocket.open(b.server.redisPort!);
    try {
      raw.send(Buffer.concat([command('GET', 'present'), command('PING'), command('AUTH', cache, 'nope')]));
      expect(await raw.lines(3)).toEqual([
        '-NOAUTH Authentication required.',
        '-NOAUTH Authentication required.',
        '-WRONGPASS invalid username-password pair or user is disabled.',
      ]);
      raw.send(Buffer.concat([command('AUTH', cache, b.server.devApiKey), command('GET', 'present')]));
      expect(await raw.lines(3)).toEqual(['+OK', '$1', 'v']);
    } finally {
      raw.close();
    }
  });

  it('HELLO 3 AUTH authenticates and switches protocol; HELLO before AUTH answers NOAUTH', async () => {
    const raw = await RespSocket.open(b.server.redisPort!);
    try {
      raw.send(command('HELLO', '3'));
      expect((await raw.lines(1))[0]).toMatch(/^-NOAUTH HELLO must be called with the client already authenticated/);
      raw.send(command('HELLO', '3', 'AUTH', cache, 'nope'));
      expect(await raw.lines(1)).toEqual(['-WRONGPASS invalid username-password pair or user is disabled.']);
      raw.send(command('HELLO', '4'));
      expect(await raw.lines(1)).toEqual(['-NOPROTO unsupported protocol version']);
      raw.send(command('HELLO', '3', 'AUTH', cache, b.server.devApiKey, 'SETNAME', 'me'));
      expect((await raw.lines(1))[0]).toBe('%7');
    } finally {
      raw.close();
    }
  });

  it('RESET forgets the identity', async () => {
    const raw = await RespSocket.open(b.server.redisPort!);
    try {
      raw.send(Buffer.concat([command('AUTH', cache, b.server.devApiKey), command('RESET'), command('GET', 'x')]));
      expect(await raw.lines(3)).toEqual(['+OK', '+RESET', '-NOAUTH Authentication required.']);
    } finally {
      raw.close();
    }
  });
});

describe('authorization, as on gRPC', () => {
  it('a read-only key reads but every write answers NOPERM, and nothing changes', async () => {
    const { apiKey } = await mint({ access: 'read-only' });
    const r = client({ username: cache, password: apiKey });
    await r.connect();
    expect(await r.get('present')).toBe('v');
    expect(await errorOf(r.set('present', 'changed'))).toBe(`NOPERM this API key is read-only for cache '${cache}'`);
    expect(await errorOf(r.del('present'))).toMatch(/^NOPERM/);
    expect(await errorOf(r.hset('h', 'f', 'v'))).toMatch(/^NOPERM/);
    expect(await errorOf(r.flushdb())).toMatch(/^NOPERM this API key cannot manage caches/);
    expect(await r.get('present')).toBe('v');
  });

  it('a key scoped to one cache answers NOPERM on another', async () => {
    const { apiKey } = await mint({ caches: [cache] });
    const r = client({ username: other, password: apiKey });
    await r.connect();
    expect(await errorOf(r.get('x'))).toBe(`NOPERM this API key has no access to cache '${other}'`);
  });

  it('a cache that does not exist is named in the error', async () => {
    const r = client({ username: 'no-such-cache', password: b.server.devApiKey });
    await r.connect();
    expect(await errorOf(r.get('x'))).toMatch(/^ERR .*no-such-cache/);
  });

  it('an expired key stops working on an open connection', async () => {
    const { apiKey } = await mint({ expiresInSeconds: 60 });
    const r = client({ username: cache, password: apiKey });
    await r.connect();
    expect(await r.get('present')).toBe('v');
    clock.advance(61_000);
    expect(await errorOf(r.get('present'))).toMatch(/^NOAUTH this API key expired at /);
  });

  it('a key revoked on this server stops working on an open connection at once', async () => {
    const { apiKey, id } = await mint({});
    const r = client({ username: cache, password: apiKey });
    await r.connect();
    expect(await r.get('present')).toBe('v');
    const res = await fetch(`${b.server.httpUrl}/v1/api-keys/${id}`, {
      method: 'DELETE',
      headers: { authorization: b.server.devApiKey },
    });
    expect(res.status).toBe(204);
    expect(await errorOf(r.get('present'))).toBe('NOAUTH this API key has been revoked');
  });

  it('Redis commands are counted in /metrics as the service operations they are', async () => {
    const metrics = async () => (await (await fetch(`${b.server.httpUrl}/metrics`)).text()).toString();
    const count = (text: string) =>
      Number(/cachette_requests_total\{operation="dictionaryFetch",outcome="miss"\} (\d+)/.exec(text)?.[1] ?? 0);
    const before = count(await metrics());
    const r = client({ username: cache, password: b.server.devApiKey });
    await r.connect();
    await r.hgetall(`missing-${uniqueName()}`);
    expect(count(await metrics())).toBe(before + 1);
  });
});

describe('anonymous access', () => {
  it('with allowAnonymous no AUTH is needed and commands use default-cache', async () => {
    const anon = await boot({ redisPort: 0, allowAnonymous: true });
    try {
      const admin = await anon.client();
      await admin.createCache('default-cache');
      const r = new Redis({
        port: anon.server.redisPort!,
        host: '127.0.0.1',
        lazyConnect: true,
        retryStrategy: () => null,
      });
      clients.push(r);
      await r.connect();
      expect(await r.set('k', 'v')).toBe('OK');
      const got = await admin.get('default-cache', 'k');
      expect(got.type === 'Hit' ? got.value() : got.type).toBe('v');
      r.disconnect();
    } finally {
      await anon.stop();
    }
  });
});
