/**
 * @module transports/http/request-auth
 * HTTP authentication, once for every route: the token as Momento's HTTP API takes it (the
 * `Authorization` header, bare or `Bearer …`, or the `token` query parameter) is resolved in an
 * `onRequest` hook, before the body is read, and the principal is attached to the request. A route opts
 * out only by declaring `config: { public: true }`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { Authenticator, Principal } from '../../service/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The authenticated caller. Set before the handler runs on every route not declared public; `null`
     * on public routes, which must not read it.
     */
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** Serve without authentication (signup, health, metrics). */
    public?: boolean;
  }
}

/** The caller's token, or `undefined`. */
export function tokenOfRequest(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header !== '') {
    return header.startsWith('Bearer ') ? header.slice(7).trim() : header.trim();
  }
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

function hasBody(request: FastifyRequest): boolean {
  const { headers } = request;
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] ?? '0') !== '0';
}

/**
 * Makes every route registered on `app` after this call authenticate first, unless it is declared
 * `config: { public: true }`. Call it before registering routes.
 */
export function authenticateRoutes(app: FastifyInstance, auth: Authenticator): void {
  app.decorateRequest('principal', null as unknown as Principal);

  // onRequest runs from the headers alone: an unauthenticated caller is refused before its body is read,
  // so nobody without a key can make the server receive or parse a large body.
  const authenticate: onRequestAsyncHookHandler = async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      // The peer address feeds the failed-authentication throttle (key guessing).
      request.principal = await auth.authenticate(tokenOfRequest(request), request.ip);
    } catch (e) {
      // The body is still unread: close the connection after the answer instead of draining it.
      if (hasBody(request)) reply.header('connection', 'close');
      throw e;
    }
  };

  app.addHook('onRoute', (route) => {
    // CORS preflights (the OPTIONS route @fastify/cors declares) never carry credentials.
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (route.config?.public === true || methods.every((m) => m === 'OPTIONS')) return;
    const existing =
      route.onRequest === undefined ? [] : Array.isArray(route.onRequest) ? route.onRequest : [route.onRequest];
    // A GET route's HEAD twin arrives here with the GET's hooks already in place.
    if (existing.includes(authenticate)) return;
    route.onRequest = [authenticate, ...existing];
  });
}
