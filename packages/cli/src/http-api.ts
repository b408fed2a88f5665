/**
 * @module http-api
 * A small JSON client for the server's HTTP API (signup, keys, usage): what gRPC does not carry. Errors
 * come back as {@link CacheError}s with the server's code and message; an unreachable server is
 * UNAVAILABLE naming the URL.
 */
import { CacheError, ErrorCode } from '@cachette/core';

const CODES = new Set<string>(Object.values(ErrorCode));

export interface HttpCall {
  /** Base URL, e.g. `http://127.0.0.1:8081`. */
  readonly baseUrl: string;
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly token?: string | undefined;
  readonly body?: unknown;
  /** Default 30 s. */
  readonly timeoutMs?: number;
}

/** Calls the API and returns the parsed JSON body (or `undefined` for 204). */
export async function callHttpApi<T>(call: HttpCall): Promise<T> {
  const url = new URL(call.path, call.baseUrl.endsWith('/') ? call.baseUrl : `${call.baseUrl}/`);
  let res: Response;
  try {
    res = await fetch(url, {
      method: call.method,
      headers: {
        ...(call.token ? { authorization: call.token } : {}),
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs ?? 30_000),
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
    throw new CacheError(
      ErrorCode.UNAVAILABLE,
      `cannot reach the Cachette HTTP API at ${call.baseUrl} (${cause}): is the server running? (\`cachette server start\`)`,
    );
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (res.ok) return body as T;
  const error = (body as { error?: { code?: string; message?: string; reason?: string } } | undefined)?.error;
  const code = error?.code !== undefined && CODES.has(error.code) ? (error.code as ErrorCode) : ErrorCode.INTERNAL;
  throw new CacheError(code, error?.message ?? `HTTP ${res.status} from ${url.origin}`, error?.reason);
}

/** The HTTP API base URL for a key: `--api-url`, else the key's `http_endpoint`. */
export function apiUrlFor(apiKey: string, override: string | undefined): string {
  if (override) return override;
  // Decoded here rather than with @cachette/server's helper: importing the server would load gRPC and
  // SQLite into every CLI call.
  let fromKey: unknown;
  try {
    fromKey = (JSON.parse(Buffer.from(apiKey, 'base64').toString('utf8')) as { http_endpoint?: unknown }).http_endpoint;
  } catch {
    fromKey = undefined;
  }
  if (typeof fromKey === 'string' && fromKey !== '') return fromKey;
  throw new CacheError(
    ErrorCode.INVALID_ARGUMENT,
    'this API key does not say where the HTTP API is: pass --api-url http://host:port',
  );
}
