/**
 * The HTTP `/v1` collection routes over real HTTP against a booted server: each type's common calls, misses,
 * wrong types, read-only keys, and the official `@gomomento/sdk` reading what HTTP wrote and vice versa.
 */
import { encodeApiKey } from '@cachette/core';
import { type CacheClient, CacheDictionaryGetFieldResponse, MomentoErrorCode } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { expectSdkError } from './support/expect-error.ts';

let b: Booted;
let cache: string;
let client: CacheClient;
let auth: { authorization: string };

beforeAll(async () => {
  b = await boot();
  cache = uniqueName();
  auth = { authorization: b.server.devApiKey };
  expect((await fetch(`${b.server.httpUrl}/v1/caches/${cache}`, { method: 'PUT', headers: auth })).status).toBe(201);
  client = await b.client();
});
afterAll(async () => {
  await b.stop();
});

const url = (path: string) => `${b.server.httpUrl}/v1/caches/${cache}${path}`;

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url(path), {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

const notFound = {
  error: { code: 'NOT_FOUND', message: expect.stringContaining('not found'), reason: 'item_not_found' },
};

describe('dictionaries', () => {
  it('set, get, fetch, increment, delete fields, length; the SDK reads what HTTP wrote', async () => {
    const set = await call('POST', '/dictionaries/d1/set', { items: { a: '1', b: 'two' }, ttl_seconds: 60 });
    expect(set.status).toBe(204);
    expect(await call('POST', '/dictionaries/d1/get', { fields: ['a', 'nope', 'b'] })).toEqual({
      status: 200,
      json: { values: ['1', null, 'two'] },
    });
    expect(await call('POST', '/dictionaries/d1/increment', { field: 'a', amount: 41, ttl_seconds: 60 })).toEqual({
      status: 200,
      json: { value: '42' },
    });
    expect((await client.dictionaryFetch(cache, 'd1')).value()).toEqual({ a: '42', b: 'two' });

    expect((await call('POST', '/dictionaries/d1/delete', { fields: ['b'] })).status).toBe(204);
    expect(await call('GET', '/dictionaries/d1')).toEqual({
      status: 200,
      json: { items: [{ field: 'a', value: '42' }] },
    });
    expect(await call('GET', '/dictionaries/d1/length')).toEqual({ status: 200, json: { length: 1 } });
    expect((await call('DELETE', '/dictionaries/d1')).status).toBe(204);
    expect(await call('GET', '/dictionaries/d1')).toEqual({ status: 404, json: notFound });
  });

  it('binary fields and values travel as base64 both ways', async () => {
    const field = Buffer.from([0xff, 0x00]);
    const value = Buffer.from([0x80, 0x81, 0x0a]);
    expect(
      (
        await call('POST', '/dictionaries/bin/set', {
          items: [{ field_base64: field.toString('base64'), value_base64: value.toString('base64') }],
          ttl_seconds: 60,
        })
      ).status,
    ).toBe(204);
    const got = await client.dictionaryGetField(cache, 'bin', field);
    expect(got.type === CacheDictionaryGetFieldResponse.Hit && Buffer.from(got.valueUint8Array()).equals(value)).toBe(
      true,
    );
    expect(await call('GET', '/dictionaries/bin?encoding=base64')).toEqual({
      status: 200,
      json: { items: [{ field: field.toString('base64'), value: value.toString('base64') }] },
    });
  });

  it('HTTP reads what the SDK wrote', async () => {
    await client.dictionarySetFields(cache, 'from-sdk', { x: 'y' });
    expect(await call('POST', '/dictionaries/from-sdk/get', { fields: ['x'] })).toEqual({
      status: 200,
      json: { values: ['y'] },
    });
  });

  it('misses are 404 item_not_found, bad input 400', async () => {
    expect(await call('POST', '/dictionaries/none/get', { fields: ['a'] })).toEqual({ status: 404, json: notFound });
    expect(await call('GET', '/dictionaries/none/length')).toEqual({ status: 404, json: notFound });
    expect((await call('POST', '/dictionaries/d2/set', { items: { a: '1' } })).status).toBe(400); // no ttl
    expect((await call('POST', '/dictionaries/d2/set', { items: { a: 1 }, ttl_seconds: 5 })).status).toBe(400);
    expect(
      (await call('POST', '/dictionaries/d2/set', { items: { a: '1' }, ttl_seconds: 5, refresh_ttl: 'yes' })).status,
    ).toBe(400);
    expect((await call('GET', '/dictionaries/d2?encoding=hex')).status).toBe(400);
  });
});

describe('lists', () => {
  it('push front/back, fetch with ranges, pop, remove value, length; the SDK agrees', async () => {
    expect(await call('POST', '/lists/l1/push-back', { values: ['b', 'c', 'x'], ttl_seconds: 60 })).toEqual({
      status: 200,
      json: { length: 3 },
    });
    expect(await call('POST', '/lists/l1/push-front', { value: 'a', ttl_seconds: 60 })).toEqual({
      status: 200,
      json: { length: 4 },
    });
    expect((await client.listFetch(cache, 'l1')).value()).toEqual(['a', 'b', 'c', 'x']);
    expect(await call('GET', '/lists/l1?start=1&end=-1')).toEqual({ status: 200, json: { values: ['b', 'c'] } });
    expect(await call('POST', '/lists/l1/remove', { value: 'x' })).toEqual({ status: 200, json: { length: 3 } });
    expect(await call('POST', '/lists/l1/pop-front')).toEqual({ status: 200, json: { value: 'a', length: 2 } });
    expect(await call('POST', '/lists/l1/pop-back')).toEqual({ status: 200, json: { value: 'c', length: 1 } });
    expect(await call('GET', '/lists/l1/length')).toEqual({ status: 200, json: { length: 1 } });

    await client.listPushBack(cache, 'l1', 'from-sdk');
    expect(await call('GET', '/lists/l1')).toEqual({ status: 200, json: { values: ['b', 'from-sdk'] } });
  });

  it('truncate_to_size keeps the list bounded; a pop from a missing list is 404', async () => {
    await call('POST', '/lists/l2/push-back', { values: ['1', '2', '3'], ttl_seconds: 60 });
    await call('POST', '/lists/l2/push-back', { values: ['4'], ttl_seconds: 60, truncate_to_size: 2 });
    expect(await call('GET', '/lists/l2')).toEqual({ status: 200, json: { values: ['3', '4'] } });
    expect(await call('POST', '/lists/none/pop-front')).toEqual({ status: 404, json: notFound });
    expect((await call('GET', '/lists/l2?start=one')).status).toBe(400);
  });
});

describe('sets', () => {
  it('add, contains, fetch, remove, length; SDK and HTTP read each other', async () => {
    expect((await call('POST', '/sets/s1/add', { elements: ['a', 'b', 'c'], ttl_seconds: 60 })).status).toBe(204);
    expect(await call('POST', '/sets/s1/contains', { elements: ['a', 'z'] })).toEqual({
      status: 200,
      json: { contains: [true, false] },
    });
    expect((await call('POST', '/sets/s1/remove', { elements: ['b'] })).status).toBe(204);
    expect(new Set((await client.setFetch(cache, 's1')).value())).toEqual(new Set(['a', 'c']));
    await client.setAddElement(cache, 's1', 'd');
    const fetched = await call('GET', '/sets/s1');
    expect(fetched.status).toBe(200);
    expect(new Set((fetched.json as { elements: string[] }).elements)).toEqual(new Set(['a', 'c', 'd']));
    expect(await call('GET', '/sets/s1/length')).toEqual({ status: 200, json: { length: 3 } });
    expect((await call('DELETE', '/sets/s1')).status).toBe(204);
    expect(await call('GET', '/sets/s1')).toEqual({ status: 404, json: notFound });
  });
});

describe('sorted sets', () => {
  it('put, fetch by rank and score, score, rank, increment, remove, length; the SDK agrees', async () => {
    const put = await call('POST', '/sorted-sets/z1/put', {
      elements: [
        { value: 'a', score: 1 },
        { value: 'b', score: 2 },
      ],
      ttl_seconds: 60,
    });
    expect(put.status).toBe(204);
    expect((await call('POST', '/sorted-sets/z1/put', { elements: { c: 3, d: 4 }, ttl_seconds: 60 })).status).toBe(204);
    expect(await call('GET', '/sorted-sets/z1?order=descending&start=0&end=2')).toEqual({
      status: 200,
      json: {
        elements: [
          { value: 'd', score: 4 },
          { value: 'c', score: 3 },
        ],
      },
    });
    expect(await call('GET', '/sorted-sets/z1/by-score?min=1&min_exclusive=true&max=4&offset=1&count=2')).toEqual({
      status: 200,
      json: {
        elements: [
          { value: 'c', score: 3 },
          { value: 'd', score: 4 },
        ],
      },
    });
    expect(await call('POST', '/sorted-sets/z1/scores', { values: ['b', 'nope'] })).toEqual({
      status: 200,
      json: { scores: [2, null] },
    });
    expect(await call('GET', '/sorted-sets/z1/rank?value=c&order=descending')).toEqual({
      status: 200,
      json: { rank: 1 },
    });
    expect(await call('GET', '/sorted-sets/z1/rank?value=nope')).toEqual({ status: 404, json: notFound });
    expect(await call('POST', '/sorted-sets/z1/increment', { value: 'a', amount: 9.5, ttl_seconds: 60 })).toEqual({
      status: 200,
      json: { score: 10.5 },
    });
    expect((await call('POST', '/sorted-sets/z1/remove', { values: ['b'] })).status).toBe(204);
    const sdk = await client.sortedSetFetchByRank(cache, 'z1');
    expect(sdk.value()).toEqual([
      { value: 'c', score: 3 },
      { value: 'd', score: 4 },
      { value: 'a', score: 10.5 },
    ]);
    await client.sortedSetPutElement(cache, 'z1', 'e', 0);
    expect(await call('GET', '/sorted-sets/z1?end=1')).toEqual({
      status: 200,
      json: { elements: [{ value: 'e', score: 0 }] },
    });
    expect(await call('GET', '/sorted-sets/z1/length')).toEqual({ status: 200, json: { length: 4 } });
    expect((await call('GET', '/sorted-sets/z1?order=sideways')).status).toBe(400);
  });
});

describe('retain, sample, pop, length by score, union store', () => {
  it('retain keeps a slice (negative end included); a missing list is 404', async () => {
    await call('POST', '/lists/r1/push-back', { values: ['a', 'b', 'c', 'd', 'e'], ttl_seconds: 60 });
    expect(await call('POST', '/lists/r1/retain', { start: 1, end: -1, ttl_seconds: 60 })).toEqual({
      status: 200,
      json: { length: 3 },
    });
    expect((await client.listFetch(cache, 'r1')).value()).toEqual(['b', 'c', 'd']);
    expect(await call('POST', '/lists/none/retain', { start: 0, ttl_seconds: 60 })).toEqual({
      status: 404,
      json: notFound,
    });
    expect((await call('POST', '/lists/r1/retain', { start: 'x', ttl_seconds: 60 })).status).toBe(400);
  });

  it('sample answers distinct members, pop removes what it answers; the SDK sees the rest', async () => {
    await call('POST', '/sets/sp/add', { elements: ['a', 'b', 'c', 'd'], ttl_seconds: 60 });
    const sample = await call('GET', '/sets/sp/sample?limit=3');
    const sampled = (sample.json as { elements: string[] }).elements;
    expect(sampled).toHaveLength(3);
    expect(new Set(sampled).size).toBe(3);
    expect(sampled.every((e) => ['a', 'b', 'c', 'd'].includes(e))).toBe(true);
    const pop = await call('POST', '/sets/sp/pop', { count: 2 });
    const popped = (pop.json as { elements: string[] }).elements;
    expect(popped).toHaveLength(2);
    const left = new Set((await client.setFetch(cache, 'sp')).value());
    expect(new Set([...left, ...popped])).toEqual(new Set(['a', 'b', 'c', 'd']));
    expect(left.size).toBe(2);
    expect(await call('GET', '/sets/none/sample?limit=1')).toEqual({ status: 404, json: notFound });
    expect(await call('POST', '/sets/none/pop', { count: 1 })).toEqual({ status: 404, json: notFound });
    expect((await call('GET', '/sets/sp/sample')).status).toBe(400);
    expect((await call('POST', '/sets/sp/pop', { count: 0 })).status).toBe(400);
  });

  it('length-by-score counts with inclusive and exclusive bounds', async () => {
    await call('POST', '/sorted-sets/lbs/put', { elements: { a: 1, b: 2, c: 3, d: 4 }, ttl_seconds: 60 });
    expect(await call('GET', '/sorted-sets/lbs/length-by-score?min=2&max=4&max_exclusive=true')).toEqual({
      status: 200,
      json: { length: 2 },
    });
    expect(await call('GET', '/sorted-sets/lbs/length-by-score')).toEqual({ status: 200, json: { length: 4 } });
    expect(await call('GET', '/sorted-sets/none/length-by-score?min=0')).toEqual({ status: 404, json: notFound });
  });

  it('union-store combines weighted sources with sum/min/max; the SDK reads the result', async () => {
    await call('POST', '/sorted-sets/u1/put', { elements: { a: 1, b: 2 }, ttl_seconds: 60 });
    await call('POST', '/sorted-sets/u2/put', { elements: { b: 10, c: 20 }, ttl_seconds: 60 });
    const sources = [
      { name: 'u1', weight: 2 },
      { name: 'u2', weight: 0.5 },
      { name: 'u-missing', weight: 1 },
    ];
    expect(await call('POST', '/sorted-sets/u3/union-store', { sources, ttl_seconds: 60 })).toEqual({
      status: 200,
      json: { length: 3 },
    });
    expect((await client.sortedSetFetchByRank(cache, 'u3')).value()).toEqual([
      { value: 'a', score: 2 },
      { value: 'b', score: 9 },
      { value: 'c', score: 10 },
    ]);
    await call('POST', '/sorted-sets/u3/union-store', { sources, aggregate: 'max', ttl_seconds: 60 });
    expect((await client.sortedSetGetScore(cache, 'u3', 'b')).score()).toBe(5);
    expect(
      (await call('POST', '/sorted-sets/u3/union-store', { sources, aggregate: 'avg', ttl_seconds: 60 })).status,
    ).toBe(400);
    expect((await call('POST', '/sorted-sets/u3/union-store', { sources: 'u1', ttl_seconds: 60 })).status).toBe(400);
  });
});

describe('errors and permissions', () => {
  it('an operation of the wrong type is 409 FAILED_PRECONDITION and changes nothing', async () => {
    await call('POST', '/sets/typed/add', { elements: ['a'], ttl_seconds: 60 });
    for (const [method, path, body] of [
      ['POST', '/dictionaries/typed/set', { items: { f: 'v' }, ttl_seconds: 60 }],
      ['GET', '/lists/typed', undefined],
      ['POST', '/sorted-sets/typed/put', { elements: { a: 1 }, ttl_seconds: 60 }],
    ] as const) {
      const res = await call(method, path, body);
      expect(res.status, path).toBe(409);
      expect((res.json as { error: { code: string } }).error.code).toBe('FAILED_PRECONDITION');
    }
    expect(await call('GET', '/sets/typed')).toEqual({ status: 200, json: { elements: ['a'] } });
  });

  it('a collection grown past the item size limit by many writes is refused (LIMIT_EXCEEDED) and kept as it was', async () => {
    const mib = 'x'.repeat(1024 * 1024);
    // 4 × 1 MiB + the name fit in 5 MiB; a fifth MiB does not, whichever API sends it.
    for (let i = 0; i < 4; i++) expect((await client.listPushBack(cache, 'big', mib)).type).toBe('Success');
    expectSdkError(await client.listPushBack(cache, 'big', mib), MomentoErrorCode.LIMIT_EXCEEDED_ERROR);
    const http = await call('POST', '/lists/big/push-back', { value: mib, ttl_seconds: 60 });
    expect(http.status).toBe(413);
    expect(http.json).toMatchObject({ error: { code: 'LIMIT_EXCEEDED', reason: 'item_size_limit_exceeded' } });
    expect(await call('GET', '/lists/big/length')).toEqual({ status: 200, json: { length: 4 } });
    // A bounded queue at the limit keeps working: each push drops the oldest element.
    expect(
      (await call('POST', '/lists/big/push-back', { value: mib, ttl_seconds: 60, truncate_to_size: 4 })).json,
    ).toEqual({
      length: 4,
    });
  });

  it('an unknown cache is 404, no key is 401, a read-only key may read but not write', async () => {
    const unknown = await fetch(`${b.server.httpUrl}/v1/caches/nope/sets/s`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect((await call('GET', '/sets/s', undefined, {})).status).toBe(401);

    await call('POST', '/dictionaries/ro/set', { items: { f: 'v' }, ttl_seconds: 60 });
    const { secret } = await b.server.metadata.createApiKey({ accountId: b.server.localAccountId, access: 'readOnly' });
    const ro = { authorization: encodeApiKey(b.server.grpcAddress, secret) };
    expect(await call('GET', '/dictionaries/ro', undefined, ro)).toEqual({
      status: 200,
      json: { items: [{ field: 'f', value: 'v' }] },
    });
    for (const [path, body] of [
      ['/dictionaries/ro/set', { items: { g: 'v' }, ttl_seconds: 60 }],
      ['/lists/ro2/push-back', { value: 'v', ttl_seconds: 60 }],
      ['/lists/ro2/pop-front', undefined],
      ['/sets/ro3/add', { elements: ['v'], ttl_seconds: 60 }],
      ['/sorted-sets/ro4/put', { elements: { v: 1 }, ttl_seconds: 60 }],
    ] as const) {
      const res = await call('POST', path, body, ro);
      expect(res.status, path).toBe(403);
      expect((res.json as { error: { code: string } }).error.code).toBe('PERMISSION_DENIED');
    }
    expect((await call('DELETE', '/dictionaries/ro', undefined, ro)).status).toBe(403);
    expect((await client.dictionaryFetch(cache, 'ro')).value()).toEqual({ f: 'v' });
  });
});
