/**
 * @module test/support/raw-client
 * A bare grpc-js client for requests the official SDK refuses to send (malformed bytes, bad TTLs, unknown
 * methods), so the server's own checks are what get tested.
 */
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';

export interface RawResult {
  readonly code: number;
  readonly details: string;
  readonly trailers: Metadata | undefined;
  readonly response: Buffer | undefined;
}

export class RawClient {
  private readonly client: Client;
  constructor(address: string) {
    this.client = new Client(address, credentials.createInsecure(), {
      'grpc.max_send_message_length': -1,
      'grpc.max_receive_message_length': -1,
    });
  }

  /** Sends `body` as-is to `path` with the given metadata headers. */
  unary(path: string, body: Uint8Array, headers: Record<string, string>): Promise<RawResult> {
    const md = new Metadata();
    for (const [k, v] of Object.entries(headers)) md.set(k, v);
    return new Promise((resolve) => {
      this.client.makeUnaryRequest(
        path,
        (b: Uint8Array) => Buffer.from(b),
        (b: Buffer) => b,
        body,
        md,
        (err: ServiceError | null, response?: Buffer) =>
          resolve({ code: err?.code ?? 0, details: err?.details ?? '', trailers: err?.metadata, response }),
      );
    });
  }

  close(): void {
    this.client.close();
  }
}
