/**
 * @module transports/h2/h2-connection
 * The server side of one HTTP/2 connection (RFC 9113), on a plain or TLS socket, written for gRPC's
 * traffic: many small request/response exchanges, each a HEADERS frame, a DATA frame or two and trailers.
 *
 * Why our own and not `node:http2`: per call, node:http2 builds a stream object (a Duplex with its own
 * state, listeners and buffers), a headers object, an ArrayBuffer per DATA chunk and several callbacks
 * crossing into C++ and back; the bench showed that machinery, not the cache, setting the gRPC port's
 * ceiling, and its objects setting the major-GC pauses. Here a call costs one small stream record, the
 * decoded header strings (mostly the same instances every time, from the HPACK table) and views into the
 * socket's own read buffers; answers are framed into one buffer and written with every other answer of the
 * same event-loop turn.
 *
 * What it implements: the preface, SETTINGS (both ways, with ACK), PING, GOAWAY, RST_STREAM, WINDOW_UPDATE
 * with flow control in both directions, HEADERS + CONTINUATION with HPACK, padding, PRIORITY (ignored),
 * stream-state and frame-size checks with the RFC's error codes, and the limits a hostile peer meets: a
 * cap on concurrent streams (REFUSED_STREAM), on a header block (ENHANCE_YOUR_CALM), on the rate of
 * cancelled streams (rapid reset), and back-pressure: while the socket has more than a bounded amount of
 * unsent output (answers to a peer that does not read, PING/SETTINGS floods) the connection stops reading.
 * What it leaves out, as a server of gRPC may: server push, priorities, and the `Upgrade: h2c` path (gRPC
 * clients speak HTTP/2 with prior knowledge, or negotiate it by ALPN on TLS).
 */
import type { Socket } from 'node:net';
import {
  CLIENT_PREFACE,
  DEFAULT_MAX_FRAME,
  DEFAULT_WINDOW,
  Flag,
  FRAME_HEADER_BYTES,
  FrameType,
  frame,
  goawayFrame,
  H2Error,
  MAX_FRAME_LIMIT,
  MAX_WINDOW,
  SETTINGS_ACK,
  Setting,
  settingsFrame,
  u32Frame,
  writeFrameHeader,
} from './frames.ts';
import { HEADER_LIST_TOO_LARGE, HpackDecoder, HpackError } from './hpack.ts';
import { StreamTable } from './stream-table.ts';

/** What the application gives each stream: told of the request body, its end, and the stream's fate. */
export interface H2StreamSink {
  /** Request body bytes: a view into a read buffer that is never reused, so it may be kept. */
  onData(chunk: Buffer): void;
  /** The peer half-closed the stream: the request is complete. */
  onEnd(): void;
  /** The stream is gone before our answer completed: RST_STREAM, connection closed, request timeout. */
  onReset(): void;
  /** Output that did not fit (flow control, socket back-pressure) has gone out: write more. */
  onDrain(): void;
}

/** The application: one call per new stream, with its decoded header fields (flat name, value, …). */
export interface H2Application {
  onStream(stream: H2Stream, fields: readonly string[], endStream: boolean): void;
}

export interface H2Limits {
  /** SETTINGS_MAX_CONCURRENT_STREAMS: streams past it are refused. */
  readonly maxConcurrentStreams: number;
  /** SETTINGS_MAX_HEADER_LIST_SIZE: a larger header list resets its stream (ENHANCE_YOUR_CALM). */
  readonly maxHeaderListBytes: number;
  /** A connection with no stream open for this long is closed (GOAWAY NO_ERROR). */
  readonly idleTimeoutMs: number;
  /** A stream whose request has not fully arrived within this long is cancelled (RST_STREAM CANCEL). */
  readonly requestTimeoutMs: number;
  /** A PING is sent after this long without one, and the connection dropped if it is not answered in time. */
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
}

// Our receive windows. The stream window bounds what a peer sends before we ack it; requests are read as
// they arrive (their size is bounded by the application), so a large window costs nothing while idle.
const STREAM_WINDOW = 1024 * 1024;
const CONNECTION_WINDOW = 16 * 1024 * 1024;
/** Unsent output above which the connection stops reading (and streams are told to wait for drain). */
const HIGH_WATER_BYTES = 1024 * 1024;
/** A header block (HEADERS + CONTINUATION) larger than this is a connection error, before decoding. */
const MAX_HEADER_BLOCK_FACTOR = 4;
/** Streams the peer may cancel per second before the connection is closed (CVE-2023-44487). */
const MAX_RESETS_PER_SECOND = 1000;
/** Output below this is concatenated into one write; above, written as a vector. */
const CONCAT_BELOW_BYTES = 64 * 1024;

const PING_PAYLOAD = Buffer.from('cachette');

/** One request/response exchange. State lives here; frames go out through the connection. */
export class H2Stream {
  sink: H2StreamSink | undefined = undefined;
  /** The peer sent END_STREAM (or the stream was reset). */
  remoteEnded = false;
  /** We sent END_STREAM (or the stream was reset). */
  localEnded = false;
  headersSent = false;
  /** Bytes we may still send (the peer's window for this stream). */
  sendWindow: number;
  /** Bytes the peer may still send before our next WINDOW_UPDATE. */
  recvWindow = STREAM_WINDOW;
  /** When the request must have fully arrived (ms since the epoch). */
  requestDeadline = 0;
  /** DATA payload waiting for window, and the trailers to send after it. */
  pending: Buffer[] | undefined = undefined;
  pendingBytes = 0;
  pendingTrailers: Buffer | undefined = undefined;

  constructor(
    readonly id: number,
    readonly connection: H2Connection,
    sendWindow: number,
  ) {
    this.sendWindow = sendWindow;
  }

  get closed(): boolean {
    return this.remoteEnded && this.localEnded;
  }

  /** Response headers (no END_STREAM): `block` is an HPACK header block. */
  respond(block: Buffer): void {
    this.connection.sendHeaders(this, block, false);
  }

  /** A whole answer at once: headers, one message, trailers — one buffer when the windows allow. */
  answer(headers: Buffer, message: Buffer, trailers: Buffer): void {
    this.connection.sendAnswer(this, headers, message, trailers);
  }

  /** Response body bytes; false when they (or earlier ones) wait for window or socket: wait for drain. */
  write(data: Buffer): boolean {
    return this.connection.sendData(this, data);
  }

  /** Trailers (or a trailers-only answer when no headers went out) with END_STREAM, after any pending data. */
  end(trailers: Buffer): void {
    this.connection.sendTrailers(this, trailers);
  }

  /** RST_STREAM with `code`; the sink is not told (the caller knows). */
  reset(code: number): void {
    this.connection.resetStream(this, code, false);
  }
}

/** One HTTP/2 connection. Created by the server for each accepted socket. */
export class H2Connection {
  readonly socket: Socket;
  readonly #app: H2Application;
  readonly #limits: H2Limits;
  readonly #hpack: HpackDecoder;
  readonly #streams = new StreamTable<H2Stream>();
  readonly #onClosed: (connection: H2Connection) => void;
  /** Per-connection state the application keeps (e.g. an authentication memo). */
  appState: unknown = undefined;

  // Reading.
  #prefaceSeen = false;
  #readChunks: Buffer[] = [];
  #readBytes = 0;
  #needBytes = 0;
  #lastStreamId = 0;
  // A header block being assembled from HEADERS + CONTINUATION.
  #blockStream = 0;
  #blockParts: Buffer[] = [];
  #blockBytes = 0;
  #blockEndStream = false;

  // Flow control.
  #sendWindow = DEFAULT_WINDOW;
  #peerInitialWindow = DEFAULT_WINDOW;
  #peerMaxFrame = DEFAULT_MAX_FRAME;
  #recvWindow = CONNECTION_WINDOW;
  #recvUnacked = 0;
  /** Streams with DATA waiting for window, in arrival order. */
  readonly #blocked = new Set<H2Stream>();
  /** Streams whose last write returned false: told (onDrain) once their output and the socket's have gone. */
  readonly #drainWaiters = new Set<H2Stream>();

  // Writing.
  #out: Buffer[] = [];
  #outBytes = 0;
  #flushScheduled = false;
  #paused = false;

  // Lifecycle.
  #active = 0;
  #idleSince = Date.now();
  #goawaySent = false;
  #goawayReceived = false;
  #closed = false;
  #pingSentAt = 0;
  #lastPingAt = Date.now();
  #resetsWindowStart = 0;
  #resets = 0;

  readonly #onUnexpected: (error: unknown) => void;

  constructor(
    socket: Socket,
    app: H2Application,
    limits: H2Limits,
    onClosed: (connection: H2Connection) => void,
    onUnexpected: (error: unknown) => void,
  ) {
    this.socket = socket;
    this.#onUnexpected = onUnexpected;
    this.#app = app;
    this.#limits = limits;
    this.#onClosed = onClosed;
    this.#hpack = new HpackDecoder({ maxHeaderListBytes: limits.maxHeaderListBytes });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onDataSafely(chunk));
    socket.on('drain', () => this.#onDrain());
    socket.on('error', () => this.#destroy());
    socket.on('close', () => this.#destroy());
    // Our SETTINGS first (RFC 9113 §3.4), then the connection window beyond the default 64 KiB.
    this.#queue(
      settingsFrame([
        [Setting.MAX_CONCURRENT_STREAMS, limits.maxConcurrentStreams],
        [Setting.INITIAL_WINDOW_SIZE, STREAM_WINDOW],
        [Setting.MAX_HEADER_LIST_SIZE, limits.maxHeaderListBytes],
        [Setting.ENABLE_PUSH, 0],
      ]),
    );
    this.#queue(u32Frame(FrameType.WINDOW_UPDATE, 0, CONNECTION_WINDOW - DEFAULT_WINDOW));
  }

  // ─── reading ────────────────────────────────────────────────────────────────────────────────────────

  /** A bug reached by some input must cost that connection, never the process and everyone else's calls. */
  #onDataSafely(chunk: Buffer): void {
    try {
      this.#onData(chunk);
    } catch (error) {
      this.#onUnexpected(error);
      this.#fail(H2Error.INTERNAL_ERROR);
    }
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    // Bytes of a frame not yet whole wait in a list and are joined once, when the frame is complete: a peer
    // dripping a frame a byte at a time costs one copy, not one per byte.
    if (this.#readBytes > 0) {
      this.#readChunks.push(chunk);
      this.#readBytes += chunk.length;
      if (this.#readBytes < this.#needBytes) return;
      chunk = Buffer.concat(this.#readChunks, this.#readBytes);
      this.#readChunks = [];
      this.#readBytes = 0;
    }
    let offset = 0;
    if (!this.#prefaceSeen) {
      if (chunk.length < CLIENT_PREFACE.length) {
        if (!CLIENT_PREFACE.subarray(0, chunk.length).equals(chunk)) {
          this.#fail(H2Error.PROTOCOL_ERROR);
          return;
        }
        this.#keep(chunk, CLIENT_PREFACE.length);
        return;
      }
      if (!CLIENT_PREFACE.equals(chunk.subarray(0, CLIENT_PREFACE.length))) {
        this.#fail(H2Error.PROTOCOL_ERROR, 'not an HTTP/2 connection preface');
        return;
      }
      this.#prefaceSeen = true;
      offset = CLIENT_PREFACE.length;
    }
    const end = chunk.length;
    while (end - offset >= FRAME_HEADER_BYTES) {
      const length =
        (chunk[offset] as number) * 65_536 + ((chunk[offset + 1] as number) << 8) + (chunk[offset + 2] as number);
      // We never raise SETTINGS_MAX_FRAME_SIZE: a larger frame is an error before it is buffered.
      if (length > DEFAULT_MAX_FRAME) {
        this.#fail(H2Error.FRAME_SIZE_ERROR, 'frame too large');
        return;
      }
      if (end - offset < FRAME_HEADER_BYTES + length) break;
      const type = chunk[offset + 3] as number;
      const flags = chunk[offset + 4] as number;
      const streamId = chunk.readUInt32BE(offset + 5) & MAX_WINDOW;
      const start = offset + FRAME_HEADER_BYTES;
      offset = start + length;
      this.#onFrame(type, flags, streamId, chunk, start, offset);
      if (this.#closed) return;
    }
    this.#flushWindow();
    if (offset < end) {
      const rest = chunk.subarray(offset);
      const need =
        end - offset >= FRAME_HEADER_BYTES
          ? FRAME_HEADER_BYTES + (rest[0] as number) * 65_536 + ((rest[1] as number) << 8) + (rest[2] as number)
          : FRAME_HEADER_BYTES;
      this.#keep(rest, need);
    }
  }

  /** Keeps `rest` until `need` bytes are available (a partial frame or preface). */
  #keep(rest: Buffer, need: number): void {
    this.#readChunks = [rest];
    this.#readBytes = rest.length;
    this.#needBytes = need;
  }

  #onFrame(type: number, flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (this.#blockStream !== 0 && type !== FrameType.CONTINUATION) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'expected CONTINUATION');
      return;
    }
    switch (type) {
      case FrameType.DATA:
        this.#onDataFrame(flags, streamId, buf, start, end);
        return;
      case FrameType.HEADERS:
        this.#onHeaders(flags, streamId, buf, start, end);
        return;
      case FrameType.CONTINUATION:
        this.#onContinuation(flags, streamId, buf, start, end);
        return;
      case FrameType.RST_STREAM:
        this.#onReset(streamId, start, end);
        return;
      case FrameType.SETTINGS:
        this.#onSettings(flags, streamId, buf, start, end);
        return;
      case FrameType.PING:
        this.#onPing(flags, streamId, buf, start, end);
        return;
      case FrameType.GOAWAY:
        if (streamId !== 0) {
          this.#fail(H2Error.PROTOCOL_ERROR);
          return;
        }
        if (end - start < 8) {
          this.#fail(H2Error.FRAME_SIZE_ERROR);
          return;
        }
        this.#goawayReceived = true;
        if (this.#active === 0) this.#close();
        return;
      case FrameType.WINDOW_UPDATE:
        this.#onWindowUpdate(streamId, buf, start, end);
        return;
      case FrameType.PRIORITY:
        if (streamId === 0) {
          this.#fail(H2Error.PROTOCOL_ERROR);
          return;
        }
        if (end - start !== 5) {
          this.#fail(H2Error.FRAME_SIZE_ERROR);
          return;
        }
        return;
      case FrameType.PUSH_PROMISE:
        this.#fail(H2Error.PROTOCOL_ERROR, 'clients do not push');
        return;
      default:
        // Unknown frame types are ignored (RFC 9113 §4.1).
        return;
    }
  }

  /** Removes padding (PADDED flag); -1 when the padding is longer than the payload. */
  #unpaddedEnd(flags: number, buf: Buffer, start: number, end: number): number {
    if ((flags & Flag.PADDED) === 0) return end;
    if (end - start < 1) return -1;
    const pad = buf[start] as number;
    return end - start - 1 < pad ? -1 : end - pad;
  }

  #onDataFrame(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (streamId === 0) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'DATA on stream 0');
      return;
    }
    const length = end - start;
    // Every DATA byte counts against the connection window, even for streams already gone.
    this.#recvWindow -= length;
    if (this.#recvWindow < 0) {
      this.#fail(H2Error.FLOW_CONTROL_ERROR);
      return;
    }
    this.#recvUnacked += length;
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId > this.#lastStreamId) {
        this.#fail(H2Error.PROTOCOL_ERROR, 'DATA on an idle stream');
        return;
      }
      return; // a stream we closed: its in-flight data is dropped
    }
    if (stream.remoteEnded) {
      this.resetStream(stream, H2Error.STREAM_CLOSED, true);
      return;
    }
    stream.recvWindow -= length;
    if (stream.recvWindow < 0) {
      this.resetStream(stream, H2Error.FLOW_CONTROL_ERROR, true);
      return;
    }
    const dataEnd = this.#unpaddedEnd(flags, buf, start, end);
    if (dataEnd < 0) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'bad padding');
      return;
    }
    const dataStart = (flags & Flag.PADDED) === 0 ? start : start + 1;
    if (dataEnd > dataStart) stream.sink?.onData(buf.subarray(dataStart, dataEnd));
    if ((flags & Flag.END_STREAM) !== 0) {
      this.#remoteEnd(stream);
    } else if (stream.recvWindow < STREAM_WINDOW / 2 && this.#streams.has(streamId)) {
      this.#queue(u32Frame(FrameType.WINDOW_UPDATE, streamId, STREAM_WINDOW - stream.recvWindow));
      stream.recvWindow = STREAM_WINDOW;
    }
  }

  /** Acks the connection-level bytes read, once they reach half the window (one frame per many calls). */
  #flushWindow(): void {
    if (this.#recvUnacked < CONNECTION_WINDOW / 2) return;
    this.#queue(u32Frame(FrameType.WINDOW_UPDATE, 0, this.#recvUnacked));
    this.#recvWindow += this.#recvUnacked;
    this.#recvUnacked = 0;
  }

  #onHeaders(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (streamId === 0 || (streamId & 1) === 0) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'bad stream id');
      return;
    }
    const blockEnd = this.#unpaddedEnd(flags, buf, start, end);
    let blockStart = (flags & Flag.PADDED) === 0 ? start : start + 1;
    if ((flags & Flag.PRIORITY) !== 0) blockStart += 5;
    if (blockEnd < 0 || blockStart > blockEnd) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'bad padding');
      return;
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if ((flags & Flag.END_HEADERS) !== 0) {
      this.#onHeaderBlock(streamId, buf.subarray(blockStart, blockEnd), endStream);
      return;
    }
    this.#blockStream = streamId;
    this.#blockParts = [buf.subarray(blockStart, blockEnd)];
    this.#blockBytes = blockEnd - blockStart;
    this.#blockEndStream = endStream;
  }

  #onContinuation(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (this.#blockStream === 0 || streamId !== this.#blockStream) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'unexpected CONTINUATION');
      return;
    }
    this.#blockBytes += end - start;
    // An endless CONTINUATION sequence would otherwise grow without bound (CVE-2024-27316 and kin).
    if (this.#blockBytes > MAX_HEADER_BLOCK_FACTOR * this.#limits.maxHeaderListBytes + 16_384) {
      this.#fail(H2Error.ENHANCE_YOUR_CALM, 'header block too large');
      return;
    }
    this.#blockParts.push(buf.subarray(start, end));
    if ((flags & Flag.END_HEADERS) === 0) return;
    const block = Buffer.concat(this.#blockParts, this.#blockBytes);
    this.#blockStream = 0;
    this.#blockParts = [];
    this.#blockBytes = 0;
    this.#onHeaderBlock(streamId, block, this.#blockEndStream);
  }

  #onHeaderBlock(streamId: number, block: Buffer, endStream: boolean): void {
    let fields: string[] | typeof HEADER_LIST_TOO_LARGE;
    try {
      // Always decoded, even for a stream we refuse: the HPACK table must stay in step with the peer's.
      fields = this.#hpack.decode(block);
    } catch (e) {
      if (e instanceof HpackError) {
        this.#fail(H2Error.COMPRESSION_ERROR, 'bad header block');
        return;
      }
      throw e;
    }
    const existing = this.#streams.get(streamId);
    if (existing !== undefined) {
      // Trailers from the peer: they must end the stream.
      if (!endStream || existing.remoteEnded) {
        this.resetStream(existing, H2Error.PROTOCOL_ERROR, true);
        return;
      }
      this.#remoteEnd(existing);
      return;
    }
    if (streamId <= this.#lastStreamId) {
      this.#fail(H2Error.STREAM_CLOSED, 'HEADERS on a closed stream');
      return;
    }
    this.#lastStreamId = streamId;
    if (this.#goawaySent) {
      this.#queue(u32Frame(FrameType.RST_STREAM, streamId, H2Error.REFUSED_STREAM));
      return;
    }
    if (fields === HEADER_LIST_TOO_LARGE) {
      this.#queue(u32Frame(FrameType.RST_STREAM, streamId, H2Error.ENHANCE_YOUR_CALM));
      return;
    }
    if (this.#active >= this.#limits.maxConcurrentStreams) {
      this.#queue(u32Frame(FrameType.RST_STREAM, streamId, H2Error.REFUSED_STREAM));
      return;
    }
    const stream = new H2Stream(streamId, this, this.#peerInitialWindow);
    this.#streams.set(streamId, stream);
    this.#active++;
    stream.remoteEnded = endStream;
    if (!endStream) stream.requestDeadline = Date.now() + this.#limits.requestTimeoutMs;
    this.#app.onStream(stream, fields, endStream);
  }

  #remoteEnd(stream: H2Stream): void {
    stream.remoteEnded = true;
    if (stream.localEnded) {
      this.#forget(stream);
      return;
    }
    stream.sink?.onEnd();
  }

  #onReset(streamId: number, start: number, end: number): void {
    if (streamId === 0) {
      this.#fail(H2Error.PROTOCOL_ERROR);
      return;
    }
    if (end - start !== 4) {
      this.#fail(H2Error.FRAME_SIZE_ERROR);
      return;
    }
    if (streamId > this.#lastStreamId) {
      this.#fail(H2Error.PROTOCOL_ERROR, 'RST_STREAM on an idle stream');
      return;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) return;
    const now = Date.now();
    if (now - this.#resetsWindowStart >= 1000) {
      this.#resetsWindowStart = now;
      this.#resets = 0;
    }
    if (++this.#resets > MAX_RESETS_PER_SECOND) {
      this.#fail(H2Error.ENHANCE_YOUR_CALM, 'too many resets');
      return;
    }
    stream.remoteEnded = true;
    stream.localEnded = true;
    this.#forget(stream);
    stream.sink?.onReset();
  }

  #onSettings(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (streamId !== 0) {
      this.#fail(H2Error.PROTOCOL_ERROR);
      return;
    }
    if ((flags & Flag.ACK) !== 0) {
      if (end !== start) {
        this.#fail(H2Error.FRAME_SIZE_ERROR);
        return;
      }
      return;
    }
    if ((end - start) % 6 !== 0) {
      this.#fail(H2Error.FRAME_SIZE_ERROR);
      return;
    }
    for (let at = start; at < end; at += 6) {
      const id = buf.readUInt16BE(at);
      const value = buf.readUInt32BE(at + 2);
      if (id === Setting.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) {
          this.#fail(H2Error.FLOW_CONTROL_ERROR);
          return;
        }
        const delta = value - this.#peerInitialWindow;
        this.#peerInitialWindow = value;
        for (const stream of this.#streams.values()) {
          stream.sendWindow += delta;
          if (stream.sendWindow > MAX_WINDOW) {
            this.#fail(H2Error.FLOW_CONTROL_ERROR);
            return;
          }
        }
      } else if (id === Setting.MAX_FRAME_SIZE) {
        if (value < DEFAULT_MAX_FRAME || value > MAX_FRAME_LIMIT) {
          this.#fail(H2Error.PROTOCOL_ERROR);
          return;
        }
        this.#peerMaxFrame = value;
      } else if (id === Setting.ENABLE_PUSH && value > 1) {
        this.#fail(H2Error.PROTOCOL_ERROR);
        return;
      }
      // HEADER_TABLE_SIZE: our encoder never uses the peer's dynamic table. The others do not bind a server.
    }
    this.#queue(SETTINGS_ACK);
    this.#resumeBlocked();
  }

  #onPing(flags: number, streamId: number, buf: Buffer, start: number, end: number): void {
    if (streamId !== 0) {
      this.#fail(H2Error.PROTOCOL_ERROR);
      return;
    }
    if (end - start !== 8) {
      this.#fail(H2Error.FRAME_SIZE_ERROR);
      return;
    }
    if ((flags & Flag.ACK) !== 0) {
      this.#pingSentAt = 0;
      return;
    }
    this.#queue(frame(FrameType.PING, Flag.ACK, 0, buf.subarray(start, end)));
  }

  #onWindowUpdate(streamId: number, buf: Buffer, start: number, end: number): void {
    if (end - start !== 4) {
      this.#fail(H2Error.FRAME_SIZE_ERROR);
      return;
    }
    const increment = buf.readUInt32BE(start) & MAX_WINDOW;
    if (streamId === 0) {
      if (increment === 0) {
        this.#fail(H2Error.PROTOCOL_ERROR, 'zero window increment');
        return;
      }
      this.#sendWindow += increment;
      if (this.#sendWindow > MAX_WINDOW) {
        this.#fail(H2Error.FLOW_CONTROL_ERROR);
        return;
      }
      this.#resumeBlocked();
      return;
    }
    const stream = this.#streams.get(streamId);
    if (stream === undefined) {
      if (streamId > this.#lastStreamId) {
        this.#fail(H2Error.PROTOCOL_ERROR, 'WINDOW_UPDATE on an idle stream');
        return;
      }
      return;
    }
    if (increment === 0) {
      this.resetStream(stream, H2Error.PROTOCOL_ERROR, true);
      return;
    }
    stream.sendWindow += increment;
    if (stream.sendWindow > MAX_WINDOW) {
      this.resetStream(stream, H2Error.FLOW_CONTROL_ERROR, true);
      return;
    }
    if (stream.pending !== undefined) this.#sendPending(stream);
  }

  // ─── writing ────────────────────────────────────────────────────────────────────────────────────────

  /** Queues bytes for the socket; everything queued in one event-loop turn goes out in one write. */
  #queue(bytes: Buffer): void {
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(flushConnection, this);
  }

  /** Writes what was queued (called once per turn with output). */
  flush(): void {
    this.#flushScheduled = false;
    if (this.#out.length === 0 || this.socket.destroyed) return;
    const out = this.#out;
    const bytes = this.#outBytes;
    this.#out = [];
    this.#outBytes = 0;
    const socket = this.socket;
    if (out.length === 1) socket.write(out[0] as Buffer);
    else if (bytes < CONCAT_BELOW_BYTES) socket.write(Buffer.concat(out, bytes));
    else {
      socket.cork();
      for (const b of out) socket.write(b);
      socket.uncork();
    }
    if (!this.#paused && socket.writableLength > HIGH_WATER_BYTES) {
      // The peer is not reading what we send: stop reading what it sends until it catches up.
      this.#paused = true;
      socket.pause();
    }
    this.#notifyDrain();
  }

  #onDrain(): void {
    if (!this.#paused) return;
    this.#paused = false;
    if (!this.#closed) this.socket.resume();
    this.#notifyDrain();
  }

  /** Tells the streams waiting to write that they may, unless the socket is still backed up. */
  #notifyDrain(): void {
    if (this.#paused || this.#drainWaiters.size === 0) return;
    for (const stream of this.#drainWaiters) {
      if (stream.pending !== undefined) continue;
      this.#drainWaiters.delete(stream);
      stream.sink?.onDrain();
    }
  }

  #headersFrame(stream: H2Stream, block: Buffer, endStream: boolean): Buffer {
    // A block larger than the peer's frame size goes as HEADERS + CONTINUATION frames.
    const max = this.#peerMaxFrame;
    if (block.length <= max) {
      const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + block.length);
      writeFrameHeader(
        out,
        0,
        block.length,
        FrameType.HEADERS,
        Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0),
        stream.id,
      );
      block.copy(out, FRAME_HEADER_BYTES);
      return out;
    }
    const parts: Buffer[] = [];
    for (let at = 0; at < block.length; at += max) {
      const piece = block.subarray(at, Math.min(block.length, at + max));
      const last = at + max >= block.length;
      const type = at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
      const flags = (last ? Flag.END_HEADERS : 0) | (at === 0 && endStream ? Flag.END_STREAM : 0);
      parts.push(frame(type, flags, stream.id, piece));
    }
    return Buffer.concat(parts);
  }

  sendHeaders(stream: H2Stream, block: Buffer, endStream: boolean): void {
    if (stream.localEnded || this.#closed) return;
    stream.headersSent = true;
    this.#queue(this.#headersFrame(stream, block, endStream));
    if (endStream) this.#localEnd(stream);
  }

  /** The unary fast path: headers, message and trailers framed into one buffer when the windows allow. */
  sendAnswer(stream: H2Stream, headers: Buffer, message: Buffer, trailers: Buffer): void {
    if (stream.localEnded || this.#closed) return;
    const size = message.length;
    if (
      size > this.#sendWindow ||
      size > stream.sendWindow ||
      size > this.#peerMaxFrame ||
      headers.length > this.#peerMaxFrame ||
      trailers.length > this.#peerMaxFrame
    ) {
      this.sendHeaders(stream, headers, false);
      this.sendData(stream, message);
      this.sendTrailers(stream, trailers);
      return;
    }
    const total = 3 * FRAME_HEADER_BYTES + headers.length + size + trailers.length;
    const out = Buffer.allocUnsafe(total);
    let at = 0;
    writeFrameHeader(out, at, headers.length, FrameType.HEADERS, Flag.END_HEADERS, stream.id);
    at += FRAME_HEADER_BYTES;
    at += headers.copy(out, at);
    writeFrameHeader(out, at, size, FrameType.DATA, 0, stream.id);
    at += FRAME_HEADER_BYTES;
    at += message.copy(out, at);
    writeFrameHeader(out, at, trailers.length, FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, stream.id);
    at += FRAME_HEADER_BYTES;
    trailers.copy(out, at);
    this.#sendWindow -= size;
    stream.sendWindow -= size;
    stream.headersSent = true;
    this.#queue(out);
    this.#localEnd(stream);
  }

  sendData(stream: H2Stream, data: Buffer): boolean {
    if (stream.localEnded || this.#closed) return true;
    if (stream.pending !== undefined) {
      stream.pending.push(data);
      stream.pendingBytes += data.length;
      this.#drainWaiters.add(stream);
      return false;
    }
    const sent = this.#dataFrames(stream, data, 0);
    if (sent < data.length) {
      stream.pending = [data.subarray(sent)];
      stream.pendingBytes = data.length - sent;
      this.#blocked.add(stream);
      this.#drainWaiters.add(stream);
      return false;
    }
    if (this.#paused || this.#outBytes > HIGH_WATER_BYTES) {
      this.#drainWaiters.add(stream);
      return false;
    }
    return true;
  }

  /** Frames as much of `data` from `from` as the windows allow; returns the offset reached. */
  #dataFrames(stream: H2Stream, data: Buffer, from: number): number {
    let at = from;
    while (at < data.length) {
      const room = Math.min(this.#sendWindow, stream.sendWindow, this.#peerMaxFrame, data.length - at);
      if (room <= 0) break;
      const header = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
      writeFrameHeader(header, 0, room, FrameType.DATA, 0, stream.id);
      this.#queue(header);
      this.#queue(data.subarray(at, at + room));
      this.#sendWindow -= room;
      stream.sendWindow -= room;
      at += room;
    }
    return at;
  }

  sendTrailers(stream: H2Stream, block: Buffer): void {
    if (stream.localEnded || this.#closed) return;
    if (stream.pending !== undefined) {
      stream.pendingTrailers = block;
      return;
    }
    this.sendHeaders(stream, block, true);
  }

  /** Sends what a stream had waiting, as far as the windows allow now. */
  #sendPending(stream: H2Stream): void {
    const pending = stream.pending;
    if (pending === undefined) return;
    while (pending.length > 0) {
      const head = pending[0] as Buffer;
      const sent = this.#dataFrames(stream, head, 0);
      stream.pendingBytes -= sent;
      if (sent < head.length) {
        pending[0] = head.subarray(sent);
        return;
      }
      pending.shift();
    }
    stream.pending = undefined;
    this.#blocked.delete(stream);
    const trailers = stream.pendingTrailers;
    if (trailers !== undefined) {
      stream.pendingTrailers = undefined;
      this.sendHeaders(stream, trailers, true);
    }
    // A waiting writer is told after the flush that sends what was pending (#notifyDrain).
  }

  #resumeBlocked(): void {
    for (const stream of this.#blocked) {
      if (this.#sendWindow <= 0) return;
      this.#sendPending(stream);
    }
  }

  #localEnd(stream: H2Stream): void {
    stream.localEnded = true;
    if (!stream.remoteEnded) {
      // Answered before the request ended (an early error): ask the peer to stop sending (RFC 9113 §8.1).
      stream.remoteEnded = true;
      this.#queue(u32Frame(FrameType.RST_STREAM, stream.id, H2Error.NO_ERROR));
    }
    this.#forget(stream);
  }

  /** Sends RST_STREAM(code) and forgets the stream; `notify` tells its sink (errors the peer caused). */
  resetStream(stream: H2Stream, code: number, notify: boolean): void {
    if (!this.#streams.has(stream.id)) return;
    stream.remoteEnded = true;
    stream.localEnded = true;
    this.#queue(u32Frame(FrameType.RST_STREAM, stream.id, code));
    this.#forget(stream);
    if (notify) stream.sink?.onReset();
  }

  #forget(stream: H2Stream): void {
    if (this.#streams.delete(stream.id)) {
      this.#active--;
      if (this.#active === 0) {
        this.#idleSince = Date.now();
        if (this.#goawayReceived || this.#goawaySent) this.#close();
      }
    }
    if (stream.pending !== undefined) {
      stream.pending = undefined;
      this.#blocked.delete(stream);
    }
    this.#drainWaiters.delete(stream);
  }

  // ─── lifecycle ──────────────────────────────────────────────────────────────────────────────────────

  /** Periodic check (the server's one timer): idle close, request deadlines, keep-alive. */
  sweep(now: number): void {
    if (this.#closed) return;
    if (this.#active === 0 && now - this.#idleSince >= this.#limits.idleTimeoutMs) {
      this.goAway(H2Error.NO_ERROR);
      return;
    }
    for (const stream of this.#streams.values()) {
      if (!stream.remoteEnded && stream.requestDeadline <= now) this.resetStream(stream, H2Error.CANCEL, true);
    }
    if (this.#pingSentAt !== 0) {
      if (now - this.#pingSentAt >= this.#limits.keepaliveTimeoutMs) this.#destroy();
    } else if (now - this.#lastPingAt >= this.#limits.keepaliveTimeMs) {
      this.#pingSentAt = now;
      this.#lastPingAt = now;
      this.#queue(frame(FrameType.PING, 0, 0, PING_PAYLOAD));
    }
  }

  /** Graceful close: GOAWAY now; the socket closes once the streams in flight finish. */
  goAway(code: number = H2Error.NO_ERROR): void {
    if (this.#closed || this.#goawaySent) return;
    this.#goawaySent = true;
    this.#queue(goawayFrame(this.#lastStreamId, code));
    if (this.#active === 0) this.#close();
  }

  /** A connection error: GOAWAY with `code`, every stream reset, the socket closed. */
  #fail(code: number, reason = ''): void {
    if (this.#closed) return;
    this.#queue(goawayFrame(this.#lastStreamId, code, reason));
    this.#goawaySent = true;
    this.#close();
  }

  /** Flushes what is queued, ends the socket and tells every open stream. */
  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.flush();
    this.socket.end();
    // A peer that never closes its side must not hold the socket forever.
    setTimeout(destroySocket, 2000, this.socket).unref();
    this.#dropStreams();
  }

  #destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
    if (!this.#closed) {
      this.#closed = true;
      this.#out = [];
      this.#outBytes = 0;
      this.#dropStreams();
    }
    this.#onClosed(this);
  }

  /** Closes at once, without GOAWAY (forced shutdown). */
  destroy(): void {
    this.#destroy();
  }

  #dropStreams(): void {
    const streams = this.#streams.values();
    this.#streams.clear();
    this.#blocked.clear();
    this.#drainWaiters.clear();
    this.#active = 0;
    for (const stream of streams) {
      stream.remoteEnded = true;
      stream.localEnded = true;
      stream.sink?.onReset();
    }
  }
}

function flushConnection(connection: H2Connection): void {
  connection.flush();
}

function destroySocket(socket: Socket): void {
  if (!socket.destroyed) socket.destroy();
}
