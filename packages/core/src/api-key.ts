/**
 * @module api-key
 * Momento's v1 API key format: base64 of JSON `{"endpoint": "<host:port>", "api_key": "<secret>"}`. The
 * official SDK decodes it, derives endpoints from `endpoint`, and sends only the secret on each call.
 * Cachette keys add `http_endpoint`, the HTTP API's base URL (Momento SDKs ignore unknown fields; the
 * Cachette CLI and SDK use it to find the HTTP API). Written with `btoa`/`atob` and `TextEncoder`, which
 * Node 20, browsers and edge runtimes all have, so the SDK can ship it.
 */

/** What a v1 key says. */
export interface DecodedApiKey {
  /** `host:port` of the gRPC endpoint (Cachette) or a cell host name (Momento cloud). */
  readonly endpoint: string;
  /** The secret the server checks. */
  readonly secret: string;
  /** Base URL of the HTTP API, when the key carries one (Cachette keys do; Momento keys do not). */
  readonly httpEndpoint?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
// Standard or URL-safe base64, padded or not; anything else is not a key.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function toBase64(text: string): string {
  // btoa takes a "binary string": one char per byte. Keys are short, so no chunking is needed.
  let binary = '';
  for (const byte of encoder.encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): string {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return decoder.decode(bytes);
}

/** Encodes a v1 key that the official SDK's `CredentialProvider.fromString` accepts. */
export function encodeApiKey(endpoint: string, secret: string, httpEndpoint?: string): string {
  const body =
    httpEndpoint === undefined
      ? { endpoint, api_key: secret }
      : { endpoint, api_key: secret, http_endpoint: httpEndpoint };
  return toBase64(JSON.stringify(body));
}

/**
 * Decodes a v1 key; `undefined` when `key` is not one (a bare secret, junk, JSON without a string
 * `endpoint` and a non-empty `api_key`). Surrounding whitespace (a pasted key) is ignored.
 */
export function decodeApiKey(key: string): DecodedApiKey | undefined {
  const text = key.trim();
  // base64 of a JSON object always starts with "ey" ('{"'): a cheap reject for pasted secrets or junk.
  if (!text.startsWith('ey') || !BASE64.test(text)) return undefined;
  try {
    const parsed: unknown = JSON.parse(fromBase64(text));
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { endpoint, api_key, http_endpoint } = parsed as Record<string, unknown>;
    if (typeof endpoint !== 'string' || typeof api_key !== 'string' || api_key === '') return undefined;
    return typeof http_endpoint === 'string'
      ? { endpoint, secret: api_key, httpEndpoint: http_endpoint }
      : { endpoint, secret: api_key };
  } catch {
    return undefined;
  }
}
