/**
 * @module test/support/h2-raw
 * A bare HTTP/2 client over `net.connect` for tests that must write exactly the frames they mean: the
 * preface and SETTINGS, request HEADERS (optionally split, padded, prioritised), DATA, RST_STREAM, PING,
 * WINDOW_UPDATE, or garbage. Incoming bytes are parsed into frames; header blocks are decoded with the
 * server's own {@link HpackDecoder}. Waiting is driven by socket events only: `next(predicate)` resolves
 * when a matching frame arrives and rejects when the connection closes first; nothing sleeps (a hang is
 * bounded by the test's timeout).
 */
import net from 'node:net';
import {
  CLIENT_PREFACE,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  frame,
  settingsFrame,
  u32Frame,
} from '../../src/transports/h2/frames.ts';
import { encodeHeaderBlock, HEADER_LIST_TOO_LARGE, HpackDecoder } from '../../src/transports/h2/hpack.ts';

export { Flag, FrameType, frame, settingsFrame, u32Frame };

/** One frame as received. A frame ending a header block carries the block's decoded fields. */
export interface H2Frame {
  readonly type: number;
  readonly flags: number;
  readonly streamId: number;
  readonly payload: Buffer;
  /** On the HEADERS or CONTINUATION frame that ends a header block: its fields, flat [name, value, …]. */
  fields?: string[];
  /** On the same frame: whether the block's HEADERS frame carried END_STREAM. */
  blockEndStream?: boolean;
}

export interface RawH2Options {
  /** Our SETTINGS after the preface (sent unless `preface` is false). */
  readonly settings?: ReadonlyArray<readonly [number, number]>;
  /** Send the preface and SETTINGS on connect (default true). */
  readonly preface?: boolean;
}

/** What one stream got back: headers, body, trailers, or a reset. */
export interface H2Response {
  readonly streamId: number;
  headers: string[] | undefined;
  trailers: string[] | undefined;
  data: Buffer;
  /** The RST_STREAM error code, when the stream was reset by the server. */
  rstCode: number | undefined;
  /** Every frame of the stream, in order. */
  readonly frames: H2Frame[];
}

interface Waiter {
  readonly predicate: (f: H2Frame) => boolean;
  readonly resolve: (f: H2Frame) => void;
  readonly reject: (e: Error) => void;
}

interface Condition {
  readonly done: () => boolean;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

export class RawH2 {
  readonly socket: net.Socket;
  /** Frames received and not yet taken by `next` (or swallowed by `intercept`). */
  readonly received: H2Frame[] = [];
  /** Every frame type received so far, counted (including intercepted frames). */
  framesSeen = 0;
  /** Set once the socket closed. */
  isClosed = false;
  /** The socket's error, if any (EPIPE / ECONNRESET after the server closed are expected in error tests). */
  error: Error | undefined;
  /** Resolves when the socket closes. */
  readonly closed: Promise<void>;
  /**
   * Called for every frame before it is stored: return true to swallow it (e.g. to count a flood of
   * PING ACKs without keeping them).
   */
  intercept: ((f: H2Frame) => boolean) | undefined;

  readonly #decoder = new HpackDecoder({ maxHeaderListBytes: 1024 * 1024 });
  #pending: Buffer = Buffer.alloc(0);
  #waiters: Waiter[] = [];
  #conditions: Condition[] = [];
  #blockParts: Buffer[] = [];
  #blockEndStream = false;
  #nextStreamId = 1;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.isClosed = true;
        const error = new Error('the connection closed before the awaited frame or condition');
        for (const w of this.#waiters) w.reject(error);
        this.#waiters = [];
        this.#check(error);
        resolve();
      });
    });
    socket.on('error', (e) => {
      this.error = e;
    });
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  /** Connects to `port` on 127.0.0.1; resolves once connected (and the preface and SETTINGS are written). */
  static connect(port: number, options: RawH2Options = {}): Promise<RawH2> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.setNoDelay(true);
      const client = new RawH2(socket);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        if (options.preface !== false) {
          socket.write(Buffer.concat([CLIENT_PREFACE, settingsFrame(options.settings ?? [])]));
        }
        resolve(client);
      });
    });
  }

  /** Stops reading: the socket buffers up to its high-water mark, then the kernel's buffers fill. */
  pause(): void {
    this.socket.pause();
  }

  /** Reads again after {@link pause}. */
  resume(): void {
    this.socket.resume();
  }

  /** A new client stream id (1, 3, 5, …). */
  streamId(): number {
    const id = this.#nextStreamId;
    this.#nextStreamId += 2;
    return id;
  }

  /** Writes `bytes`; resolves when the socket has handed them to the kernel (or failed to). */
  send(...bytes: Buffer[]): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) {
        resolve();
        return;
      }
      this.socket.write(bytes.length === 1 ? (bytes[0] as Buffer) : Buffer.concat(bytes), () => resolve());
    });
  }

  /** Writes `bytes` one byte per write, awaiting each write's callback. */
  async dribble(bytes: Buffer): Promise<void> {
    for (let i = 0; i < bytes.length; i++) await this.send(bytes.subarray(i, i + 1));
  }

  /** The first received frame matching `predicate` (taken out of `received`), now or when it arrives. */
  next(predicate: (f: H2Frame) => boolean = () => true): Promise<H2Frame> {
    const at = this.received.findIndex(predicate);
    if (at >= 0) return Promise.resolve(this.received.splice(at, 1)[0] as H2Frame);
    if (this.isClosed) return Promise.reject(new Error('the connection is closed'));
    return new Promise((resolve, reject) => this.#waiters.push({ predicate, resolve, reject }));
  }

  /** Resolves once `done()` holds (re-checked after every chunk received); rejects if the socket closes first. */
  until(done: () => boolean): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.isClosed) return Promise.reject(new Error('the connection is closed'));
    return new Promise((resolve, reject) => this.#conditions.push({ done, resolve, reject }));
  }

  /** Sends PING with `payload` (8 bytes) and resolves with its ACK: everything sent before it was processed. */
  async roundTrip(payload: Buffer = Buffer.from('roundtr!')): Promise<H2Frame> {
    await this.send(frame(FrameType.PING, 0, 0, payload));
    return this.next((f) => f.type === FrameType.PING && (f.flags & Flag.ACK) !== 0 && f.payload.equals(payload));
  }

  /** The GOAWAY frame, when it comes: last stream id, error code and debug text. */
  async goaway(): Promise<{ lastStreamId: number; code: number; debug: string }> {
    const f = await this.next((x) => x.type === FrameType.GOAWAY);
    return {
      lastStreamId: f.payload.readUInt32BE(0) & 0x7fff_ffff,
      code: f.payload.readUInt32BE(4),
      debug: f.payload.subarray(8).toString('latin1'),
    };
  }

  /** Collects stream `streamId` until it ends (END_STREAM or RST_STREAM from the server). */
  async response(streamId: number): Promise<H2Response> {
    const r: H2Response = {
      streamId,
      headers: undefined,
      trailers: undefined,
      data: Buffer.alloc(0),
      rstCode: undefined,
      frames: [],
    };
    const data: Buffer[] = [];
    for (;;) {
      const f = await this.next((x) => x.streamId === streamId);
      r.frames.push(f);
      if (f.type === FrameType.RST_STREAM) {
        r.rstCode = f.payload.readUInt32BE(0);
        break;
      }
      if (f.type === FrameType.DATA) {
        data.push(unpadded(f));
        if ((f.flags & Flag.END_STREAM) !== 0) break;
      } else if (f.fields !== undefined) {
        if (r.headers === undefined) r.headers = f.fields;
        else r.trailers = f.fields;
        if (f.blockEndStream) break;
      }
    }
    r.data = Buffer.concat(data);
    return r;
  }

  /** Opens a stream with a gRPC request (headers, one message, END_STREAM) and collects the answer. */
  async unary(path: string, message: Uint8Array, headers: readonly string[] = []): Promise<H2Response> {
    const id = this.streamId();
    await this.send(
      headersFrame(id, encodeHeaderBlock(grpcRequestFields(path, headers)), Flag.END_HEADERS),
      dataFrame(id, grpcMessage(message), Flag.END_STREAM),
    );
    return this.response(id);
  }

  close(): void {
    this.socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let buf = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    let at = 0;
    while (buf.length - at >= FRAME_HEADER_BYTES) {
      const length = (buf[at] as number) * 65_536 + ((buf[at + 1] as number) << 8) + (buf[at + 2] as number);
      if (buf.length - at < FRAME_HEADER_BYTES + length) break;
      const start = at + FRAME_HEADER_BYTES;
      const f: H2Frame = {
        type: buf[at + 3] as number,
        flags: buf[at + 4] as number,
        streamId: buf.readUInt32BE(at + 5) & 0x7fff_ffff,
        // A copy: the chunk may be large and frames may be kept.
        payload: Buffer.from(buf.subarray(start, start + length)),
      };
      at = start + length;
      this.#decodeBlock(f);
      this.#deliver(f);
    }
    buf = buf.subarray(at);
    this.#pending = buf.length === 0 ? Buffer.alloc(0) : Buffer.from(buf);
    this.#check(undefined);
  }

  #decodeBlock(f: H2Frame): void {
    if (f.type === FrameType.HEADERS) {
      let start = (f.flags & Flag.PADDED) !== 0 ? 1 : 0;
      if ((f.flags & Flag.PRIORITY) !== 0) start += 5;
      const end = f.payload.length - ((f.flags & Flag.PADDED) !== 0 ? (f.payload[0] as number) : 0);
      this.#blockParts = [f.payload.subarray(start, end)];
      this.#blockEndStream = (f.flags & Flag.END_STREAM) !== 0;
    } else if (f.type === FrameType.CONTINUATION) {
      this.#blockParts.push(f.payload);
    } else {
      return;
    }
    if ((f.flags & Flag.END_HEADERS) === 0) return;
    const fields = this.#decoder.decode(Buffer.concat(this.#blockParts));
    if (fields === HEADER_LIST_TOO_LARGE) throw new Error('response header list too large');
    f.fields = fields;
    f.blockEndStream = this.#blockEndStream;
    this.#blockParts = [];
  }

  #deliver(f: H2Frame): void {
    this.framesSeen++;
    if (this.intercept?.(f)) return;
    const at = this.#waiters.findIndex((w) => w.predicate(f));
    if (at >= 0) {
      const [w] = this.#waiters.splice(at, 1);
      w?.resolve(f);
      return;
    }
    this.received.push(f);
  }

  #check(error: Error | undefined): void {
    if (this.#conditions.length === 0) return;
    this.#conditions = this.#conditions.filter((c) => {
      if (c.done()) {
        c.resolve();
        return false;
      }
      if (error !== undefined) {
        c.reject(error);
        return false;
      }
      return true;
    });
  }
}

/** The payload of a DATA frame without its padding. */
export function unpadded(f: H2Frame): Buffer {
  if ((f.flags & Flag.PADDED) === 0) return f.payload;
  return f.payload.subarray(1, f.payload.length - (f.payload[0] as number));
}

/** The first value of `name` in a flat field list. */
export function field(fields: readonly string[] | undefined, name: string): string | undefined {
  if (fields === undefined) return undefined;
  for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** The gRPC status of an answer: from its trailers, or from the headers of a trailers-only answer. */
export function grpcStatus(r: H2Response): string | undefined {
  return field(r.trailers, 'grpc-status') ?? field(r.headers, 'grpc-status');
}

/** Request fields for a gRPC call to `path` (plain HTTP), then `extra` (flat [name, value, …]). */
export function grpcRequestFields(path: string, extra: readonly string[] = []): string[] {
  return [
    ':method',
    'POST',
    ':scheme',
    'http',
    ':path',
    path,
    ':authority',
    '127.0.0.1',
    'content-type',
    'application/grpc',
    'te',
    'trailers',
    ...extra,
  ];
}

/** A gRPC length-prefixed message (uncompressed). */
export function grpcMessage(message: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + message.length);
  out.writeUInt32BE(message.length, 1);
  out.set(message, 5);
  return out;
}

/** The messages of a gRPC response body, without their prefixes. */
export function grpcMessages(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 5 <= body.length) {
    const length = body.readUInt32BE(at + 1);
    if (at + 5 + length > body.length) throw new Error('a partial gRPC message');
    out.push(body.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  if (at !== body.length) throw new Error('trailing bytes after the gRPC messages');
  return out;
}

export function headersFrame(streamId: number, block: Buffer, flags: number): Buffer {
  return frame(FrameType.HEADERS, flags, streamId, block);
}

export function dataFrame(streamId: number, payload: Buffer, flags = 0): Buffer {
  return frame(FrameType.DATA, flags, streamId, payload);
}

export function pingFrame(payload: Buffer, ack = false): Buffer {
  return frame(FrameType.PING, ack ? Flag.ACK : 0, 0, payload);
}

export function rstFrame(streamId: number, code: number): Buffer {
  return u32Frame(FrameType.RST_STREAM, streamId, code);
}

export function windowUpdateFrame(streamId: number, increment: number): Buffer {
  return u32Frame(FrameType.WINDOW_UPDATE, streamId, increment);
}

/** SETTINGS entries of a SETTINGS frame's payload. */
export function settingsOf(f: H2Frame): Map<number, number> {
  const out = new Map<number, number>();
  for (let at = 0; at + 6 <= f.payload.length; at += 6)
    out.set(f.payload.readUInt16BE(at), f.payload.readUInt32BE(at + 2));
  return out;
}
