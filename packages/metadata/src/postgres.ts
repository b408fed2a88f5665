/**
 * @module postgres
 * The shared metadata store: PostgreSQL through node-postgres, for many gateways sharing one database.
 * Same Kysely queries and migrations as SQLite; this file adds the connection pool, the schema and the
 * error wording.
 */

import { CacheError, type Clock, ErrorCode, systemClock } from '@cachette/core';
import { Kysely } from 'kysely';
import pg from 'pg';
import { KyselyMetadataStore } from './kysely-store.ts';
import { ChangeListener, changeChannel } from './postgres-changes.ts';
import { CachettePostgresDialect } from './postgres-dialect.ts';
import { postgresErrors } from './postgres-errors.ts';
import { type PostgresUserEnvironment, type ResolvedPostgresUser, resolvePostgresUser } from './postgres-user.ts';
import type { MetadataDatabase } from './schema.ts';
import type { MetadataStore } from './store.ts';

export interface PostgresMetadataOptions {
  /**
   * `postgres://user:password@host:port/database`, as libpq and node-postgres accept it (`?sslmode=…`,
   * `?options=…` included). The password never appears in an error message.
   */
  readonly url: string;
  /** Source of `createdAtMs`. Default: the system clock. */
  readonly clock?: Clock;
  /** Most connections this process opens. Default: 10. */
  readonly poolMax?: number;
  /**
   * The PostgreSQL schema holding Cachette's tables, created if missing, so one database can host several
   * deployments (or test runs) side by side. A plain identifier (letters, digits, `_`). Default: `public`.
   */
  readonly schema?: string;
  /** How long opening a connection may take before the call fails with UNAVAILABLE. Default: 5000. */
  readonly connectTimeoutMs?: number;
  /** Where a URL without a user name finds one (`PGUSER`, the OS user). Default: this process's. */
  readonly userEnvironment?: PostgresUserEnvironment;
}

/** The default {@link PostgresMetadataOptions.schema}. */
export const DEFAULT_POSTGRES_SCHEMA = 'public';

/**
 * A plain identifier only: it is spliced into `search_path` and the startup `options`, where quoting rules
 * differ; 63 bytes is PostgreSQL's identifier limit (longer names are silently truncated).
 */
const SCHEMA_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function invalid(message: string): CacheError {
  return new CacheError(ErrorCode.INVALID_ARGUMENT, message);
}

/** True when `url` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/** What the store needs from the URL: how to connect, how to name the database, what to hide. */
interface ParsedUrl {
  /** The URL for node-postgres, minus any `options` parameter (merged into {@link options} instead). */
  readonly connectionString: string;
  /** The URL's own `options` startup parameter, if any. */
  readonly options: string | undefined;
  /** `host:port/database`, for messages. */
  readonly where: string;
  /** The user connected as, and where that name came from. */
  readonly user: ResolvedPostgresUser;
  /** The password as written and decoded, to hide from messages; empty when the URL has none. */
  readonly passwords: readonly string[];
}

/** `decodeURIComponent`, keeping text with a malformed escape as written (node-postgres does the same). */
function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function parseUrl(url: string, userEnvironment: PostgresUserEnvironment | undefined): ParsedUrl {
  if (!isPostgresUrl(url)) throw invalid('the database URL must start with postgres:// or postgresql://');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the URL: it may hold a password.
    throw invalid('the database URL is not a valid URL (percent-encode special characters in the password)');
  }
  const params = parsed.searchParams;
  // libpq-style `?host=/run/postgresql` (a socket directory) stands in for an empty host part.
  const host = parsed.hostname || params.get('host') || 'localhost';
  const port = parsed.port || params.get('port') || '5432';
  const user = resolvePostgresUser(decode(parsed.username) || params.get('user') || '', userEnvironment);
  if (user === undefined) {
    throw invalid(
      `the database URL names no user, PGUSER is unset and the operating-system user (uid ${process.getuid?.() ?? '?'}) has no name: write one into the URL, e.g. postgres://USER@${host}:${port}/${decode(parsed.pathname.replace(/^\//, '')) || 'DATABASE'}`,
    );
  }
  // libpq's default database is the user's name.
  const database = decode(parsed.pathname.replace(/^\//, '')) || user.user;
  const options = params.get('options') ?? undefined;
  // node-postgres lets URL parameters override the config object, so our search_path could be lost to a
  // URL `options`: take it out of the URL and merge it ourselves.
  params.delete('options');
  // The same goes for the user: a URL without one makes node-postgres send an empty name whatever the
  // config object says, so the name is written into the URL itself.
  let rewritten = options !== undefined;
  if (user.source !== 'url') {
    parsed.username = encodeURIComponent(user.user);
    rewritten = true;
  }
  if (parsed.pathname === '' || parsed.pathname === '/') {
    parsed.pathname = `/${encodeURIComponent(database)}`;
    rewritten = true;
  }
  return {
    connectionString: rewritten ? parsed.toString() : url,
    options,
    where: `${host}:${port}/${database}`,
    user,
    passwords: [parsed.password, decode(parsed.password)].filter((p) => p.length > 0),
  };
}

/** Replaces every occurrence of each secret with `***`. */
function redactor(secrets: readonly string[]): (text: string) => string {
  if (secrets.length === 0) return (text) => text;
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

/** Errors on pooled connections are reported by the next query that uses the pool, not as events. */
function ignore(): void {}

/**
 * Opens the PostgreSQL metadata store at `options.url` and applies pending migrations (creating
 * `options.schema` if missing). Safe when several servers start at once: Kysely's migrator on PostgreSQL
 * holds a session advisory lock (`pg_advisory_lock`) while it reads the history and applies migrations in
 * one transaction, so one server migrates and the others then find nothing to do.
 *
 * The pool reconnects by itself: when PostgreSQL becomes unreachable, calls fail with UNAVAILABLE naming
 * `host:port/database` (never the password), and work again as soon as it is back.
 *
 * @throws CacheError INVALID_ARGUMENT for a malformed URL or option; UNAVAILABLE when PostgreSQL cannot
 * be reached or refuses the credentials; INTERNAL when the schema was migrated by a newer Cachette.
 */
export async function openPostgresMetadata(options: PostgresMetadataOptions): Promise<MetadataStore> {
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  if (!SCHEMA_PATTERN.test(schema)) {
    throw invalid(`schema '${schema}' must be 1 to 63 letters, digits or underscores, not starting with a digit`);
  }
  const poolMax = options.poolMax ?? 10;
  if (!Number.isSafeInteger(poolMax) || poolMax < 1) throw invalid('poolMax must be a positive integer');
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  if (!Number.isSafeInteger(connectTimeoutMs) || connectTimeoutMs < 1) {
    throw invalid('connectTimeoutMs must be a positive integer');
  }
  const url = parseUrl(options.url, options.userEnvironment);
  const database =
    schema === DEFAULT_POSTGRES_SCHEMA
      ? `postgresql database ${url.where}`
      : `postgresql database ${url.where} (schema ${schema})`;

  const pool = new pg.Pool({
    connectionString: url.connectionString,
    max: poolMax,
    connectionTimeoutMillis: connectTimeoutMs,
    // Detects a peer that vanished without closing (a dead host, a dropped NAT entry) on idle connections.
    keepAlive: true,
    application_name: 'cachette',
    // Sent in the startup packet, so every connection — including each reconnect — is in the schema before
    // its first query, with no extra round trip and no window where a query could run elsewhere. Quoted so
    // the name keeps its case, as Kysely's schema-qualified migration queries do.
    options: [url.options, `-c search_path="${schema}"`].filter((o) => o !== undefined).join(' '),
  });
  // An idle connection that dies emits 'error' on the pool, and one checked out between two queries emits
  // it on the client: unhandled, either would crash the process. The pool already discards such a
  // connection, and the next call reconnects or fails with UNAVAILABLE, so there is nothing else to do.
  pool.on('error', ignore);
  pool.on('connect', (client) => client.on('error', ignore));

  const channel = changeChannel(schema);
  const store = new KyselyMetadataStore({
    db: new Kysely<MetadataDatabase>({ dialect: new CachettePostgresDialect({ pool, schema }) }),
    database,
    errors: postgresErrors,
    clock: options.clock ?? systemClock,
    schema,
    redact: redactor(url.passwords),
    broadcast: async (change) => {
      await pool.query('select pg_notify($1, $2)', [channel, change]);
    },
  });
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw withConnectionDetails(e, url);
  }
  const listener = new ChangeListener({
    channel,
    connect: () =>
      new pg.Client({
        connectionString: url.connectionString,
        connectionTimeoutMillis: connectTimeoutMs,
        keepAlive: true,
        application_name: 'cachette-listen',
      }),
    onChange: (change) => store.emitChange(change),
  });
  await listener.ready;
  store.onClose(() => listener.close());
  return store;
}

/**
 * At start-up only (the operator reads it, API clients never do): says which user was tried and where its
 * name came from, so "password authentication failed" or "role does not exist" points at the right fix.
 */
function withConnectionDetails(error: unknown, url: ParsedUrl): unknown {
  if (!(error instanceof CacheError) || error.code !== ErrorCode.UNAVAILABLE) return error;
  const from = url.user.source === 'url' ? 'from the URL' : `the URL names none, so ${url.user.source} as libpq does`;
  const wrapped = new CacheError(
    error.code,
    `${error.message} (tried user '${url.user.user}' (${from}) at ${url.where})`,
    error.reason,
  );
  return wrapped;
}
