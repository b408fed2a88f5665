/**
 * @module transports/grpc/unary-request-body
 * The one request message of a unary or server-streaming call, gathered from the stream's DATA chunks, with
 * grpc-js's verdicts (status and text, byte for byte) for what a client may send instead. Shared by both gRPC
 * servers' call objects (`h2-grpc-call.ts`, `direct-unary.ts`).
 *
 * Memory stays bounded by the one message a call may send: an over-size declared length is refused before
 * its body is buffered, and bytes beyond the first message end the call.
 */
import { type Metadata, status } from '@grpc/grpc-js';
import { dataFrame } from '../grpc-web/frames.ts';
import { FRAMED, type FramedSerializer } from './hot-codecs.ts';

/** Why the body cannot be served: a gRPC status and grpc-js's text for it. */
export interface BodyRefusal {
  readonly code: status;
  readonly details: string;
}

export class UnaryRequestBody {
  #chunks: Buffer[] = [];
  #bytes = 0;
  /** 5 + the first message's declared length, once its prefix has arrived (0 before). */
  #expected = 0;

  constructor(
    private readonly path: string,
    private readonly maxMessageBytes: number,
  ) {}

  /** Adds a chunk; a refusal ends the call (the chunks are dropped). */
  push(chunk: Buffer): BodyRefusal | undefined {
    this.#bytes += chunk.length;
    this.#chunks.push(chunk);
    if (this.#bytes < 5) return undefined;
    if (this.#expected === 0) {
      const first = this.#chunks.length === 1 ? chunk : Buffer.concat(this.#chunks);
      if (this.#chunks.length > 1) this.#chunks = [first];
      const declared = first.readUInt32BE(1);
      if (declared > this.maxMessageBytes) {
        this.clear();
        return {
          code: status.RESOURCE_EXHAUSTED,
          details: `Received message larger than max (${declared} vs ${this.maxMessageBytes})`,
        };
      }
      this.#expected = 5 + declared;
    }
    if (this.#bytes > this.#expected) {
      this.clear();
      return this.#second();
    }
    return undefined;
  }

  /**
   * At half-close: the message (its compressed flag, then its bytes), or grpc-js's refusal for none, a partial
   * one (grpc-js's decoder keeps a partial frame and never delivers it) or a second one.
   */
  take(): { compressed: boolean; message: Buffer } | BodyRefusal {
    const body = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    this.clear();
    if (body.length < 5 || body.length < 5 + body.readUInt32BE(1)) {
      return {
        code: status.UNIMPLEMENTED,
        details: `Received no request message for server streaming method ${this.path}`,
      };
    }
    if (body.length > 5 + body.readUInt32BE(1)) return this.#second();
    return { compressed: body[0] !== 0, message: body.subarray(5) };
  }

  clear(): void {
    this.#chunks = [];
  }

  #second(): BodyRefusal {
    return {
      code: status.UNIMPLEMENTED,
      details: `Received a second request message for server streaming method ${this.path}`,
    };
  }
}

/** `value` serialized with its 5-byte gRPC prefix, written in place when the serializer can (hot-codecs). */
export function framedMessage(serialize: (value: unknown) => Buffer, value: unknown): Buffer {
  const framed = (serialize as { [FRAMED]?: FramedSerializer })[FRAMED];
  return framed !== undefined ? framed(value) : dataFrame(serialize(value));
}

/** A final status as handlers give it (`callback(err)`, `call.emit('error', err)`). */
export interface StatusLike {
  readonly code?: number;
  readonly details?: string;
  readonly message?: string;
  readonly metadata?: Metadata;
}

/** The status a unary call ends with instead of its answer. */
export interface UnaryFailure {
  readonly code: number;
  readonly details: string;
  readonly metadata?: Metadata;
}

/**
 * What a unary handler's `callback(error, value)` sends, as grpc-js would: the framed answer, or the status
 * instead — the handler's error, DEADLINE_EXCEEDED when the deadline has passed, INTERNAL when the response
 * does not serialize.
 */
export function unaryAnswer(
  error: StatusLike | null | undefined,
  value: unknown,
  deadlineMs: number,
  serialize: (value: unknown) => Buffer,
): Buffer | UnaryFailure {
  if (error) {
    const failure = { code: error.code ?? status.UNKNOWN, details: error.details ?? error.message ?? '' };
    return error.metadata === undefined ? failure : { ...failure, metadata: error.metadata };
  }
  if (deadlineMs !== Number.POSITIVE_INFINITY && Date.now() >= deadlineMs) {
    return { code: status.DEADLINE_EXCEEDED, details: 'Deadline exceeded' };
  }
  try {
    return framedMessage(serialize, value);
  } catch (e) {
    return { code: status.INTERNAL, details: `Error serializing response: ${(e as Error).message}` };
  }
}
