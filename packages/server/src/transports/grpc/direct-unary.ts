/**
 * @module transports/grpc/direct-unary
 * Unary calls answered straight from the HTTP/2 stream, beside grpc-js rather than through it.
 *
 * Why: for a ~100-byte Get, grpc-js spends most of a call's CPU on its own machinery — a Metadata object
 * built from the headers, an interceptor chain of several objects and closures per call, a deadline timer,
 * a stream decoder, channelz counters — not on our handler. This module takes the streams of *unary*
 * methods off grpc-js's `stream` listener and runs the very same registered handler (same request
 * decoder with the protobuf guard, same serializer, same fault-injection wrapper) with one small call
 * object per call. Everything else — server streaming, unknown methods, compressed requests, odd content
 * types — goes to grpc-js's own listener untouched, decided from the headers before a byte of the body is
 * read. Connection management (keep-alive pings, idle GOAWAY, max streams, TLS) stays grpc-js's: it lives
 * on the session, not the stream.
 *
 * What it keeps from grpc-js, byte for byte where a client can see it: response headers, trailers-only
 * errors, `grpc-message` percent-encoding (`encodeURI`), the status and text for a missing or second
 * request message, an over-size message, a compressed message without `grpc-encoding`, and an invalid
 * `grpc-timeout`. Deadlines are checked when the answer is ready (a call past its deadline is answered
 * DEADLINE_EXCEEDED and its result dropped) instead of with a timer per call: the client enforces its own
 * deadline and cancels the stream, which we honour.
 *
 * It reaches grpc-js internals (its handler table, its http2 servers, its `stream` listener and its idle
 * tracking): `direct-unary.test.ts` fails if a grpc-js upgrade moves them.
 */
import http2 from 'node:http2';
import { Metadata, type Server, type ServiceError, status } from '@grpc/grpc-js';
import { AuthMemo } from '../../service/principal.ts';
import { deadlineOf } from './call-context.ts';
import { UnaryRequestBody, unaryAnswer } from './unary-request-body.ts';

/** The registered handler of one method, as grpc-js keeps it in `Server#handlers`. */
interface RegisteredHandler {
  readonly func: (call: DirectUnaryCall, callback: (error: ServiceError | null, value?: unknown) => void) => unknown;
  readonly serialize: (value: unknown) => Buffer;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly type: 'unary' | 'clientStream' | 'serverStream' | 'bidi';
  readonly path: string;
}

interface GrpcServerInternals {
  handlers?: Map<string, RegisteredHandler>;
  http2Servers?: Map<http2.Http2Server, unknown>;
  onStreamOpened?: (stream: http2.ServerHttp2Stream) => void;
}

type StreamListener = (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, flags: number) => void;

// The headers grpc-js sends before a message, and with a trailers-only answer.
const CONTENT_TYPE = 'application/grpc+proto';
const ACCEPT_ENCODING = 'identity,deflate,gzip';
const RESPONSE_HEADERS = Object.freeze({
  ':status': 200,
  'content-type': CONTENT_TYPE,
  'grpc-accept-encoding': ACCEPT_ENCODING,
  'grpc-encoding': 'identity',
});
const OK_TRAILERS = Object.freeze({ 'grpc-status': '0', 'grpc-message': 'OK' });
const RESPOND_WITH_TRAILERS = Object.freeze({ waitForTrailers: true });
const END_STREAM = Object.freeze({ endStream: true });

const EMPTY: readonly string[] = Object.freeze([]);
const MEMO = Symbol('cachette.authMemo');

/**
 * The request headers as grpc-js's `Metadata` reads them (`get(name)` → values), without copying them into
 * a `Metadata` first: handlers read one or two headers per call. `-bin` headers are base64, as in grpc-js.
 */
class HeaderMetadata {
  readonly #headers: http2.IncomingHttpHeaders;
  #full: Metadata | undefined;

  constructor(headers: http2.IncomingHttpHeaders) {
    this.#headers = headers;
  }

  /** The first value of a (non `-bin`) header, without the array `get` builds. */
  first(name: string): string | undefined {
    const value = this.#headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  get(name: string): Array<string | Buffer> {
    const value = this.#headers[name];
    if (value === undefined) return EMPTY as string[];
    if (name.endsWith('-bin')) {
      return (Array.isArray(value) ? value : value.split(',')).map((v) => Buffer.from(v.trim(), 'base64'));
    }
    return Array.isArray(value) ? value : [value];
  }

  /** The whole metadata as grpc-js would build it (for code that wants a real `Metadata`). */
  toMetadata(): Metadata {
    this.#full ??= Metadata.fromHttp2Headers(this.#headers);
    return this.#full;
  }

  getMap(): Record<string, string | Buffer> {
    return this.toMetadata().getMap();
  }
}

/** What a unary handler sees of its call: the subset of grpc-js's `ServerUnaryCall` our handlers use. */
export class DirectUnaryCall {
  request: unknown = undefined;
  readonly metadata: HeaderMetadata;
  /** True once the client cancelled (RST_STREAM) or the connection went away. */
  cancelled = false;
  readonly #stream: http2.ServerHttp2Stream;
  readonly #handler: RegisteredHandler;
  readonly #deadlineMs: number;
  readonly #body: UnaryRequestBody;
  #answered = false;
  #onCancelled: Array<() => void> | undefined;

  constructor(
    stream: http2.ServerHttp2Stream,
    headers: http2.IncomingHttpHeaders,
    handler: RegisteredHandler,
    deadlineMs: number,
    maxMessageBytes: number,
  ) {
    this.#stream = stream;
    this.metadata = new HeaderMetadata(headers);
    this.#handler = handler;
    this.#deadlineMs = deadlineMs;
    this.#body = new UnaryRequestBody(handler.path, maxMessageBytes);
  }

  /** grpc-js calls emit 'cancelled': the only event handlers listen to here (e.g. to drop a delay timer). */
  on(event: string, listener: () => void): this {
    if (event !== 'cancelled') return this;
    this.#onCancelled ??= [];
    this.#onCancelled.push(listener);
    return this;
  }

  once(event: string, listener: () => void): this {
    return this.on(event, listener);
  }

  /** The stream closed: if no answer went out, the client gave up (cancel, deadline, connection lost). */
  onClose(): void {
    if (this.#answered && !this.cancelled) return;
    this.cancelled = true;
    const listeners = this.#onCancelled;
    this.#onCancelled = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }

  /** The connection's {@link AuthMemo}: calls on one connection authenticate once per lookup period. */
  authMemo(): AuthMemo | undefined {
    const session = this.#stream.session as (http2.ServerHttp2Session & { [MEMO]?: AuthMemo }) | undefined;
    if (session === undefined) return undefined;
    let memo = session[MEMO];
    if (memo === undefined) {
      memo = new AuthMemo();
      session[MEMO] = memo;
    }
    return memo;
  }

  getPeer(): string {
    const socket = this.#stream.session?.socket;
    if (socket?.remoteAddress === undefined) return 'unknown';
    return socket.remotePort === undefined ? socket.remoteAddress : `${socket.remoteAddress}:${socket.remotePort}`;
  }

  getDeadline(): number {
    return this.#deadlineMs;
  }

  getPath(): string {
    return this.#handler.path;
  }

  /** A chunk of the request body arrived. */
  onData(chunk: Buffer): void {
    if (this.#answered) return;
    const refusal = this.#body.push(chunk);
    if (refusal !== undefined) this.#refuse(refusal.code, refusal.details);
  }

  /** Answers `code` and resets the stream, so the client stops sending what we will not read. */
  #refuse(code: status, details: string): void {
    this.fail(code, details);
    this.#stream.close(http2.constants.NGHTTP2_NO_ERROR);
  }

  /** The client half-closed: decode the one message and run the handler. */
  onEnd(): void {
    if (this.#answered) return;
    const body = this.#body.take();
    if ('code' in body) {
      this.fail(body.code, body.details);
      return;
    }
    if (body.compressed) {
      this.fail(status.INTERNAL, 'Received compressed message but "grpc-encoding" header was identity');
      return;
    }
    try {
      this.request = this.#handler.deserialize(body.message);
    } catch (e) {
      this.fail(status.INTERNAL, `Error deserializing request: ${(e as Error).message}`);
      return;
    }
    try {
      this.#handler.func(this, this.callback);
    } catch (e) {
      this.fail(status.UNKNOWN, `Server method handler threw error ${(e as Error).message}`);
    }
  }

  /** The handler's answer (grpc-js's `sendUnaryData`); an arrow so the handler may call it unbound. */
  readonly callback = (error: ServiceError | null, value?: unknown): void => {
    if (this.#answered) return;
    const answer = unaryAnswer(error, value, this.#deadlineMs, this.#handler.serialize);
    if (!Buffer.isBuffer(answer)) {
      this.fail(answer.code, answer.details, answer.metadata);
      return;
    }
    if (this.#gone()) return;
    this.#answered = true;
    const stream = this.#stream;
    stream.respond(RESPONSE_HEADERS, RESPOND_WITH_TRAILERS);
    stream.end(answer);
  };

  /** A trailers-only answer with `code` (nothing else is ever sent on this stream). */
  fail(code: status, details: string, metadata?: Metadata): void {
    if (this.#answered) return;
    this.#answered = true;
    if (this.#gone()) return;
    const headers: http2.OutgoingHttpHeaders = {
      'grpc-status': code,
      'grpc-message': encodeURI(details),
      ...RESPONSE_HEADERS,
      ...metadata?.toHttp2Headers(),
    };
    this.#stream.respond(headers, END_STREAM);
  }

  #gone(): boolean {
    if (!this.cancelled && (this.#stream.destroyed || this.#stream.closed)) this.cancelled = true;
    return this.cancelled;
  }
}

// Stream listeners shared by every call (no closures per call): the call rides on the stream.
const CALL = Symbol('cachette.directUnaryCall');
type StreamWithCall = http2.ServerHttp2Stream & { [CALL]?: DirectUnaryCall };

function onData(this: StreamWithCall, chunk: Buffer): void {
  this[CALL]?.onData(chunk);
}
function onEnd(this: StreamWithCall): void {
  this[CALL]?.onEnd();
}
function onClose(this: StreamWithCall): void {
  this[CALL]?.onClose();
}
function sendOkTrailers(this: http2.ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}
function ignore(): void {}

export interface DirectUnaryOptions {
  /** Largest request message accepted, in bytes (grpc-js's `grpc.max_receive_message_length`). */
  readonly maxReceiveMessageBytes: number;
}

/**
 * Call after binding (and after any other `stream` listener, e.g. the header-size limit, is attached):
 * unary calls of every registered service are then answered directly; grpc-js keeps the rest.
 */
export function answerUnaryDirectly(server: Server, options: DirectUnaryOptions): void {
  const internals = server as unknown as GrpcServerInternals;
  const { handlers, http2Servers } = internals;
  const onStreamOpened = internals.onStreamOpened;
  if (handlers === undefined || http2Servers === undefined || typeof onStreamOpened !== 'function') {
    throw new Error('grpc-js internals changed: handlers, http2Servers or onStreamOpened not found');
  }
  const max = options.maxReceiveMessageBytes;
  for (const http2Server of http2Servers.keys()) {
    // grpc-js attaches its listener at bind, before ours: it is the first one.
    const [grpcListener, ...others] = http2Server.listeners('stream') as StreamListener[];
    if (grpcListener === undefined) throw new Error('grpc-js internals changed: no stream listener after bind');
    http2Server.removeAllListeners('stream');
    for (const listener of others) http2Server.on('stream', listener);
    http2Server.on('stream', (stream: StreamWithCall, headers: http2.IncomingHttpHeaders, flags: number) => {
      // Before anything else: another listener (the header-size limit) may already have reset the stream,
      // whose 'error' event would otherwise be uncaught.
      stream.on('error', ignore);
      if (stream.destroyed || stream.closed) return;
      const handler = handlers.get(headers[':path'] as string);
      const contentType = headers['content-type'];
      const encoding = headers['grpc-encoding'];
      if (
        handler === undefined ||
        handler.type !== 'unary' ||
        typeof contentType !== 'string' ||
        !contentType.startsWith('application/grpc') ||
        (encoding !== undefined && encoding !== 'identity')
      ) {
        grpcListener.call(server, stream, headers, flags);
        return;
      }
      // Idle-connection tracking (grpc.max_connection_idle_ms) counts streams through this hook.
      onStreamOpened.call(server, stream);
      const timeout = headers['grpc-timeout'];
      const deadlineMs = deadlineOf(timeout === undefined ? undefined : String(timeout), Date.now());
      const call = new DirectUnaryCall(stream, headers, handler, deadlineMs ?? Number.POSITIVE_INFINITY, max);
      if (deadlineMs === undefined) {
        call.fail(status.INTERNAL, `Invalid grpc-timeout value "${headers['grpc-timeout']}"`);
        stream.resume();
        return;
      }
      stream[CALL] = call;
      stream.on('data', onData);
      stream.on('end', onEnd);
      stream.on('close', onClose);
      stream.on('wantTrailers', sendOkTrailers);
    });
  }
}
