/**
 * gRPC-Web on the HTTP port, byte for byte: requests framed and encoded as the `grpc-web` package does
 * (messages built with `@gomomento/generated-types`), answers decoded here. Covers both content types, a
 * server-streaming method (GetBatch), control and token services, CORS preflights, and hostile bodies that
 * must get a precise status while the server keeps serving. The browser SDK itself is exercised in
 * grpc-web-browser.test.ts.
 */
import { cache, control } from '@gomomento/generated-types';
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

import pb = cache.cache_client;

interface Answer {
  readonly httpStatus: number;
  readonly headers: Headers;
  readonly messages: Buffer[];
  readonly grpcStatus: number;
  readonly grpcMessage: string;
  readonly trailers: Record<string, string>;
}

function frame(message: Uint8Array, flag = 0, declared = message.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(declared, 1);
  return Buffer.concat([head, Buffer.from(message)]);
}

/** Decodes a gRPC-Web answer: data frames, then a trailer frame, or a trailers-only answer. */
function decodeAnswer(httpStatus: number, headers: Headers, raw: Buffer, text: boolean): Answer {
  // Text bodies may be several padded base64 segments back to back: decode 4-character groups.
  let body = raw;
  if (text) {
    const s = raw.toString('latin1');
    const parts: Buffer[] = [];
    for (let i = 0; i < s.length; i += 4) parts.push(Buffer.from(s.slice(i, i + 4), 'base64'));
    body = Buffer.concat(parts);
  }
  const messages: Buffer[] = [];
  const trailers: Record<string, string> = {};
  for (let at = 0; at < body.length; ) {
    const flag = body[at] as number;
    const length = body.readUInt32BE(at + 1);
    const payload = body.subarray(at + 5, at + 5 + length);
    at += 5 + length;
    if (flag === 0) messages.push(payload);
    else {
      for (const line of payload.toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) trailers[line.slice(0, colon)] = line.slice(colon + 1);
      }
    }
  }
  const grpcStatus = Number(trailers['grpc-status'] ?? headers.get('grpc-status') ?? Number.NaN);
  const grpcMessage = decodeURIComponent(trailers['grpc-message'] ?? headers.get('grpc-message') ?? '');
  return { httpStatus, headers, messages, grpcStatus, grpcMessage, trailers };
}

let b: Booted;
let secret: string;
let name: string;

async function call(
  path: string,
  body: Uint8Array | string,
  options: { text?: boolean; headers?: Record<string, string>; raw?: boolean } = {},
): Promise<Answer> {
  const text = options.text ?? true;
  const payload =
    typeof body === 'string'
      ? body
      : options.raw
        ? Buffer.from(body)
        : text
          ? frame(body).toString('base64')
          : frame(body);
  const response = await fetch(`${b.server.httpUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': text ? 'application/grpc-web-text' : 'application/grpc-web+proto',
      'x-grpc-web': '1',
      authorization: secret,
      cache: name,
      origin: 'http://page.example',
      ...options.headers,
    },
    body: payload,
  });
  return decodeAnswer(response.status, response.headers, Buffer.from(await response.arrayBuffer()), text);
}

const setRequest = (key: string, value: string) =>
  new pb._SetRequest({ cache_key: Buffer.from(key), cache_body: Buffer.from(value), ttl_milliseconds: 60_000 });

beforeAll(async () => {
  b = await boot();
  secret = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key as string;
  name = uniqueName();
  const created = await call(
    '/control_client.ScsControl/CreateCache',
    new control.control_client._CreateCacheRequest({ cache_name: name }).serializeBinary(),
  );
  expect(created.grpcStatus).toBe(status.OK);
});
afterAll(async () => {
  await b.stop();
});

describe('gRPC-Web calls', () => {
  for (const text of [true, false]) {
    it(`Set then Get as ${text ? 'grpc-web-text' : 'grpc-web+proto'}`, async () => {
      const set = await call('/cache_client.Scs/Set', setRequest(`k-${text}`, 'v').serializeBinary(), { text });
      expect(set.httpStatus).toBe(200);
      expect(set.headers.get('content-type')).toBe(text ? 'application/grpc-web-text' : 'application/grpc-web+proto');
      expect(set.grpcStatus).toBe(status.OK);
      const get = await call(
        '/cache_client.Scs/Get',
        new pb._GetRequest({ cache_key: Buffer.from(`k-${text}`) }).serializeBinary(),
        { text },
      );
      expect(get.grpcStatus).toBe(status.OK);
      expect(get.messages).toHaveLength(1);
      const decoded = pb._GetResponse.deserializeBinary(get.messages[0] as Buffer);
      expect(decoded.result).toBe(pb.ECacheResult.Hit);
      expect(Buffer.from(decoded.cache_body).toString()).toBe('v');
      // The page may read the status headers: they are exposed through CORS.
      expect(get.headers.get('access-control-allow-origin')).toBe('*');
      expect(get.headers.get('access-control-expose-headers')).toContain('grpc-status');
      expect(get.headers.get('access-control-expose-headers')).toContain('grpc-message');
    });
  }

  it('server streaming (GetBatch) answers one data frame per item, then the trailers', async () => {
    await call('/cache_client.Scs/Set', setRequest('a', '1').serializeBinary());
    await call('/cache_client.Scs/Set', setRequest('b', '2').serializeBinary());
    const batch = new pb._GetBatchRequest({
      items: ['a', 'missing', 'b'].map((k) => new pb._GetRequest({ cache_key: Buffer.from(k) })),
    });
    const answer = await call('/cache_client.Scs/GetBatch', batch.serializeBinary());
    expect(answer.grpcStatus).toBe(status.OK);
    const results = answer.messages.map((m) => pb._GetResponse.deserializeBinary(m));
    expect(results.map((r) => r.result)).toEqual([pb.ECacheResult.Hit, pb.ECacheResult.Miss, pb.ECacheResult.Hit]);
    expect(results.map((r) => Buffer.from(r.cache_body).toString())).toEqual(['1', '', '2']);
  });

  it('errors are trailers-only answers with the Momento status and message', async () => {
    const missing = await call(
      '/cache_client.Scs/Get',
      new pb._GetRequest({ cache_key: Buffer.from('k') }).serializeBinary(),
      {
        headers: { cache: 'no-such-cache' },
      },
    );
    expect(missing.httpStatus).toBe(200);
    expect(missing.messages).toHaveLength(0);
    expect(missing.headers.get('grpc-status')).toBe(String(status.NOT_FOUND));
    expect(missing.grpcMessage).toContain('no-such-cache');

    const unauthenticated = await call('/cache_client.Scs/Get', new pb._GetRequest().serializeBinary(), {
      headers: { authorization: 'not-a-key' },
    });
    expect(unauthenticated.grpcStatus).toBe(status.UNAUTHENTICATED);
  });

  it('Ping needs no key', async () => {
    const ping = await call('/cache_client.Ping/Ping', new Uint8Array(), { headers: { authorization: '' } });
    expect(ping.grpcStatus).toBe(status.OK);
    expect(ping.messages).toHaveLength(1);
  });

  it('a CORS preflight allows the SDK headers and POST', async () => {
    const response = await fetch(`${b.server.httpUrl}/cache_client.Scs/Get`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://page.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers':
          'authorization,cache,agent,runtime-version,x-grpc-web,x-user-agent,content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('runtime-version');
    expect(response.headers.get('access-control-allow-headers')).toContain('x-grpc-web');
    // The HTTP API's own preflight is unchanged.
    const api = await fetch(`${b.server.httpUrl}/v1/caches`, {
      method: 'OPTIONS',
      headers: { origin: 'http://page.example', 'access-control-request-method': 'GET' },
    });
    expect(api.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
  });
});

describe('hostile gRPC-Web bodies get INVALID_ARGUMENT (or a limit) and the server keeps serving', () => {
  const get = new pb._GetRequest({ cache_key: Buffer.from('a') }).serializeBinary();
  const cases: Array<[string, string | Uint8Array, boolean, number, RegExp]> = [
    ['base64 of the wrong length', 'AAAAA', true, status.INVALID_ARGUMENT, /multiple of 4/],
    ['a character outside base64', 'AAAA!AAA', true, status.INVALID_ARGUMENT, /offset 4 is not base64/],
    ['padding inside a group', 'AA=A', true, status.INVALID_ARGUMENT, /padding/],
    ['a body shorter than a frame header', Buffer.from([0, 0]), false, status.INVALID_ARGUMENT, /shorter than a frame/],
    ['a compressed frame', frame(get, 1), false, status.INVALID_ARGUMENT, /compressed/],
    ['a trailer frame', frame(get, 0x80), false, status.INVALID_ARGUMENT, /no trailer/],
    ['a length past the body', frame(get, 0, get.length + 9), false, status.INVALID_ARGUMENT, /declares/],
    ['two frames', Buffer.concat([frame(get), frame(get)]), false, status.INVALID_ARGUMENT, /one message per call/],
    ['a huge declared length', frame(get, 0, 2 ** 32 - 1), false, status.RESOURCE_EXHAUSTED, /exceeds the limit/],
    [
      'protobuf the guard refuses',
      frame(Buffer.from([0x0a, 0xfa, 0xff, 0xff, 0xff, 0x0f])),
      false,
      status.INVALID_ARGUMENT,
      /malformed Get request/,
    ],
  ];
  for (const [what, body, text, code, message] of cases) {
    it(what, async () => {
      const answer = await call('/cache_client.Scs/Get', body, { text, raw: true });
      expect(answer.grpcStatus).toBe(code);
      expect(answer.grpcMessage).toMatch(message);
      const after = await call('/cache_client.Scs/Get', get);
      expect(after.grpcStatus).toBe(status.OK);
    });
  }

  it('a body over the route limit is refused before it is read', async () => {
    const limit = Math.ceil((b.server.config.limits.maxItemSizeBytes + 1024 * 1024 + 5) / 3) * 4;
    const answer = await call('/cache_client.Scs/Set', 'A'.repeat(limit + 4), { raw: true });
    expect(answer.grpcStatus).toBe(status.RESOURCE_EXHAUSTED);
  });
});

describe('gRPC-Web runs the gRPC port’s own handlers (fault injection included) and honours grpc-timeout', () => {
  let faulty: Booted;
  beforeAll(async () => {
    faulty = await boot({ enableFaultInjection: true });
  });
  afterAll(async () => {
    await faulty.stop();
  });

  const ping = (headers: Record<string, string>) =>
    fetch(`${faulty.server.httpUrl}/cache_client.Ping/Ping`, {
      method: 'POST',
      headers: { 'content-type': 'application/grpc-web+proto', ...headers },
      body: frame(new Uint8Array()),
    });

  it('momento-local fault metadata is honoured as on the gRPC port', async () => {
    const response = await ping({ 'return-error': 'unavailable' });
    expect(response.headers.get('grpc-status')).toBe(String(status.UNAVAILABLE));
    expect(response.headers.get('grpc-message')).toContain('fault injected');
  });

  it('a call still running at its grpc-timeout is answered DEADLINE_EXCEEDED', async () => {
    // The injected delay (60 s) outlasts the deadline (300 ms): the deadline answers, not the delay.
    const response = await ping({ 'delay-ms': '60000', 'grpc-timeout': '300m' });
    expect(response.headers.get('grpc-status')).toBe(String(status.DEADLINE_EXCEEDED));
  });
});
