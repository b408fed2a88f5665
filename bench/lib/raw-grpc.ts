/**
 * @module bench/lib/raw-grpc
 * A minimal gRPC client over `node:http2` that sends pre-framed bodies: used to create the cache, to check
 * that the exact bytes given to h2load get the intended answer (h2load sees only HTTP status 200, never the
 * gRPC status), and to preload items with SetBatch. Not a load generator.
 */
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import { grpcMessages } from './wire.ts';

export interface RawReply {
  readonly grpcStatus: number;
  readonly grpcMessage: string;
  readonly messages: Buffer[];
}

export class RawGrpcClient {
  readonly #session: ClientHttp2Session;
  readonly #headers: Record<string, string>;

  /** `headers` go on every call, e.g. `{ authorization, cache }`. */
  constructor(address: string, headers: Record<string, string>) {
    this.#session = connect(`http://${address}`);
    this.#session.on('error', () => {}); // surfaced per call
    this.#headers = headers;
  }

  /** One call; resolves with the gRPC status from the trailers (or headers, for trailers-only replies). */
  call(path: string, frame: Buffer): Promise<RawReply> {
    return new Promise((resolve, reject) => {
      const stream = this.#session.request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: path,
        'content-type': 'application/grpc',
        te: 'trailers',
        ...this.#headers,
      });
      const chunks: Buffer[] = [];
      let status: string | undefined;
      let message = '';
      const take = (h: Record<string, unknown>) => {
        if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
        if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
      };
      stream.on('response', take);
      stream.on('trailers', take);
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('close', () => {
        if (status === undefined) {
          reject(new Error(`${path}: stream closed without grpc-status`));
          return;
        }
        resolve({ grpcStatus: Number(status), grpcMessage: message, messages: grpcMessages(Buffer.concat(chunks)) });
      });
      stream.end(frame);
    });
  }

  /** Like {@link call}, but rejects unless the status is OK. */
  async ok(path: string, frame: Buffer): Promise<Buffer[]> {
    const reply = await this.call(path, frame);
    if (reply.grpcStatus !== 0) throw new Error(`${path}: gRPC status ${reply.grpcStatus} ${reply.grpcMessage}`);
    return reply.messages;
  }

  close(): void {
    this.#session.close();
  }
}
