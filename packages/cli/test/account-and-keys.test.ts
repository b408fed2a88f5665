/**
 * The seed's first five minutes through the real CLI process against a real server: sign up, read the key
 * from the e-mail (outbox, and separately a real SMTP receiver), configure, set/get, then manage keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CachetteServer, createLogger, createServerFromSettings } from '@cachette/server';
import { apiKeyIn, outbox, startSmtpReceiver } from '@cachette/testing';
import { CacheClient, CacheGetResponse, Configurations, CredentialProvider, MomentoErrorCode } from '@gomomento/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './support/cli.ts';

const dirs: string[] = [];
async function start(options: { smtpUrl?: string } = {}): Promise<{ server: CachetteServer; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cachette-signup-'));
  dirs.push(dataDir);
  const server = await createServerFromSettings({ port: 0, dataDir, logger: createLogger('silent'), ...options });
  return { server, dataDir };
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function sdk(server: CachetteServer, apiKey: string): Promise<CacheClient> {
  const ep = server.grpcAddress;
  return CacheClient.create({
    configuration: Configurations.Laptop.v1(),
    credentialProvider: CredentialProvider.fromString({
      apiKey,
      endpointOverrides: { cacheEndpoint: ep, controlEndpoint: ep, tokenEndpoint: ep, secureConnection: false },
    }),
    defaultTtlSeconds: 60,
  });
}

describe('the seed sequence', () => {
  let server: CachetteServer;
  let dataDir: string;
  const home = tempHome();
  beforeAll(async () => {
    ({ server, dataDir } = await start());
  });
  afterAll(async () => {
    await server.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('signup → key from the e-mail → configure → set/get → named cache → api keys', async () => {
    const signup = await runCli(
      ['account', 'signup', 'local', '--email', 'you@example.com', '--region', 'local', '--endpoint', server.httpUrl],
      { home },
    );
    expect(signup.stderr).toBe('');
    expect(signup.out).toBe('Success! Your API key will be emailed to you shortly.\n');
    expect(signup.code).toBe(0);

    const mails = await outbox(dataDir);
    expect(mails).toHaveLength(1);
    const key = apiKeyIn(mails[0]?.text ?? '');
    expect(signup.out).not.toContain(key);

    // The wizard, answered through stdin: key, then Enter twice for the defaults.
    const configure = await runCli(['configure'], { home, input: `${key}\n\n\n` });
    expect(configure.code).toBe(0);
    expect(configure.out).toContain('default-cache successfully created as the default with default TTL of 600s');

    expect((await runCli(['cache', 'set', '--key', 'andrew', '--value', 'brown'], { home })).code).toBe(0);
    const get = await runCli(['cache', 'get', '--key', 'andrew'], { home });
    expect(get.out).toBe('brown');
    expect((await runCli(['cache', 'create', '--name', 'freecodecamp'], { home })).code).toBe(0);
    expect(
      (await runCli(['cache', 'set', '--name', 'freecodecamp', '--key', 'Quincy', '--value', 'Larson'], { home })).code,
    ).toBe(0);
    expect((await runCli(['cache', 'get', '--name', 'freecodecamp', '--key', 'Quincy'], { home })).out).toBe('Larson');

    // A read-only key for one cache, made and listed by the CLI, used by the official SDK.
    const created = await runCli(
      [
        'api-key',
        'create',
        '--cache',
        'freecodecamp',
        '--access',
        'read-only',
        '--expires-in',
        '1h',
        '--output',
        'json',
      ],
      { home },
    );
    expect(created.code).toBe(0);
    const made = JSON.parse(created.out) as { apiKey: string; id: string; caches: string[]; access: string };
    expect(made.caches).toEqual(['freecodecamp']);
    expect(made.access).toBe('read-only');
    const reader = await sdk(server, made.apiKey);
    try {
      const hit = await reader.get('freecodecamp', 'Quincy');
      expect(hit.type === CacheGetResponse.Hit && hit.valueString()).toBe('Larson');
      const denied = await reader.set('freecodecamp', 'Quincy', 'x');
      expect(denied.type === 'Error' && denied.errorCode()).toBe(MomentoErrorCode.PERMISSION_ERROR);

      const list = await runCli(['api-key', 'list'], { home });
      expect(list.code).toBe(0);
      expect(list.out).toContain(made.id);
      expect(list.out).not.toContain(made.apiKey);

      const revoke = await runCli(['api-key', 'revoke', made.id], { home });
      expect(revoke.out).toBe(`key ${made.id} revoked\n`);
      const refused = await reader.get('freecodecamp', 'Quincy');
      expect(refused.type === 'Error' && refused.errorCode()).toBe(MomentoErrorCode.AUTHENTICATION_ERROR);
    } finally {
      reader.close();
    }
  });

  it('signup errors: a bad address and an unserved region exit 2 with the reason', async () => {
    const bad = await runCli(
      ['account', 'signup', 'local', '--email', 'nope', '--region', 'local', '--signup-url', server.httpUrl],
      {
        home,
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'nope' is not a valid e-mail address");
    const region = await runCli(
      ['account', 'signup', 'aws', '--email', 'a@example.com', '--region', 'us-east-1', '--endpoint', server.httpUrl],
      { home },
    );
    expect(region.code).toBe(2);
    expect(region.stderr).toContain('serves local/local only');
  });
});

describe('signup through a real SMTP server', () => {
  it('the key arrives by SMTP and works with the official SDK', async () => {
    const smtp = await startSmtpReceiver();
    const { server } = await start({ smtpUrl: smtp.url });
    const home = tempHome();
    try {
      const arrived = smtp.next();
      const r = await runCli(
        [
          'account',
          'signup',
          'local',
          '--email',
          'smtp-user@example.com',
          '--region',
          'local',
          '--endpoint',
          server.httpUrl,
        ],
        { home },
      );
      expect(r.code).toBe(0);
      const key = apiKeyIn((await arrived).text ?? '');
      const client = await sdk(server, key);
      try {
        expect((await client.createCache('mine')).type).toBe('Success');
      } finally {
        client.close();
      }
    } finally {
      await server.close();
      await smtp.stop();
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('server down', () => {
  it('signup exits 5 naming the address it tried', async () => {
    const home = tempHome();
    const r = await runCli(
      [
        'account',
        'signup',
        'local',
        '--email',
        'a@example.com',
        '--region',
        'local',
        '--endpoint',
        'http://127.0.0.1:1',
      ],
      {
        home,
      },
    );
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('cannot reach the Cachette HTTP API at http://127.0.0.1:1');
    rmSync(home, { recursive: true, force: true });
  });
});
