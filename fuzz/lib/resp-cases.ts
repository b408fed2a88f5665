/**
 * @module fuzz/lib/resp-cases
 * Hostile Redis-protocol input on raw sockets: AUTH (right, wrong, missing), then every command Cachette
 * knows and some it does not, with random, extreme and binary arguments, pipelined; some frames mutated
 * (bytes flipped, cut short, lengths that lie, negative or huge, RESP3 types a server never receives,
 * inline junk), some oversized or half-sent and held open while the canary runs. Some connections are
 * subscribers (SUBSCRIBE to shared channel names, in RESP2 subscribe mode or RESP3, some never reading)
 * while others PUBLISH to the same names: pushes interleave with replies and with hostile input. The
 * server must answer whole frames, refuse or wait for the rest, and keep serving everyone else.
 */
import net from 'node:net';
import { commandNames } from '../../packages/server/src/transports/resp/command-table.ts';
import type { RunningCase } from './grpc-cases.ts';
import type { Rng } from './rng.ts';
import { startSocketCase } from './socket-case.ts';

export interface RespTarget {
  readonly redisPort: number;
  readonly secret: string;
  readonly fuzzCache: string;
  readonly answerWaitMs: number;
  readonly openWaitMs: number;
}

const OPTION_WORDS = [
  'EX',
  'PX',
  'EXAT',
  'PXAT',
  'NX',
  'XX',
  'GT',
  'LT',
  'CH',
  'INCR',
  'GET',
  'KEEPTTL',
  'PERSIST',
  'WITHSCORES',
  'BYSCORE',
  'BYLEX',
  'REV',
  'LIMIT',
  'WEIGHTS',
  'AGGREGATE',
  'SUM',
  'MIN',
  'MAX',
  'COUNT',
  'DOCS',
  'INFO',
  'LIST',
  'SETNAME',
  'GETNAME',
  'ID',
  'SETINFO',
  'AUTH',
  'ASYNC',
];
const NUMBERS = [
  '0',
  '1',
  '-1',
  '2',
  '10',
  '100',
  '-100',
  '9223372036854775807',
  '-9223372036854775808',
  '9223372036854775808',
  '1e308',
  '1e309',
  'inf',
  '-inf',
  '+inf',
  '(1',
  '(-inf',
  'nan',
  '1.5',
  '-0',
  '00',
  '0x10',
  ' 1',
  '',
  '2147483648',
  '99999999999999999999',
  '3',
  '5',
  '86400',
  '86401',
  '1700000000',
  '-1700000000000',
];

function command(args: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

function argument(rng: Rng, keys: readonly string[]): Buffer {
  const r = rng.next();
  if (r < 0.35) return Buffer.from(rng.pick(keys));
  if (r < 0.6) return Buffer.from(rng.pick(NUMBERS));
  if (r < 0.75) return Buffer.from(rng.pick(OPTION_WORDS));
  if (r < 0.95) return Buffer.from(rng.bytes(rng.size(64)));
  return Buffer.alloc(rng.pick([1000, 70_000, 1024 * 1024]), rng.int(256));
}

function randomCommand(rng: Rng, keys: readonly string[]): Buffer {
  const name = rng.chance(0.9)
    ? rng.pick(commandNames)
    : rng.pick(['ssubscribe', 'pubsub', 'flushall', 'eval', 'keys', 'scan', 'multi', 'monitor', 'debug', 'x']);
  const args: Buffer[] = [Buffer.from(rng.chance(0.5) ? name.toUpperCase() : name)];
  const n = rng.size(12);
  for (let i = 0; i < n; i++) args.push(argument(rng, keys));
  return command(args);
}

/** Damages a frame the ways a broken client or an attacker would. */
function mutate(rng: Rng, frame: Buffer): { bytes: Buffer; partial: boolean } {
  const b = Buffer.from(frame);
  switch (rng.int(9)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + rng.int(4); i < n && b.length > 0; i++) b[rng.int(b.length)] = rng.int(256);
      return { bytes: b, partial: true };
    case 1: // cut short
      return { bytes: b.subarray(0, rng.int(b.length)), partial: true };
    case 2: // a bulk length that lies
      return {
        bytes: Buffer.from(
          b.toString('latin1').replace(/\$(\d+)/, (_, d) => `$${Number(d) + 1 + rng.int(100)}`),
          'latin1',
        ),
        partial: true,
      };
    case 3: // absurd lengths
      return {
        bytes: Buffer.from(
          rng.pick([
            '*-5\r\n',
            '*99999999999\r\n',
            '*1\r\n$-1\r\n',
            '*1\r\n$999999999999\r\n',
            '*2\r\n$3\r\nGET\r\n$6000000\r\nabc',
            '*1048577\r\n',
          ]),
        ),
        partial: true,
      };
    case 4: // what servers send, not clients (RESP3 types, nested arrays)
      return {
        bytes: Buffer.from(
          rng.pick([
            '%1\r\n$1\r\na\r\n$1\r\nb\r\n',
            '*2\r\n*1\r\n$3\r\nGET\r\n$1\r\nk\r\n',
            ':1\r\n',
            '_\r\n',
            ',1.5\r\n',
            '#t\r\n',
            '+OK\r\n',
            '-ERR\r\n',
          ]),
        ),
        partial: true,
      };
    case 5: // inline junk
      return { bytes: Buffer.concat([Buffer.from(rng.bytes(rng.size(300))), Buffer.from('\r\n')]), partial: true };
    case 6: // a long inline line without end
      return { bytes: Buffer.alloc(rng.pick([1000, 70_000]), 'a'), partial: true };
    case 7: // a big bulk announced, a few bytes sent
      return {
        bytes: Buffer.from(`*2\r\n$3\r\nSET\r\n$${rng.pick([100, 65_536, 5_000_000, 6_000_000])}\r\nxyz`),
        partial: true,
      };
    default: // many empty arrays and CRLFs
      return { bytes: Buffer.from('*0\r\n\r\n\r\n*0\r\n'.repeat(1 + rng.int(50))), partial: false };
  }
}

/** Starts one hostile RESP connection. */
export function startRespCase(rng: Rng, t: RespTarget): RunningCase {
  const keys = ['k', 'key', 'n', 'h', 'l', 's', 'z', 'canary', '', 'x'.repeat(300)];
  const frames: Buffer[] = [];
  const auth = rng.next();
  if (auth < 0.7) frames.push(command([Buffer.from('AUTH'), Buffer.from(t.fuzzCache), Buffer.from(t.secret)]));
  else if (auth < 0.8)
    frames.push(
      command([
        Buffer.from('HELLO'),
        Buffer.from('3'),
        Buffer.from('AUTH'),
        Buffer.from(t.fuzzCache),
        Buffer.from(t.secret),
      ]),
    );
  else if (auth < 0.9)
    frames.push(command([Buffer.from('AUTH'), Buffer.from(rng.pick(keys)), Buffer.from(rng.bytes(rng.size(50)))]));
  // A subscriber: channels first (shared names, so other cases' PUBLISH reach it), then the usual mix.
  const subscriber = rng.chance(0.15);
  if (subscriber) {
    const channels = Array.from({ length: 1 + rng.int(3) }, () => Buffer.from(rng.pick(keys)));
    frames.push(command([Buffer.from('SUBSCRIBE'), ...channels]));
  }
  for (let i = 0, n = rng.int(4); i < n; i++) {
    frames.push(command([Buffer.from('PUBLISH'), Buffer.from(rng.pick(keys)), argument(rng, keys)]));
  }
  // Some subscribers never read: the server must bound what it holds for them (it disconnects them).
  const neverReads = subscriber && rng.chance(0.3);
  const count = 1 + rng.size(40);
  let partial = false;
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.1)) {
      const m = mutate(rng, randomCommand(rng, keys));
      frames.push(m.bytes);
      partial ||= m.partial;
      if (rng.chance(0.5)) break;
    } else frames.push(randomCommand(rng, keys));
  }
  const label = `resp ${frames.length} frames${partial ? ' mutated' : ''}${subscriber ? ' subscriber' : ''}${neverReads ? ' never reading' : ''}`;
  let first = '';
  return startSocketCase({
    port: t.redisPort,
    label,
    // A complete, unmutated pipeline must be answered; a damaged one may legitimately wait for more bytes.
    waitMs: partial ? t.openWaitMs : t.answerWaitMs,
    send(socket) {
      socket.write(Buffer.concat(frames));
      if (!neverReads) return undefined;
      socket.pause();
      return 'open';
    },
    received(d) {
      if (first === '') first = String.fromCharCode(d[0] ?? 63);
      return partial ? undefined : `resp:${first}`;
    },
    timedOut: () => (first !== '' ? `resp:${first}` : partial ? 'open' : 'unanswered'),
    closed: () => (first !== '' ? `resp:${first}` : 'closed'),
  });
}

/** The well-behaved Redis client of the canary: AUTH once, then `GET <key>` must answer `value`. */
export class RespCanary {
  private socket: net.Socket | undefined;
  private received = '';
  private waiter: (() => void) | undefined;

  constructor(
    private readonly port: number,
    private readonly cache: string,
    private readonly secret: string,
    private readonly key: string,
    private readonly value: string,
  ) {}

  private async connect(): Promise<net.Socket> {
    if (this.socket !== undefined && !this.socket.destroyed) return this.socket;
    const s = net.connect(this.port, '127.0.0.1');
    s.on('data', (d: Buffer) => {
      this.received += d.toString('latin1');
      this.waiter?.();
    });
    s.on('error', () => undefined);
    s.on('close', () => this.waiter?.());
    await new Promise<void>((resolve, reject) => {
      s.once('connect', resolve);
      s.once('error', reject);
    });
    this.socket = s;
    this.received = '';
    s.write(command([Buffer.from('AUTH'), Buffer.from(this.cache), Buffer.from(this.secret)]));
    await this.until('+OK\r\n');
    return s;
  }

  private async until(expected: string): Promise<void> {
    while (!this.received.includes(expected)) {
      if (this.socket?.destroyed)
        throw new Error(`RESP canary: connection closed, got ${JSON.stringify(this.received)}`);
      if (this.received.startsWith('-')) throw new Error(`RESP canary: ${this.received.trim()}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    this.received = '';
  }

  /** GET of the canary key; rejects unless it answers the canary value. */
  async check(): Promise<void> {
    const s = await this.connect();
    s.write(command([Buffer.from('GET'), Buffer.from(this.key)]));
    await this.until(`$${this.value.length}\r\n${this.value}\r\n`);
  }

  close(): void {
    this.socket?.destroy();
  }
}
