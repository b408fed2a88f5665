/**
 * Momento's HTTP API over real HTTP: items, caches, CORS, and the same errors as gRPC. Items written
 * through one transport are read through the other.
 */
import { CacheGetResponse } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

let b: Booted;
let cache: string;
let auth: { authorization: string };

beforeAll(async () => {
  b = await boot();
  cache = uniqueName();
  auth = { authorization: b.server.devApiKey };
  const res = await fetch(`${b.server.httpUrl}/v1/caches/${cache}`, { method: 'PUT', headers: auth });
  expect(res.status).toBe(201);
});
afterAll(async () => {
  await b.stop();
});

const url = (path: string) => `${b.server.httpUrl}${path}`;

describe('items', () => {
  it('PUT then GET returns the raw bytes; DELETE then GET is a 404 miss', async () => {
    const value = Buffer.from([0, 1, 2, 255, 254, 10, 13]);
    const put = await fetch(url(`/cache/${cache}?key=bytes&ttl_seconds=60`), {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' }, // content type must not change the bytes
      body: value,
    });
    expect(put.status).toBe(204);
    const get = await fetch(url(`/cache/${cache}?key=bytes`), { headers: auth });
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await get.arrayBuffer()).equals(value)).toBe(true);

    expect((await fetch(url(`/cache/${cache}?key=bytes`), { method: 'DELETE', headers: auth })).status).toBe(204);
    const miss = await fetch(url(`/cache/${cache}?key=bytes`), { headers: auth });
    expect(miss.status).toBe(404);
    expect(await miss.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'key not found', reason: 'item_not_found' },
    });
  });

  it('key_base64 addresses binary keys, and the token query parameter authenticates', async () => {
    const key = Buffer.from([0xff, 0x00, 0x10]);
    const k = encodeURIComponent(key.toString('base64'));
    const token = encodeURIComponent(b.server.devApiKey);
    expect(
      (await fetch(url(`/cache/${cache}?key_base64=${k}&ttl_seconds=5&token=${token}`), { method: 'PUT', body: 'v' }))
        .status,
    ).toBe(204);
    const sdk = await (await b.client()).get(cache, key);
    expect(sdk.type === CacheGetResponse.Hit && sdk.valueString()).toBe('v');
  });

  it('key_base64 with an unescaped + (arriving as a space) still addresses the right key', async () => {
    const key = Buffer.from([0xfb, 0xef]); // base64 "++8="
    await (await b.client()).set(cache, key, 'plus');
    const res = await fetch(url(`/cache/${cache}?key_base64=++8=`), { headers: auth });
    expect(await res.text()).toBe('plus');
  });

  it('an item set through gRPC is read through HTTP', async () => {
    await (await b.client()).set(cache, 'from-grpc', 'hello');
    const res = await fetch(url(`/cache/${cache}?key=from-grpc`), { headers: auth });
    expect(await res.text()).toBe('hello');
  });

  it('an unknown cache is a 404 naming the cache', async () => {
    const res = await fetch(url('/cache/nope?key=k'), { headers: auth });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: "cache 'nope' not found" } });
  });

  it('missing key, missing or bad ttl_seconds are 400 with the reason', async () => {
    const noKey = await fetch(url(`/cache/${cache}`), { headers: auth });
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { error: { message: string } }).error.message).toContain('key');
    const noTtl = await fetch(url(`/cache/${cache}?key=k`), { method: 'PUT', headers: auth, body: 'v' });
    expect(noTtl.status).toBe(400);
    expect(((await noTtl.json()) as { error: { message: string } }).error.message).toContain('ttl_seconds');
    const tooLong = await fetch(url(`/cache/${cache}?key=k&ttl_seconds=90000`), {
      method: 'PUT',
      headers: auth,
      body: 'v',
    });
    expect(tooLong.status).toBe(400);
  });

  it('a value over the item size limit is 413 and nothing is stored', async () => {
    const res = await fetch(url(`/cache/${cache}?key=big&ttl_seconds=60`), {
      method: 'PUT',
      headers: auth,
      body: new Uint8Array(5 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe('item_size_limit_exceeded');
    expect((await fetch(url(`/cache/${cache}?key=big`), { headers: auth })).status).toBe(404);
  });

  it('no key is 401, a wrong key is 401', async () => {
    expect((await fetch(url(`/cache/${cache}?key=k`))).status).toBe(401);
    expect((await fetch(url(`/cache/${cache}?key=k`), { headers: { authorization: 'wrong' } })).status).toBe(401);
  });
});

describe('caches over /v1', () => {
  it('create, list with limits, flush, delete; creating twice is 409', async () => {
    const name = uniqueName();
    expect((await fetch(url(`/v1/caches/${name}`), { method: 'PUT', headers: auth })).status).toBe(201);
    expect((await fetch(url(`/v1/caches/${name}`), { method: 'PUT', headers: auth })).status).toBe(409);
    const list = (await (await fetch(url('/v1/caches'), { headers: auth })).json()) as {
      caches: Array<{ name: string; limits: { maxItemSizeKb: number } }>;
    };
    expect(list.caches.find((c) => c.name === name)?.limits.maxItemSizeKb).toBe(5120);
    await fetch(url(`/cache/${name}?key=k&ttl_seconds=60`), { method: 'PUT', headers: auth, body: 'v' });
    expect((await fetch(url(`/v1/caches/${name}/flush`), { method: 'POST', headers: auth })).status).toBe(204);
    expect((await fetch(url(`/cache/${name}?key=k`), { headers: auth })).status).toBe(404);
    expect((await fetch(url(`/v1/caches/${name}`), { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(url(`/v1/caches/${name}`), { method: 'DELETE', headers: auth })).status).toBe(404);
    const bad = await fetch(url('/v1/caches/bad%20name'), { method: 'PUT', headers: auth });
    expect(bad.status).toBe(400);
  });
});

describe('CORS', () => {
  it('answers a browser preflight for PUT with an Authorization header', async () => {
    const res = await fetch(url(`/cache/${cache}?key=k&ttl_seconds=1`), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('PUT');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('a cross-origin GET carries Access-Control-Allow-Origin', async () => {
    const res = await fetch(url(`/cache/${cache}?key=missing`), {
      headers: { ...auth, origin: 'https://app.example.com' },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});
