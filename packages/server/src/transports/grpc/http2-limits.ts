/**
 * @module transports/grpc/http2-limits
 * Connection-level limits of the gRPC port that grpc-js has no option for: the header-list size, the
 * number of connections, and a deadline for each request to arrive whole (a stream opened and never
 * finished, or trickled a byte at a time, is cancelled). grpc-js 1.13 keeps its `http2.Server`s private;
 * these reach them through two internal fields, and the tests in `connection-limits.test.ts` fail if a
 * grpc-js upgrade moves them.
 */
import http2 from 'node:http2';
import type { Server } from '@grpc/grpc-js';

interface GrpcServerInternals {
  commonServerOptions?: http2.ServerOptions;
  http2Servers?: Map<http2.Http2Server, unknown>;
}

export interface Http2Limits {
  readonly maxConnections: number;
  readonly maxHeaderBytes: number;
  readonly requestTimeoutMs: number;
}

/** The size of a header list as HTTP/2 counts it: name + value + 32 octets per field. */
function headerListBytes(headers: http2.IncomingHttpHeaders): number {
  let bytes = 0;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) bytes += name.length + v.length + 32;
    else bytes += name.length + String(value).length + 32;
  }
  return bytes;
}

/** Call before binding: the header-list limit is a SETTINGS value of each new http2 server. */
export function limitHttp2Settings(server: Server, limits: Pick<Http2Limits, 'maxHeaderBytes'>): void {
  const internals = server as unknown as GrpcServerInternals;
  const options = internals.commonServerOptions;
  if (options === undefined) throw new Error('grpc-js internals changed: commonServerOptions not found');
  options.settings = { ...options.settings, maxHeaderListSize: limits.maxHeaderBytes };
}

/**
 * Call after binding: caps connections and cancels streams whose request has not fully arrived within
 * `requestTimeoutMs`. One sweep timer per server, not one timer per call. Returns a stop function.
 */
export function limitHttp2Servers(server: Server, limits: Http2Limits): () => void {
  const servers = (server as unknown as GrpcServerInternals).http2Servers;
  if (servers === undefined) throw new Error('grpc-js internals changed: http2Servers not found');
  const pending = new PendingStreams();
  for (const http2Server of servers.keys()) {
    http2Server.maxConnections = limits.maxConnections;
    http2Server.on('stream', (stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders) => {
      // Node advertises SETTINGS_MAX_HEADER_LIST_SIZE but accepts bigger header lists: enforce it here,
      // before grpc-js's handler reads the metadata (it runs on a later tick).
      if (headerListBytes(headers) > limits.maxHeaderBytes) {
        stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
        return;
      }
      pending.add(stream, Date.now() + limits.requestTimeoutMs);
      // Shared listeners (no closure per call): `this` is the stream.
      stream.on('end', untrack);
      stream.on('close', untrack);
    });
  }
  function untrack(this: http2.ServerHttp2Stream): void {
    pending.remove(this);
  }
  const sweepMs = Math.max(50, Math.min(1000, Math.floor(limits.requestTimeoutMs / 4)));
  const sweep = setInterval(() => {
    // RST_STREAM(CANCEL): the client sees CANCELLED; the connection and its other calls live on.
    for (const stream of pending.removeExpired(Date.now())) {
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_CANCEL);
    }
  }, sweepMs);
  sweep.unref();
  return () => clearInterval(sweep);
}

const AT = Symbol('pending-streams.at');
type Tracked = object & { [AT]?: number };

/**
 * Streams still receiving their request, with the time they must be complete by: two arrays, each stream
 * knowing its position (swap-remove). Why not a `Map`: one insert and one delete per call make a V8 `Map`
 * rehash into a new table every few dozen calls, and each table it leaves points to the next; after a full
 * GC under load that chain, with the streams it holds, survives every young GC (#19 notes).
 */
export class PendingStreams<T extends object = http2.ServerHttp2Stream> {
  readonly #streams: (T & Tracked)[] = [];
  readonly #deadlines: number[] = [];

  /** Streams tracked now. */
  get size(): number {
    return this.#streams.length;
  }

  add(stream: T & Tracked, deadline: number): void {
    if (stream[AT] !== undefined) return;
    stream[AT] = this.#streams.length;
    this.#streams.push(stream);
    this.#deadlines.push(deadline);
  }

  remove(stream: T & Tracked): void {
    const at = stream[AT];
    if (at === undefined) return;
    stream[AT] = undefined;
    const last = this.#streams.length - 1;
    if (at !== last) {
      const moved = this.#streams[last] as T & Tracked;
      this.#streams[at] = moved;
      this.#deadlines[at] = this.#deadlines[last] as number;
      moved[AT] = at;
    }
    this.#streams.pop();
    this.#deadlines.pop();
  }

  /** Removes and returns the streams whose deadline is at or before `now`. */
  removeExpired(now: number): T[] {
    const expired: T[] = [];
    // Backwards: a swap-remove only moves an already-visited entry into the current position.
    for (let i = this.#streams.length - 1; i >= 0; i--) {
      if ((this.#deadlines[i] as number) > now) continue;
      const stream = this.#streams[i] as T & Tracked;
      this.remove(stream);
      expired.push(stream);
    }
    return expired;
  }
}
