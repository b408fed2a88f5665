/**
 * @module transports/grpc/unary-request-body
 * The one request message of a unary or server-streaming call, gathered from the stream's DATA chunks, with
 * grpc-js's verdicts (status and text, byte for byte) for what a client may send instead. Shared by both gRPC
 * servers' call objects (`h2-grpc-call.ts`, `direct-unary.ts`).
 *
 * Memory stays bounded by the one message a call may send: an over-size declared length is refused before
 * its body is buffered, and bytes beyond the first message end the call.
 */
import { status } from '@grpc/grpc-js';
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
  if (framed !== undefined) return framed(value);
  const message = serialize(value);
  const frame = Buffer.allocUnsafe(5 + message.length);
  frame[0] = 0;
  frame.writeUInt32BE(message.length, 1);
  frame.set(message, 5);
  return frame;
}
