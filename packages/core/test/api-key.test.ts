/**
 * The v1 API-key codec: what the official Momento SDK reads, what Cachette's CLI and SDK read, and what is
 * not a key at all.
 */
import { CredentialProvider } from '@gomomento/sdk';
import { describe, expect, test } from 'vitest';
import { decodeApiKey, encodeApiKey } from '../src/index.ts';

describe('v1 API-key codec', () => {
  test('encode then decode round-trips endpoint, secret and the optional HTTP endpoint', () => {
    const plain = encodeApiKey('127.0.0.1:8080', 'cachette_sk_abc');
    expect(decodeApiKey(plain)).toEqual({ endpoint: '127.0.0.1:8080', secret: 'cachette_sk_abc' });
    const withHttp = encodeApiKey('cache.example.com:443', 's3cr3t', 'https://cache.example.com');
    expect(decodeApiKey(withHttp)).toEqual({
      endpoint: 'cache.example.com:443',
      secret: 's3cr3t',
      httpEndpoint: 'https://cache.example.com',
    });
  });

  test('the encoding is base64 of the JSON Momento documents, byte for byte what Buffer would produce', () => {
    const key = encodeApiKey('h:1', 'sécret✓', 'http://h:2');
    const json = JSON.stringify({ endpoint: 'h:1', api_key: 'sécret✓', http_endpoint: 'http://h:2' });
    expect(key).toBe(Buffer.from(json, 'utf8').toString('base64'));
  });

  test('the official Momento SDK accepts an encoded key and sends the secret', () => {
    const provider = CredentialProvider.fromString({ apiKey: encodeApiKey('127.0.0.1:9999', 'the-secret') });
    expect(provider.getAuthToken()).toBe('the-secret');
    expect(provider.getCacheEndpoint()).toContain('127.0.0.1:9999');
  });

  test('URL-safe and unpadded base64 and surrounding whitespace still decode', () => {
    const key = encodeApiKey('host:1', 'a?b>c~~~', 'http://h');
    const urlSafe = key.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(decodeApiKey(urlSafe)).toEqual(decodeApiKey(key));
    expect(decodeApiKey(`  ${key}\n`)).toEqual(decodeApiKey(key));
  });

  test.each([
    ['empty', ''],
    ['a bare secret', 'cachette_sk_0123456789'],
    ['base64 JSON without the key fields', Buffer.from('{"not":"key"}').toString('base64')],
    ['an empty api_key', Buffer.from('{"endpoint":"h","api_key":""}').toString('base64')],
    ['a numeric endpoint', Buffer.from('{"endpoint":1,"api_key":"x"}').toString('base64')],
    ['JSON that is not an object', Buffer.from('"ey"').toString('base64')],
    ['truncated base64', encodeApiKey('h:1', 'secret').slice(0, 10)],
    ['characters outside base64', `${encodeApiKey('h:1', 'secret')}!`],
    ['invalid UTF-8 inside', `ey${Buffer.from([0xff, 0xfe, 0xfd]).toString('base64')}`],
  ])('%s is not a key', (_what, text) => {
    expect(decodeApiKey(text)).toBeUndefined();
  });

  test('a non-string http_endpoint is ignored rather than trusted', () => {
    const key = Buffer.from('{"endpoint":"h:1","api_key":"s","http_endpoint":42}').toString('base64');
    expect(decodeApiKey(key)).toEqual({ endpoint: 'h:1', secret: 's' });
  });
});
