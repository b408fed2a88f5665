/**
 * @module api-key
 * Reading a Cachette/Momento v1 API key: base64 of JSON `{"endpoint", "api_key", "http_endpoint"?}`.
 * Cachette keys carry `http_endpoint`, the HTTP API's base URL, which is all this SDK needs.
 */
import { fromBase64, utf8 } from './bytes.ts';

/** What a v1 key says. */
export interface DecodedApiKey {
  /** `host:port` of the gRPC endpoint. */
  readonly endpoint: string;
  /** Base URL of the HTTP API, when the key carries one (Cachette keys do; Momento keys do not). */
  readonly httpEndpoint: string | undefined;
}

/** Decodes a v1 key; `undefined` when `apiKey` is not one (e.g. a bare secret). */
export function decodeApiKey(apiKey: string): DecodedApiKey | undefined {
  // base64 of a JSON object always starts with "ey" ('{"'); anything else is not a v1 key.
  if (!apiKey.startsWith('ey')) return undefined;
  try {
    const parsed: unknown = JSON.parse(utf8(fromBase64(apiKey.trim())));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { endpoint, api_key, http_endpoint } = parsed as Record<string, unknown>;
    if (typeof endpoint !== 'string' || typeof api_key !== 'string' || api_key === '') return undefined;
    return { endpoint, httpEndpoint: typeof http_endpoint === 'string' ? http_endpoint : undefined };
  } catch {
    return undefined;
  }
}
