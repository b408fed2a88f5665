/**
 * Connection-level limits on real sockets: the server answers or closes; the tests never time anything
 * (small limits make each case finish fast, the test timeout bounds a regression).
 */
import http2 from 'node:http2';
import net from 'node:net';
import { defaultConfig } from '@cachette/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot } from './support/boot.ts';

let b: Booted;
let secret: string;

beforeAll(async () => {
  b = await boot({
    connections: {
      ...defaultConfig.connections,
      maxConnections: 20,
      maxConcurrentStreams: 2,
      requestTimeoutMs: 400,
      headersTimeoutMs: 400,
      idleTimeoutMs: 1000,
      maxInFlightBodyBytesPerClient: 1000,
    },
  });
  secret = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;
});
afterAll(async () => {
  await b.stop();
});

/** Writes `head` (and `body`) on a new socket; resolves with all the server sent once it closes. */
function exchange(head: string, body = ''): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(b.server.httpPort, '127.0.0.1');
    let received = '';
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(received));
    socket.write(head + body);
  });
}

const host = () => `Host: 127.0.0.1:${b.server.httpPort}\r\n`;

describe('HTTP/1.1', () => {
  it('a body without a key is refused from the headers (401) and the connection closed before the body is read', async () => {
    const reply = await exchange(
      `PUT /cache/c?key=k&ttl_seconds=9 HTTP/1.1\r\n${host()}Content-Length: 6000000\r\n\r\n`,
      'x',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 401/);
    expect(reply.toLowerCase()).toContain('connection: close');
  });

  it('headers that never finish are answered 408 and the connection closed', async () => {
    const reply = await exchange(`GET /healthz HTTP/1.1\r\n${host()}`);
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a body that stops arriving is cut off (408) and the connection closed', async () => {
    const reply = await exchange(
      `PUT /cache/c?key=k&ttl_seconds=9 HTTP/1.1\r\n${host()}Authorization: ${secret}\r\nContent-Length: 500\r\n\r\n`,
      'x',
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  });

  it('a header block over the limit is refused with 431', async () => {
    const reply = await exchange(`GET /healthz HTTP/1.1\r\n${host()}X-Big: ${'h'.repeat(20_000)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431/);
  });

  it('bodies in flight past the per-client budget are refused with 429 while the first is still arriving', async () => {
    const first = net.connect(b.server.httpPort, '127.0.0.1');
    first.on('error', () => undefined);
    first.write(
      `PUT /cache/c?key=k&ttl_seconds=9 HTTP/1.1\r\n${host()}Authorization: ${secret}\r\nContent-Length: 800\r\n\r\nx`,
    );
    // The first request holds 800 of the 1000 bytes until it ends; wait until the server has seen it.
    await new Promise((r) => first.once('ready', r));
    let reply = '';
    for (let attempt = 0; attempt < 50 && !reply.startsWith('HTTP/1.1 429'); attempt++) {
      reply = await exchange(
        `PUT /cache/c?key=j&ttl_seconds=9 HTTP/1.1\r\n${host()}Authorization: ${secret}\r\nContent-Length: 800\r\n\r\n`,
        'y'.repeat(800),
      );
    }
    first.destroy();
    expect(reply).toMatch(/^HTTP\/1\.1 429/);
    expect(reply).toContain('request_bytes_in_flight_exceeded');
  });

  it('connections past the maximum are closed at once', async () => {
    const held: net.Socket[] = [];
    const results: Array<Promise<string>> = [];
    for (let i = 0; i < 25; i++) {
      const s = net.connect(b.server.httpPort, '127.0.0.1');
      s.on('error', () => undefined);
      // Each socket either is answered (within the limit) or is dropped by the server unanswered.
      results.push(
        new Promise<string>((resolve) => {
          s.once('close', () => resolve('closed'));
          s.once('data', (d: Buffer) => resolve(d.toString('latin1').slice(0, 12)));
        }),
      );
      // One at a time, so which ones are over the limit is deterministic.
      await new Promise((r) => s.once('connect', r));
      held.push(s);
    }
    for (const s of held) if (!s.destroyed) s.write(`GET /healthz HTTP/1.1\r\n${host()}\r\n`);
    const outcomes = await Promise.all(results);
    for (const s of held) s.destroy();
    expect(outcomes.filter((r) => r === 'closed')).toHaveLength(5);
    expect(outcomes.filter((r) => r.startsWith('HTTP/1.1 200'))).toHaveLength(20);
  });
});

describe('HTTP/2 (gRPC port)', () => {
  const connect = () => {
    const session = http2.connect(`http://${b.server.grpcAddress}`);
    session.on('error', () => undefined);
    return session;
  };

  it('advertises the concurrent-stream and header-list limits in its SETTINGS', async () => {
    const session = connect();
    await new Promise((r) => session.once('remoteSettings', r));
    expect(session.remoteSettings.maxConcurrentStreams).toBe(2);
    expect(session.remoteSettings.maxHeaderListSize).toBe(defaultConfig.connections.maxHeaderBytes);
    session.destroy();
  });

  it('a call whose request never finishes is cancelled (RST_STREAM) and the connection lives on', async () => {
    const session = connect();
    const stream = session.request({
      ':method': 'POST',
      ':path': '/cache_client.Scs/Get',
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: secret,
      cache: 'c',
    });
    stream.on('error', () => undefined);
    stream.write(Buffer.from([0, 0, 0, 0, 9, 0x0a]));
    const rst = await new Promise<number>((r) => stream.on('close', () => r(stream.rstCode)));
    expect(rst).toBe(http2.constants.NGHTTP2_CANCEL);
    expect(session.destroyed).toBe(false);
    session.destroy();
  });

  it('a connection without calls is closed after the idle timeout (GOAWAY)', async () => {
    const session = connect();
    await new Promise((r) => session.once('close', r));
    expect(session.destroyed).toBe(true);
  });

  it('metadata larger than the header-list limit is refused, and the server keeps answering', async () => {
    const session = connect();
    const stream = session.request({
      ':method': 'POST',
      ':path': '/cache_client.Scs/Get',
      'content-type': 'application/grpc',
      te: 'trailers',
      authorization: 'a'.repeat(40_000),
      cache: 'c',
    });
    stream.on('error', () => undefined);
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    const outcome = await new Promise<string>((resolve) => {
      stream.on('response', (h) => resolve(`status ${h[':status']} grpc ${h['grpc-status']}`));
      stream.on('close', () => resolve(`rst ${stream.rstCode}`));
    });
    expect(outcome).toBe(`rst ${http2.constants.NGHTTP2_ENHANCE_YOUR_CALM}`);
    session.destroy();
    const client = await b.client();
    expect((await client.listCaches()).type).toBe('Success');
  });

  // Last: the server notices the closed sessions only later, which would refuse the next test's.
  it('connections past the maximum are closed before any SETTINGS', async () => {
    const sessions: http2.ClientHttp2Session[] = [];
    const outcomes: Array<Promise<string>> = [];
    for (let i = 0; i < 25; i++) {
      const session = connect();
      outcomes.push(
        new Promise<string>((resolve) => {
          session.once('remoteSettings', () => resolve('settings'));
          session.once('close', () => resolve('closed'));
        }),
      );
      await outcomes[i];
      sessions.push(session);
    }
    const results = await Promise.all(outcomes);
    for (const s of sessions) s.destroy();
    // Sessions of earlier tests may still count on the server side: at most 20 get in, whatever they were.
    expect(results.filter((r) => r === 'settings').length).toBeLessThanOrEqual(20);
    expect(results.filter((r) => r === 'closed').length).toBeGreaterThanOrEqual(5);
  });
});

describe('HTTP/2 (gRPC port) on --grpc-server grpc-js', () => {
  let g: Booted;
  beforeAll(async () => {
    g = await boot({
      grpcServer: 'grpc-js',
      connections: { ...defaultConfig.connections, requestTimeoutMs: 400 },
    });
  });
  afterAll(async () => {
    await g.stop();
  });

  it('cancels every call whose request never finishes, answers the ones that do, and keeps the connection', async () => {
    const session = http2.connect(`http://${g.server.grpcAddress}`);
    session.on('error', () => undefined);
    const open = () => {
      const stream = session.request({
        ':method': 'POST',
        ':path': '/cache_client.Scs/Get',
        'content-type': 'application/grpc',
        te: 'trailers',
        authorization: 'not-a-key',
        cache: 'c',
      });
      stream.on('error', () => undefined);
      return stream;
    };
    // Three stalled calls (a 9-byte message announced, 1 byte sent) and, between them, two whole ones: the
    // deadlines are tracked per stream, and finished streams leave the tracking in any order.
    const stalled = [open(), open(), open()];
    for (const s of stalled) s.write(Buffer.from([0, 0, 0, 0, 9, 0x0a]));
    const whole = [open(), open()].map((s) => {
      s.end(Buffer.from([0, 0, 0, 0, 0]));
      return new Promise<string | undefined>((r) => {
        let status: string | undefined;
        s.on('trailers', (t) => {
          status = t['grpc-status'] as string;
        });
        s.on('response', (h) => {
          status ??= h['grpc-status'] as string | undefined;
        });
        s.on('close', () => r(status));
        s.resume();
      });
    });
    const codes = await Promise.all(stalled.map((s) => new Promise<number>((r) => s.on('close', () => r(s.rstCode)))));
    expect(codes).toEqual([
      http2.constants.NGHTTP2_CANCEL,
      http2.constants.NGHTTP2_CANCEL,
      http2.constants.NGHTTP2_CANCEL,
    ]);
    // The whole calls were answered (a bad key: UNAUTHENTICATED), not cancelled.
    expect(await Promise.all(whole)).toEqual(['16', '16']);
    expect(session.destroyed).toBe(false);
    session.destroy();
  });
});
