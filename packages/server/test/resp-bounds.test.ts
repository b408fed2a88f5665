/**
 * Bounds of the Redis port, with exact bytes on a bare socket: malformed frames are answered and the
 * connection closed (as Redis does) while the server keeps serving; a bulk string over the item-size
 * limit is discarded unread into memory and refused with the connection kept; a half-sent command times
 * out; a client that pipelines without reading makes the server stop reading rather than buffer replies.
 */
import { defaultConfig } from '@cachette/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';
import { command, RespSocket } from './support/resp-socket.ts';

const ITEM_LIMIT = 64 * 1024;
let b: Booted;
let cache: string;
const sockets: RespSocket[] = [];

async function open(): Promise<RespSocket> {
  const s = await RespSocket.open(b.server.redisPort!);
  sockets.push(s);
  s.send(command('AUTH', cache, b.server.devApiKey));
  expect(await s.lines(1)).toEqual(['+OK']);
  return s;
}

beforeAll(async () => {
  b = await boot({
    redisPort: 0,
    limits: { ...defaultConfig.limits, maxItemSizeBytes: ITEM_LIMIT },
    connections: { ...defaultConfig.connections, requestTimeoutMs: 500 },
  });
  cache = uniqueName();
  const admin = await b.client();
  expect((await admin.createCache(cache)).type).toBe('Success');
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await b.stop();
});

/** Sends `bytes` on a fresh connection: the server answers `reply` and closes; a new connection still works. */
async function refusedAndClosed(bytes: string | Buffer, reply: string): Promise<void> {
  const s = await open();
  s.send(bytes);
  await s.closedByServer();
  expect(await s.until(() => true)).toBe(`${reply}\r\n`);
  const fresh = await open();
  fresh.send(command('PING'));
  expect(await fresh.lines(1)).toEqual(['+PONG']);
}

describe('malformed frames', () => {
  it('a bad multibulk length, a missing $, a bad bulk length are protocol errors that close the connection', async () => {
    await refusedAndClosed('*abc\r\n', "-ERR Protocol error: invalid length character 'a'");
    await refusedAndClosed('*2\r\n+GET\r\n', "-ERR Protocol error: expected '$', got '+'");
    await refusedAndClosed('*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length');
    await refusedAndClosed('*1\r\n$4\r\nPINGxx', '-ERR Protocol error: bulk string not terminated by CRLF');
    await refusedAndClosed('*99999999\r\n', '-ERR Protocol error: invalid multibulk length (at most 65536)');
  });

  it('an inline line over 64 KiB is refused; short inline commands work', async () => {
    const s = await open();
    s.send('PING\r\nECHO "hello world"\r\n\r\nSET k v\nGET k\r\n');
    expect(await s.lines(6)).toEqual(['+PONG', '$11', 'hello world', '+OK', '$1', 'v']);
    await refusedAndClosed(Buffer.alloc(70 * 1024, 'a'), '-ERR Protocol error: too big inline request');
  });
});

describe('sizes', () => {
  it('a bulk string over the item-size limit is refused, never stored, and the connection stays usable', async () => {
    const s = await open();
    const big = Buffer.alloc(ITEM_LIMIT + 1, 'x');
    s.send(Buffer.concat([command('SET', 'big', big), command('GET', 'big'), command('SET', 'ok', 'v')]));
    expect(await s.lines(3)).toEqual([
      `-ERR argument of ${ITEM_LIMIT + 1} bytes exceeds the item size limit of ${ITEM_LIMIT} bytes`,
      '$-1',
      '+OK',
    ]);
  });

  it('a command whose arguments together exceed the request limit is refused', async () => {
    const s = await open();
    const args: Buffer[] = [];
    const part = Buffer.alloc(ITEM_LIMIT - 10, 'y');
    // MSET of 20 items just under the item limit each: over item limit + 1 MiB in total.
    for (let i = 0; i < 20; i++) args.push(Buffer.from(`k${i}`), part);
    s.send(command('MSET', ...args));
    s.send(command('EXISTS', 'k0'));
    expect(await s.lines(2)).toEqual([
      `-ERR command of more than ${ITEM_LIMIT + 1024 * 1024} bytes exceeds the request size limit`,
      ':0',
    ]);
  });

  it('a key and value that fit each but not together are refused by the service', async () => {
    const s = await open();
    s.send(command('SET', Buffer.alloc(100, 'k'), Buffer.alloc(ITEM_LIMIT - 50, 'v')));
    expect((await s.lines(1))[0]).toMatch(/^-ERR item size \d+ bytes exceeds the item size limit/);
  });
});

describe('slow and greedy clients', () => {
  it('a command begun but not finished in time is answered with a timeout and the connection closed', async () => {
    const s = await open();
    s.send('*2\r\n$3\r\nGET\r\n$3\r\nab');
    await s.closedByServer();
    expect(await s.until(() => true)).toBe('-ERR timeout: the command did not arrive whole within 500 ms\r\n');
  });

  it('a client that pipelines without reading makes the server stop reading; every reply comes in order after', async () => {
    const writer = await open();
    writer.send(command('SET', 'v', Buffer.alloc(60 * 1024, 'z')));
    expect(await writer.lines(1)).toEqual(['+OK']);
    const name = uniqueName('greedy');
    const s = await open();
    s.countOnly();
    s.socket.pause(); // stop reading replies
    const count = 2000; // 2000 × 60 KiB = 120 MiB of replies
    const get = command('GET', 'v');
    s.send(Buffer.concat(Array.from({ length: count }, () => get)));
    s.send(command('CLIENT', 'SETNAME', name));
    // Watch from another connection until the count of commands processed stops moving.
    const watcher = await open();
    const processed = async () => {
      watcher.send(command('INFO', 'stats'));
      const text = await watcher.until((t) => /total_commands_processed:\d+\r\n\r\n/.test(t));
      await watcher.lines(text.split('\r\n').length - 1);
      return Number(/total_commands_processed:(\d+)/.exec(text)![1]);
    };
    let before = await processed();
    for (let now = await processed(); now !== before + 1; now = await processed()) before = now;
    // Stable: the greedy connection stopped long before its 2000 commands (its replies would be 120 MiB).
    const stalledAt = before;
    s.socket.resume();
    const reply = '$61440\r\n'.length + 61440 + 2;
    expect(await s.untilBytes(count * reply + 5)).toBe(count * reply + 5);
    expect(s.tail.endsWith('zz\r\n+OK\r\n')).toBe(true);
    const after = await processed();
    expect(after - stalledAt).toBeGreaterThan(count / 2);
  });
});
