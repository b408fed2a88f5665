/**
 * Failure paths of the real binary: wrong key (3), oversized value (4), server down (5), missing
 * configuration, and the one-line error format (JSON with --output json, stack only with --debug).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeApiKey } from '@cachette/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootServer, closedPort, runCli, type TestServer, tempHome } from './support/cli.ts';

let srv: TestServer;
let home: string;
beforeAll(async () => {
  srv = await bootServer();
  home = tempHome();
  expect((await runCli(['configure', '--api-key', srv.apiKey], { home })).code).toBe(0);
});
afterAll(async () => {
  await srv?.stop();
});

describe('error paths', () => {
  test('a key the server does not know exits 3 with the fix; CACHETTE_API_KEY overrides the file', async () => {
    const wrong = encodeApiKey(srv.address, 'cachette_sk_not-a-real-secret');
    const [get, list] = await Promise.all([
      runCli(['cache', 'get', '--key', 'k'], { home, env: { CACHETTE_API_KEY: wrong } }),
      runCli(['cache', 'list', '-o', 'json'], { home, env: { CACHETTE_API_KEY: wrong } }),
    ]);
    expect(get.code).toBe(3);
    expect(get.stderr).toBe(
      `cachette: the server at ${srv.address} rejected the API key (invalid API key): run \`cachette configure\` with a valid key, or check CACHETTE_API_KEY\n`,
    );
    expect(list.code).toBe(3);
    expect(list.out).toBe('');
    expect(JSON.parse(list.stderr)).toMatchObject({ error: { code: 'UNAUTHENTICATED', exitCode: 3 } });
  });

  test('an item over the size limit exits 4', async () => {
    const file = join(home, 'big.bin');
    writeFileSync(file, Buffer.alloc(5 * 1024 * 1024 + 10, 1));
    const r = await runCli(['cache', 'set', '--key', 'big', '--value-file', file], { home });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      "cachette: item too large: key + value are 5242893 bytes, over the 5 MiB (5242880 bytes) item limit of cache 'default-cache'; store a smaller value\n",
    );
  });

  test('a TTL over the maximum is reported in seconds, the unit --ttl takes', async () => {
    const r = await runCli(['cache', 'set', '--key', 'k', '--value', 'v', '--ttl', '999999999'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('cachette: ttl of 999999999 s exceeds the maximum of 86400 s (24 h)\n');
  });

  test('a value far over the gRPC message limit is refused before sending, naming the limit in MiB', async () => {
    const file = join(home, 'huge.bin');
    writeFileSync(file, Buffer.alloc(12 * 1024 * 1024, 1));
    const r = await runCli(['cache', 'set', '--key', 'huge', '--value-file', file], { home });
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      "cachette: item too large: key + value are 12582916 bytes, over the 5 MiB (5242880 bytes) item limit of cache 'default-cache'; store a smaller value\n",
    );
  });

  test('a stopped server exits 5 saying it is unreachable at host:port; --debug adds the stack', async () => {
    const port = await closedPort();
    const downKey = encodeApiKey(`127.0.0.1:${port}`, 'whatever');
    const [get, debug, viaEndpoint, configure] = await Promise.all([
      runCli(['cache', 'get', '--key', 'k'], { home, env: { CACHETTE_API_KEY: downKey } }),
      runCli(['cache', 'list', '--debug'], { home, env: { CACHETTE_API_KEY: downKey } }),
      runCli(['cache', 'list', '--endpoint', `127.0.0.1:${port}`], { home }),
      runCli(['configure', '--profile', 'down', '--api-key', downKey], { home }),
    ]);
    const message = `cachette: the server is unreachable at 127.0.0.1:${port}: start it with \`cachette server start\`, or check --endpoint and the key's endpoint\n`;
    expect([get.code, get.out, get.stderr]).toEqual([5, '', message]);
    expect(debug.code).toBe(5);
    expect(debug.stderr.startsWith(message)).toBe(true);
    expect(debug.stderr).toMatch(/\n\s+at /);
    expect([viaEndpoint.code, viaEndpoint.stderr]).toEqual([5, message]);
    expect(configure.code).toBe(5);
    expect(configure.stderr).toBe(message);
  });

  test('no configuration at all exits 3 and says to run configure; no default cache exits 2', async () => {
    const empty = tempHome();
    const [noKey, noCache] = await Promise.all([
      runCli(['cache', 'get', '--key', 'k'], { home: empty }),
      runCli(['cache', 'get', '--key', 'k', '--profile', 'ci'], { home: empty, env: { CACHETTE_API_KEY: srv.apiKey } }),
    ]);
    expect([noKey.code, noKey.stderr]).toEqual([
      3,
      "cachette: no API key for profile 'default': run `cachette configure` or set CACHETTE_API_KEY\n",
    ]);
    expect([noCache.code, noCache.stderr]).toEqual([
      2,
      "cachette: no cache given and profile 'ci' has no default cache: pass --name or run `cachette configure`\n",
    ]);
  });
});
