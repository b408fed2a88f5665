/**
 * TLS with a private CA, end to end: a server started with --tls-cert/--tls-key whose certificate is signed
 * by a CA of our own, and the official SDK and the CLI in child processes trusting that CA the way the
 * README says (GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: grpc-js ignores NODE_EXTRA_CA_CERTS).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const BIN = resolve(ROOT, 'packages/cli/bin/cachette.js');

let dir: string;
let b: Booted;

/** A CA and a server certificate for 127.0.0.1/localhost signed by it, made with the openssl binary. */
function makeCertificates(into: string): { ca: string; cert: string; key: string } {
  const p = (f: string) => join(into, f);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  // -subj keeps openssl from prompting.
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('ca.key'),
    '-out',
    p('ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=Cachette test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    p('server.csr'),
    '-CA',
    p('ca.pem'),
    '-CAkey',
    p('ca.key'),
    '-CAcreateserial',
    '-out',
    p('server.pem'),
    '-days',
    '2',
    '-extfile',
    p('san.ext'),
  );
  return { ca: p('ca.pem'), cert: p('server.pem'), key: p('server.key') };
}

/** Runs `node <script>` from the repository root (so it resolves @gomomento/sdk) and collects its output. */
function runNode(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('close', (code) => done({ code, out, err }));
  });
}

/** What a user writes: the SDK with secureConnection true, set then get; prints the value or the error. */
const SDK_SCRIPT = `
import { CacheClient, CacheGetResponse, Configurations, CredentialProvider } from '@gomomento/sdk';
const { ENDPOINT: endpoint, API_KEY: apiKey, CACHE: cache } = process.env;
const client = await CacheClient.create({
  configuration: Configurations.Laptop.v1().withClientTimeoutMillis(3000),
  credentialProvider: CredentialProvider.fromString({
    apiKey,
    endpointOverrides: { cacheEndpoint: endpoint, controlEndpoint: endpoint, tokenEndpoint: endpoint, secureConnection: true },
  }),
  defaultTtlSeconds: 60,
});
const created = await client.createCache(cache);
if (created.type === 'Error') { console.error(created.message()); process.exit(1); }
await client.set(cache, 'andrew', 'brown');
const got = await client.get(cache, 'andrew');
if (got.type === CacheGetResponse.Hit) console.log(got.valueString()); else console.error(got.toString());
client.close();
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cachette-tls-'));
  const { cert, key } = makeCertificates(dir);
  b = await boot({ tlsCertFile: cert, tlsKeyFile: key });
});
afterAll(async () => {
  await b?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('TLS with a private CA', () => {
  it('the official SDK connects when GRPC_DEFAULT_SSL_ROOTS_FILE_PATH names the CA, and fails without it', async () => {
    const endpoint = `127.0.0.1:${b.server.grpcPort}`;
    // Evaluated from the repository root, so the import resolves the SDK installed there.
    const args = ['--input-type=module', '-e', SDK_SCRIPT];
    const env = { ENDPOINT: endpoint, API_KEY: b.server.devApiKey };
    const trusted = await runNode(args, {
      ...env,
      CACHE: uniqueName(),
      GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: join(dir, 'ca.pem'),
    });
    // stderr may carry Node's DEP0123 note about an IP address as TLS server name; the call itself works.
    expect([trusted.code, trusted.out]).toEqual([0, 'brown\n']);
    // NODE_EXTRA_CA_CERTS alone is not enough for grpc-js: the README says so, this pins it.
    const untrusted = await runNode(args, { ...env, CACHE: uniqueName(), NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') });
    expect(untrusted.code).toBe(1);
    expect(untrusted.out).not.toContain('brown');
  });

  it('the CLI trusts the CA the same way (--tls, since the port is not 443)', async () => {
    const home = mkdtempSync(join(dir, 'home-'));
    const env = {
      HOME: home,
      CACHETTE_API_KEY: b.server.devApiKey,
      GRPC_DEFAULT_SSL_ROOTS_FILE_PATH: join(dir, 'ca.pem'),
    };
    const cache = uniqueName();
    const created = await runNode([BIN, 'cache', 'create', '--name', cache, '--tls'], env);
    expect([created.code, created.err]).toEqual([0, '']);
    expect(
      (await runNode([BIN, 'cache', 'set', '--name', cache, '--key', 'k', '--value', 'v', '--tls'], env)).code,
    ).toBe(0);
    const got = await runNode([BIN, 'cache', 'get', '--name', cache, '--key', 'k', '--tls'], env);
    expect([got.code, got.out]).toEqual([0, 'v']);
  });
});
