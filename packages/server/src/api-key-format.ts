/**
 * @module api-key-format
 * Momento's v1 API key format: base64 of JSON `{"endpoint": "<host>", "api_key": "<secret>"}`. The
 * official SDK decodes it, derives endpoints from `endpoint`, and sends only the secret on each call.
 */

/**
 * Encodes a v1 key the official SDK's `CredentialProvider.fromString` accepts. `httpEndpoint` (the HTTP
 * API's base URL) rides along as an extra field: Momento SDKs ignore unknown fields, while the Cachette CLI
 * and SDK use it to find the HTTP API.
 */
export function encodeApiKey(endpoint: string, secret: string, httpEndpoint?: string): string {
  const body =
    httpEndpoint === undefined
      ? { endpoint, api_key: secret }
      : { endpoint, api_key: secret, http_endpoint: httpEndpoint };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64');
}

/** Decodes a v1 key; `undefined` when `key` is not one (e.g. a bare secret). */
export function decodeApiKey(key: string): { endpoint: string; secret: string; httpEndpoint?: string } | undefined {
  // Cheap reject before decoding: secrets are not padded base64 JSON, which always starts with "ey".
  if (!key.startsWith('ey')) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(key, 'base64').toString('utf8'));
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
