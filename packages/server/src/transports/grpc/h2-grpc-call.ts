/**
 * @module transports/grpc/h2-grpc-call
 * One gRPC call on our own HTTP/2 connection: the request read from the stream, the registered handler
 * run with a call object carrying the surface grpc-js handlers use, and the answer framed back.
 *
 * The handler sees what grpc-js would give it — `request`, `metadata` (`get`, `getMap`, plus `first` for
 * the hot path), `getPeer`, `getDeadline`, `getPath`, `cancelled` and the `cancelled` event; for server
 * streams `write` with back-pressure and `drain`, `end`, and `emit('error', e)` as the final status — and
 * the client sees what grpc-js would send, byte for byte where it can tell: response headers, trailers-only
 * errors, `grpc-message` percent-encoded, and grpc-js's status and text for a missing or second request
 * message, an over-size message, a compressed message without `grpc-encoding`, an unsupported encoding and
 * an invalid `grpc-timeout`. Unary deadlines are checked when the answer is ready (the client enforces its
 * own and cancels the stream, which we honour) instead of with a timer per call; server streams get a timer.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { Metadata, type MethodDefinition, status, type UntypedHandleCall } from '@grpc/grpc-js';
import { AuthMemo } from '../../service/principal.ts';
import type { H2Stream, H2StreamSink } from '../h2/h2-connection.ts';
import { encodeHeaderBlock } from '../h2/hpack.ts';
import { wellFormed } from './status.ts';
import { framedMessage, type StatusLike, UnaryRequestBody, unaryAnswer } from './unary-request-body.ts';

// The headers grpc-js sends before a message and with a trailers-only answer, encoded once.
const RESPONSE_FIELDS = Object.freeze([
  ':status',
  '200',
  'content-type',
  'application/grpc+proto',
  'grpc-accept-encoding',
  'identity,deflate,gzip',
  'grpc-encoding',
  'identity',
]);
export const RESPONSE_HEADERS = encodeHeaderBlock(RESPONSE_FIELDS);
export const OK_TRAILERS = encodeHeaderBlock(['grpc-status', '0', 'grpc-message', 'OK']);

const EMPTY: readonly string[] = Object.freeze([]);

/** grpc-js percent-encodes `grpc-message` with `encodeURI`; a lone surrogate would make that throw. */
function encodeMessage(details: string): string {
  return encodeURI(wellFormed(details));
}

/** A trailers-only answer (or the trailers after messages): status, message and the error's metadata. */
export function statusBlock(code: number, details: string, metadata: Metadata | undefined, withHeaders: boolean) {
  const fields: string[] = withHeaders ? [...RESPONSE_FIELDS] : [];
  fields.push('grpc-status', String(code), 'grpc-message', encodeMessage(details));
  if (metadata !== undefined) {
    for (const [name, value] of Object.entries(metadata.toHttp2Headers())) {
      if (Array.isArray(value)) for (const v of value) fields.push(name, String(v));
      else if (value !== undefined) fields.push(name, String(value));
    }
  }
  return encodeHeaderBlock(fields);
}

/**
 * The request headers as grpc-js's `Metadata` reads them, over the decoded field list (no object per
 * call): handlers read one or two headers per call. `-bin` headers are base64, as in grpc-js.
 */
export class FieldMetadata {
  readonly #fields: readonly string[];
  #full: Metadata | undefined;

  constructor(fields: readonly string[]) {
    this.#fields = fields;
  }

  /** The first value of a (non `-bin`) header, without the array `get` builds. */
  first(name: string): string | undefined {
    const fields = this.#fields;
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
    return undefined;
  }

  get(name: string): Array<string | Buffer> {
    if (name.endsWith('-bin')) return this.toMetadata().get(name);
    const fields = this.#fields;
    const values: string[] = [];
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) values.push(fields[i + 1] as string);
    return values.length === 0 ? (EMPTY as string[]) : values;
  }

  /** The whole metadata as grpc-js would build it (for code that wants a real `Metadata`). */
  toMetadata(): Metadata {
    if (this.#full === undefined) {
      const headers: Record<string, string | string[]> = {};
      const fields = this.#fields;
      for (let i = 0; i < fields.length; i += 2) {
        const name = fields[i] as string;
        if (name.startsWith(':')) continue;
        const value = fields[i + 1] as string;
        const seen = headers[name];
        if (seen === undefined) headers[name] = value;
        else if (Array.isArray(seen)) seen.push(value);
        else headers[name] = [seen, value];
      }
      this.#full = Metadata.fromHttp2Headers(headers);
    }
    return this.#full;
  }

  getMap(): Record<string, string | Buffer> {
    return this.toMetadata().getMap();
  }
}

/** What the call needs of its connection, shared by every call on it. */
export interface CallConnection {
  readonly peer: string;
  authMemo: AuthMemo | undefined;
}

type Listener = (...args: unknown[]) => void;

/** One call: the stream's sink while the request arrives, then the handler's call object. */
export class H2GrpcCall implements H2StreamSink {
  request: unknown = undefined;
  readonly metadata: FieldMetadata;
  /** True once the client cancelled (RST_STREAM), the connection went away or a stream's deadline passed. */
  cancelled = false;
  readonly #stream: H2Stream;
  readonly #definition: MethodDefinition<unknown, unknown>;
  readonly #handler: UntypedHandleCall;
  readonly #connection: CallConnection;
  readonly #deadlineMs: number;
  readonly #maxMessageBytes: number;
  /** `grpc-encoding` of the request: undefined or 'identity' for none. */
  readonly #encoding: string | undefined;
  readonly #body: UnaryRequestBody;
  #answered = false;
  #timer: NodeJS.Timeout | undefined;
  #listeners: Map<string, Listener[]> | undefined;

  constructor(
    stream: H2Stream,
    fields: readonly string[],
    definition: MethodDefinition<unknown, unknown>,
    handler: UntypedHandleCall,
    connection: CallConnection,
    deadlineMs: number,
    maxMessageBytes: number,
    encoding: string | undefined,
  ) {
    this.#stream = stream;
    this.metadata = new FieldMetadata(fields);
    this.#definition = definition;
    this.#handler = handler;
    this.#connection = connection;
    this.#deadlineMs = deadlineMs;
    this.#maxMessageBytes = maxMessageBytes;
    this.#encoding = encoding;
    this.#body = new UnaryRequestBody(definition.path, maxMessageBytes);
  }

  // ─── the surface handlers use ──────────────────────────────────────────────────────────────────────

  on(event: string, listener: Listener): this {
    this.#listeners ??= new Map();
    const list = this.#listeners.get(event);
    if (list === undefined) this.#listeners.set(event, [listener]);
    else list.push(listener);
    return this;
  }

  once(event: string, listener: Listener): this {
    const wrapped: Listener = (...args) => {
      this.removeListener(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  removeListener(event: string, listener: Listener): this {
    const list = this.#listeners?.get(event);
    if (list !== undefined) {
      const at = list.indexOf(listener);
      if (at >= 0) list.splice(at, 1);
    }
    return this;
  }

  off(event: string, listener: Listener): this {
    return this.removeListener(event, listener);
  }

  /** grpc-js semantics: an `error` event on a server call is its final (non-OK) status. */
  emit(event: string, ...args: unknown[]): boolean {
    if (event === 'error') {
      const error = (args[0] ?? {}) as StatusLike;
      this.fail(error.code ?? status.UNKNOWN, error.details ?? error.message ?? '', error.metadata);
      return true;
    }
    const list = this.#listeners?.get(event);
    if (list === undefined || list.length === 0) return false;
    for (const listener of [...list]) listener(...args);
    return true;
  }

  /** The connection's {@link AuthMemo}: calls on one connection authenticate once per lookup period. */
  authMemo(): AuthMemo {
    const connection = this.#connection;
    connection.authMemo ??= new AuthMemo();
    return connection.authMemo;
  }

  getPeer(): string {
    return this.#connection.peer;
  }

  getDeadline(): number {
    return this.#deadlineMs;
  }

  getPath(): string {
    return this.#definition.path;
  }

  /** Headers go out with the first message or the status; nothing to do ahead of them. */
  sendMetadata(): void {}

  // ─── the stream's sink ─────────────────────────────────────────────────────────────────────────────

  onData(chunk: Buffer): void {
    if (this.#answered) return;
    const refusal = this.#body.push(chunk);
    if (refusal !== undefined) this.fail(refusal.code, refusal.details);
  }

  onEnd(): void {
    if (this.#answered) return;
    const body = this.#body.take();
    if ('code' in body) {
      this.fail(body.code, body.details);
      return;
    }
    let message = body.message;
    if (body.compressed) {
      const inflated = this.#decompress(message);
      if (inflated === undefined) return;
      message = inflated;
    }
    try {
      this.request = this.#definition.requestDeserialize(message);
    } catch (e) {
      this.fail(status.INTERNAL, `Error deserializing request: ${(e as Error).message}`);
      return;
    }
    this.#run();
  }

  onReset(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    clearTimeout(this.#timer);
    this.#body.clear();
    if (this.#answered) return;
    this.#answered = true;
    this.emit('cancelled');
  }

  onDrain(): void {
    this.emit('drain');
  }

  // ─── running and answering ─────────────────────────────────────────────────────────────────────────

  /** A compressed request (`grpc-encoding` gzip or deflate), bounded by the message limit. */
  #decompress(message: Buffer): Buffer | undefined {
    const encoding = this.#encoding;
    if (encoding === undefined || encoding === 'identity') {
      this.fail(status.INTERNAL, 'Received compressed message but "grpc-encoding" header was identity');
      return undefined;
    }
    const options = { maxOutputLength: this.#maxMessageBytes };
    try {
      if (encoding === 'gzip') return gunzipSync(message, options);
      if (encoding === 'deflate') return inflateSync(message, options);
    } catch (e) {
      this.fail(status.INTERNAL, `Failed to decompress the request: ${(e as Error).message}`);
      return undefined;
    }
    this.fail(status.UNIMPLEMENTED, `Received message compressed with unsupported encoding "${encoding}"`);
    return undefined;
  }

  #run(): void {
    const definition = this.#definition;
    try {
      if (definition.responseStream) {
        if (this.#deadlineMs !== Number.POSITIVE_INFINITY) {
          this.#timer = setTimeout(() => this.#expire(), Math.max(0, this.#deadlineMs - Date.now()));
          this.#timer.unref();
        }
        (this.#handler as (call: unknown) => unknown)(this);
      } else {
        (this.#handler as (call: unknown, callback: unknown) => unknown)(this, this.callback);
      }
    } catch (e) {
      this.fail(status.UNKNOWN, `Server method handler threw error ${(e as Error).message}`);
    }
  }

  #expire(): void {
    if (this.#answered) return;
    this.fail(status.DEADLINE_EXCEEDED, 'Deadline exceeded');
    this.cancelled = true;
    this.emit('cancelled');
  }

  /** The unary answer (grpc-js's `sendUnaryData`); an arrow so the handler may call it unbound. */
  readonly callback = (error: StatusLike | null, value?: unknown): void => {
    if (this.#answered) return;
    const answer = unaryAnswer(error, value, this.#deadlineMs, this.#definition.responseSerialize);
    if (!Buffer.isBuffer(answer)) {
      this.fail(answer.code, answer.details, answer.metadata);
      return;
    }
    this.#answered = true;
    this.#stream.answer(RESPONSE_HEADERS, answer, OK_TRAILERS);
  };

  /** Server streaming: one message; false asks the handler to wait for `drain`. */
  write(message: unknown): boolean {
    if (this.#answered) return true;
    let frame: Buffer;
    try {
      frame = framedMessage(this.#definition.responseSerialize, message);
    } catch (e) {
      this.fail(status.INTERNAL, `Error serializing response: ${(e as Error).message}`);
      return true;
    }
    const stream = this.#stream;
    if (!stream.headersSent) stream.respond(RESPONSE_HEADERS);
    return stream.write(frame);
  }

  /** Server streaming: OK after the messages written. */
  end(): void {
    if (this.#answered) return;
    this.#answered = true;
    clearTimeout(this.#timer);
    const stream = this.#stream;
    if (!stream.headersSent) stream.respond(RESPONSE_HEADERS);
    stream.end(OK_TRAILERS);
  }

  /** A final status: trailers after messages, or a trailers-only answer when nothing went out. */
  fail(code: number, details: string, metadata?: Metadata): void {
    if (this.#answered) return;
    this.#answered = true;
    clearTimeout(this.#timer);
    const stream = this.#stream;
    stream.end(statusBlock(code, details, metadata, !stream.headersSent));
  }
}
