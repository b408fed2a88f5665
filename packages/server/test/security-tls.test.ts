/**
 * Issue 14, finding 8: with `--tls-cert/--tls-key` every port speaks TLS (the HTTP port serves HTTPS with
 * the same certificate as gRPC), and renewed certificate files are picked up without a restart.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { ErrorCode } from '@cachette/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TlsCertificates } from '../src/tls-certificates.ts';
import { type Booted, boot } from './support/boot.ts';

let dir: string;
interface Pair {
  cert: string;
  key: string;
  fingerprint: string;
}
let first: Pair;
let second: Pair;

function makePair(name: string): Pair {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=localhost`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  const fingerprint = execFileSync('openssl', ['x509', '-in', cert, '-noout', '-fingerprint', '-sha256'], {
    encoding: 'utf8',
  })
    .trim()
    .split('=')[1] as string;
  return { cert, key, fingerprint };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachette-tls-'));
  first = makePair('first');
  second = makePair('second');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The certificate a TLS handshake on `port` presents (ALPN h2 for the gRPC port). */
function peerCertificate(port: number, alpn: string[]): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: alpn },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        resolve(cert);
      },
    );
    socket.on('error', reject);
  });
}

function httpsGet(port: number, path: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path, servername: 'localhost', ca: readFileSync(ca) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function plainGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS on every port', () => {
  let b: Booted;
  let certFile: string;
  let keyFile: string;
  beforeAll(async () => {
    certFile = join(dir, 'live.crt');
    keyFile = join(dir, 'live.key');
    copyFileSync(first.cert, certFile);
    copyFileSync(first.key, keyFile);
    b = await boot({ tlsCertFile: certFile, tlsKeyFile: keyFile, tlsWatchIntervalMs: 20 });
  });
  afterAll(async () => {
    await b.stop();
  });

  it('the HTTP port serves HTTPS with the configured certificate, and refuses plaintext', async () => {
    expect(b.server.httpUrl).toMatch(/^https:\/\//);
    const res = await httpsGet(b.server.httpPort, '/healthz', first.cert);
    expect(res.status).toBe(200);
    expect((await peerCertificate(b.server.httpPort, ['http/1.1'])).fingerprint256).toBe(first.fingerprint);
    await expect(plainGet(b.server.httpPort, '/healthz')).rejects.toThrow();
  });

  it('the gRPC port presents the same certificate', async () => {
    expect((await peerCertificate(b.server.grpcPort, ['h2'])).fingerprint256).toBe(first.fingerprint);
  });

  it('keys carry the https:// HTTP endpoint', () => {
    const json = JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString('utf8')) as { http_endpoint: string };
    expect(json.http_endpoint).toMatch(/^https:\/\//);
  });

  it('renewed files are served on both ports without a restart', async () => {
    copyFileSync(second.cert, certFile);
    copyFileSync(second.key, keyFile);
    // The files are polled every 20 ms: wait for the handshake to show the new certificate (bounded).
    const deadline = Date.now() + 20_000;
    let http = '';
    let grpc = '';
    while (Date.now() < deadline) {
      http = (await peerCertificate(b.server.httpPort, ['http/1.1'])).fingerprint256;
      grpc = (await peerCertificate(b.server.grpcPort, ['h2'])).fingerprint256;
      if (http === second.fingerprint && grpc === second.fingerprint) break;
      await new Promise((r) => setImmediate(r));
    }
    expect(http).toBe(second.fingerprint);
    expect(grpc).toBe(second.fingerprint);
    expect((await httpsGet(b.server.httpPort, '/healthz', second.cert)).status).toBe(200);
  });
});

describe('TlsCertificates', () => {
  it('a key that does not match the certificate is INVALID_ARGUMENT at start', () => {
    expect(() => new TlsCertificates(first.cert, second.key)).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }),
    );
  });

  it('a reload with a mismatched pair is reported and keeps the previous pair', () => {
    const cert = join(dir, 'r.crt');
    const key = join(dir, 'r.key');
    copyFileSync(first.cert, cert);
    copyFileSync(first.key, key);
    const errors: string[] = [];
    const tls = new TlsCertificates(cert, key, (e) => errors.push(e.message));
    copyFileSync(second.cert, cert);
    expect(tls.reload()).toBe(false);
    expect(errors[0]).toContain('cannot load TLS certificate or key');
    expect(tls.current.cert.equals(readFileSync(first.cert))).toBe(true);
    copyFileSync(second.key, key);
    expect(tls.reload()).toBe(true);
    expect(tls.current.cert.equals(readFileSync(second.cert))).toBe(true);
  });
});
