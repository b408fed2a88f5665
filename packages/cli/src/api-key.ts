/**
 * @module api-key
 * Decoding of Momento v1 API keys (base64 of JSON `{"endpoint", "api_key"}`), the same format as
 * `decodeApiKey` in `@cachette/server`. It is repeated here on purpose: importing `@cachette/server`
 * loads the whole server (gRPC, HTTP, SQLite), which cost every CLI run ~0.9 s, and `@cachette/sdk` will
 * reuse this package's profile code and must not depend on the server. A test pins the two together.
 */

/** A decoded v1 key. */
export interface DecodedApiKey {
  /** `host:port` (Cachette) or a cell host name (Momento cloud). */
  readonly endpoint: string;
  /** The secret the server checks. */
  readonly secret: string;
}

/** Decodes a v1 key; `undefined` when `key` is not one. */
export function decodeApiKey(key: string): DecodedApiKey | undefined {
  // Base64 of a JSON object always starts with "ey" ('{"'): a cheap reject for pasted secrets or junk.
  if (!key.startsWith('ey') || !/^[A-Za-z0-9+/=_-]+$/.test(key)) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(key, 'base64').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { endpoint, api_key } = parsed as Record<string, unknown>;
    if (typeof endpoint !== 'string' || typeof api_key !== 'string' || api_key === '') return undefined;
    return { endpoint, secret: api_key };
  } catch {
    return undefined;
  }
}
