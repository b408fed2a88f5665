/**
 * Item commands beyond get/set (ttl, increment, delete-item) and binary values, run as the real binary
 * against a real server. (A separate file from cache-commands so the two run in parallel.)
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootServer, type CliResult, runCli, type TestServer, tempHome } from './support/cli.ts';

let srv: TestServer;
let home: string;
const cli = (args: string[], input?: string | Uint8Array): Promise<CliResult> => runCli(args, { home, input });

beforeAll(async () => {
  srv = await bootServer();
  home = tempHome();
  const r = await runCli(['configure', '--api-key', srv.apiKey], { home });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await srv?.stop();
});

describe('item commands', () => {
  test('set --ttl, ttl, increment --by, delete-item, with JSON output', async () => {
    const set = await cli(['cache', 'set', '--key', 'short', '--value', 'lived', '--ttl', '100', '-o', 'json']);
    expect(JSON.parse(set.out)).toEqual({ cache: 'default-cache', key: 'short', bytes: 5, ttlSeconds: 100 });
    const [ttl, ttlJson, inc1] = await Promise.all([
      cli(['cache', 'ttl', '--key', 'short']),
      cli(['cache', 'ttl', '--key', 'short', '-o', 'json']),
      cli(['cache', 'increment', '--key', 'visits']),
    ]);
    expect(Number(ttl.out)).toBeGreaterThan(90);
    expect(Number(ttl.out)).toBeLessThanOrEqual(100);
    expect(JSON.parse(ttlJson.out)).toMatchObject({
      hit: true,
      ttlSeconds: expect.any(Number),
      ttlMillis: expect.any(Number),
    });
    expect([inc1.code, inc1.out]).toEqual([0, '1\n']);
    const inc2 = await cli(['cache', 'increment', '--key', 'visits', '--by', '-11', '-o', 'json']);
    expect(JSON.parse(inc2.out)).toEqual({ cache: 'default-cache', key: 'visits', value: -10 });
    const [notInt, badBy] = await Promise.all([
      cli(['cache', 'increment', '--key', 'short']),
      cli(['cache', 'increment', '--key', 'visits', '--by', '1.5']),
    ]);
    expect(notInt.code).toBe(2);
    expect(notInt.stderr).toBe('cachette: the value stored at this key is not a decimal integer\n');
    expect([badBy.code, badBy.stderr]).toEqual([2, "cachette: invalid --by '1.5': use a whole number\n"]);
    const del = await cli(['cache', 'delete-item', '--key', 'short']);
    expect([del.code, del.out]).toEqual([0, '']);
    const [gone, ttlGone] = await Promise.all([
      cli(['cache', 'get', '--key', 'short']),
      cli(['cache', 'ttl', '--key', 'short']),
    ]);
    expect([gone.code, ttlGone.code, ttlGone.stderr]).toEqual([
      1,
      1,
      "cachette: miss: no item 'short' in cache 'default-cache'\n",
    ]);
  });

  test('binary values round-trip byte for byte via --value-file and --value - (stdin)', async () => {
    const bytes = randomBytes(64 * 1024);
    const file = join(home, 'blob.bin');
    writeFileSync(file, bytes);
    const [fromFile, fromStdin] = await Promise.all([
      cli(['cache', 'set', '--key', 'blob', '--value-file', file]),
      cli(['cache', 'set', '--key', 'piped', '--value', '-'], bytes.subarray(0, 1000)),
    ]);
    expect([fromFile.code, fromStdin.code]).toEqual([0, 0]);
    const [blob, piped, json] = await Promise.all([
      cli(['cache', 'get', '--key', 'blob']),
      cli(['cache', 'get', '--key', 'piped']),
      cli(['cache', 'get', '--key', 'piped', '-o', 'json']),
    ]);
    expect(blob.stdout.equals(bytes)).toBe(true);
    expect(piped.stdout.equals(bytes.subarray(0, 1000))).toBe(true);
    expect(JSON.parse(json.out)).toEqual({
      cache: 'default-cache',
      key: 'piped',
      hit: true,
      value: bytes.subarray(0, 1000).toString('base64'),
      encoding: 'base64',
    });
  });
});
