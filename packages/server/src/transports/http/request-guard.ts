/**
 * @module transports/http/request-guard
 * What happens to an HTTP request after its key was checked (`request-auth.ts`, an `onRequest` hook) and
 * before its body is read (`preParsing`): the body's bytes are reserved from a global and a per-client
 * in-flight budget. A client without a valid key never gets this far, and no client (or set of clients) can
 * hold more than its share of memory in half-received bodies.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface RequestGuardOptions {
  /** Largest body of one request (reserved in full for a chunked body of unknown length). */
  readonly bodyLimitBytes: number;
  readonly maxInFlightBodyBytes: number;
  readonly maxInFlightBodyBytesPerClient: number;
}

/** Idle clients (nothing in flight) kept in the per-client map before they are dropped in one sweep. */
const MAX_IDLE_CLIENTS = 4096;

/** Bytes of request bodies being received, in total and per client address. */
export class InFlightBodies {
  private total = 0;
  /**
   * client → bytes in flight. A client whose last body completed stays at 0 until a sweep drops the idle
   * ones together. Why: deleting it at once means an insert and a delete per request, and a V8 `Map` under
   * that churn rehashes into a new table every few requests; each table it leaves points to the next, so
   * once a full GC has moved one to the old generation the whole chain survives young GCs (#19 notes).
   */
  private readonly perClient = new Map<string, number>();
  private idle = 0;
  constructor(
    private readonly maxTotal: number,
    private readonly maxPerClient: number,
  ) {}

  /** Reserves `bytes` for `client`; false when either budget would be exceeded. */
  reserve(client: string, bytes: number): boolean {
    const mine = this.perClient.get(client);
    const held = mine ?? 0;
    if (this.total + bytes > this.maxTotal || held + bytes > this.maxPerClient) return false;
    this.total += bytes;
    if (mine === 0) this.idle--;
    this.perClient.set(client, held + bytes);
    return true;
  }

  /** Gives back what `reserve` took for `client` (never more than it holds). */
  release(client: string, bytes: number): void {
    const mine = this.perClient.get(client);
    if (mine === undefined || mine === 0) return;
    const freed = Math.min(mine, bytes);
    this.total -= freed;
    const left = mine - freed;
    this.perClient.set(client, left);
    if (left === 0 && ++this.idle > MAX_IDLE_CLIENTS) this.dropIdle();
  }

  /** Bytes reserved now, all clients together. */
  get bytes(): number {
    return this.total;
  }

  /** Clients in the per-client map (with bytes in flight, or idle and not yet swept). */
  get trackedClients(): number {
    return this.perClient.size;
  }

  private dropIdle(): void {
    for (const [client, held] of this.perClient) if (held === 0) this.perClient.delete(client);
    this.idle = 0;
  }
}

/** The body size a request announces: its Content-Length, or the body limit when chunked. */
function declaredBodyBytes(request: FastifyRequest, bodyLimitBytes: number): number {
  const length = request.headers['content-length'];
  if (length !== undefined) {
    const n = Number(length);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }
  return request.headers['transfer-encoding'] !== undefined ? bodyLimitBytes : 0;
}

/** Refuses `request` before its body is read, closing the connection so the body is never received. */
function refuse(reply: FastifyReply, hasBody: boolean, error: CacheError): never {
  if (hasBody) reply.header('connection', 'close');
  throw error;
}

/** Installs the guard as a `preParsing` hook (after authentication, before the body is read). */
export function registerRequestGuard(app: FastifyInstance, options: RequestGuardOptions): InFlightBodies {
  const inFlight = new InFlightBodies(options.maxInFlightBodyBytes, options.maxInFlightBodyBytesPerClient);
  app.addHook('preParsing', async (request, reply, payload) => {
    // A route may set its own limit (gRPC-Web text bodies are base64, 4/3 of the message).
    const limit = request.routeOptions.bodyLimit ?? options.bodyLimitBytes;
    const bytes = declaredBodyBytes(request, limit);
    if (bytes === 0) return payload;
    if (bytes > limit) {
      refuse(
        reply,
        true,
        new CacheError(ErrorCode.LIMIT_EXCEEDED, `request body exceeds ${limit} bytes`, 'request_size_limit_exceeded'),
      );
    }
    if (!inFlight.reserve(request.ip, bytes)) {
      refuse(
        reply,
        true,
        new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          'too many request-body bytes in flight; retry shortly',
          'request_bytes_in_flight_exceeded',
          1,
        ),
      );
    }
    // Released when the exchange ends, however it ends (answered, aborted, timed out).
    reply.raw.once('close', () => inFlight.release(request.ip, bytes));
    return payload;
  });
  return inFlight;
}
