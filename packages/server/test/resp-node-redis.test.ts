/**
 * node-redis (the `redis` npm package, v5) against the Redis port, in RESP2 and RESP3: its start-up
 * (AUTH or HELLO 3 AUTH from a Redis URL, CLIENT SETINFO), one pass through each command family with the
 * reply shapes node-redis decodes (maps, sets, doubles, nulls), Redis errors, and a pipeline (MULTI-less
 * `Promise.all` batches, which node-redis pipelines on one connection).
 */
import { ManualClock } from '@cachette/core';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

let b: Booted;
let cache: string;
const open: { destroy(): void }[] = [];

beforeAll(async () => {
  // A manual clock: TTL replies are exact, with no time passing between a write and its TTL read.
  b = await boot({ clock: new ManualClock(), redisPort: 0 });
});
afterAll(async () => {
  for (const c of open.splice(0)) c.destroy();
  await b.stop();
});
beforeEach(async () => {
  for (const c of open.splice(0)) c.destroy();
  cache = uniqueName();
  const admin = await b.client();
  expect((await admin.createCache(cache)).type).toBe('Success');
});

async function connect(RESP: 2 | 3) {
  const url = `redis://${encodeURIComponent(cache)}:${encodeURIComponent(b.server.devApiKey)}@127.0.0.1:${b.server.redisPort}`;
  const client = createClient({ url, RESP });
  client.on('error', () => {});
  open.push(client);
  await client.connect();
  return client;
}

describe.each([2, 3] as const)('node-redis RESP%i', (resp) => {
  it('strings, keys and TTLs', async () => {
    const r = await connect(resp);
    expect(await r.ping()).toBe('PONG');
    expect(await r.set('k', 'v', { EX: 100 })).toBe('OK');
    expect(await r.get('k')).toBe('v');
    expect(await r.ttl('k')).toBe(100);
    expect(await r.set('k', 'w', { GET: true })).toBe('v');
    expect(await r.set('k', 'x', { condition: 'NX' })).toBeNull();
    expect(await r.getDel('k')).toBe('w');
    expect(await r.get('k')).toBeNull();
    expect(await r.incrBy('n', 5)).toBe(5);
    expect(await r.decr('n')).toBe(4);
    expect(await r.mSet({ a: '1', b: '2' })).toBe('OK');
    expect(await r.mGet(['a', 'b', 'zz'])).toEqual(['1', '2', null]);
    expect(await r.exists(['a', 'b', 'zz'])).toBe(2);
    expect(await r.expire('a', 50)).toBe(1);
    expect(await r.pTTL('a')).toBe(50_000);
    expect(await r.type('a')).toBe('string');
    expect(await r.del(['a', 'b'])).toBe(2);
    expect(await r.strLen('n')).toBe(1);
    await expect(r.incr('k2').then(() => r.hSet('k2', 'f', 'v'))).rejects.toThrow(/^WRONGTYPE/);
  });

  it('hashes, lists, sets and sorted sets', async () => {
    const r = await connect(resp);
    expect(await r.hSet('h', { f1: 'v1', f2: 'v2' })).toBe(2);
    expect(await r.hGetAll('h')).toEqual({ f1: 'v1', f2: 'v2' });
    expect(await r.hIncrBy('h', 'n', 3)).toBe(3);
    expect(await r.hExists('h', 'f1')).toBe(1);
    expect(await r.rPush('l', ['x', 'y', 'z'])).toBe(3);
    expect(await r.lPop('l')).toBe('x');
    expect(await r.lRange('l', 0, -1)).toEqual(['y', 'z']);
    expect(await r.sAdd('s', ['a', 'b'])).toBe(2);
    expect((await r.sMembers('s')).sort()).toEqual(['a', 'b']);
    expect(await r.sIsMember('s', 'a')).toBe(1);
    expect(
      await r.zAdd('z', [
        { score: 1, value: 'one' },
        { score: 2, value: 'two' },
      ]),
    ).toBe(2);
    expect(await r.zScore('z', 'two')).toBe(2);
    expect(await r.zRangeWithScores('z', 0, -1)).toEqual([
      { value: 'one', score: 1 },
      { value: 'two', score: 2 },
    ]);
    expect(await r.zRank('z', 'two')).toBe(1);
  });

  it('pipelined calls answer in order; unknown commands and errors leave the connection usable', async () => {
    const r = await connect(resp);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => r.set(`p${i}`, String(i))));
    expect(replies.every((x) => x === 'OK')).toBe(true);
    expect(await Promise.all(Array.from({ length: 200 }, (_, i) => r.get(`p${i}`)))).toEqual(
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
    await expect(r.sendCommand(['FLUSHALL'])).rejects.toThrow(/^ERR unknown command 'FLUSHALL'/);
    expect(await r.ping()).toBe('PONG');
    expect(await r.clientId()).toBeGreaterThan(0);
  });
});
