/**
 * @module transports/resp/resp-writer
 * Encodes replies (RESP2, or RESP3 after `HELLO 3`) into one growing output buffer per connection, so the
 * answers to every command of a read chunk leave in one socket write. Large values are not copied: they
 * are queued as their own chunks between the buffered bytes. The buffer is reused after a flush whenever the
 * socket took all of it synchronously, and replaced otherwise (the socket still owns the bytes).
 */
import type { Socket } from 'node:net';

/** Values at least this large are written as their own chunk instead of being copied into the buffer. */
const LARGE_VALUE = 16 * 1024;
const INITIAL = 16 * 1024;
/** After a flush, a buffer grown past this (a big reply) is dropped rather than kept for an idle connection. */
const KEEP_AT_MOST = 256 * 1024;

// Integers 0..99 and the most common short replies are encoded once.
const SMALL_INTS: Buffer[] = [];
for (let i = 0; i < 100; i++) SMALL_INTS.push(Buffer.from(`:${i}\r\n`));
const OK = Buffer.from('+OK\r\n');
const NULL2 = Buffer.from('$-1\r\n');
const NULL_ARRAY2 = Buffer.from('*-1\r\n');
const NULL3 = Buffer.from('_\r\n');

/** The reply encoder and output buffer of one connection. */
export class RespWriter {
  /** Speak RESP3 (maps, sets, doubles, nulls) instead of RESP2. */
  resp3 = false;
  private buf = Buffer.allocUnsafe(INITIAL);
  private len = 0;
  /** Where the bytes not yet queued in {@link chunks} start. */
  private mark = 0;
  /** Buffered segments and large values, in order, when a large value was written. */
  private readonly chunks: Buffer[] = [];
  private chunkBytes = 0;

  /** Bytes waiting for {@link flush}. */
  get pendingBytes(): number {
    return this.len - this.mark + this.chunkBytes;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(grown, 0, this.mark, this.len);
    // Bytes before `mark` are already queued as a view of the old buffer; the new one starts at 0.
    this.len -= this.mark;
    this.mark = 0;
    this.buf = grown;
  }

  private raw(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  /** `+text` (text must not contain CR or LF). */
  simple(text: string): void {
    if (text === 'OK') {
      this.raw(OK);
      return;
    }
    this.ensure(text.length * 3 + 3);
    this.buf[this.len++] = 43;
    this.len += this.buf.write(text, this.len, 'utf8');
    this.crlf();
  }

  ok(): void {
    this.raw(OK);
  }

  /** `-PREFIX message`; line breaks in the message become spaces (they would end the reply). */
  error(text: string): void {
    const line = text.includes('\n') || text.includes('\r') ? text.replace(/[\r\n]+/g, ' ') : text;
    this.ensure(line.length * 3 + 3);
    this.buf[this.len++] = 45;
    this.len += this.buf.write(line, this.len, 'utf8');
    this.crlf();
  }

  integer(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < 100 && Number.isInteger(n)) {
      this.raw(SMALL_INTS[n]!);
      return;
    }
    this.line(58, String(n));
  }

  /** A bulk string, or the null reply for `undefined`. */
  bulk(value: Uint8Array | undefined): void {
    if (value === undefined) {
      this.null();
      return;
    }
    const n = value.byteLength;
    this.line(36, String(n));
    if (n >= LARGE_VALUE) {
      this.queue(this.buf.subarray(this.mark, this.len));
      this.mark = this.len;
      this.queue(Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, n));
    } else {
      this.ensure(n + 2);
      this.buf.set(value, this.len);
      this.len += n;
    }
    this.crlf();
  }

  /** A bulk string from text (UTF-8). */
  bulkText(text: string): void {
    const n = Buffer.byteLength(text);
    this.line(36, String(n));
    this.ensure(n + 2);
    this.len += this.buf.write(text, this.len, 'utf8');
    this.crlf();
  }

  /** The null reply: `$-1` (RESP2) or `_` (RESP3). */
  null(): void {
    this.raw(this.resp3 ? NULL3 : NULL2);
  }

  /** The null array (`*-1`, RESP3 `_`), e.g. a timed-out blocking pop or a refused SET … GET. */
  nullArray(): void {
    this.raw(this.resp3 ? NULL3 : NULL_ARRAY2);
  }

  array(n: number): void {
    this.line(42, String(n));
  }

  /** An out-of-band push of `n` elements (pub/sub messages): `>n` (RESP3) or an array (RESP2). */
  push(n: number): void {
    this.line(this.resp3 ? 62 : 42, String(n));
  }

  /** A map of `n` pairs: `%n` (RESP3) or a flat array of 2n (RESP2). */
  map(n: number): void {
    if (this.resp3) this.line(37, String(n));
    else this.line(42, String(n * 2));
  }

  /** A set of `n` members: `~n` (RESP3) or an array (RESP2). */
  set(n: number): void {
    this.line(this.resp3 ? 126 : 42, String(n));
  }

  /** A double: `,x` (RESP3) or a bulk string (RESP2), written as Redis writes them (`inf`, `-inf`). */
  double(x: number): void {
    const text = formatDouble(x);
    if (this.resp3) this.line(44, text);
    else this.bulkText(text);
  }

  /** RESP3 `#t`/`#f`, or 1/0 in RESP2. */
  boolean(b: boolean): void {
    if (this.resp3) this.line(35, b ? 't' : 'f');
    else this.integer(b ? 1 : 0);
  }

  /** A verbatim text (`=`, RESP3) or a bulk string (RESP2), for INFO and CLIENT INFO. */
  verbatim(text: string): void {
    if (!this.resp3) {
      this.bulkText(text);
      return;
    }
    const n = Buffer.byteLength(text) + 4;
    this.line(61, String(n));
    this.ensure(n + 2);
    this.len += this.buf.write('txt:', this.len, 'latin1');
    this.len += this.buf.write(text, this.len, 'utf8');
    this.crlf();
  }

  private line(type: number, text: string): void {
    this.ensure(text.length + 3);
    this.buf[this.len++] = type;
    this.len += this.buf.write(text, this.len, 'latin1');
    this.crlf();
  }

  private crlf(): void {
    this.ensure(2);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  private queue(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.chunkBytes += b.length;
  }

  /** Drops what was written since the last flush (a connection that is closing). */
  discard(): void {
    this.chunks.length = 0;
    this.chunkBytes = 0;
    this.len = 0;
    this.mark = 0;
  }

  /** Writes everything pending to `socket` in one go (corked when there are several chunks). */
  flush(socket: Socket): void {
    if (this.pendingBytes === 0) return;
    if (this.chunks.length === 0) {
      socket.write(this.buf.subarray(0, this.len));
    } else {
      this.queue(this.buf.subarray(this.mark, this.len));
      socket.cork();
      for (const c of this.chunks) socket.write(c);
      socket.uncork();
      this.chunks.length = 0;
      this.chunkBytes = 0;
    }
    // The socket keeps a view of our buffer until the kernel took it: reuse it only when that happened now.
    if (socket.writableLength > 0 || this.buf.length > KEEP_AT_MOST) this.buf = Buffer.allocUnsafe(INITIAL);
    this.len = 0;
    this.mark = 0;
  }
}

/** A double as Redis prints it: integers without a fraction, `inf`/`-inf`, else the shortest round-trip. */
export function formatDouble(x: number): string {
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  return String(x);
}
