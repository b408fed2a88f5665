/**
 * The HTTP `/v1` leaderboard routes over real HTTP against a booted server: every route, the page limit,
 * bad input, a read-only key, and the official `PreviewLeaderboardClient` reading what HTTP wrote.
 */
import { encodeApiKey } from '@cachette/core';
import { LeaderboardConfigurations, PreviewLeaderboardClient } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, keyCredentials, uniqueName } from './support/boot.ts';

let b: Booted;
let cache: string;
let auth: { authorization: string };
let sdk: PreviewLeaderboardClient;

beforeAll(async () => {
  b = await boot();
  cache = uniqueName();
  auth = { authorization: b.server.devApiKey };
  expect((await fetch(`${b.server.httpUrl}/v1/caches/${cache}`, { method: 'PUT', headers: auth })).status).toBe(201);
  sdk = new PreviewLeaderboardClient({
    configuration: LeaderboardConfigurations.Laptop.latest(),
    credentialProvider: keyCredentials(b.server.grpcAddress, b.server.devApiKey),
  });
});
afterAll(async () => {
  sdk.close();
  await b.stop();
});

async function call(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = auth,
): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${b.server.httpUrl}/v1/caches/${cache}/leaderboards${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

const el = (id: number, score: number, rank: number) => ({ id, score, rank });

describe('HTTP /v1 leaderboards', () => {
  it('upsert, fetch by rank and by score, rank, competition rank, length, remove, delete', async () => {
    expect(
      (
        await call('POST', '/b1/upsert', {
          elements: [
            { id: 1, score: 10 },
            { id: 2, score: 20 },
          ],
        })
      ).status,
    ).toBe(204);
    expect((await call('POST', '/b1/upsert', { elements: { 3: 20, 4: 30.5 } })).status).toBe(204);
    expect(await call('GET', '/b1/by-rank?start=0&end=10')).toEqual({
      status: 200,
      json: { elements: [el(1, 10, 0), el(2, 20, 1), el(3, 20, 2), el(4, 30.5, 3)] },
    });
    expect((await call('GET', '/b1/by-rank?end=2&order=descending')).json).toEqual({
      elements: [el(4, 30.5, 0), el(3, 20, 1)],
    });
    expect((await call('GET', '/b1/by-score?min=20&max=30.5')).json).toEqual({
      elements: [el(2, 20, 1), el(3, 20, 2)],
    });
    expect((await call('GET', '/b1/by-score?order=descending&offset=1&count=2')).json).toEqual({
      elements: [el(3, 20, 1), el(2, 20, 2)],
    });
    expect((await call('POST', '/b1/rank', { ids: [4, 9, 1] })).json).toEqual({
      elements: [el(4, 30.5, 3), el(1, 10, 0)],
    });
    expect((await call('POST', '/b1/rank', { ids: [2, 3, 1], competition: true })).json).toEqual({
      elements: [el(2, 20, 1), el(3, 20, 1), el(1, 10, 3)],
    });
    expect(await call('GET', '/b1/length')).toEqual({ status: 200, json: { length: 4 } });
    expect((await call('POST', '/b1/remove', { ids: [1, 2] })).status).toBe(204);
    expect((await call('GET', '/b1/length')).json).toEqual({ length: 2 });
    expect((await call('DELETE', '/b1')).status).toBe(204);
    expect((await call('GET', '/b1/by-rank')).json).toEqual({ elements: [] });
  });

  it('the official PreviewLeaderboardClient reads what HTTP wrote and HTTP reads what it wrote', async () => {
    await call('POST', '/shared/upsert', { elements: { 7: 1.5 } });
    const board = sdk.leaderboard(cache, 'shared');
    const fetched = await board.fetchByRank(0, 10);
    expect(fetched.type === 'Success' && fetched.values()).toEqual([el(7, 1.5, 0)]);
    expect((await board.upsert({ 8: 0.5 })).type).toBe('Success');
    expect((await call('GET', '/shared/by-rank')).json).toEqual({ elements: [el(8, 0.5, 0), el(7, 1.5, 1)] });
  });

  it('bad input is a 400 INVALID_ARGUMENT naming the problem; nothing is written', async () => {
    const bad = async (method: 'GET' | 'POST', path: string, body: unknown, text: string) => {
      const r = await call(method, path, body);
      expect(r.status).toBe(400);
      expect(r.json).toMatchObject({ error: { code: 'INVALID_ARGUMENT', message: expect.stringContaining(text) } });
    };
    await bad('POST', '/b2/upsert', { elements: [{ id: 1.5, score: 1 }] }, 'integers');
    await bad('POST', '/b2/upsert', { elements: [{ id: -1, score: 1 }] }, '0 to 4294967295');
    await bad('POST', '/b2/upsert', { elements: [{ id: 1, score: 'x' }] }, 'finite');
    await bad('POST', '/b2/upsert', { elements: [] }, 'at least one');
    await bad('POST', '/b2/upsert', { nope: 1 }, 'elements must be');
    await bad('GET', '/b2/by-rank?start=5&end=5', undefined, 'less than');
    await bad('GET', '/b2/by-rank?start=0&end=9000', undefined, '8192');
    await bad('GET', '/b2/by-score?count=0', undefined, 'count');
    await bad('GET', '/b2/by-score?min=abc', undefined, 'min must be a number');
    await bad('GET', '/b2/by-score?order=sideways', undefined, 'order');
    await bad('POST', '/b2/rank', { ids: 'x' }, 'ids');
    const tooMany = Array.from({ length: 8193 }, (_, i) => i);
    await bad('POST', '/b2/remove', { ids: tooMany }, '8192');
    expect((await call('GET', '/b2/length')).json).toEqual({ length: 0 });
  });

  it('a read-only key reads but cannot upsert (403); a missing cache is 404', async () => {
    await call('POST', '/b3/upsert', { elements: { 1: 1 } });
    const { secret } = await b.server.metadata.createApiKey({ accountId: b.server.localAccountId, access: 'readOnly' });
    const ro = { authorization: encodeApiKey(b.server.grpcAddress, secret) };
    expect((await call('GET', '/b3/length', undefined, ro)).json).toEqual({ length: 1 });
    const denied = await call('POST', '/b3/upsert', { elements: { 2: 2 } }, ro);
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: { code: 'PERMISSION_DENIED' } });
    const res = await fetch(`${b.server.httpUrl}/v1/caches/${uniqueName()}/leaderboards/x/length`, { headers: auth });
    expect(res.status).toBe(404);
  });
});
