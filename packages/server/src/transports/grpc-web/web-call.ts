/**
 * @module transports/grpc-web/web-call
 * One gRPC-Web exchange run through the gRPC server's own handler. The handler receives a call object
 * with the surface grpc-js handlers use (`metadata`, `request`, `getPeer`, `getDeadline`, `cancelled` and
 * the `cancelled` event; for server streams `write` with back-pressure and `drain`, `end`, and the
 * `error` event as the final status), and everything it answers is framed onto the HTTP/1.1 response as it
 * comes: data frames, then one trailer frame; an error before any message is a trailers-only answer
 * (status in the HTTP headers, empty body), as the gRPC-Web protocol specifies.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { type Metadata, type MethodDefinition, status, type UntypedHandleCall } from '@grpc/grpc-js';
import { dataFrame, encodeGrpcMessage, trailerFrame } from './frames.ts';

/** A final status as grpc-js handlers give it (`callback(err)`, `call.emit('error', err)`). */
export interface StatusLike {
  readonly code?: number;
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: Metadata;
}

/** Header names the answer carries besides the status, exposed to pages through CORS. */
export const EXPOSED_HEADERS = ['grpc-status', 'grpc-message', 'err', 'retry-after'];

/** The HTTP side of one exchange: where frames go and how they are encoded. */
export interface WebExchange {
  readonly response: ServerResponse;
  /** `application/grpc-web-text` (base64 body) or `application/grpc-web+proto`. */
  readonly contentType: string;
  readonly text: boolean;
  /** Headers already decided for the answer (CORS), sent with the first bytes. */
  readonly headers: Record<string, string | number | string[]>;
}

function trailersOf(error: StatusLike | null): Array<[string, string]> {
  const code = error === null ? status.OK : (error.code ?? status.UNKNOWN);
  const trailers: Array<[string, string]> = [['grpc-status', String(code)]];
  const message = error === null ? '' : (error.details ?? error.message ?? '');
  if (message !== '') trailers.push(['grpc-message', encodeGrpcMessage(message)]);
  if (error?.metadata !== undefined) {
    for (const [name, value] of Object.entries(error.metadata.getMap())) {
      if (typeof value === 'string') trailers.push([name, encodeGrpcMessage(value)]);
    }
  }
  return trailers;
}

/**
 * The call object handed to the handler. Created once per exchange; `finish` guards against a second
 * status (a handler answering after a deadline or a client gone) so the response is written exactly once.
 */
export class WebCall extends EventEmitter {
  cancelled = false;
  request: unknown;
  private headersSent = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly exchange: WebExchange,
    private readonly definition: MethodDefinition<unknown, unknown>,
    readonly metadata: Metadata,
    private readonly peer: string,
    private readonly deadline: number,
  ) {
    super();
    const { response } = exchange;
    response.on('drain', () => this.emit('drain'));
    response.once('close', () => {
      clearTimeout(this.timer);
      if (this.finished) return;
      // The page went away (navigation, abort): the handler may stop producing.
      this.finished = true;
      this.cancelled = true;
      super.emit('cancelled');
    });
  }

  getPeer(): string {
    return this.peer;
  }

  getDeadline(): number {
    return this.deadline;
  }

  getPath(): string {
    return this.definition.path;
  }

  /** Headers-before-data is implicit here: the first frame sends them. */
  sendMetadata(): void {}

  /** Server streaming: one message; false asks the handler to wait for `drain`. */
  write(message: unknown): boolean {
    if (this.finished) return true;
    return this.send(dataFrame(this.definition.responseSerialize(message)), false);
  }

  /** Server streaming: the OK status after the messages written. */
  end(): void {
    this.finish(null);
  }

  /** grpc-js semantics: an `error` event on a server call is its final (non-OK) status. */
  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'error') {
      this.finish(args[0] as StatusLike);
      return true;
    }
    return super.emit(event, ...args);
  }

  /** The unary callback: one message and OK, or the error as the status. */
  readonly callback = (error: StatusLike | null, value?: unknown): void => {
    if (error !== null && error !== undefined) {
      this.finish(error);
      return;
    }
    if (this.finished) return;
    let frame: Buffer;
    try {
      frame = dataFrame(this.definition.responseSerialize(value));
    } catch {
      this.finish({ code: status.INTERNAL, details: 'could not serialise the response' });
      return;
    }
    this.finished = true;
    clearTimeout(this.timer);
    // One write for the message and its trailers.
    this.send(Buffer.concat([frame, trailerFrame(trailersOf(null))]), true);
  };

  /** Runs `handler` on this call; a deadline from `grpc-timeout` answers DEADLINE_EXCEEDED when it passes. */
  start(handler: UntypedHandleCall, timeoutMs: number | undefined): void {
    if (timeoutMs !== undefined) {
      this.timer = setTimeout(() => {
        this.finish({ code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' });
        this.cancelled = true;
        super.emit('cancelled');
      }, timeoutMs);
      this.timer.unref();
    }
    try {
      if (this.definition.responseStream) (handler as (call: unknown) => unknown)(this);
      else (handler as (call: unknown, cb: unknown) => unknown)(this, this.callback);
    } catch (e) {
      this.finish({ code: status.INTERNAL, details: (e as Error).message });
    }
  }

  /** Answers `error` (or OK for `null`) unless an answer was already given. */
  finish(error: StatusLike | null): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.timer);
    const trailers = trailersOf(error);
    if (!this.headersSent) {
      // Trailers-only: nothing was sent yet, so the status travels in the HTTP headers.
      const headers: Record<string, string | number | string[]> = { ...this.exchange.headers };
      headers['content-type'] = this.exchange.contentType;
      for (const [name, value] of trailers) headers[name] = value;
      headers['content-length'] = 0;
      this.headersSent = true;
      this.exchange.response.writeHead(200, headers);
      this.exchange.response.end();
      return;
    }
    this.send(trailerFrame(trailers), true);
  }

  private send(bytes: Buffer, last: boolean): boolean {
    const { response, text } = this.exchange;
    if (!this.headersSent) {
      this.headersSent = true;
      response.writeHead(200, { ...this.exchange.headers, 'content-type': this.exchange.contentType });
    }
    // Text mode: every chunk is its own padded base64 segment, which gRPC-Web clients decode in sequence.
    const chunk = text ? Buffer.from(bytes.toString('base64'), 'latin1') : bytes;
    if (last) {
      response.end(chunk);
      return true;
    }
    return response.write(chunk);
  }
}
