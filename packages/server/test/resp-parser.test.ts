/**
 * The RESP request parser on its own: the same commands whatever the chunking (every split point, one byte
 * at a time, chunks queued while a command runs), views rather than copies, refusals that keep the stream
 * in sync, and protocol errors.
 */
import { describe, expect, it } from 'vitest';
import {
  CHUNK_OVERHEAD_BYTES,
  type ParserLimits,
  RespParser,
  RespProtocolError,
} from '../src/transports/resp/resp-parser.ts';
import { command } from './support/resp-socket.ts';

const LIMITS: ParserLimits = { maxArgs: 100, maxBulkBytes: 1000, maxCommandBytes: 1500, maxInlineBytes: 200 };

/** Every command the parser yields for `chunks`, as strings (or `refused: …`). */
function parseAll(chunks: readonly Buffer[], limits = LIMITS): string[][] {
  const p = new RespParser(limits);
  const out: string[][] = [];
  for (const c of chunks) {
    p.feed(c);
    while (p.next()) out.push(p.refusal ? [`refused: ${p.refusal}`] : p.argv.map((a) => a.toString('latin1')));
  }
  return out;
}

const stream = Buffer.concat([
  command('SET', 'key', 'value'),
  command('GET', 'key'),
  Buffer.from('PING\r\n'),
  command('ECHO', Buffer.alloc(300, 'x')),
  Buffer.from('*0\r\n'),
  command('MSET', 'a', '', 'b', '\r\n'),
  Buffer.from('ECHO "two words"\n'),
]);
const expected = [
  ['SET', 'key', 'value'],
  ['GET', 'key'],
  ['PING'],
  ['ECHO', 'x'.repeat(300)],
  ['MSET', 'a', '', 'b', '\r\n'],
  ['ECHO', 'two words'],
];

describe('RespParser', () => {
  it('yields the same commands for every split of the stream into two chunks', () => {
    for (let i = 0; i <= stream.length; i++) {
      expect(parseAll([stream.subarray(0, i), stream.subarray(i)])).toEqual(expected);
    }
  });

  it('yields the same commands one byte at a time', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(parseAll(bytes)).toEqual(expected);
  });

  it('queues chunks that arrive while a command runs, and parses them in order afterwards', () => {
    const p = new RespParser(LIMITS);
    p.feed(stream.subarray(0, 40));
    expect(p.next()).toBe(true); // SET key value: "running"; the rest arrives meanwhile
    for (let i = 40; i < stream.length; i += 7) p.feed(stream.subarray(i, i + 7));
    const out: string[][] = [['SET', 'key', 'value']];
    while (p.next()) out.push(p.argv.map((a) => a.toString('latin1')));
    expect(out).toEqual(expected);
    expect(p.partial).toBe(false);
  });

  it('a drip of one-byte reads queued while a command runs counts each chunk object, and drains in linear time', () => {
    const p = new RespParser(LIMITS);
    p.feed(command('GET', 'first'));
    expect(p.next()).toBe(true); // "running": everything below is queued
    const drip = Buffer.concat(Array.from({ length: 15_000 }, () => command('GET', 'k')));
    for (let i = 0; i < drip.length; i++) p.feed(drip.subarray(i, i + 1));
    // What the connection compares with its limit before it stops reading: the chunks' objects, not 1 byte
    // each (the first byte became the parser's buffer, not a queued chunk).
    expect(p.bufferedBytes).toBe(1 + (drip.length - 1) * (1 + CHUNK_OVERHEAD_BYTES));
    // ~300 k queued chunks: with Array#shift (V8 moves a large array on each) this took minutes.
    let parsed = 0;
    while (p.next()) {
      expect(p.argv[1]!.toString()).toBe('k');
      parsed++;
      // More arrives while the queue drains: the consumed front is dropped, order kept.
      if (parsed === 5000) p.feed(command('GET', 'k'));
    }
    expect(parsed).toBe(15_001);
    expect(p.partial).toBe(false);
    expect(p.bufferedBytes).toBe(0);
  });

  it('arguments inside one chunk are views of it, not copies', () => {
    const chunk = command('GET', 'key');
    const p = new RespParser(LIMITS);
    p.feed(chunk);
    expect(p.next()).toBe(true);
    expect(p.argv[1]!.buffer).toBe(chunk.buffer);
  });

  it('a bulk string over the limit is skipped and the command refused; the next one parses', () => {
    const big = command('SET', 'k', Buffer.alloc(1001, 'v'));
    const chunks = [big.subarray(0, 30), big.subarray(30, 500), big.subarray(500), command('GET', 'k')];
    expect(parseAll(chunks)).toEqual([
      ['refused: ERR argument of 1001 bytes exceeds the item size limit of 1000 bytes'],
      ['GET', 'k'],
    ]);
  });

  it('arguments together over the command limit refuse the command', () => {
    const c = command('MSET', 'a', Buffer.alloc(900), 'b', Buffer.alloc(900));
    expect(parseAll([c, command('PING')])).toEqual([
      ['refused: ERR command of more than 1500 bytes exceeds the request size limit'],
      ['PING'],
    ]);
  });

  it.each([
    ['*x\r\n', "ERR Protocol error: invalid length character 'x'"],
    ['*101\r\n', 'ERR Protocol error: invalid multibulk length (at most 100)'],
    ['*1\r\n:1\r\n', "ERR Protocol error: expected '$', got ':'"],
    ['*1\r\n$-1\r\n', 'ERR Protocol error: invalid bulk length'],
    ['*1\r\n$1\r\nab\r\n', 'ERR Protocol error: bulk string not terminated by CRLF'],
    [`*1\r\n$${'9'.repeat(40)}`, 'ERR Protocol error: invalid length'],
    ['a'.repeat(201), 'ERR Protocol error: too big inline request'],
    ['GET "open\r\n', 'ERR Protocol error: unbalanced quotes in request'],
  ])('%j is a protocol error: %s', (input, message) => {
    const p = new RespParser(LIMITS);
    p.feed(Buffer.from(input));
    expect(() => p.next()).toThrow(new RespProtocolError(message));
  });

  it('holds a partial command without yielding it, and says so', () => {
    const p = new RespParser(LIMITS);
    p.feed(Buffer.from('*2\r\n$3\r\nGET\r\n$3\r\nke'));
    expect(p.next()).toBe(false);
    expect(p.partial).toBe(true);
    p.feed(Buffer.from('y\r\n'));
    expect(p.next()).toBe(true);
    expect(p.partial).toBe(false);
  });
});
