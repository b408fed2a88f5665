import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CacheClient, CachetteError, ErrorCode, loadProfile } from '@cachette/sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, type TestServer, uniqueName } from './support/server.ts';

let booted: TestServer;
let home: string;

function writeProfiles(credentials: string, config: string): void {
  mkdirSync(join(home, '.cachette'), { recursive: true });
  writeFileSync(join(home, '.cachette', 'credentials'), credentials);
  writeFileSync(join(home, '.cachette', 'config'), config);
}

beforeAll(async () => {
  booted = await bootServer();
  home = mkdtempSync(join(tmpdir(), 'cachette-sdk-home-'));
});

afterAll(async () => {
  await booted.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('@cachette/sdk/node profiles', () => {
  it('loadProfile reads token, cache and ttl of the default profile, comments and other tables included', () => {
    writeProfiles(
      `# written by cachette configure\n[default]\ntoken = "KEY-A"\n\n[staging]\ntoken = 'KEY-B'\n`,
      `[default]\ncache = "default-cache"\nttl = 600\n\n[staging]\ncache = "orders"\nttl = 300 # five minutes\n`,
    );
    expect(loadProfile({ home, env: {} })).toEqual({
      name: 'default',
      apiKey: 'KEY-A',
      apiKeySource: 'file',
      cache: 'default-cache',
      ttlSeconds: 600,
    });
    expect(loadProfile({ home, env: { CACHETTE_PROFILE: 'staging' } })).toMatchObject({
      name: 'staging',
      apiKey: 'KEY-B',
      cache: 'orders',
      ttlSeconds: 300,
    });
    expect(loadProfile({ home, env: { CACHETTE_API_KEY: 'FROM-ENV' }, profile: 'staging' })).toMatchObject({
      apiKey: 'FROM-ENV',
      apiKeySource: 'env',
      cache: 'orders',
    });
  });

  it('missing files read as no profile', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cachette-sdk-empty-'));
    expect(loadProfile({ home: empty, env: {} })).toMatchObject({ apiKey: undefined, ttlSeconds: undefined });
    rmSync(empty, { recursive: true, force: true });
  });

  it('a malformed file throws INVALID_ARGUMENT naming it', () => {
    writeProfiles('[default\ntoken = ', '');
    try {
      loadProfile({ home, env: {} });
      throw new Error('expected a throw');
    } catch (error) {
      expect(error instanceof CachetteError && error.code).toBe(ErrorCode.INVALID_ARGUMENT);
      expect((error as Error).message).toContain(join(home, '.cachette', 'credentials'));
    }
  });

  it('new CacheClient({ apiKey }) ignores a malformed profile file', () => {
    writeProfiles('[default\ntoken = ', '');
    expect(new CacheClient({ apiKey: booted.server.devApiKey, home, env: {} }).defaultTtlSeconds).toBe(600);
    expect(() => new CacheClient({ home, env: {} })).toThrow(/invalid TOML/);
  });

  it('new CacheClient() with no key uses the profile key and its ttl against a real server', async () => {
    writeProfiles(`[default]\ntoken = "${booted.server.devApiKey}"\n`, '[default]\nttl = 123\n');
    const client = new CacheClient({ home, env: {} });
    expect(client.defaultTtlSeconds).toBe(123);
    const cache = uniqueName();
    expect((await client.createCache(cache)).type).toBe('Success');
    await client.set(cache, 'k', 'from-profile');
    const got = await client.get(cache, 'k');
    expect(got.type === 'Hit' && got.valueString()).toBe('from-profile');
    const ttl = await client.itemGetTtl(cache, 'k');
    expect(ttl.type === 'Hit' && ttl.remainingTtlMs).toBeLessThanOrEqual(123_000);
  });

  it('new CacheClient() takes CACHETTE_API_KEY over the files', async () => {
    writeProfiles('[default]\ntoken = "wrong"\n', '');
    const client = new CacheClient({ home, env: { CACHETTE_API_KEY: booted.server.devApiKey } });
    expect((await client.listCaches()).type).toBe('Success');
  });

  it('new CacheClient() with no key anywhere throws UNAUTHENTICATED with the fix', () => {
    const empty = mkdtempSync(join(tmpdir(), 'cachette-sdk-empty-'));
    expect(() => new CacheClient({ home: empty, env: {} })).toThrow(/cachette configure|CACHETTE_API_KEY/);
    rmSync(empty, { recursive: true, force: true });
  });
});

describe('the core entry stays fetch-only', () => {
  const src = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
  /** The Node entry and the modules only it imports. */
  const NODE_ONLY = ['node.ts', 'node-http-exchange.ts'];

  it('no file of @cachette/sdk but the Node-only ones imports node: modules or uses Buffer/process', () => {
    const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !NODE_ONLY.includes(f),
    );
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(join(src, file), 'utf8');
      expect({ file, nodeImport: /from ['"]node:|require\(/.test(text) }).toEqual({ file, nodeImport: false });
      expect({ file, nodeGlobals: /\bBuffer\.|\bprocess\./.test(text) }).toEqual({ file, nodeGlobals: false });
    }
  });

  it('the core entry (index.ts) never imports a Node-only module, directly or not', () => {
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(src, file), 'utf8');
      for (const m of text.matchAll(/from '(\.{1,2}\/[^']+\.ts)'/g)) {
        visit(join(dirname(file), m[1] as string));
      }
    };
    visit('index.ts');
    expect(seen.size).toBeGreaterThan(10);
    for (const file of NODE_ONLY) expect(seen.has(file)).toBe(false);
  });
});
