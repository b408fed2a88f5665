import { CacheClient, CachetteError, CreateCache, ErrorCode, ListCaches } from '@cachette/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, type TestServer, uniqueName } from './support/server.ts';

let booted: TestServer;
let client: CacheClient;

beforeAll(async () => {
  booted = await bootServer();
  client = new CacheClient({ apiKey: booted.server.devApiKey });
});

afterAll(async () => {
  await booted.stop();
});

describe('caches', () => {
  it('createCache answers Success, then AlreadyExists for the same name', async () => {
    const name = uniqueName();
    expect((await client.createCache(name)).type).toBe('Success');
    const again = await client.createCache(name);
    expect(again).toBeInstanceOf(CreateCache.AlreadyExists);
  });

  it('listCaches includes created caches with their limits', async () => {
    const name = uniqueName();
    await client.createCache(name);
    const list = await client.listCaches();
    if (list.type !== 'Success') throw new Error(`expected Success, got ${list.type}`);
    expect(list).toBeInstanceOf(ListCaches.Success);
    expect(list.names()).toContain(name);
    const info = list.caches.find((c) => c.name === name);
    expect(info?.limits.maxTtlSeconds).toBeGreaterThan(0);
  });

  it('flushCache removes every item and keeps the cache', async () => {
    const name = uniqueName();
    await client.createCache(name);
    await client.set(name, 'a', '1');
    expect((await client.flushCache(name)).type).toBe('Success');
    expect((await client.get(name, 'a')).type).toBe('Miss');
  });

  it('deleteCache removes the cache: get then answers Error NOT_FOUND, a second delete too', async () => {
    const name = uniqueName();
    await client.createCache(name);
    expect((await client.deleteCache(name)).type).toBe('Success');
    const got = await client.get(name, 'a');
    expect(got.type === 'Error' && got.errorCode()).toBe(ErrorCode.NOT_FOUND);
    const again = await client.deleteCache(name);
    expect(again.type === 'Error' && again.errorCode()).toBe(ErrorCode.NOT_FOUND);
  });

  it('createCache with an invalid name answers Error INVALID_ARGUMENT with the server message', async () => {
    const r = await client.createCache('bad name!');
    if (r.type !== 'Error') throw new Error(`expected Error, got ${r.type}`);
    expect(r.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(r.message()).toMatch(/name/);
    expect(r.error).toBeInstanceOf(CachetteError);
  });
});

describe('usage', () => {
  it('usage() reports this month with the bytes of calls just made', async () => {
    const name = uniqueName();
    await client.createCache(name);
    await client.set(name, 'k', 'x'.repeat(1000));
    const r = await client.usage();
    if (r.type !== 'Success') throw new Error(`expected Success, got ${r.type}`);
    expect(r.report.month).toMatch(/^\d{4}-\d{2}$/);
    expect(r.report.totals.bytes).toBeGreaterThanOrEqual(1000);
    expect(r.report.byCache.some((c) => c.cache === name)).toBe(true);
  });

  it('usage("bad") answers Error INVALID_ARGUMENT', async () => {
    const r = await client.usage('2026-13');
    expect(r.type === 'Error' && r.errorCode()).toBe(ErrorCode.INVALID_ARGUMENT);
  });
});

describe('construction', () => {
  it('a key without http_endpoint and no baseUrl throws INVALID_ARGUMENT naming baseUrl', () => {
    const momentoStyle = btoa(JSON.stringify({ endpoint: 'cache.example:443', api_key: 'secret' }));
    expect(() => new CacheClient({ apiKey: momentoStyle })).toThrow(/baseUrl/);
  });

  it('no key and no baseUrl throws INVALID_ARGUMENT', () => {
    try {
      new CacheClient({});
      throw new Error('expected a throw');
    } catch (error) {
      expect(error instanceof CachetteError && error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    }
  });
});
