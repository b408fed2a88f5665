/**
 * Unary calls over raw HTTP/2, so every framing case the official SDK never sends can be written: each answer
 * must be what grpc-js itself would send. Run against both gRPC servers: our own HTTP/2 (the default,
 * transports/grpc/grpc-h2-server.ts) and `--grpc-server grpc-js` with its direct unary path
 * (transports/grpc/direct-unary.ts). The official SDK's own wire suites run over the default; this file pins
 * the edges on both.
 */
import http2 from 'node:http2';
import { gzipSync } from 'node:zlib';
import { cache } from '@gomomento/generated-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot } from './support/boot.ts';

const pb = cache.cache_client;
let b: Booted;
let secret: string;
let session: http2.ClientHttp2Session;
const CACHE = 'direct-unary';

describe.each(['cachette', 'grpc-js'] as const)('--grpc-server %s', (grpcServer) => {
  beforeAll(async () => {
    b = await boot({ grpcServer });
    secret = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;
    const client = await b.client();
    await client.createCache(CACHE);
    session = http2.connect(`http://127.0.0.1:${b.server.grpcPort}`);
    session.on('error', () => undefined);
  });
  afterAll(async () => {
    session.close();
    await b.stop();
  });

  function frame(message: Uint8Array, compressed = 0, declared = message.length): Buffer {
    const out = Buffer.alloc(5 + message.length);
    out[0] = compressed;
    out.writeUInt32BE(declared, 1);
    out.set(message, 5);
    return out;
  }

  interface Answer {
    readonly headers: http2.IncomingHttpHeaders;
    readonly trailers: http2.IncomingHttpHeaders | undefined;
    readonly body: Buffer;
    /** grpc-status from the trailers, or from the headers of a trailers-only answer. */
    readonly status: string | undefined;
    readonly message: string;
  }

  /** One call on the shared connection: writes `chunks`, half-closes, collects the answer. */
  function call(path: string, chunks: readonly Buffer[], extra: http2.OutgoingHttpHeaders = {}): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const stream = session.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        authorization: secret,
        cache: CACHE,
        ...extra,
      });
      let headers: http2.IncomingHttpHeaders = {};
      let trailers: http2.IncomingHttpHeaders | undefined;
      const body: Buffer[] = [];
      stream.on('response', (h) => {
        headers = h;
      });
      stream.on('trailers', (t) => {
        trailers = t;
      });
      stream.on('data', (d: Buffer) => body.push(d));
      stream.on('error', reject);
      stream.on('close', () => {
        const source = trailers ?? headers;
        resolve({
          headers,
          trailers,
          body: Buffer.concat(body),
          status: source['grpc-status'] as string | undefined,
          message: decodeURIComponent(String(source['grpc-message'] ?? '')),
        });
      });
      for (const c of chunks) stream.write(c);
      stream.end();
    });
  }

  const setRequest = (key: string, value: string) =>
    new pb._SetRequest({
      cache_key: Buffer.from(key),
      cache_body: Buffer.from(value),
      ttl_milliseconds: 60_000,
    }).serialize();
  const getRequest = (key: string) => new pb._GetRequest({ cache_key: Buffer.from(key) }).serialize();

  describe('unary calls answered directly', () => {
    it('Set then Get answer with grpc-js headers, one framed message and OK trailers', async () => {
      const set = await call('/cache_client.Scs/Set', [frame(setRequest('k1', 'v1'))]);
      expect(set.status).toBe('0');
      expect(set.headers['content-type']).toBe('application/grpc+proto');
      const get = await call('/cache_client.Scs/Get', [frame(getRequest('k1'))]);
      expect(get.status).toBe('0');
      expect(get.trailers?.['grpc-message']).toBe('OK');
      expect(get.body.readUInt32BE(1)).toBe(get.body.length - 5);
      const response = pb._GetResponse.deserialize(get.body.subarray(5));
      expect(response.result).toBe(pb.ECacheResult.Hit);
      expect(Buffer.from(response.cache_body).toString()).toBe('v1');
    });

    it('a request split into one-byte chunks is reassembled', async () => {
      const bytes = frame(setRequest('k2', 'split value'));
      const set = await call(
        '/cache_client.Scs/Set',
        [...bytes].map((x) => Buffer.from([x])),
      );
      expect(set.status).toBe('0');
      const get = await call('/cache_client.Scs/Get', [frame(getRequest('k2'))]);
      expect(Buffer.from(pb._GetResponse.deserialize(get.body.subarray(5)).cache_body).toString()).toBe('split value');
    });

    it('no message is UNIMPLEMENTED, as in grpc-js', async () => {
      const a = await call('/cache_client.Scs/Get', []);
      expect(a.status).toBe('12');
      expect(a.message).toContain('Received no request message');
    });

    it('a partial frame at half-close counts as no message', async () => {
      const a = await call('/cache_client.Scs/Get', [frame(getRequest('k'), 0, 100)]);
      expect(a.status).toBe('12');
    });

    it('a second message is UNIMPLEMENTED and nothing is run', async () => {
      const one = frame(setRequest('k3', 'never'));
      const a = await call('/cache_client.Scs/Set', [Buffer.concat([one, one])]);
      expect(a.status).toBe('12');
      expect(a.message).toContain('second request message');
      const get = await call('/cache_client.Scs/Get', [frame(getRequest('k3'))]);
      expect(pb._GetResponse.deserialize(get.body.subarray(5)).result).toBe(pb.ECacheResult.Miss);
    });

    it('a declared length over the message limit is RESOURCE_EXHAUSTED before the body is read', async () => {
      const a = await call('/cache_client.Scs/Set', [frame(Buffer.alloc(10), 0, 2 ** 31)]);
      expect(a.status).toBe('8');
      expect(a.message).toContain('Received message larger than max');
    });

    it('a compressed message without grpc-encoding is INTERNAL, as in grpc-js', async () => {
      const a = await call('/cache_client.Scs/Get', [frame(getRequest('k'), 1)]);
      expect(a.status).toBe('13');
      expect(a.message).toContain('grpc-encoding');
    });

    it('a malformed grpc-timeout is INTERNAL, as in grpc-js', async () => {
      const a = await call('/cache_client.Scs/Get', [frame(getRequest('k'))], { 'grpc-timeout': 'soon' });
      expect(a.status).toBe('13');
      expect(a.message).toBe('Invalid grpc-timeout value "soon"');
    });

    it('a deadline already past when the answer is ready is DEADLINE_EXCEEDED', async () => {
      const a = await call('/cache_client.Scs/Get', [frame(getRequest('k'))], { 'grpc-timeout': '0n' });
      expect(a.status).toBe('4');
    });

    it('malformed protobuf is INVALID_ARGUMENT through the same guard grpc-js used', async () => {
      const a = await call('/cache_client.Scs/Get', [frame(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))]);
      expect(a.status).toBe('3');
    });

    it('a gzip-encoded request is decoded', async () => {
      const a = await call('/cache_client.Scs/Set', [frame(gzipSync(setRequest('k4', 'zipped')), 1)], {
        'grpc-encoding': 'gzip',
      });
      expect(a.status).toBe('0');
      const get = await call('/cache_client.Scs/Get', [frame(getRequest('k4'))]);
      expect(Buffer.from(pb._GetResponse.deserialize(get.body.subarray(5)).cache_body).toString()).toBe('zipped');
    });

    it('unknown methods are UNIMPLEMENTED; server-streaming methods answer', async () => {
      const unknown = await call('/cache_client.Scs/NoSuchMethod', [frame(getRequest('k'))]);
      expect(unknown.status).toBe('12');
      const batch = await call('/cache_client.Scs/GetBatch', [
        frame(new pb._GetBatchRequest({ items: [new pb._GetRequest({ cache_key: Buffer.from('k1') })] }).serialize()),
      ]);
      expect(batch.status).toBe('0');
      expect(pb._GetResponse.deserialize(batch.body.subarray(5)).result).toBe(pb.ECacheResult.Hit);
    });

    it('errors carry grpc-js’s trailers-only shape with a percent-encoded message', async () => {
      const a = await call('/cache_client.Scs/Get', [frame(getRequest('k'))], { cache: 'no such cache ü' });
      expect(a.trailers).toBeUndefined();
      expect(a.status).toBe('5');
      expect(a.message).toContain('no such cache ü');
    });
  });
});
