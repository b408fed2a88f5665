/**
 * @module transports/http/routes/console
 * The web console at `/console`: static files read once at start (no file-system path is ever built from
 * a URL, so nothing outside the console can be served), plus `/console/config.json` with what the sign-up
 * form needs. The pages are locked down by a Content-Security-Policy allowing only this origin: scripts,
 * styles and API calls (`connect-src 'self'`) never leave the server, so a key typed into the console is
 * sent to this server only.
 */
import { createHash } from 'node:crypto';
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
}

/** Registers `/console` (the page), `/console/<file>` and `/console/config.json`. */
export function registerConsole(app: FastifyInstance, options: ConsoleOptions): void {
  const byPath = new Map<string, Served>();
  for (const f of options.files) {
    const etag = `"${createHash('sha256').update(f.body).digest('base64url').slice(0, 22)}"`;
    byPath.set(f.path, { contentType: f.contentType, body: f.body, etag });
  }
  const config = Buffer.from(JSON.stringify({ provider: options.provider, region: options.region }));
  byPath.set('config.json', { contentType: 'application/json', body: config, etag: '"config"' });

  const send = (reply: FastifyReply, ifNoneMatch: string | undefined, file: Served | undefined) => {
    if (file === undefined) {
      throw new CacheError(
        ErrorCode.NOT_FOUND,
        options.files.length === 0
          ? 'the console is not built: run `npm run build` (npm ci does it) and restart the server'
          : 'no such console file',
      );
    }
    reply.headers(SECURITY_HEADERS).header('etag', file.etag);
    if (ifNoneMatch === file.etag) return reply.code(304).send();
    return reply.type(file.contentType).send(file.body);
  };
  const page = async (request: { headers: { 'if-none-match'?: string } }, reply: FastifyReply) =>
    send(reply, request.headers['if-none-match'], byPath.get('index.html'));
  app.get('/console', { config: { public: true } }, page);
  app.get('/console/', { config: { public: true } }, page);
  app.get<{ Params: { '*': string } }>('/console/*', { config: { public: true } }, async (request, reply) =>
    send(reply, request.headers['if-none-match'], byPath.get(request.params['*'])),
  );
}
