/**
 * @module node-http-exchange
 * The {@link HttpExchange} of `@cachette/sdk/node`: `node:http`/`node:https` requests on a keep-alive agent
 * instead of the global `fetch`.
 *
 * Why: in Node.js `fetch` is undici behind the WHATWG layer — a `Request`, a `Headers`, an `AbortSignal`
 * and a web `ReadableStream` per call — and that layer, not the network, was most of the client's CPU per
 * call in the bench. `node:http` speaks the same HTTP/1.1 to the same server with a fraction of the
 * objects. Nothing changes on the wire, so every server, proxy and TLS setup that works with `fetch` works
 * here (pass `fetch` to the client to use it anyway).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type ExchangeAnswer, type ExchangeRequest, ExchangeTimeout, type HttpExchange } from './transport.ts';

/**
 * Idle connections are closed after this long — under the ~5 s keep-alive of most servers and proxies, as
 * undici does, so a request is not written on a connection the other side is closing. A server's shorter
 * `Keep-Alive: timeout=` hint wins (Node's agent reads it).
 */
const IDLE_SOCKET_MS = 4_000;

interface Origin {
  readonly request: typeof httpRequest;
  readonly agent: HttpAgent;
  readonly hostname: string;
  readonly port: number;
}

/** A keep-alive `node:http(s)` {@link HttpExchange}; its agents are its own (idle sockets do not hold the process). */
export function nodeHttpExchange(): HttpExchange {
  const httpAgent = new HttpAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
  let httpsAgent: HttpsAgent | undefined;
  // Parsed once per origin: a client talks to one origin, and URL parsing per call shows in profiles.
  const origins = new Map<string, Origin>();

  const originOf = (origin: string): Origin => {
    let found = origins.get(origin);
    if (found === undefined) {
      const url = new URL(origin);
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') throw new TypeError(`unsupported protocol ${url.protocol}`);
      if (secure) httpsAgent ??= new HttpsAgent({ keepAlive: true, timeout: IDLE_SOCKET_MS });
      found = {
        request: secure ? httpsRequest : httpRequest,
        agent: secure ? (httpsAgent as HttpsAgent) : httpAgent,
        // `[::1]` in a URL, `::1` for the socket.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      };
      origins.set(origin, found);
    }
    return found;
  };

  return (request: ExchangeRequest): Promise<ExchangeAnswer> =>
    new Promise((resolve, reject) => {
      const slash = request.url.indexOf('/', request.url.indexOf('//') + 2);
      const origin = originOf(slash < 0 ? request.url : request.url.slice(0, slash));
      const path = slash < 0 ? '/' : request.url.slice(slash);
      let settled = false;
      let timedOut = false;
      const fail = (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(
          timedOut && !(error instanceof ExchangeTimeout)
            ? new ExchangeTimeout('deadline passed', { cause: error })
            : error,
        );
      };
      const req = origin.request(
        {
          agent: origin.agent,
          hostname: origin.hostname,
          port: origin.port,
          path,
          method: request.method,
          headers: request.headers,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let length = 0;
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            length += chunk.length;
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
            const retryAfter = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
              // A plain Uint8Array view (no copy), so callers see the same type as with fetch.
              body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
            });
          });
          res.on('error', fail);
          // A connection lost in the middle of the body ends the answer without 'end'.
          res.on('close', () => {
            if (!res.complete) fail(new Error('the connection closed before the answer was complete'));
          });
        },
      );
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new ExchangeTimeout('deadline passed'));
      }, request.timeoutMs);
      req.on('error', fail);
      req.end(request.body);
    });
}
