/**
 * @module transports/grpc-web/grpc-web-routes
 * gRPC-Web on the HTTP port, for browsers (`@gomomento/sdk-web`): `POST /<service>/<method>` with
 * `application/grpc-web-text` (base64) or `application/grpc-web+proto` bodies, CORS preflights included.
 *
 * Every method the gRPC server registered (see {@link GrpcMethodTable}) gets a route, and the call runs the
 * very handler grpc-js runs, through the same protobuf guard and fault injection: a method added to the gRPC
 * server, unary or server-streaming, works here with no code of its own. The alternative, proxying each
 * call to our own gRPC port over a loopback HTTP/2 connection, would cost a second protobuf pass, an HTTP/2
 * session and a socket per gateway for no extra behaviour (see the README's gRPC-Web section for numbers).
 *
 * What this transport does itself: it checks a key sent in the headers before the body is read (except on
 * the key-less Ping and Health services), bounds the body (base64 inflates it by 4/3, so the route's limit is
 * the message limit scaled accordingly), decodes the one request frame strictly, and maps every failure to a
 * gRPC status in gRPC-Web form so `grpc-web` clients report it as the SDK's usual error.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { Metadata } from '@grpc/grpc-js';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator } from '../../service/principal.ts';
import type { GrpcMethodTable } from '../grpc/method-table.ts';
import { toGrpcError } from '../grpc/status.ts';
import { tokenOfRequest } from '../http/request-auth.ts';
import { decodeBase64Body, decodeRequestFrame, encodeGrpcMessage } from './frames.ts';
import { EXPOSED_HEADERS, type StatusLike, WebCall } from './web-call.ts';

export interface GrpcWebOptions {
  /** The methods the gRPC server serves; each becomes a route. */
  readonly methods: GrpcMethodTable;
  readonly auth: Authenticator;
  /** Largest request message, in bytes (the gRPC port's receive limit). */
  readonly maxMessageBytes: number;
}

const CONTENT_TYPES = [
  'application/grpc-web',
  'application/grpc-web+proto',
  'application/grpc-web-text',
  'application/grpc-web-text+proto',
];

/** Services that answer without a key, as on the gRPC port. */
const KEYLESS_SERVICES = new Set(['cache_client.Ping', 'grpc.health.v1.Health']);

/** Request headers that are HTTP's or the browser's, not gRPC metadata. */
const NOT_METADATA = new Set([
  'host',
  'connection',
  'content-type',
  'content-length',
  'accept',
  'accept-encoding',
  'accept-language',
  'origin',
  'referer',
  'user-agent',
  'cookie',
  'te',
  'transfer-encoding',
  'keep-alive',
  'pragma',
  'cache-control',
  'priority',
  'x-grpc-web',
  'x-user-agent',
  'grpc-timeout',
]);

/** CORS for gRPC-Web paths: any origin (keys travel in headers, never cookies), any requested header. */
export const grpcWebCorsOptions = {
  origin: '*',
  methods: ['POST'],
  // Reflect what the page asks for: the SDK sends authorization, cache, agent, runtime-version,
  // read-concern, x-grpc-web, x-user-agent and grpc-timeout, and middlewares may add more.
  allowedHeaders: null as unknown as string[],
  exposedHeaders: EXPOSED_HEADERS,
  maxAge: 86_400,
};

/** True when `url` (path and query) addresses a gRPC-Web method of `methods`. */
export function isGrpcWebUrl(methods: GrpcMethodTable, url: string): boolean {
  const q = url.indexOf('?');
  return methods.get(q === -1 ? url : url.slice(0, q)) !== undefined;
}

/** `grpc-timeout` (`<digits><unit>`) in ms, or `undefined` when absent or malformed. */
export function parseGrpcTimeout(value: string | string[] | undefined): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (match === null) return undefined;
  const n = Number(match[1]);
  const unitMs = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 }[match[2] as 'H'];
  return Math.max(1, Math.ceil(n * unitMs));
}

/** gRPC metadata from the request's headers (`-bin` headers base64-decoded; unusable names skipped). */
export function metadataOf(headers: FastifyRequest['headers']): Metadata {
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || NOT_METADATA.has(name) || name.startsWith('sec-') || name.startsWith(':')) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      try {
        if (name.endsWith('-bin')) metadata.add(name, Buffer.from(v, 'base64'));
        else metadata.add(name, v);
      } catch {
        // grpc-js refuses names outside [0-9a-z_.-]: no handler could read them anyway.
      }
    }
  }
  return metadata;
}

function contentTypeOf(request: FastifyRequest): { contentType: string; text: boolean } {
  const header = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = header.startsWith('application/grpc-web-text');
  return { contentType: text ? 'application/grpc-web-text' : 'application/grpc-web+proto', text };
}

function peerOf(request: FastifyRequest): string {
  const port = request.socket.remotePort ?? 0;
  return request.ip.includes(':') ? `[${request.ip}]:${port}` : `${request.ip}:${port}`;
}

/** A trailers-only answer (status in the headers, empty body) through Fastify's reply. */
function sendStatus(request: FastifyRequest, reply: FastifyReply, error: StatusLike): FastifyReply {
  const { contentType } = contentTypeOf(request);
  reply
    .code(200)
    .header('content-type', contentType)
    .header('grpc-status', String(error.code ?? 2));
  const message = error.details ?? error.message ?? '';
  if (message !== '') reply.header('grpc-message', encodeGrpcMessage(message));
  if (error.metadata !== undefined) {
    for (const [name, value] of Object.entries(error.metadata.getMap())) {
      if (typeof value === 'string') reply.header(name, encodeGrpcMessage(value));
    }
  }
  return reply.send('');
}

/** Maps anything thrown before the handler ran (hooks, body parsing, decoding) to a gRPC-Web status. */
function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof CacheError) {
    if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
    return sendStatus(request, reply, toGrpcError(error));
  }
  let mapped: CacheError;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    mapped = new CacheError(ErrorCode.LIMIT_EXCEEDED, error.message, 'request_size_limit_exceeded');
  } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    mapped = new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `gRPC-Web calls need content-type ${CONTENT_TYPES.join(' or ')}`,
    );
  } else if (error.statusCode !== undefined && error.statusCode < 500) {
    mapped = new CacheError(ErrorCode.INVALID_ARGUMENT, error.message);
  } else {
    request.log.error({ err: error, requestId: request.id }, 'unexpected error while serving a gRPC-Web call');
    return sendStatus(request, reply, toGrpcError(error));
  }
  return sendStatus(request, reply, toGrpcError(mapped));
}

/** Registers a route for every method of `options.methods` on `app`. */
export function registerGrpcWeb(app: FastifyInstance, options: GrpcWebOptions): void {
  const { methods, auth, maxMessageBytes } = options;
  // Frame header plus the message, times 4/3 for base64 (rounded up to whole groups).
  const bodyLimit = Math.ceil((maxMessageBytes + 5) / 3) * 4;
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(CONTENT_TYPES, { parseAs: 'buffer', bodyLimit }, (_request, body, done) =>
      done(null, body),
    );
    // A key in the headers is checked before the body is read, as on every HTTP route, so a wrong key costs
    // no upload. Without one the method decides: token and auth calls carry the key in their body, Ping
    // needs none, and anything else answers UNAUTHENTICATED from its handler (the body bounded as always).
    const authenticate = async (request: FastifyRequest) => {
      const token = tokenOfRequest(request);
      if (token !== undefined) await auth.authenticate(token, request.ip);
    };
    for (const path of methods.paths()) {
      const method = methods.get(path);
      // A gRPC-Web request body holds one message: client streams cannot be carried (none is in the SDK).
      if (method === undefined || method.definition.requestStream) continue;
      const service = path.slice(1, path.lastIndexOf('/'));
      scope.post(
        path,
        {
          config: { public: true },
          bodyLimit,
          errorHandler,
          ...(KEYLESS_SERVICES.has(service) ? {} : { onRequest: authenticate }),
        },
        async (request, reply) => {
          const { contentType, text } = contentTypeOf(request);
          const raw = request.body as Buffer;
          const body = text ? decodeBase64Body(raw.toString('latin1')) : raw;
          const message = decodeRequestFrame(body, maxMessageBytes);
          let decoded: unknown;
          try {
            decoded = method.definition.requestDeserialize(message);
          } catch (e) {
            throw new CacheError(ErrorCode.INVALID_ARGUMENT, `malformed ${path} request: ${(e as Error).message}`);
          }
          const timeoutMs = parseGrpcTimeout(request.headers['grpc-timeout']);
          reply.hijack();
          const headers = reply.getHeaders() as Record<string, string | number | string[]>;
          const call = new WebCall(
            { response: reply.raw, contentType, text, headers },
            method.definition,
            metadataOf(request.headers),
            peerOf(request),
            timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs,
          );
          call.request = decoded;
          call.start(method.handler, timeoutMs);
        },
      );
    }
  });
}
