/**
 * The JSON item operations under /v1/caches/:cache/items over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

let b: Booted;
let cache: string;
const call = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${b.server.httpUrl}/v1/caches/${cache}/items/${path}`, {
    method,
    headers: {
      authorization: b.server.devApiKey,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Record<string, unknown>) };
};

beforeAll(async () => {
  b = await boot();
  cache = uniqueName();
  await fetch(`${b.server.httpUrl}/v1/caches/${cache}`, {
    method: 'PUT',
    headers: { authorization: b.server.devApiKey },
  });
});
afterAll(async () => {
  await b.stop();
});

describe('/v1 item operations', () => {
  it('increment returns int64-exact decimal strings and refuses non-integers with 409', async () => {
    expect(await call('POST', 'increment', { key: 'n', amount: 5, ttl_seconds: 60 })).toEqual({
      status: 200,
      body: { value: '5' },
    });
    expect(
      (await call('POST', 'increment', { key: 'n', amount: '9223372036854775800', ttl_seconds: 60 })).body,
    ).toEqual({
      value: '9223372036854775805',
    });
    await call('POST', 'set-batch', { items: [{ key: 'text', value: 'abc', ttl_seconds: 60 }] });
    const bad = await call('POST', 'increment', { key: 'text', ttl_seconds: 60 });
    expect(bad.status).toBe(409);
    expect(bad.body).toMatchObject({ error: { code: 'FAILED_PRECONDITION' } });
  });

  it('set-if honours the condition', async () => {
    expect((await call('POST', 'set-if', { key: 'c', value: 'a', ttl_seconds: 60, condition: 'absent' })).body).toEqual(
      { stored: true },
    );
    expect((await call('POST', 'set-if', { key: 'c', value: 'b', ttl_seconds: 60, condition: 'absent' })).body).toEqual(
      { stored: false },
    );
    expect(
      (await call('POST', 'set-if', { key: 'c', value: 'b', ttl_seconds: 60, condition: 'equal', compare: 'a' })).body,
    ).toEqual({
      stored: true,
    });
    expect(
      (await call('POST', 'set-if', { key: 'c', value: 'x', ttl_seconds: 60, condition: 'sometimes' })).status,
    ).toBe(400);
  });

  it('ttl: read, update (overwrite/increase/decrease), 404 for a missing key', async () => {
    await call('POST', 'set-batch', { items: [{ key: 't', value: 'v', ttl_seconds: 30 }] });
    const ttl = (await call('GET', 'ttl?key=t')).body?.remainingTtlMs as number;
    expect(ttl).toBeGreaterThan(28_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    expect((await call('POST', 'ttl', { key: 't', ttl_seconds: 10, mode: 'increase' })).body).toEqual({
      updated: false,
    });
    expect((await call('POST', 'ttl', { key: 't', ttl_seconds: 10, mode: 'decrease' })).body).toEqual({
      updated: true,
    });
    expect((await call('GET', 'ttl?key=missing')).status).toBe(404);
    expect((await call('POST', 'ttl', { key: 'missing', ttl_seconds: 10 })).status).toBe(404);
  });

  it('set-batch then get-batch and keys-exist, binary-safe through base64', async () => {
    const bin = Buffer.from([0, 255, 1]).toString('base64');
    expect(
      (
        await call('POST', 'set-batch', {
          items: [
            { key: 'x', value: '1', ttl_seconds: 60 },
            { key_base64: bin, value_base64: bin, ttl_seconds: 60 },
          ],
        })
      ).status,
    ).toBe(204);
    const got = await call('POST', 'get-batch', {
      keys_base64: [Buffer.from('x').toString('base64'), bin, Buffer.from('nope').toString('base64')],
    });
    expect(got.body).toEqual({ values: [Buffer.from('1').toString('base64'), bin, null] });
    expect((await call('POST', 'keys-exist', { keys: ['x', 'nope'] })).body).toEqual({ exists: [true, false] });
  });
});
