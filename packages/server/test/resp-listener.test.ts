/**
 * The Redis listener itself: off unless `redisPort` is given, named in the ready line, TLS with the server's
 * certificate (ioredis over `rediss`), a port clash worded for operators, and a graceful stop that lets a
 * connected client's pipeline finish before closing it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@cachette/server';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boot, uniqueName } from './support/boot.ts';

let dir: string;
let cert: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cachette-resp-tls-'));
  cert = join(dir, 'server.crt');
  key = join(dir, 'server.key');
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
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the Redis listener', () => {
  it('is off unless redisPort is given', async () => {
    const b = await boot();
    try {
      expect(b.server.redisPort).toBeUndefined();
    } finally {
      await b.stop();
    }
  });

  it('is named in the ready line', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const b = await boot({ redisPort: 0, logger: createLogger('info', sink) });
    try {
      const ready = lines
        .map((l) => JSON.parse(l) as { msg: string; redis?: string })
        .find((l) => l.msg.startsWith('cachette ready'));
      expect(ready?.redis).toBe(`127.0.0.1:${b.server.redisPort}`);
      expect(ready?.msg).toContain(`and 127.0.0.1:${b.server.redisPort} (Redis)`);
    } finally {
      await b.stop();
    }
  });

  it('serves TLS with the server certificate (rediss), and ioredis works over it', async () => {
    const b = await boot({ redisPort: 0, tlsCertFile: cert, tlsKeyFile: key });
    const cache = uniqueName();
    const r = new Redis({
      host: '127.0.0.1',
      port: b.server.redisPort!,
      username: cache,
      password: b.server.devApiKey,
      tls: { ca: readFileSync(cert), servername: 'localhost' },
      lazyConnect: true,
      retryStrategy: () => null,
    });
    try {
      // The SDK helper dials plaintext: create the cache through the service.
      await b.server.service.createCache(await b.server.auth.authenticate(b.server.devApiKey), cache);
      await r.connect();
      expect(await r.set('k', 'over-tls')).toBe('OK');
      expect(await r.get('k')).toBe('over-tls');
    } finally {
      r.disconnect();
      await b.stop();
    }
  });

  it('a taken port is refused with the flag that moves it', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      await expect(boot({ redisPort: port })).rejects.toThrow(
        `cannot listen for the Redis protocol on 127.0.0.1:${port}: the port is already in use (another Cachette server?); stop that process or choose another port with --redis-port`,
      );
    } finally {
      taken.close();
    }
  });

  it('a graceful stop closes idle Redis connections instead of waiting out the grace period', async () => {
    const b = await boot({ redisPort: 0 });
    const cache = uniqueName();
    await b.server.service.createCache(await b.server.auth.authenticate(b.server.devApiKey), cache);
    const r = new Redis({
      host: '127.0.0.1',
      port: b.server.redisPort!,
      username: cache,
      password: b.server.devApiKey,
      lazyConnect: true,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
    });
    const ended = new Promise<void>((resolve) => r.once('end', resolve));
    await r.connect();
    const p = r.pipeline();
    for (let i = 0; i < 100; i++) p.incr('n');
    expect((await p.exec())?.at(-1)).toEqual([null, 100]);
    // A grace period longer than the test's timeout: only closing the connection lets close() finish.
    await b.server.close(60_000);
    await ended;
    await b.stop();
  });
});
