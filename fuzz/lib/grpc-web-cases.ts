/**
 * @module fuzz/lib/grpc-web-cases
 * Hostile gRPC-Web calls on the HTTP port, written on raw sockets: every gRPC method as
 * `application/grpc-web+proto` or `-text`, protobuf-mutated messages, hostile framing (compressed flag,
 * trailer flag, lengths past the body or huge, two frames, empty bodies), broken base64 (odd lengths,
 * padding mid-group, non-alphabet bytes, whitespace), odd `grpc-timeout`s, preflights, and bodies that are
 * announced and then never arrive.
 */
import type { GrpcMethod, RunningCase } from './grpc-cases.ts';
import { mutatedMessage, type Vocabulary } from './protobuf-gen.ts';
import type { Rng } from './rng.ts';
import { startSocketCase } from './socket-case.ts';

export interface GrpcWebTarget {
  readonly httpPort: number;
  readonly secret: string;
  readonly fuzzCache: string;
  readonly methods: readonly GrpcMethod[];
  readonly vocab: Vocabulary;
  readonly answerWaitMs: number;
  readonly openWaitMs: number;
}

function frame(flag: number, body: Uint8Array, declared = body.length): Buffer {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(declared >>> 0, 1);
  return Buffer.concat([head, body]);
}

function hostileBody(rng: Rng, message: Uint8Array): { bytes: Buffer; how: string } {
  const how = rng.chance(0.5)
    ? 'honest'
    : rng.pick(['compressed', 'trailer-flag', 'len-past', 'len-huge', 'two-frames', 'short', 'empty', 'flag-0x42']);
  switch (how) {
    case 'compressed':
      return { bytes: frame(1, message), how };
    case 'trailer-flag':
      return { bytes: frame(0x80, Buffer.from('grpc-status:0\r\n')), how };
    case 'len-past':
      return { bytes: frame(0, message, message.length + 1 + rng.int(100)), how };
    case 'len-huge':
      return { bytes: frame(0, message, rng.pick([2 ** 31, 2 ** 32 - 1, 7 * 1024 * 1024])), how };
    case 'two-frames':
      return { bytes: Buffer.concat([frame(0, message), frame(0, message)]), how };
    case 'short':
      return { bytes: frame(0, message).subarray(0, rng.int(5)), how };
    case 'empty':
      return { bytes: Buffer.alloc(0), how };
    case 'flag-0x42':
      return { bytes: frame(0x42, message), how };
    default:
      return { bytes: frame(0, message), how };
  }
}

function hostileText(rng: Rng, bytes: Buffer): { text: string; how: string } {
  const b64 = bytes.toString('base64');
  const how = rng.chance(0.6)
    ? 'b64'
    : rng.pick(['b64-odd', 'b64-mid-pad', 'b64-junk', 'b64-space', 'b64-urlsafe', 'b64-segments', 'b64-nul']);
  switch (how) {
    case 'b64-odd':
      return { text: b64.slice(0, Math.max(0, b64.length - 1 - rng.int(2))), how };
    case 'b64-mid-pad':
      return { text: `${b64.slice(0, 2)}=${b64.slice(3)}`, how };
    case 'b64-junk':
      return { text: `${b64}${rng.pick(['!!!!', 'é', '\u0000\u0000\u0000\u0000', '====', '%%%%'])}`, how };
    case 'b64-space':
      return { text: `${b64.slice(0, 4)} \r\n${b64.slice(4)}`, how };
    case 'b64-urlsafe':
      return { text: b64.replace(/\+/g, '-').replace(/\//g, '_'), how };
    case 'b64-segments': {
      const cut = 3 * rng.int(Math.max(1, Math.floor(bytes.length / 3)));
      return { text: bytes.subarray(0, cut + 1).toString('base64') + bytes.subarray(cut + 1).toString('base64'), how };
    }
    case 'b64-nul':
      return { text: '\u0000'.repeat(rng.size(100)), how };
    default:
      return { text: b64, how };
  }
}

/** Starts one hostile gRPC-Web request on its own socket. */
export function startGrpcWebCase(rng: Rng, t: GrpcWebTarget): RunningCase {
  const method = rng.pick(t.methods);
  const message =
    method.schema === undefined ? rng.bytes(rng.size(20)) : mutatedMessage(rng, method.schema, t.vocab).bytes;
  const text = rng.chance(0.6);
  const framed = hostileBody(rng, message);
  const encoded = text ? hostileText(rng, framed.bytes) : { text: '', how: 'proto' };
  const body = text ? Buffer.from(encoded.text, 'latin1') : framed.bytes;
  const preflight = rng.chance(0.08);
  const headers = [
    `Host: 127.0.0.1:${t.httpPort}`,
    'Origin: http://fuzz.example',
    `Content-Type: ${text ? 'application/grpc-web-text' : rng.pick(['application/grpc-web+proto', 'application/grpc-web', 'application/grpc-web+json', 'text/plain'])}`,
    'X-Grpc-Web: 1',
  ];
  if (rng.chance(0.9)) headers.push(`Authorization: ${rng.chance(0.9) ? t.secret : rng.pick(['', 'x', 'Bearer y'])}`);
  if (rng.chance(0.9)) headers.push(`Cache: ${rng.chance(0.9) ? t.fuzzCache : rng.pick(['', 'no-such', 'é', '%00'])}`);
  if (rng.chance(0.15))
    headers.push(`Grpc-Timeout: ${rng.pick(['1n', '0S', '1m', '99999999H', '-1m', 'abc', '1', ''])}`);
  if (rng.chance(0.05)) headers.push(`X-Bin-Bin: ${rng.pick(['!!!', 'AAAA', ''])}`, 'Bad Header-bin: x');
  const declaredMore = rng.chance(0.05);
  const head = preflight
    ? `OPTIONS ${method.path} HTTP/1.1\r\nHost: 127.0.0.1:${t.httpPort}\r\nOrigin: http://fuzz.example\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: ${rng.pick(['authorization,cache,x-grpc-web,content-type', 'x'.repeat(rng.size(3000)), ''])}\r\n\r\n`
    : `POST ${method.path} HTTP/1.1\r\n${headers.join('\r\n')}\r\nContent-Length: ${body.length + (declaredMore ? 1 + rng.int(1000) : 0)}\r\n\r\n`;
  const label = `grpc-web ${preflight ? 'OPTIONS' : 'POST'} ${method.path} ${text ? encoded.how : 'proto'} ${framed.how}${declaredMore ? ' open' : ''}`;

  let received = '';
  // The HTTP status, and the gRPC status when it travels in the headers (trailers-only answers).
  const judged = () => {
    const http = /^HTTP\/1\.1 (\d{3})/.exec(received)?.[1];
    if (http === undefined || !received.includes('\r\n\r\n')) return undefined;
    const grpc = /\r\ngrpc-status: (\d+)/i.exec(received)?.[1];
    return grpc === undefined ? `http:${http}` : `grpc-web:${grpc}`;
  };
  return startSocketCase({
    port: t.httpPort,
    label,
    waitMs: declaredMore ? t.openWaitMs : t.answerWaitMs,
    send(socket) {
      socket.write(head);
      if (!preflight) socket.write(body);
      return undefined;
    },
    received(d) {
      if (received.length < 4096) received += d.toString('latin1');
      return judged();
    },
    timedOut: () => judged() ?? (declaredMore ? 'open' : 'unanswered'),
    closed: () => judged() ?? 'closed',
  });
}
