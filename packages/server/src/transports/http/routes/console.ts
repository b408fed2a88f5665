/**
 * @module transports/http/routes/console
 * The web console at `/console`: static files read once at start (no file-system path is ever built from
 * a URL, so nothing outside the console can be served), plus `/console/config.json` with what the sign-up
 * form needs. The pages are locked down by a Content-Security-Policy allowing only this origin: scripts,
 * styles and API calls (`connect-src 'self'`) never leave the server, so a key typed into the console is
 * sent to this server only. Each file is also gzipped once at start and sent so to browsers that accept it
 * (a third of the bytes), with its own ETag.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ConsoleFile } from '@cachette/console';
import { CacheError, ErrorCode } from '@cachette/core';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface ConsoleOptions {
  /** The console's files (`consoleFiles()` of `@cachette/console`); empty when it was not built. */
  readonly files: readonly ConsoleFile[];
  /** The provider and region sign-up asks for. */
  readonly provider: string;
  readonly region: string;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Revalidate every load (ETag): a rebuilt console is picked up at once, an unchanged one costs a 304.
  'cache-control': 'no-cache',
};

interface Served {
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
  /** The gzipped body and its ETag, when gzip makes it smaller. */
  readonly gzip?: { readonly body: Buffer; readonly etag: string };
}

/** True when the request's Accept-Encoding lists gzip (without `q=0`). */
function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : (header ?? '');
  return value.split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    return coding === 'gzip' && !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}

/** Registers `/console` (the page), `/console/<file>` and `/console/config.json`. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const byPath = new Map<string, Served>();
  for (const f of options.files) {
    const hash = createHash('sha256').update(f.body).digest('base64url').slice(0, 22);
    const gzipped = gzipSync(f.body, { level: 9 });
    const gzip = gzipped.length < f.body.length ? { body: gzipped, etag: `"${hash}-gz"` } : undefined;
    byPath.set(f.path, { contentType: f.contentType, body: f.body, etag: `"${hash}"`, ...(gzip ? { gzip } : {}) });
  }
  const config = Buffer.from(JSON.stringify({ provider: options.provider, region: options.region }));
  byPath.set('config.json', { contentType: 'application/json', body: config, etag: '"config"' });

  type Headers = { 'if-none-match'?: string; 'accept-encoding'?: string | string[] };
  const send = (reply: FastifyReply, headers: Headers, file: Served | undefined) => {
    if (file === undefined) {
      throw new CacheError(
        ErrorCode.NOT_FOUND,
        options.files.length === 0
          ? 'the console is not built: run `npm run build` (npm ci does it) and restart the server'
          : 'no such console file',
      );
    }
    reply.headers(SECURITY_HEADERS).header('vary', 'accept-encoding');
    const variant = file.gzip !== undefined && acceptsGzip(headers['accept-encoding']) ? file.gzip : undefined;
    reply.header('etag', variant?.etag ?? file.etag);
    if (headers['if-none-match'] === (variant?.etag ?? file.etag)) return reply.code(304).send();
    if (variant) reply.header('content-encoding', 'gzip');
    return reply.type(file.contentType).send(variant?.body ?? file.body);
  };
  const page = async (request: { headers: Headers }, reply: FastifyReply) =>
    send(reply, request.headers, byPath.get('index.html'));
  app.get('/console', { config: { public: true } }, page);
  app.get('/console/', { config: { public: true } }, page);
  app.get<{ Params: { '*': string } }>('/console/*', { config: { public: true } }, async (request, reply) =>
    send(reply, request.headers, byPath.get(request.params['*'])),
  );
}
