/**
 * @module fuzz/lib/canary
 * The well-behaved client: a gRPC `Get` over its own HTTP/2 connection and an HTTP `GET /cache/…` over its
 * own keep-alive socket, each of a key stored at start. Both must answer the stored value; the time until
 * both have answered is the canary latency.
 */
import http from 'node:http';
import http2 from 'node:http2';
import { varint } from './protobuf-gen.ts';

export const CANARY_KEY = 'canary';
export const CANARY_VALUE = 'still-here';

function frame(body: number[]): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, Buffer.from(body)]);
}

function bytesField(field: number, value: string): number[] {
  const b = Buffer.from(value);
  return [...varint(BigInt(field * 8 + 2)), ...varint(BigInt(b.length)), ...b];
}

/** A unary gRPC call over `session`: resolves with grpc-status and the response bytes. */
export function grpcCall(
  session: http2.ClientHttp2Session,
  path: string,
  body: number[],
  headers: Record<string, string>,
): Promise<{ status: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    const chunks: Buffer[] = [];
    let status: string | undefined;
    stream.on('response', (h) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
    });
    stream.on('trailers', (h) => {
      status = String(h['grpc-status']);
    });
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('error', reject);
    stream.on('close', () =>
      status === undefined ? reject(new Error('no grpc-status')) : resolve({ status, body: Buffer.concat(chunks) }),
    );
    stream.end(frame(body));
  });
}

export class Canary {
  private session: http2.ClientHttp2Session | undefined;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  constructor(
    private readonly grpcPort: number,
    private readonly httpPort: number,
    private readonly secret: string,
    readonly cacheName: string,
  ) {}

  private grpcSession(): http2.ClientHttp2Session {
    if (this.session === undefined || this.session.destroyed || this.session.closed) {
      this.session = http2.connect(`http://127.0.0.1:${this.grpcPort}`);
      this.session.on('error', () => undefined);
    }
    return this.session;
  }

  /** Creates the canary cache and stores the canary item. */
  async setUp(): Promise<void> {
    const s = this.grpcSession();
    const created = await grpcCall(s, '/control_client.ScsControl/CreateCache', bytesField(1, this.cacheName), {
      authorization: this.secret,
    });
    if (created.status !== '0' && created.status !== '6')
      throw new Error(`canary CreateCache: grpc-status ${created.status}`);
    const set = await grpcCall(
      s,
      '/cache_client.Scs/Set',
      [...bytesField(1, CANARY_KEY), ...bytesField(2, CANARY_VALUE), ...varint(BigInt(3 * 8)), ...varint(86_400_000n)],
      { authorization: this.secret, cache: this.cacheName },
    );
    if (set.status !== '0') throw new Error(`canary Set: grpc-status ${set.status}`);
  }

  private async grpcGet(): Promise<void> {
    const r = await grpcCall(this.grpcSession(), '/cache_client.Scs/Get', bytesField(1, CANARY_KEY), {
      authorization: this.secret,
      cache: this.cacheName,
    });
    if (r.status !== '0' || !r.body.includes(CANARY_VALUE)) throw new Error(`gRPC canary: grpc-status ${r.status}`);
  }

  private httpGet(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: this.httpPort,
          path: `/cache/${this.cacheName}?key=${CANARY_KEY}`,
          headers: { authorization: this.secret },
          agent: this.agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            res.statusCode === 200 && Buffer.concat(chunks).toString() === CANARY_VALUE
              ? resolve()
              : reject(new Error(`HTTP canary: status ${res.statusCode}`)),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
    });
  }

  /**
   * Both canaries (and the Redis one when given); resolves with the milliseconds until both answered, or rejects after `giveUpMs`
   * (a stall that long is reported as such, and the run goes on if the server recovers).
   */
  async check(giveUpMs: number, resp?: { check(): Promise<void> }): Promise<number> {
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`canary gave no answer in ${giveUpMs} ms`)), giveUpMs);
    });
    try {
      await Promise.race([Promise.all([this.grpcGet(), this.httpGet(), resp?.check()]), timeout]);
      return performance.now() - t0;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.session?.destroy();
    this.agent.destroy();
  }
}
