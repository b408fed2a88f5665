/**
 * Profile resolution in-process (no subprocess): precedence of flag, environment and files. The key
 * codec itself is `@cachette/core`'s, tested there.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeApiKey } from '@cachette/core';
import { describe, expect, test } from 'vitest';
import { inferTls } from '../src/client.ts';
import { loadProfile, parseTtlSeconds, resolveProfileName, validateCacheName } from '../src/index.ts';
import { tempHome } from './support/cli.ts';

const key = (secret: string) => encodeApiKey('127.0.0.1:8080', secret);

function homeWith(credentials: string, config: string): string {
  const home = tempHome();
  mkdirSync(join(home, '.cachette'));
  writeFileSync(join(home, '.cachette', 'credentials'), credentials);
  writeFileSync(join(home, '.cachette', 'config'), config);
  return home;
}

describe('profile resolution', () => {
  test('resolveProfileName(flag, env) prefers the flag, then CACHETTE_PROFILE, then default', () => {
    expect(resolveProfileName('a', { CACHETTE_PROFILE: 'b' })).toBe('a');
    expect(resolveProfileName(undefined, { CACHETTE_PROFILE: 'b' })).toBe('b');
    expect(resolveProfileName(undefined, {})).toBe('default');
    expect(() => resolveProfileName('bad name', {})).toThrow(/invalid profile name/);
  });

  test('loadProfile() reads the named tables; CACHETTE_API_KEY overrides the token', () => {
    const home = homeWith(
      `[default]\ntoken = "${key('d')}"\n[ci]\ntoken = "${key('c')}"\n`,
      '[default]\ncache = "dc"\nttl = 60\n[ci]\ncache = "cc"\n',
    );
    expect(loadProfile({ home, env: {} })).toEqual({
      name: 'default',
      apiKey: key('d'),
      apiKeySource: 'file',
      endpoint: '127.0.0.1:8080',
      cache: 'dc',
      ttlSeconds: 60,
    });
    expect(loadProfile({ home, env: { CACHETTE_PROFILE: 'ci' } })).toMatchObject({
      apiKey: key('c'),
      cache: 'cc',
      ttlSeconds: 600,
    });
    expect(loadProfile({ home, profile: 'ci', env: { CACHETTE_API_KEY: key('e') } })).toMatchObject({
      apiKey: key('e'),
      apiKeySource: 'env',
      cache: 'cc',
    });
    expect(() => loadProfile({ home, profile: 'nope', env: {} })).toThrow(
      "no API key for profile 'nope': run `cachette configure --profile nope` or set CACHETTE_API_KEY",
    );
  });

  test('loadProfile() rejects a non-string token or a bad ttl, naming the file', () => {
    const home = homeWith('[default]\ntoken = 5\n', '[default]\nttl = -1\n');
    expect(() => loadProfile({ home, env: {} })).toThrow(/credentials: \[default\] token must be a string/);
    expect(() => loadProfile({ home, env: { CACHETTE_API_KEY: key('e') } })).toThrow(
      /invalid ttl in .*config \[default\] '-1'/,
    );
  });

  test('validators: TTLs are positive whole seconds, cache names follow Momento rules, TLS follows the port', () => {
    expect(parseTtlSeconds('600')).toBe(600);
    for (const bad of ['0', '-5', '1.5', 'ten', ''])
      expect(() => parseTtlSeconds(bad)).toThrow(/positive whole number/);
    expect(() => validateCacheName('a.b-c_D9')).not.toThrow();
    for (const bad of ['', 'a b', 'x'.repeat(256), 'ü'])
      expect(() => validateCacheName(bad)).toThrow(/invalid cache name/);
    expect(inferTls('127.0.0.1:8080')).toBe(false);
    expect(inferTls('cache.example.com:443')).toBe(true);
    expect(inferTls('cell-1.example.com')).toBe(true);
  });
});
