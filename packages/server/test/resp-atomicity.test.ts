/**
 * Redis commands that read and write in one step stay one step over the Redis port: many ioredis
 * connections racing on one key, on a server whose engine is Valkey (the machine's Redis at 6379), where
 * two service calls really do interleave across connections (in-process, the memory engine answers each
 * call before the next socket is read, which would hide the race). Before these commands became single
 * engine operations, concurrent GETDELs returned the value more than once and SET … GET handed one old
 * value to several writers. Values are checked, never timings.
 */
import { ValkeyEngine } from '@cachette/engine-valkey';
import { deleteKeysMatching } from '@cachette/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

const CONNECTIONS = 12;
let b: Booted;
let cache: string;
let clients: Redis[] = [];

const VALKEY_URL = process.env.VALKEY_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = `resp-atomic-${process.pid}-${Date.now()}:`;

beforeAll(async () => {
  b = await boot({ redisPort: 0, engine: 'valkey', valkeyUrl: VALKEY_URL, valkeyKeyPrefix: PREFIX });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await b.stop();
  const admin = await ValkeyEngine.connect({ url: VALKEY_URL, keyPrefix: PREFIX, statsIntervalMs: 0 });
  await deleteKeysMatching(admin.client, `${PREFIX}*`);
  await admin.close();
});
beforeEach(async () => {
  for (const c of clients) c.disconnect();
  cache = uniqueName();
  const admin = await b.client();
  expect((await admin.createCache(cache)).type).toBe('Success');
  clients = Array.from(
    { length: CONNECTIONS },
    () =>
      new Redis({
        port: b.server.redisPort!,
        host: '127.0.0.1',
        username: cache,
        password: b.server.devApiKey,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      }),
  );
  await Promise.all(clients.map((c) => c.ping()));
});

describe('read-modify-write commands are atomic across connections', () => {
  it('GETDEL: of many racing connections exactly one gets the value', async () => {
    for (let round = 0; round < 10; round++) {
      await clients[0]!.set('k', `v${round}`);
      const got = await Promise.all(clients.map((c) => c.getdel('k')));
      expect(got.filter((v) => v !== null)).toEqual([`v${round}`]);
    }
  });

  it('SET … GET: every old value is handed to exactly one writer (no lost update)', async () => {
    await clients[0]!.set('k', 'start');
    const previous = await Promise.all(clients.map((c, i) => c.set('k', `w${i}`, 'GET')));
    const last = await clients[0]!.get('k');
    expect(new Set(previous).size).toBe(CONNECTIONS);
    expect(previous).toContain('start');
    expect(previous).not.toContain(last);
  });

  it('SET … NX GET: one writer stores; the others get the winner’s value or the original', async () => {
    const results = await Promise.all(clients.map((c, i) => c.set('fresh', `w${i}`, 'NX', 'GET')));
    // Exactly one saw no previous value (it stored); everyone else saw the one stored value.
    expect(results.filter((r) => r === null)).toHaveLength(1);
    const stored = await clients[0]!.get('fresh');
    expect(results.filter((r) => r !== null).every((r) => r === stored)).toBe(true);
  });

  it('INCR keeps the TTL while connections race INCRs, EXPIRE and SET … KEEPTTL', async () => {
    await clients[0]!.set('n', '0', 'EX', 1000);
    await Promise.all(
      clients.map(async (c, i) => {
        for (let j = 0; j < 10; j++) await c.incr('n');
        if (i === 0) await c.expire('n', 500);
      }),
    );
    expect(await clients[0]!.get('n')).toBe(String(CONNECTIONS * 10));
    const ttl = await clients[0]!.ttl('n');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1000);
    await clients[1]!.set('n', 'x', 'KEEPTTL');
    expect(await clients[0]!.ttl('n')).toBeLessThanOrEqual(1000);
  });

  it('GETEX EX sets the TTL as it reads; on a hash it answers WRONGTYPE and changes nothing', async () => {
    await clients[0]!.set('g', 'v', 'EX', 1000);
    expect(await clients[1]!.getex('g', 'EX', 50)).toBe('v');
    expect(await clients[0]!.ttl('g')).toBe(50);
    await clients[0]!.hset('h', 'f', 'v');
    await expect(clients[0]!.getex('h', 'EX', 5)).rejects.toThrow(/^WRONGTYPE/);
    await expect(clients[0]!.getdel('h')).rejects.toThrow(/^WRONGTYPE/);
    await expect(clients[0]!.set('h', 'v', 'GET')).rejects.toThrow(/^WRONGTYPE/);
    expect(await clients[0]!.hget('h', 'f')).toBe('v');
  });
});
