/**
 * @module fuzz/lib/http-cases
 * Hostile HTTP/1.1 requests written byte by byte on raw sockets (an HTTP client library would refuse most):
 * every route the Fastify app declares, wrong methods, malformed query strings, odd and huge headers,
 * bodies that lie about their length, bad chunked encoding, JSON that is malformed, huge or deeply nested,
 * and bodies that are declared big and then trickle or stop while the canary runs.
 */
import type { RunningCase } from './grpc-cases.ts';
import type { Rng } from './rng.ts';
import { startSocketCase } from './socket-case.ts';

export interface HttpRoute {
  readonly method: string;
  readonly url: string;
}

export interface HttpTarget {
  readonly httpPort: number;
  readonly secret: string;
  readonly fuzzCache: string;
  readonly routes: readonly HttpRoute[];
  readonly answerWaitMs: number;
  readonly openWaitMs: number;
}

const METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'FOO', 'G ET', ''];
const QUERIES = [
  'key=k',
  'key=k&ttl_seconds=10',
  'key_base64=a2V5',
  'key_base64=%%%',
  'key=%zz',
  'key=%',
  'key=k&key=j',
  'key[]=a&key[]=b',
  'key[a]=b',
  'key=k&ttl_seconds=-1',
  'key=k&ttl_seconds=1e400',
  'key=k&ttl_seconds=NaN',
  'key=k&ttl_seconds=0x10',
  'token=abc',
  '__proto__[x]=1',
  'constructor[prototype][x]=1',
  'key=%F0%9F%98%80&ttl_seconds=1',
  'key=%ED%A0%80',
  '&&&&==',
  'month=2026-13',
  'month=x',
  'limit=3',
  'limit=-1',
  'min=1&max=inf&min_exclusive=true',
  'resume=1:2',
  'resume=0:0',
  'resume=999999999999999:999999999999999',
  'resume=1:-1',
  'resume=x',
];

function fillParams(rng: Rng, url: string, cache: string): string {
  return url.replace(/:\w+/g, () =>
    rng.pick([cache, cache, 'no-such-cache', '%2e%2e', 'a'.repeat(rng.size(300)), '%00', 'é', '%', 'x%2Fy']),
  );
}

function jsonBody(rng: Rng): string {
  return rng.pick([
    '{"keys":["a","b"]}',
    '{"items":[{"key":"a","value":"b","ttl_seconds":10}]}',
    '{"amount":1,"key":"n"}',
    '{"key":"k","value":"v","condition":{"type":"absent"}}',
    '{"email":"a@b.c","provider":"local","region":"local"}',
    '{"name":"k","permissions":"all"}',
    '{"sources":[{"name":"z","weight":2},{"name_base64":"%%"}],"aggregate":"max","ttl_seconds":10}',
    '{"sources":[{"name":"z","weight":1e400}],"ttl_seconds":10}',
    '{"count":2}',
    '{"count":-1}',
    '{"start":1,"end":-1,"ttl_seconds":10}',
    '{"start":1.5,"ttl_seconds":10}',
    '{"topics":[{"cache":"*","topic":"chat-*","access":"publish"}],"topicsOnly":true}',
    '{"topics":[{"cache":"","topic":"","access":"subscribe"}]}',
    '{"__proto__":{"x":1}}',
    '{"constructor":{"prototype":{"x":1}}}',
    `${'['.repeat(rng.pick([100, 10_000, 100_000]))}`,
    `{"keys":[${'"k",'.repeat(rng.size(20_000))}"k"]}`,
    '{"amount":1e400}',
    '{"amount":"1"}',
    '{',
    'null',
    '"\\ud800"',
    '\u0000',
    `{"a":"${'x'.repeat(rng.size(100_000))}"}`,
  ]);
}

/** Starts one hostile HTTP request on its own socket. */
export function startHttpCase(rng: Rng, t: HttpTarget): RunningCase {
  const route = rng.pick(t.routes);
  const method = rng.chance(0.85) ? route.method : rng.pick(METHODS);
  let path = rng.chance(0.95)
    ? fillParams(rng, route.url, t.fuzzCache)
    : rng.pick(['/nope', '*', '//', '/v1/../metrics', 'x']);
  if (rng.chance(0.6)) path += `?${rng.pick(QUERIES)}`;
  if (rng.chance(0.05)) path += `&${'a=b&'.repeat(rng.size(5000))}`;
  const headers: string[] = [`Host: 127.0.0.1:${t.httpPort}`];
  if (rng.chance(0.8))
    headers.push(
      `Authorization: ${rng.chance(0.8) ? t.secret : rng.pick(['', 'Bearer ', 'x'.repeat(rng.size(9000)), 'Bearer wrong', `Bearer ${t.secret}`])}`,
    );
  if (rng.chance(0.5))
    headers.push(
      `Content-Type: ${rng.pick(['application/json', 'application/octet-stream', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data; boundary=x', '', 'application/x-www-form-urlencoded'])}`,
    );
  if (rng.chance(0.03)) headers.push(`X-Big: ${'h'.repeat(rng.pick([8000, 20_000, 70_000]))}`);
  if (rng.chance(0.03)) for (let i = 0; i < 200; i++) headers.push(`X-Many-${i}: v`);
  if (rng.chance(0.03)) headers.push('X-Forwarded-For: 1.2.3.4, ::1, garbage');
  if (rng.chance(0.05))
    headers.push(`Last-Event-ID: ${rng.pick(['1:1', '0:0', 'x', ':', '1:2:3', '9'.repeat(rng.size(500))])}`);
  if (rng.chance(0.05)) headers.push(`Accept-Encoding: ${rng.pick(['gzip', 'gzip;q=0', 'GZIP, br', '*', ';;,,'])}`);
  const body = Buffer.from(
    rng.chance(0.5) ? jsonBody(rng) : rng.chance(0.5) ? '' : Buffer.from(rng.bytes(rng.size(2000))).toString('latin1'),
    'latin1',
  );
  const shape = rng.chance(0.6)
    ? 'honest'
    : rng.pick([
        'chunked',
        'bad-chunked',
        'declared-more',
        'declared-huge',
        'trickle',
        'headers-only',
        'both-lengths',
        'bad-length',
        'pipelined',
      ]);
  let head: string[] = headers;
  let payload: Buffer[] = [body];
  let keepOpen = false;
  switch (shape) {
    case 'chunked':
      head = [...headers, 'Transfer-Encoding: chunked'];
      payload = [Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')];
      break;
    case 'bad-chunked':
      head = [...headers, 'Transfer-Encoding: chunked'];
      payload = [Buffer.from(rng.pick(['zz\r\n', 'ffffffffffffffff\r\nabc', '5\r\nab', '-1\r\n', '1;x=y\r\na\r\n']))];
      keepOpen = true;
      break;
    case 'declared-more':
      head = [...headers, `Content-Length: ${body.length + 1 + rng.int(1000)}`];
      keepOpen = true;
      break;
    case 'declared-huge':
      head = [...headers, `Content-Length: ${rng.pick([6 * 1024 * 1024, 2 ** 31, 2 ** 53, 10 ** 20])}`];
      payload = [body.subarray(0, 100)];
      keepOpen = true;
      break;
    case 'trickle':
      head = [...headers, `Content-Length: ${body.length + 10}`];
      payload = [body.subarray(0, 1)];
      keepOpen = true;
      break;
    case 'headers-only':
      payload = [];
      head = [...headers];
      keepOpen = true;
      break;
    case 'both-lengths':
      head = [...headers, `Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'];
      break;
    case 'bad-length':
      head = [...headers, `Content-Length: ${rng.pick(['-1', 'abc', '1, 2', '0x10', ''])}`];
      break;
    case 'pipelined':
      head = [...headers, `Content-Length: ${body.length}`];
      payload = [body, Buffer.from(`GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n`)];
      break;
    default:
      head = [...headers, `Content-Length: ${body.length}`];
  }
  const requestHead =
    shape === 'headers-only'
      ? `${method} ${path} HTTP/1.1\r\n${head.join('\r\n')}\r\n`
      : `${method} ${path} HTTP/1.1\r\n${head.join('\r\n')}\r\n\r\n`;
  const label = `http ${method} ${route.url} ${shape}${keepOpen ? ' open' : ''}`;

  let received = '';
  const status = () => /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
  return startSocketCase({
    port: t.httpPort,
    label,
    waitMs: keepOpen ? t.openWaitMs : t.answerWaitMs,
    send(socket) {
      socket.write(requestHead);
      for (const p of payload) socket.write(p);
      return undefined;
    },
    received(d) {
      if (received.length < 64) received += d.toString('latin1');
      const s = status();
      return s ? `http:${s}` : undefined;
    },
    timedOut() {
      const s = status();
      return s ? `http:${s}` : keepOpen ? 'open' : 'unanswered';
    },
    closed() {
      const s = status();
      return s ? `http:${s}` : 'closed';
    },
  });
}
