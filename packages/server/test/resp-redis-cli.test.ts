/**
 * The Redis protocol with the real `redis-cli` (Debian's /usr/bin/redis-cli): its start-up (AUTH with a
 * user name, HELLO 3 for -3, COMMAND DOCS for hints), one command per process and scripts on stdin through
 * every command family with its Redis output, errors, `--pipe` mass insertion (pipelining), RESP3 output
 * and a Redis URL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

const run = promisify(execFile);
let b: Booted;
let cache: string;

async function cli(args: string[], input?: string): Promise<string> {
  const base = ['-h', '127.0.0.1', '-p', String(b.server.redisPort), '--user', cache, '--pass', b.server.devApiKey];
  const child = run('redis-cli', ['--no-auth-warning', ...base, ...args], { timeout: 20_000 });
  if (input !== undefined) child.child.stdin?.end(input);
  const { stdout } = await child;
  return stdout;
}

beforeAll(async () => {
  b = await boot({ redisPort: 0 });
});
afterAll(async () => {
  await b.stop();
});
beforeEach(async () => {
  cache = uniqueName();
  const admin = await b.client();
  expect((await admin.createCache(cache)).type).toBe('Success');
});

describe('redis-cli', () => {
  it('runs one command per process, printing replies and errors as it does for Redis', async () => {
    expect(await cli(['SET', 'k', 'hello'])).toBe('OK\n');
    expect(await cli(['GET', 'k'])).toBe('hello\n');
    expect(await cli(['GET', 'missing'])).toBe('\n');
    expect(await cli(['HGET', 'k', 'f'])).toBe('WRONGTYPE Operation against a key holding the wrong kind of value\n\n');
    expect(await cli(['NOPE', 'x'])).toBe("ERR unknown command 'NOPE', with args beginning with: 'x' \n\n");
    expect(await cli(['PERSIST', 'k'])).toMatch(/^ERR PERSIST is not supported/);
  });

  it('runs a script from stdin through strings, keys, hashes, lists, sets and sorted sets', async () => {
    const script = [
      'SET s 10 EX 100',
      'INCRBY s 5',
      'TTL s',
      'MSET a 1 b 2',
      'MGET a b zz',
      'EXISTS a b zz',
      'DEL a',
      'HSET h f1 v1 f2 v2',
      'HGETALL h',
      'HINCRBY h n 3',
      'RPUSH l x y z',
      'LPOP l',
      'LRANGE l 0 -1',
      'SADD set m1 m2',
      'SCARD set',
      'ZADD z 2 b 1 a',
      'ZRANGE z 0 -1 WITHSCORES',
      'ZSCORE z b',
      'TYPE z',
      'FLUSHDB',
      'EXISTS s h l set z',
    ].join('\n');
    expect(await cli([], `${script}\n`)).toBe(
      [
        'OK',
        '15',
        '100',
        'OK',
        '1',
        '2',
        '',
        '2',
        '1',
        '2',
        'f1',
        'v1',
        'f2',
        'v2',
        '3',
        '3',
        'x',
        'y',
        'z',
        '2',
        '2',
        '2',
        'a',
        '1',
        'b',
        '2',
        '2',
        'zset',
        'OK',
        '0',
        '',
      ].join('\n'),
    );
  });

  it('pipes 10 000 commands with --pipe: every reply arrives, no errors', async () => {
    let input = '';
    for (let i = 0; i < 5000; i++) input += `*3\r\n$3\r\nSET\r\n$${`k${i}`.length}\r\nk${i}\r\n$1\r\nv\r\n`;
    for (let i = 0; i < 5000; i++) input += `*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n`;
    const out = await cli(['--pipe'], input);
    expect(out).toContain('errors: 0, replies: 10000');
    expect(await cli(['GET', 'n'])).toBe('5000\n');
    expect(await cli(['EXISTS', 'k0', 'k4999'])).toBe('2\n');
  });

  it('speaks RESP3 with -3 (HELLO 3), and connects with a Redis URL', async () => {
    expect(await cli(['-3', 'HELLO', '3'])).toMatch(/^server redis\nversion 7\.2\.0\nproto 3\n/);
    await cli(['ZADD', 'z', '1.5', 'a']);
    expect(await cli(['-3', 'ZSCORE', 'z', 'a'])).toBe('1.5\n');
    const url = `redis://${cache}:${encodeURIComponent(b.server.devApiKey)}@127.0.0.1:${b.server.redisPort}`;
    const { stdout } = await run('redis-cli', ['--no-auth-warning', '-u', url, 'ZCARD', 'z']);
    expect(stdout).toBe('1\n');
  });

  it('a wrong password is refused with WRONGPASS', async () => {
    const { stderr, stdout } = await run('redis-cli', [
      '--no-auth-warning',
      '-p',
      String(b.server.redisPort),
      '--user',
      cache,
      '--pass',
      'wrong',
      'GET',
      'k',
    ]);
    expect(stderr).toContain('AUTH failed: WRONGPASS invalid username-password pair or user is disabled.');
    expect(stdout).toContain('NOAUTH Authentication required.');
  });
});
