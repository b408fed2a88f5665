/**
 * @module app/api
 * Calls to this server's HTTP API. Every URL is relative, so the key goes to the server that served the
 * console and nowhere else (the page's Content-Security-Policy allows no other destination either). Every
 * failure becomes an {@link ApiError} carrying the server's code and message, which views show as they are.
 */
import { session } from './session.ts';

/** A failed call: HTTP status, the API's error code (`NOT_FOUND`, …) and its message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: string,
    /** The API's finer reason, e.g. `item_not_found` (a miss) as opposed to an unknown cache. */
    readonly reason?: string,
  ) {
    super(message);
  }

  /** What the page shows: the message, and what to do when the status says more. */
  describe(): string {
    const wait = this.retryAfter ? ` Retry in ${this.retryAfter} s.` : '';
    if (this.status === 0) return `${this.message} Is the server running?`;
    if (this.status === 401) return `${this.message} (sign in again with a valid key)`;
    if (this.status === 403) return `${this.message} (this key lacks the rights)`;
    return `${this.message}${wait}`;
  }
}

interface Options {
  readonly method?: string;
  readonly json?: unknown;
  readonly body?: BodyInit;
  readonly key?: string;
  readonly raw?: boolean;
}

/** Sends a request; JSON answers are parsed, `raw` returns the bytes, 204 returns `undefined`. */
export async function api<T = unknown>(path: string, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = {};
  const key = options.key ?? session.key();
  if (key) headers.authorization = key;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  let response: Response;
  try {
    response = await fetch(path, { method: options.method ?? 'GET', headers, body: body ?? null });
  } catch {
    throw new ApiError(0, 'UNAVAILABLE', 'The server could not be reached.');
  }
  if (!response.ok) {
    let code = `HTTP_${response.status}`;
    let message = response.statusText || `request failed with status ${response.status}`;
    let reason: string | undefined;
    try {
      const parsed = (await response.json()) as { error?: { code?: string; message?: string; reason?: string } };
      code = parsed.error?.code ?? code;
      message = parsed.error?.message ?? message;
      reason = parsed.error?.reason;
    } catch {
      // Not JSON (a proxy's page): keep the status text.
    }
    throw new ApiError(response.status, code, message, response.headers.get('retry-after') ?? undefined, reason);
  }
  if (options.raw) return new Uint8Array(await response.arrayBuffer()) as T;
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

/** `/v1/caches/<cache>/…` with the name percent-encoded. */
export function cachePath(cache: string, rest = ''): string {
  return `/v1/caches/${encodeURIComponent(cache)}${rest}`;
}
