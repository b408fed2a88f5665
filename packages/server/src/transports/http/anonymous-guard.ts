/**
 * @module transports/http/anonymous-guard
 * What `--allow-anonymous` may and may not expose over HTTP. Keyless access is for tools on the developer's
 * machine (curl, SDKs, the CLI), never for web pages: with CORS open to every origin, a page on any site
 * could otherwise drive the local account, and DNS rebinding (a hostile name resolving to 127.0.0.1) would
 * reach a loopback-only server too. In anonymous mode:
 *
 * - a request whose `Host` is neither an IP literal, `localhost`, nor one of the server's configured names
 *   is refused (403): a rebinding page always sends its own hostname;
 * - a keyless request from a web page (it carries `Origin`) is refused (403);
 * - management routes (keys, caches, usage) need a key (401), and are never served to web pages, even with
 *   a key (403; their CORS preflight is refused as well).
 *
 * The anonymous principal also cannot mint keys on any transport (see AccountsService.createKey), so a
 * keyless caller cannot leave a key behind that works once anonymous mode is off.
 */
import { isIP } from 'node:net';
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tokenOfRequest } from './request-auth.ts';

/** Routes that manage the account rather than items (keys, caches, usage). */
function isManagementRoute(url: string | undefined): boolean {
  if (url === undefined) return false;
  if (url.startsWith('/v1/api-keys') || url === '/v1/usage' || url === '/v1/plans') return true;
  return url.startsWith('/v1/caches') && !url.includes('/items/');
}

/** The hostname of a `Host` header value, lower-cased, without port or IPv6 brackets. */
function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') === -1 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

/**
 * An `onRequest` hook enforcing the anonymous-mode rules above. `serverNames` are the hostnames the server
 * is configured under (its `--host` unless a wildcard, and the hosts of its public endpoints).
 */
export function anonymousGuard(serverNames: readonly string[]) {
  const names = new Set(['localhost', ...serverNames.map((n) => hostnameOf(n))]);
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const host = hostnameOf(request.headers.host ?? '');
    const hostOk = isIP(host) !== 0 || names.has(host) || host.endsWith('.localhost');
    if (!hostOk) {
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        `Host '${host}' is not a name of this server; with --allow-anonymous only IP addresses, localhost and ` +
          'the configured host and public endpoints are served (protection against DNS rebinding)',
      );
    }
    const fromPage = request.headers.origin !== undefined;
    // A preflight is routed to the CORS plugin's catch-all OPTIONS route: classify it by its path.
    const management = isManagementRoute(
      request.method === 'OPTIONS' ? request.url.split('?')[0] : request.routeOptions.url,
    );
    if (fromPage && management) {
      // Preflights too: the browser then never sends the request itself.
      void reply.header('vary', 'origin');
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        'with --allow-anonymous, keys, caches and usage are not served to web pages; use the CLI or an SDK',
      );
    }
    if (request.method === 'OPTIONS') return; // preflights carry no key: the request that follows is checked
    if (tokenOfRequest(request) !== undefined) return;
    if (management) {
      throw new CacheError(
        ErrorCode.UNAUTHENTICATED,
        'managing keys, caches and usage needs an API key even with --allow-anonymous (the local one is in <data-dir>/dev-api-key)',
      );
    }
    if (fromPage) {
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        'anonymous access is not available to web pages (the request has an Origin); send an API key',
      );
    }
  };
}
