/**
 * @module transports/resp/resp-parser
 * An incremental, bounded parser of Redis requests: RESP arrays of bulk strings (what every client sends)
 * and inline commands (`PING\r\n`, what telnet sends). Chunks are fed as they arrive; {@link RespParser.next}
 * yields one complete command at a time, so a pipeline is answered in order without parsing ahead.
 *
 * Time is linear in the bytes fed and memory is bounded: arguments are views of the received chunks (no
 * copy) unless one spans chunks, when it is copied once into a buffer of its announced size; a partial
 * header line is bounded by {@link ParserLimits}. A bulk string over the item-size limit, or a command
 * whose arguments together exceed the command limit, is read and discarded (never stored) and the command
 * comes back with a {@link RespParser.refusal}, so the client gets an error and the connection stays
 * usable. Anything that cannot be resynchronised (a malformed length, too many arguments) throws
 * {@link RespProtocolError}; the connection answers it and closes, as Redis does.
 */

/** A request that cannot be parsed; the text is the Redis error line to send before closing. */
export class RespProtocolError extends Error {
  override readonly name = 'RespProtocolError';
}

/** What one connection may make the parser hold. */
export interface ParserLimits {
  /** Arguments in one command (including the command name). */
  readonly maxArgs: number;
  /** One bulk string: larger ones are discarded and the command refused. */
  readonly maxBulkBytes: number;
  /** All arguments of one command together: beyond this the command is refused. */
  readonly maxCommandBytes: number;
  /** An inline command line. Redis: 64 KiB. */
  readonly maxInlineBytes: number;
}

const CR = 13;
const LF = 10;
const STAR = 42;
const DOLLAR = 36;
/** A `*n` or `$n` header line is at most this long: a sign, 19 digits and CRLF with room to spare. */
const MAX_HEADER_LINE = 32;
/** Redis's `proto-max-bulk-len` default: a bulk string announced above this is a protocol error. */
const HARD_MAX_BULK = 512 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/** Sentinel of {@link RespParser.readInt}: the line is not complete yet. */
const INCOMPLETE = -2;
/**
 * Counted per queued chunk beside its bytes, about what a `Buffer` object costs on the heap: a client
 * dripping one byte per read while a command waits would otherwise queue millions of chunk objects
 * (hundreds of MB) before its byte count made the connection pause.
 */
export const CHUNK_OVERHEAD_BYTES = 128;
/** Consumed queue entries dropped from the array's front once there are this many (and they are half of it). */
const QUEUE_COMPACT_AT = 1024;

/** The incremental parser of one connection. */
export class RespParser {
  /** The arguments of the last complete command; valid until the next call of {@link next}. */
  readonly argv: Buffer[] = [];
  /**
   * Why the last complete command must be refused without running (an argument too large), or
   * `undefined`. Its oversized arguments are empty buffers in {@link argv}.
   */
  refusal: string | undefined;

  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Arguments announced by the current array header; -1 between commands. */
  private expected = -1;
  private commandBytes = 0;
  /** A bulk string being assembled across chunks (body and CRLF), and how much of it has arrived. */
  private pending: Buffer | undefined;
  /**
   * Chunks received but not yet needed, from `queue[queueHead]` on, and their bytes (each counted with
   * {@link CHUNK_OVERHEAD_BYTES}). A head index, not `shift()`: V8 moves the whole array on every `shift()`
   * once it is large (400 k queued chunks took a minute to drain, a stalled event loop).
   */
  private queue: Buffer[] = [];
  private queueHead = 0;
  private queuedBytes = 0;
  private pendingFilled = 0;
  /** Bytes of a refused bulk string (and its CRLF) still to skip. */
  private discard = 0;

  constructor(private readonly limits: ParserLimits) {}

  /**
   * Adds received bytes. The parser keeps a view of `chunk`; the caller must not reuse it. Chunks are only
   * queued here: joining them as they arrive would copy everything unparsed again for every chunk that lands
   * while a command runs (quadratic for a pipeline of large values).
   */
  feed(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.pos >= this.buf.length && this.queueHead === this.queue.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.queue.push(chunk);
      this.queuedBytes += chunk.length + CHUNK_OVERHEAD_BYTES;
    }
  }

  /** Moves the next queued chunk into `buf`; false when none is queued. */
  private more(): boolean {
    const queue = this.queue;
    if (this.queueHead === queue.length) return false;
    const chunk = queue[this.queueHead]!;
    queue[this.queueHead++] = EMPTY; // the parser no longer holds it
    if (this.queueHead === queue.length) {
      queue.length = 0;
      this.queueHead = 0;
    } else if (this.queueHead >= QUEUE_COMPACT_AT && this.queueHead * 2 >= queue.length) {
      // Fed while consumed (a connection that never empties its queue): drop the consumed front, amortised O(1).
      this.queue = queue.slice(this.queueHead);
      this.queueHead = 0;
    }
    this.queuedBytes -= chunk.length + CHUNK_OVERHEAD_BYTES;
    // Only a partial header or inline line is ever left over here (bulk bodies go to `pending`), so this
    // copy is bounded by the line limits.
    this.buf = this.pos >= this.buf.length ? chunk : Buffer.concat([this.buf.subarray(this.pos), chunk]);
    this.pos = 0;
    return true;
  }

  /** True while part of a command has arrived but not all of it (the slow-client timer runs). */
  get partial(): boolean {
    return (
      this.expected >= 0 ||
      this.pending !== undefined ||
      this.discard > 0 ||
      this.pos < this.buf.length ||
      this.queuedBytes > 0
    );
  }

  /**
   * Bytes held for the commands being received, each queued chunk counted with {@link CHUNK_OVERHEAD_BYTES}
   * (what the connection bounds before it stops reading).
   */
  get bufferedBytes(): number {
    return this.buf.length - this.pos + this.queuedBytes + (this.pending?.length ?? 0);
  }

  /**
   * Parses the next complete command into {@link argv} and returns true, or returns false when more bytes
   * are needed. Throws {@link RespProtocolError} for input that cannot be parsed.
   */
  next(): boolean {
    for (;;) {
      if (this.step()) return true;
      if (!this.more()) return false;
    }
  }

  /** Parses from `buf` alone; false when it ran out (with nothing of an incomplete line consumed). */
  private step(): boolean {
    for (;;) {
      if (this.discard > 0) {
        const n = Math.min(this.discard, this.buf.length - this.pos);
        this.discard -= n;
        this.pos += n;
        if (this.discard > 0) return false;
        if (this.argv.length === this.expected) return this.complete();
        continue;
      }
      if (this.pending !== undefined) {
        if (!this.fillPending()) return false;
        if (this.argv.length === this.expected) return this.complete();
        continue;
      }
      if (this.expected < 0) {
        if (this.pos >= this.buf.length) return false;
        if (this.buf[this.pos] !== STAR) {
          const found = this.inline();
          if (found === 0) return false;
          if (found > 0) return true;
          continue; // an empty line: nothing to answer
        }
        const n = this.readInt(1);
        if (n === INCOMPLETE) return false;
        if (n > this.limits.maxArgs) {
          throw new RespProtocolError(`ERR Protocol error: invalid multibulk length (at most ${this.limits.maxArgs})`);
        }
        if (n <= 0) continue; // `*0` and `*-1` are ignored, as Redis does
        this.expected = n;
        this.argv.length = 0;
        this.commandBytes = 0;
        this.refusal = undefined;
      }
      while (this.argv.length < this.expected) {
        if (this.pos >= this.buf.length) return false;
        const b = this.buf[this.pos]!;
        if (b !== DOLLAR) {
          throw new RespProtocolError(`ERR Protocol error: expected '$', got '${printable(b)}'`);
        }
        const len = this.readInt(1);
        if (len === INCOMPLETE) return false;
        if (len < 0 || len > HARD_MAX_BULK) throw new RespProtocolError('ERR Protocol error: invalid bulk length');
        this.commandBytes += len;
        if (this.refusal === undefined) {
          if (len > this.limits.maxBulkBytes) {
            this.refusal = `ERR argument of ${len} bytes exceeds the item size limit of ${this.limits.maxBulkBytes} bytes`;
          } else if (this.commandBytes > this.limits.maxCommandBytes) {
            this.refusal = `ERR command of more than ${this.limits.maxCommandBytes} bytes exceeds the request size limit`;
          }
        }
        if (this.refusal !== undefined) {
          this.argv.push(EMPTY);
          this.discard = len + 2;
          break; // the discard step above skips the body, then parsing resumes
        }
        const available = this.buf.length - this.pos;
        if (available >= len + 2) {
          if (this.buf[this.pos + len] !== CR || this.buf[this.pos + len + 1] !== LF) {
            throw new RespProtocolError('ERR Protocol error: bulk string not terminated by CRLF');
          }
          this.argv.push(this.buf.subarray(this.pos, this.pos + len));
          this.pos += len + 2;
        } else {
          // Spans chunks: copied once into a buffer of the announced (bounded) size.
          this.pending = Buffer.allocUnsafe(len + 2);
          this.buf.copy(this.pending, 0, this.pos);
          this.pendingFilled = available;
          this.pos = this.buf.length;
          return false;
        }
      }
      if (this.discard > 0) continue;
      return this.complete();
    }
  }

  private complete(): true {
    this.expected = -1;
    return true;
  }

  /** Copies what has arrived of a spanning bulk string; true once it is whole (and pushed to argv). */
  private fillPending(): boolean {
    const p = this.pending!;
    const n = Math.min(p.length - this.pendingFilled, this.buf.length - this.pos);
    this.buf.copy(p, this.pendingFilled, this.pos, this.pos + n);
    this.pendingFilled += n;
    this.pos += n;
    if (this.pendingFilled < p.length) return false;
    if (p[p.length - 2] !== CR || p[p.length - 1] !== LF) {
      throw new RespProtocolError('ERR Protocol error: bulk string not terminated by CRLF');
    }
    this.argv.push(p.subarray(0, p.length - 2));
    this.pending = undefined;
    return true;
  }

  /**
   * The integer of a `*n` / `$n` line starting at `pos` (after `skip` type bytes), advancing past its CRLF;
   * {@link INCOMPLETE} when the line has not fully arrived.
   */
  private readInt(skip: number): number {
    const buf = this.buf;
    let i = this.pos + skip;
    const end = buf.length;
    let negative = false;
    if (i < end && buf[i] === 45) {
      negative = true;
      i++;
    }
    let n = 0;
    let digits = 0;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (c >= 48 && c <= 57) {
        n = n * 10 + (c - 48);
        if (++digits > 18) throw new RespProtocolError('ERR Protocol error: invalid length');
        continue;
      }
      if (c !== CR) throw new RespProtocolError(`ERR Protocol error: invalid length character '${printable(c)}'`);
      if (i + 1 >= end) return INCOMPLETE;
      if (buf[i + 1] !== LF || digits === 0) throw new RespProtocolError('ERR Protocol error: invalid length');
      this.pos = i + 2;
      return negative ? -n : n;
    }
    if (end - this.pos > MAX_HEADER_LINE) throw new RespProtocolError('ERR Protocol error: invalid length');
    return INCOMPLETE;
  }

  /**
   * An inline command (space-separated words up to LF). Returns 1 with argv filled, 0 when the line is not
   * complete, -1 for an empty line.
   */
  private inline(): number {
    const buf = this.buf;
    const nl = buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (buf.length - this.pos > this.limits.maxInlineBytes) {
        throw new RespProtocolError('ERR Protocol error: too big inline request');
      }
      return 0;
    }
    if (nl - this.pos > this.limits.maxInlineBytes)
      throw new RespProtocolError('ERR Protocol error: too big inline request');
    const end = nl > this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    this.argv.length = 0;
    this.refusal = undefined;
    let i = this.pos;
    while (i < end) {
      while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
      if (i >= end) break;
      if (buf[i] === 34 || buf[i] === 39) {
        // A quoted word, as redis-cli and telnet users type them ("hello world"); no escapes.
        const quote = buf[i]!;
        const close = buf.indexOf(quote, i + 1);
        if (close < 0 || close >= end) throw new RespProtocolError('ERR Protocol error: unbalanced quotes in request');
        this.argv.push(buf.subarray(i + 1, close));
        i = close + 1;
        continue;
      }
      const start = i;
      while (i < end && buf[i] !== 32 && buf[i] !== 9) i++;
      this.argv.push(buf.subarray(start, i));
      if (this.argv.length > this.limits.maxArgs) {
        throw new RespProtocolError('ERR Protocol error: invalid multibulk length');
      }
    }
    this.pos = nl + 1;
    return this.argv.length === 0 ? -1 : 1;
  }
}

function printable(b: number): string {
  return b >= 32 && b < 127 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}
