/**
 * Issue 14, finding 5: a repeated query parameter is refused with 400 naming it, instead of aliasing keys
 * (array → NUL-joined key) or answering 500 with a JavaScript error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

let b: Booted;
let cache: string;
beforeAll(async () => {
  b = await boot();
  cache = uniqueName();
  await (await b.client()).createCache(cache);
});
afterAll(async () => {
  await b.stop();
});

async function call(method: string, query: string, body?: string) {
  const res = await fetch(`${b.server.httpUrl}/cache/${cache}?${query}`, {
    method,
    headers: { authorization: b.server.devApiKey },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, text };
}

describe('repeated query parameters', () => {
  it('PUT ?key=a&key=b answers 400 naming key and stores nothing', async () => {
    const put = await call('PUT', 'key=a&key=b&ttl_seconds=60', 'v');
    expect(put.status).toBe(400);
    expect(JSON.parse(put.text).error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(put.text).toContain("query parameter 'key' is given more than once");
    expect((await call('GET', 'key=a%00b')).status).toBe(404);
    expect((await call('GET', 'key=a')).status).toBe(404);
    expect((await call('GET', 'key=a&key=b')).status).toBe(400);
  });

  it('duplicated key_base64 or ttl_seconds answer 400 naming the parameter, not 500', async () => {
    const b64 = await call('PUT', 'key_base64=YQ==&key_base64=Yg==&ttl_seconds=60', 'v');
    expect(b64.status).toBe(400);
    expect(b64.text).toContain("'key_base64'");
    const ttl = await call('PUT', 'key=a&ttl_seconds=60&ttl_seconds=70', 'v');
    expect(ttl.status).toBe(400);
    expect(ttl.text).toContain("'ttl_seconds'");
    const get = await call('GET', 'key_base64=YQ==&key_base64=Yg==');
    expect(get.status).toBe(400);
  });

  it('a repeated token is refused rather than read as no token', async () => {
    const res = await fetch(`${b.server.httpUrl}/v1/caches?token=x&token=y`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("'token'");
  });

  it('JSON routes refuse repeats too (GET …/items/ttl?key=a&key=b)', async () => {
    const res = await fetch(`${b.server.httpUrl}/v1/caches/${cache}/items/ttl?key=a&key=b`, {
      headers: { authorization: b.server.devApiKey },
    });
    expect(res.status).toBe(400);
  });
});
