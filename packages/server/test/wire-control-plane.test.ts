/**
 * Control plane through the official SDK: create, list (with limits), flush, delete.
 */

import { encodeApiKey } from '@cachette/core';
import {
  type CacheClient,
  CacheGetResponse,
  CreateCacheResponse,
  DeleteCacheResponse,
  FlushCacheResponse,
  ListCachesResponse,
  MomentoErrorCode,
} from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

let b: Booted;
let client: CacheClient;

beforeAll(async () => {
  b = await boot({
    limits: { maxItemSizeBytes: 5 * 1024 * 1024, maxTtlMs: 86_400_000, maxCachesPerAccount: 5, maxBatchKeys: 1000 },
  });
  client = await b.client();
});
afterAll(async () => {
  await b.stop();
});

describe('control plane', () => {
  it('createCache(name) succeeds, then AlreadyExists for the same name', async () => {
    const name = uniqueName();
    expect((await client.createCache(name)).type).toBe(CreateCacheResponse.Success);
    expect((await client.createCache(name)).type).toBe(CreateCacheResponse.AlreadyExists);
    await client.deleteCache(name);
  });

  it("listCaches reports Momento's default limits for a free-plan account", async () => {
    const account = await b.server.metadata.createAccount({
      email: `${uniqueName('free')}@example.com`,
      provider: 'local',
      region: 'local',
    });
    const { secret } = await b.server.metadata.createApiKey({ accountId: account.id });
    const free = await b.client(encodeApiKey(b.server.grpcAddress, secret));
    const name = uniqueName();
    await free.createCache(name);
    const r = await free.listCaches();
    expect(r.type).toBe(ListCachesResponse.Success);
    if (r.type !== ListCachesResponse.Success) return;
    expect(
      r
        .getCaches()
        .find((c) => c.getName() === name)
        ?.getCacheLimits(),
    ).toEqual({
      maxTrafficRate: 100,
      maxThroughputKbps: 1024,
      maxItemSizeKb: 5120,
      maxTtlSeconds: 86_400,
    });
  });

  it('listCaches reports the local account as unlimited in rate and throughput', async () => {
    const name = uniqueName();
    await client.createCache(name);
    const r = await client.listCaches();
    if (r.type !== ListCachesResponse.Success) throw new Error(String(r));
    expect(
      r
        .getCaches()
        .find((c) => c.getName() === name)
        ?.getCacheLimits(),
    ).toEqual({
      maxTrafficRate: 4_294_967_295,
      maxThroughputKbps: 4_294_967_295,
      maxItemSizeKb: 5120,
      maxTtlSeconds: 86_400,
    });
    await client.deleteCache(name);
  });

  it('flushCache removes every item but keeps the cache', async () => {
    const name = uniqueName();
    await client.createCache(name);
    await client.set(name, 'a', '1');
    await client.set(name, 'b', '2');
    expect((await client.flushCache(name)).type).toBe(FlushCacheResponse.Success);
    expect((await client.get(name, 'a')).type).toBe(CacheGetResponse.Miss);
    await client.set(name, 'c', '3');
    expect((await client.get(name, 'c')).type).toBe(CacheGetResponse.Hit);
    await client.deleteCache(name);
  });

  it('deleteCache removes the cache and its items; a re-created cache is empty', async () => {
    const name = uniqueName();
    await client.createCache(name);
    await client.set(name, 'a', '1');
    expect((await client.deleteCache(name)).type).toBe(DeleteCacheResponse.Success);
    expectSdkError(await client.get(name, 'a'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR);
    await client.createCache(name);
    expect((await client.get(name, 'a')).type).toBe(CacheGetResponse.Miss);
    await client.deleteCache(name);
  });

  it('deleteCache and flushCache of an unknown cache return NOT_FOUND', async () => {
    expectSdkError(await client.deleteCache('never-created'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR, 'never-created');
    expectSdkError(await client.flushCache('never-created'), MomentoErrorCode.CACHE_NOT_FOUND_ERROR, 'never-created');
  });

  it('createCache with an invalid name returns INVALID_ARGUMENT saying why', async () => {
    expectSdkError(await client.createCache('bad name!'), MomentoErrorCode.INVALID_ARGUMENT_ERROR, "'-', '_' and '.'");
    expectSdkError(
      await client.createCache('x'.repeat(256)),
      MomentoErrorCode.INVALID_ARGUMENT_ERROR,
      'maximum is 255',
    );
  });

  it('createCache beyond the caches-per-account cap returns LIMIT_EXCEEDED', async () => {
    const names: string[] = [];
    const list = await client.listCaches();
    const existing = list.type === ListCachesResponse.Success ? list.getCaches().length : 0;
    for (let i = existing; i < 5; i++) {
      const n = uniqueName('cap');
      names.push(n);
      expect((await client.createCache(n)).type).toBe(CreateCacheResponse.Success);
    }
    expectSdkError(await client.createCache(uniqueName('cap')), MomentoErrorCode.LIMIT_EXCEEDED_ERROR, 'maximum');
    for (const n of names) await client.deleteCache(n);
  });
});
