/**
 * The Redis protocol with a real client: ioredis against a server booted in-process with `redisPort: 0`,
 * through every command Cachette answers — replies, Redis's error texts, pipelining — in RESP2 and, where
 * replies differ, RESP3. Time is a ManualClock shared with the engine, so TTL checks need no sleeping.
 */
import { ManualClock } from '@cachette/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { command, RespSocket } from './support/resp-socket.ts';

const clock = new ManualClock();
let b: Booted;
let cache: string;
let redis: Redis;
const clients: Redis[] = [];

function connect(options: { username?: string; password?: string } = {}): Redis {
  const r = new Redis({
    port: b.server.redisPort!,
    host: '127.0.0.1',
    username: options.username ?? cache,
    password: options.password ?? b.server.devApiKey,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  clients.push(r);
  return r;
}

/** The error message a command is answered with. */
async function errorOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error reply');
}

beforeAll(async () => {
  b = await boot({ clock, redisPort: 0 });
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await b.stop();
});
beforeEach(async () => {
  cache = uniqueName();
  const admin = await b.client();
  expect((await admin.createCache(cache)).type).toBe('Success');
  redis = connect();
  await redis.connect();
});

describe('strings', () => {
  it('SET then GET returns the value; GET of a missing key returns nil', async () => {
    expect(await redis.set('k', 'v')).toBe('OK');
    expect(await redis.get('k')).toBe('v');
    expect(await redis.get('missing')).toBeNull();
    const bytes = Buffer.from([0, 255, 13, 10, 1]);
    await redis.set('bin', bytes);
    expect(await redis.getBuffer('bin')).toEqual(bytes);
  });

  it('SET without a TTL gets the default TTL (24 h): every item expires', async () => {
    await redis.set('k', 'v');
    expect(await redis.ttl('k')).toBe(86_400);
    clock.advance(86_400_000);
    expect(await redis.get('k')).toBeNull();
  });

  it('SET EX / PX / EXAT / PXAT set the TTL; SETEX and PSETEX too', async () => {
    await redis.set('ex', 'v', 'EX', 10);
    expect(await redis.ttl('ex')).toBe(10);
    await redis.set('px', 'v', 'PX', 1500);
    expect(await redis.pttl('px')).toBe(1500);
    await redis.set('exat', 'v', 'EXAT', Math.floor(clock.nowMs() / 1000) + 100);
    expect(await redis.ttl('exat')).toBeGreaterThanOrEqual(99);
    await redis.set('pxat', 'v', 'PXAT', clock.nowMs() + 2500);
    expect(await redis.pttl('pxat')).toBe(2500);
    expect(await redis.setex('sx', 7, 'v')).toBe('OK');
    expect(await redis.ttl('sx')).toBe(7);
    expect(await redis.psetex('psx', 700, 'v')).toBe('OK');
    expect(await redis.pttl('psx')).toBe(700);
    clock.advance(1500);
    expect(await redis.get('px')).toBeNull();
    expect(await redis.get('ex')).toBe('v');
  });

  it('SET NX / XX store only when the key is absent / present, answering nil otherwise', async () => {
    expect(await redis.set('k', '1', 'NX')).toBe('OK');
    expect(await redis.set('k', '2', 'NX')).toBeNull();
    expect(await redis.set('other', '1', 'XX')).toBeNull();
    expect(await redis.set('k', '3', 'XX')).toBe('OK');
    expect(await redis.get('k')).toBe('3');
    expect(await redis.setnx('k', '4')).toBe(0);
    expect(await redis.setnx('n', '4')).toBe(1);
  });

  it('SET … GET returns the old value; KEEPTTL keeps the remaining TTL', async () => {
    await redis.set('k', 'old', 'EX', 100);
    expect(await redis.set('k', 'new', 'GET')).toBe('old');
    expect(await redis.ttl('k')).toBe(86_400);
    await redis.set('k', 'v', 'EX', 50);
    await redis.set('k', 'w', 'KEEPTTL');
    expect(await redis.ttl('k')).toBe(50);
    expect(await redis.get('k')).toBe('w');
  });

  it('SET with bad options answers a syntax error, a zero TTL an invalid expire time', async () => {
    expect(await errorOf(redis.call('set', 'k', 'v', 'EX', '10', 'PX', '10'))).toBe('ERR syntax error');
    expect(await errorOf(redis.call('set', 'k', 'v', 'BOGUS'))).toBe('ERR syntax error');
    expect(await errorOf(redis.set('k', 'v', 'EX', 0))).toBe("ERR invalid expire time in 'set' command");
    expect(await errorOf(redis.set('k', 'v', 'EX', 'abc' as never))).toBe(
      'ERR value is not an integer or out of range',
    );
    expect(await errorOf(redis.setex('k', -1, 'v'))).toBe("ERR invalid expire time in 'setex' command");
  });

  it('a TTL beyond the maximum is refused with the limit in the message', async () => {
    expect(await errorOf(redis.set('k', 'v', 'EX', 90_000))).toMatch(
      /^ERR ttl of 90000 s \(25 h\) exceeds the maximum of 86400 s/,
    );
  });

  it('GETDEL returns and removes; GETEX returns and changes the TTL; PERSIST is refused', async () => {
    await redis.set('k', 'v');
    expect(await redis.getdel('k')).toBe('v');
    expect(await redis.get('k')).toBeNull();
    expect(await redis.getdel('k')).toBeNull();
    await redis.set('k', 'v');
    expect(await redis.getex('k', 'EX', 30)).toBe('v');
    expect(await redis.ttl('k')).toBe(30);
    expect(await redis.getex('k')).toBe('v');
    expect(await errorOf(redis.getex('k', 'PERSIST'))).toMatch(
      /^ERR PERSIST is not supported: every Cachette item expires/,
    );
    expect(await errorOf(redis.persist('k'))).toMatch(/^ERR PERSIST is not supported/);
  });

  it('MSET then MGET returns values in order with nil for misses', async () => {
    expect(await redis.mset('a', '1', 'b', '2')).toBe('OK');
    expect(await redis.mget('a', 'x', 'b')).toEqual(['1', null, '2']);
    expect(await errorOf(redis.call('mset', 'a', '1', 'b'))).toBe("ERR wrong number of arguments for 'mset' command");
  });

  it('INCR / DECR / INCRBY / DECRBY count and keep the TTL; non-integers answer Redis errors', async () => {
    expect(await redis.incr('n')).toBe(1);
    expect(await redis.incrby('n', 10)).toBe(11);
    expect(await redis.decr('n')).toBe(10);
    expect(await redis.decrby('n', 4)).toBe(6);
    expect(await redis.expire('n', 60)).toBe(1);
    await redis.incr('n');
    expect(await redis.ttl('n')).toBe(60); // the rate-limiter idiom: INCR then EXPIRE keeps working
    await redis.set('s', 'abc');
    expect(await errorOf(redis.incr('s'))).toBe('ERR value is not an integer or out of range');
    expect(await errorOf(redis.incrby('n', 'x' as never))).toBe('ERR value is not an integer or out of range');
    await redis.set('max', '9223372036854775807');
    expect(await errorOf(redis.incr('max'))).toBe('ERR increment or decrement would overflow');
  });

  it('STRLEN answers the length, 0 for a missing key', async () => {
    await redis.set('k', 'hello');
    expect(await redis.strlen('k')).toBe(5);
    expect(await redis.strlen('missing')).toBe(0);
  });
});

describe('keys', () => {
  it('DEL / UNLINK answer how many existed; EXISTS counts', async () => {
    await redis.mset('a', '1', 'b', '2', 'c', '3');
    expect(await redis.exists('a', 'b', 'zz', 'a')).toBe(3);
    expect(await redis.del('a', 'zz', 'a')).toBe(1);
    expect(await redis.unlink('b', 'c')).toBe(2);
    expect(await redis.exists('a', 'b', 'c')).toBe(0);
  });

  it('EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT with GT, LT, NX; TTL -2 when missing', async () => {
    await redis.set('k', 'v', 'EX', 100);
    expect(await redis.expire('k', 50, 'GT')).toBe(0);
    expect(await redis.expire('k', 200, 'GT')).toBe(1);
    expect(await redis.ttl('k')).toBe(200);
    expect(await redis.expire('k', 300, 'LT')).toBe(0);
    expect(await redis.pexpire('k', 5000)).toBe(1);
    expect(await redis.pttl('k')).toBe(5000);
    expect(await redis.expireat('k', Math.floor(clock.nowMs() / 1000) + 40)).toBe(1);
    expect(await redis.ttl('k')).toBe(40);
    expect(await redis.pexpireat('k', clock.nowMs() + 1234)).toBe(1);
    expect(await redis.pttl('k')).toBe(1234);
    expect(await redis.expire('k', 10, 'NX')).toBe(0); // every item already has a TTL
    expect(await redis.expire('missing', 10)).toBe(0);
    expect(await redis.ttl('missing')).toBe(-2);
    expect(await redis.pttl('missing')).toBe(-2);
    expect(await redis.expire('k', 0)).toBe(1); // a TTL in the past deletes, as in Redis
    expect(await redis.exists('k')).toBe(0);
  });

  it('TYPE names every item type', async () => {
    await redis.set('s', 'v');
    await redis.hset('h', 'f', 'v');
    await redis.rpush('l', 'a');
    await redis.sadd('set', 'a');
    await redis.zadd('z', 1, 'a');
    const types = await Promise.all(['s', 'h', 'l', 'set', 'z', 'none'].map((k) => redis.type(k)));
    expect(types).toEqual(['string', 'hash', 'list', 'set', 'zset', 'none']);
  });

  it('FLUSHDB empties the cache', async () => {
    await redis.mset('a', '1', 'b', '2');
    expect(await redis.flushdb()).toBe('OK');
    expect(await redis.exists('a', 'b')).toBe(0);
  });

  it('a string command on a collection answers WRONGTYPE, and the item is intact', async () => {
    await redis.hset('h', 'f', 'v');
    expect(await errorOf(redis.get('h'))).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
    expect(await errorOf(redis.lpush('h', 'x'))).toMatch(/^WRONGTYPE/);
    expect(await redis.hget('h', 'f')).toBe('v');
  });
});

describe('hashes', () => {
  it('HSET answers fields added; HGET, HMGET, HGETALL, HKEYS, HVALS, HLEN, HEXISTS read them', async () => {
    expect(await redis.hset('h', 'a', '1', 'b', '2')).toBe(2);
    expect(await redis.hset('h', 'b', '3', 'c', '4')).toBe(1);
    expect(await redis.hmset('h', 'd', '5')).toBe('OK');
    expect(await redis.hget('h', 'b')).toBe('3');
    expect(await redis.hget('h', 'zz')).toBeNull();
    expect(await redis.hget('missing', 'a')).toBeNull();
    expect(await redis.hmget('h', 'a', 'zz', 'c')).toEqual(['1', null, '4']);
    expect(await redis.hgetall('h')).toEqual({ a: '1', b: '3', c: '4', d: '5' });
    expect(await redis.hgetall('missing')).toEqual({});
    expect((await redis.hkeys('h')).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect((await redis.hvals('h')).sort()).toEqual(['1', '3', '4', '5']);
    expect(await redis.hlen('h')).toBe(4);
    expect(await redis.hexists('h', 'a')).toBe(1);
    expect(await redis.hexists('h', 'zz')).toBe(0);
  });

  it('HDEL answers fields removed; HINCRBY counts and refuses non-integers', async () => {
    await redis.hset('h', 'a', '1', 'b', 'x');
    expect(await redis.hdel('h', 'a', 'zz', 'a')).toBe(1);
    expect(await redis.hincrby('h', 'n', 5)).toBe(5);
    expect(await redis.hincrby('h', 'n', -2)).toBe(3);
    expect(await errorOf(redis.hincrby('h', 'b', 1))).toBe('ERR hash value is not an integer');
    expect(await errorOf(redis.call('hset', 'h', 'a'))).toBe("ERR wrong number of arguments for 'hset' command");
  });

  it('a new hash gets the default TTL and writes keep an EXPIRE', async () => {
    await redis.hset('h', 'a', '1');
    expect(await redis.ttl('h')).toBe(86_400);
    await redis.expire('h', 30);
    await redis.hset('h', 'b', '2');
    expect(await redis.ttl('h')).toBe(30);
  });
});

describe('lists', () => {
  it('LPUSH / RPUSH answer the length and keep Redis order; LRANGE is inclusive', async () => {
    expect(await redis.rpush('l', 'a', 'b')).toBe(2);
    expect(await redis.lpush('l', 'x', 'y')).toBe(4);
    expect(await redis.lrange('l', 0, -1)).toEqual(['y', 'x', 'a', 'b']);
    expect(await redis.lrange('l', 1, 2)).toEqual(['x', 'a']);
    expect(await redis.lrange('l', -2, -1)).toEqual(['a', 'b']);
    expect(await redis.lrange('l', 3, 1)).toEqual([]);
    expect(await redis.lrange('missing', 0, -1)).toEqual([]);
    expect(await redis.llen('l')).toBe(4);
    expect(await redis.llen('missing')).toBe(0);
  });

  it('LPOP / RPOP with and without a count', async () => {
    await redis.rpush('l', 'a', 'b', 'c', 'd');
    expect(await redis.lpop('l')).toBe('a');
    expect(await redis.rpop('l')).toBe('d');
    expect(await redis.lpop('l', 5)).toEqual(['b', 'c']);
    expect(await redis.lpop('l')).toBeNull();
    expect(await redis.rpop('l', 2)).toBeNull();
  });

  it('LREM removes by count from either end; LTRIM keeps a range', async () => {
    await redis.rpush('l', 'a', 'x', 'b', 'x', 'c', 'x');
    expect(await redis.lrem('l', 1, 'x')).toBe(1);
    expect(await redis.lrange('l', 0, -1)).toEqual(['a', 'b', 'x', 'c', 'x']);
    expect(await redis.lrem('l', -1, 'x')).toBe(1);
    expect(await redis.lrange('l', 0, -1)).toEqual(['a', 'b', 'x', 'c']);
    expect(await redis.lrem('l', 0, 'x')).toBe(1);
    expect(await redis.lrem('missing', 0, 'x')).toBe(0);
    expect(await redis.ltrim('l', 1, -1)).toBe('OK');
    expect(await redis.lrange('l', 0, -1)).toEqual(['b', 'c']);
  });
});

describe('sets', () => {
  it('SADD / SREM answer members changed; SMEMBERS, SISMEMBER, SMISMEMBER, SCARD read', async () => {
    expect(await redis.sadd('s', 'a', 'b', 'a')).toBe(2);
    expect(await redis.sadd('s', 'b', 'c')).toBe(1);
    expect((await redis.smembers('s')).sort()).toEqual(['a', 'b', 'c']);
    expect(await redis.smembers('missing')).toEqual([]);
    expect(await redis.sismember('s', 'a')).toBe(1);
    expect(await redis.sismember('s', 'z')).toBe(0);
    expect(await redis.smismember('s', 'a', 'z', 'c')).toEqual([1, 0, 1]);
    expect(await redis.scard('s')).toBe(3);
    expect(await redis.srem('s', 'a', 'z')).toBe(1);
    expect(await redis.scard('s')).toBe(2);
  });

  it('SPOP and SRANDMEMBER return members (and SPOP removes them)', async () => {
    await redis.sadd('s', 'a', 'b', 'c');
    const one = await redis.srandmember('s');
    expect(['a', 'b', 'c']).toContain(one);
    expect((await redis.srandmember('s', 2)).length).toBe(2);
    expect((await redis.srandmember('s', -5)).length).toBe(5);
    const popped = await redis.spop('s');
    expect(await redis.sismember('s', popped!)).toBe(0);
    expect((await redis.spop('s', 5)).length).toBe(2);
    expect(await redis.spop('s')).toBeNull();
    expect(await redis.srandmember('s')).toBeNull();
  });
});

describe('sorted sets', () => {
  it('ZADD answers members added (CH: changed too); ZSCORE, ZCARD, ZRANK, ZREVRANK read', async () => {
    expect(await redis.zadd('z', 1, 'a', 2, 'b', 3, 'c')).toBe(3);
    expect(await redis.zadd('z', 'CH', 5, 'a', 4, 'd')).toBe(2);
    expect(await redis.zadd('z', 'NX', 9, 'a', 6, 'e')).toBe(1);
    expect(await redis.zadd('z', 'XX', 7, 'zz')).toBe(0);
    expect(await redis.zadd('z', 'GT', 'CH', 1, 'a')).toBe(0);
    expect(await redis.zadd('z', 'LT', 'CH', 1, 'a')).toBe(1);
    expect(await redis.zscore('z', 'a')).toBe('1');
    expect(await redis.zscore('z', 'zz')).toBeNull();
    expect(await redis.zcard('z')).toBe(5);
    expect(await redis.zrank('z', 'a')).toBe(0);
    expect(await redis.zrevrank('z', 'a')).toBe(4);
    expect(await redis.zrank('z', 'zz')).toBeNull();
    expect(await redis.zadd('z', 'INCR', 2, 'a')).toBe('3');
    expect(await errorOf(redis.zadd('z', 'NX', 'XX', 1, 'a'))).toBe(
      'ERR XX and NX options at the same time are not compatible',
    );
    expect(await errorOf(redis.zadd('z', 'x' as never, 'a'))).toBe('ERR value is not a valid float');
  });

  it('ZINCRBY, ZREM, ZCOUNT', async () => {
    await redis.zadd('z', 1, 'a', 2, 'b', 3, 'c');
    expect(await redis.zincrby('z', 1.5, 'a')).toBe('2.5');
    expect(await redis.zcount('z', 2, 3)).toBe(3);
    expect(await redis.zcount('z', '(2', '+inf')).toBe(2);
    expect(await redis.zcount('z', '-inf', '(2.5')).toBe(1);
    expect(await redis.zrem('z', 'a', 'zz')).toBe(1);
    expect(await redis.zcard('z')).toBe(2);
  });

  it('ZRANGE by rank, REV, BYSCORE with LIMIT, WITHSCORES; and the older range commands', async () => {
    await redis.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
    expect(await redis.zrange('z', 0, -1)).toEqual(['a', 'b', 'c', 'd']);
    expect(await redis.zrange('z', 0, 1, 'REV')).toEqual(['d', 'c']);
    expect(await redis.zrange('z', 0, 1, 'WITHSCORES')).toEqual(['a', '1', 'b', '2']);
    expect(await redis.zrange('z', 2, '+inf', 'BYSCORE')).toEqual(['b', 'c', 'd']);
    expect(await redis.zrange('z', '+inf', 2, 'BYSCORE', 'REV', 'LIMIT', 1, 1)).toEqual(['c']);
    expect(await redis.zrevrange('z', 0, 0)).toEqual(['d']);
    expect(await redis.zrangebyscore('z', '(1', 3)).toEqual(['b', 'c']);
    expect(await redis.zrevrangebyscore('z', 3, '-inf', 'WITHSCORES')).toEqual(['c', '3', 'b', '2', 'a', '1']);
    expect(await redis.zrange('missing', 0, -1)).toEqual([]);
    expect(await errorOf(redis.zrange('z', 0, 1, 'LIMIT', 0, 1))).toMatch(/LIMIT is only supported/);
  });

  it('ZUNIONSTORE with WEIGHTS and AGGREGATE', async () => {
    await redis.zadd('x', 1, 'a', 2, 'b');
    await redis.zadd('y', 10, 'b', 20, 'c');
    expect(await redis.zunionstore('u', 2, 'x', 'y')).toBe(3);
    expect(await redis.zrange('u', 0, -1, 'WITHSCORES')).toEqual(['a', '1', 'b', '12', 'c', '20']);
    expect(await redis.zunionstore('u', 2, 'x', 'y', 'WEIGHTS', 2, 1, 'AGGREGATE', 'MAX')).toBe(3);
    expect(await redis.zscore('u', 'b')).toBe('10');
    expect(await errorOf(redis.zunionstore('u', 0, 'x'))).toBe(
      "ERR at least 1 input key is needed for 'zunionstore' command",
    );
  });
});

describe('connection and pipelining', () => {
  it('PING, ECHO, SELECT 0, CLIENT SETNAME/GETNAME/ID/INFO, INFO, COMMAND answer as Redis does', async () => {
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.ping('hi')).toBe('hi');
    expect(await redis.echo('hello')).toBe('hello');
    expect(await redis.select(0)).toBe('OK');
    expect(await errorOf(redis.select(1))).toBe('ERR DB index is out of range');
    expect(await redis.client('SETNAME', 'worker-1')).toBe('OK');
    expect(await redis.client('GETNAME')).toBe('worker-1');
    expect(typeof (await redis.client('ID'))).toBe('number');
    expect(await redis.client('INFO')).toMatch(/name=worker-1 .*cache=/);
    expect(await errorOf(redis.client('SETNAME', 'has space'))).toMatch(/Client names cannot contain spaces/);
    expect(await redis.info()).toMatch(/redis_version:7\.2\.0[\s\S]*loading:0/);
    expect(await redis.command('COUNT')).toBeGreaterThan(70);
    const [get] = (await redis.command('INFO', 'get')) as [unknown[]];
    expect(get.slice(0, 2)).toEqual(['get', 2]);
  });

  it('an unknown command answers ERR unknown command and the connection stays usable', async () => {
    expect(await errorOf(redis.call('FLUSHALL'))).toBe("ERR unknown command 'FLUSHALL', with args beginning with: ");
    expect(await errorOf(redis.call('ssubscribe', 'news'))).toMatch(/^ERR unknown command 'ssubscribe'/);
    expect(await errorOf(redis.call('get'))).toBe("ERR wrong number of arguments for 'get' command");
    expect(await redis.ping()).toBe('PONG');
  });

  it('a pipeline of 1000 commands is answered in order, errors in place', async () => {
    const p = redis.pipeline();
    for (let i = 0; i < 500; i++) {
      p.set(`k${i}`, `v${i}`);
      p.get(`k${i}`);
    }
    p.hget(`k0`, 'f');
    p.incr('counter');
    const results = (await p.exec())!;
    expect(results).toHaveLength(1002);
    for (let i = 0; i < 500; i++) {
      expect(results[2 * i]).toEqual([null, 'OK']);
      expect(results[2 * i + 1]).toEqual([null, `v${i}`]);
    }
    expect((results[1000]![0] as Error).message).toMatch(/^WRONGTYPE/);
    expect(results[1001]).toEqual([null, 1]);
  });

  it('a value of 1 MiB round-trips; one over the item-size limit is refused and the connection survives', async () => {
    const big = Buffer.alloc(1024 * 1024, 7);
    await redis.set('big', big);
    // Buffer.equals: vitest's deep equality walks a megabyte byte by byte.
    expect((await redis.getBuffer('big'))?.equals(big)).toBe(true);
    const tooBig = Buffer.alloc(5 * 1024 * 1024 + 1, 1);
    expect(await errorOf(redis.set('huge', tooBig))).toMatch(
      /^ERR argument of 5242881 bytes exceeds the item size limit/,
    );
    expect(await redis.get('huge')).toBeNull();
    expect(await redis.get('big')).not.toBeNull();
  });

  it('RESP3 (HELLO 3 AUTH) answers maps, doubles, sets and nulls, byte for byte', async () => {
    const raw = await RespSocket.open(b.server.redisPort!);
    try {
      raw.send(command('HELLO', '3', 'AUTH', cache, b.server.devApiKey));
      const hello = await raw.until((t) => t.includes('modules'));
      expect(hello.startsWith('%7\r\n$6\r\nserver\r\n')).toBe(true);
      expect(hello).toContain('$5\r\nproto\r\n:3\r\n');
      await raw.lines(hello.split('\r\n').length - 1);
      raw.send(
        Buffer.concat([
          command('ZADD', 'z', '1.5', 'a'),
          command('ZSCORE', 'z', 'a'),
          command('GET', 'missing'),
          command('HSET', 'h', 'f', 'v'),
          command('HGETALL', 'h'),
          command('SADD', 's', 'm'),
          command('SMEMBERS', 's'),
        ]),
      );
      expect(await raw.lines(12)).toEqual([':1', ',1.5', '_', ':1', '%1', '$1', 'f', '$1', 'v', ':1', '~1', '$1']);
    } finally {
      raw.close();
    }
  });
});
