/**
 * @module transport
 * One call to the Cachette HTTP API: the deadline, the retry policy and the mapping of error answers to
 * {@link CachetteError}, over an {@link HttpExchange} — `fetch` here, `node:http` in `@cachette/sdk/node`.
 * Nothing here knows about caches or items.
 *
 * Connection reuse: in Node.js the global `fetch` is undici, whose default agent keeps connections alive
 * (pooled per origin, idle ones closed after ~4 s), so consecutive calls share one TCP connection as long as
 * every response body is read to the end — which {@link fetchExchange} always does. Browsers and edge
 * runtimes pool connections themselves.
 */
import { utf8 } from './bytes.ts';
import { asErrorCode, CachetteError, codeOfStatus, ErrorCode } from './errors.ts';

/** The `fetch` this SDK calls (the global one by default; inject another for proxies, tests or polyfills). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** One HTTP request as the transport hands it to an {@link HttpExchange}. */
export interface ExchangeRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array | string | undefined;
  /** Deadline of the whole exchange, answer body included. */
  readonly timeoutMs: number;
}

/** A complete HTTP answer, any status. */
export interface ExchangeAnswer {
  readonly status: number;
  readonly statusText: string;
  /** The `Retry-After` header, or `null`. */
  readonly retryAfter: string | null;
  readonly body: Uint8Array;
}

/** Raised by an {@link HttpExchange} whose deadline passed (any other rejection is a network failure). */
export class ExchangeTimeout extends Error {
  override readonly name = 'ExchangeTimeout';
}

/**
 * Performs one HTTP request/answer: `fetch` in the core ({@link fetchExchange}); `@cachette/sdk/node` has a
 * cheaper one on `node:http`. Resolves with any status; rejects with {@link ExchangeTimeout} when
 * `timeoutMs` passes, or with the network error.
 */
export type HttpExchange = (request: ExchangeRequest) => Promise<ExchangeAnswer>;

/** An {@link HttpExchange} over a `fetch` (Node, browsers, edge runtimes). */
export function fetchExchange(fetchImpl: FetchLike): HttpExchange {
  return async (request) => {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, request.timeoutMs);
    try {
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body as RequestInit['body'],
        signal: controller.signal,
      });
      // Read the whole body inside the deadline: a server that sends headers and then stalls is a timeout
      // too, and a fully read body is what lets undici hand the connection back to its pool.
      const body = new Uint8Array(await response.arrayBuffer());
      return {
        status: response.status,
        statusText: response.statusText,
        retryAfter: response.headers.get('retry-after'),
        body,
      };
    } catch (error) {
      if (timedOut) throw new ExchangeTimeout('deadline passed', { cause: error });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Settings of a {@link Transport}. */
export interface TransportOptions {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:8081`. */
  readonly baseUrl: string;
  /** Sent as the `Authorization` header. */
  readonly apiKey: string;
  /** Deadline of one attempt, covering the answer's body too. */
  readonly timeoutMs: number;
  /** Extra attempts for idempotent calls after `UNAVAILABLE` or `TIMEOUT`. */
  readonly retries: number;
  /** First backoff delay; doubles per attempt (full jitter, capped at 2 s). */
  readonly retryBaseDelayMs: number;
  readonly exchange: HttpExchange;
}

/** One call. */
export interface TransportRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path with every segment already encoded, e.g. `/cache/my-cache`. */
  readonly path: string;
  readonly query?: Record<string, string> | undefined;
  /** Raw bytes (sent as `application/octet-stream`) or a JSON-serialisable object. */
  readonly body?: Uint8Array | object | undefined;
  /**
   * Whether sending the call twice has the same effect as once. Only idempotent calls are retried: a retried
   * increment or set-if whose first attempt reached the server would apply twice or answer wrongly.
   */
  readonly idempotent: boolean;
}

/** A successful (2xx) answer with its body read. */
export interface TransportAnswer {
  readonly status: number;
  readonly body: Uint8Array;
}

const MAX_BACKOFF_MS = 2_000;

/** Sends calls to one Cachette HTTP API. */
export class Transport {
  private readonly options: TransportOptions;
  private readonly baseUrl: string;

  constructor(options: TransportOptions) {
    this.options = options;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
  }

  /**
   * Sends `request`, retrying idempotent calls on `UNAVAILABLE` and `TIMEOUT` with exponential backoff.
   * Resolves with a 2xx answer; rejects with a {@link CachetteError} otherwise.
   */
  async send(request: TransportRequest): Promise<TransportAnswer> {
    const attempts = request.idempotent ? 1 + Math.max(0, this.options.retries) : 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(request);
      } catch (error) {
        if (!(error instanceof CachetteError) || attempt >= attempts || !isTransient(error)) throw error;
        // Full jitter: clients that failed together do not come back together.
        const ceiling = Math.min(MAX_BACKOFF_MS, this.options.retryBaseDelayMs * 2 ** (attempt - 1));
        await delay(Math.random() * ceiling);
      }
    }
  }

  private async once(request: TransportRequest): Promise<TransportAnswer> {
    let url = this.baseUrl + request.path;
    if (request.query !== undefined) url += `?${new URLSearchParams(request.query).toString()}`;
    // No header at all without a key: a server started with --allow-anonymous takes that as the local account.
    const headers: Record<string, string> = this.options.apiKey === '' ? {} : { authorization: this.options.apiKey };
    let body: Uint8Array | string | undefined;
    if (request.body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      body = request.body;
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }

    let answer: ExchangeAnswer;
    try {
      answer = await this.options.exchange({
        method: request.method,
        url,
        headers,
        body,
        timeoutMs: this.options.timeoutMs,
      });
    } catch (error) {
      if (error instanceof ExchangeTimeout) {
        throw new CachetteError(
          ErrorCode.TIMEOUT,
          `no answer from ${this.baseUrl} within ${this.options.timeoutMs} ms (${request.method} ${request.path})`,
          { cause: error.cause ?? error },
        );
      }
      throw new CachetteError(ErrorCode.UNAVAILABLE, `cannot reach ${this.baseUrl}: ${describeNetworkError(error)}`, {
        cause: error,
      });
    }
    if (answer.status >= 200 && answer.status < 300) return { status: answer.status, body: answer.body };
    throw errorOfAnswer(answer);
  }
}

/** Errors worth another attempt: the server was unreachable, overloaded or slow. */
function isTransient(error: CachetteError): boolean {
  return error.code === ErrorCode.UNAVAILABLE || error.code === ErrorCode.TIMEOUT;
}

/** The error of a non-2xx answer, from its JSON error body when it has one. */
function errorOfAnswer(response: ExchangeAnswer): CachetteError {
  const body = response.body;
  const retryAfter = Number(response.retryAfter ?? Number.NaN);
  const details = {
    httpStatus: response.status,
    retryAfterSeconds: Number.isFinite(retryAfter) ? retryAfter : undefined,
  };
  try {
    const parsed = JSON.parse(utf8(body)) as { error?: { code?: unknown; message?: unknown; reason?: unknown } };
    const code = asErrorCode(parsed.error?.code);
    if (code !== undefined) {
      const message = typeof parsed.error?.message === 'string' ? parsed.error.message : code;
      const reason = typeof parsed.error?.reason === 'string' ? parsed.error.reason : undefined;
      return new CachetteError(code, message, { ...details, reason });
    }
  } catch {
    // Not our JSON (a proxy's HTML page, an empty body): fall back to the status code below.
  }
  return new CachetteError(
    codeOfStatus(response.status),
    `HTTP ${response.status} ${response.statusText}`.trim(),
    details,
  );
}

/** The most useful line of a network failure: undici hides the system error (ECONNREFUSED…) in `cause`. */
function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('E')) return code;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
