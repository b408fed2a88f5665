/**
 * `cachette topic publish|subscribe` run as the real binary against a real server: a subscriber process
 * prints what publisher processes send, in order, and Ctrl-C (SIGINT) ends it cleanly with exit 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootServer, type CliResult, runCli, type TestServer, tempHome } from './support/cli.ts';

const BIN = fileURLToPath(new URL('../bin/cachette.js', import.meta.url));

let srv: TestServer;
let home: string;
const cli = (args: string[], input?: string | Uint8Array): Promise<CliResult> =>
  runCli(args, { home, ...(input === undefined ? {} : { input }) });

beforeAll(async () => {
  srv = await bootServer();
  home = tempHome();
  const r = await runCli(['configure', '--api-key', srv.apiKey], { home });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await srv?.stop();
});

/** A running `cachette topic subscribe`, whose stdout lines a test can wait for. */
function subscriber(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
  delete env.CACHETTE_API_KEY;
  delete env.CACHETTE_PROFILE;
  const child = spawn(process.execPath, [BIN, 'topic', 'subscribe', ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  const check = () => {
    for (const w of waiters.splice(0)) w();
  };
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString('utf8');
    check();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
    check();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return {
    child,
    exited,
    lines: () => out.split('\n').filter((l) => l !== ''),
    stderr: () => err,
    until,
  };
}

describe('topic commands', { timeout: 90_000 }, () => {
  test('subscribe prints each published message as JSON lines, in order; SIGINT exits 0', async () => {
    const sub = subscriber(['news', '-o', 'json']);
    const before = srv.server.topics.subscriptionCount();
    // The subscriber is ready once the server counts its subscription.
    await expect.poll(() => srv.server.topics.subscriptionCount(), { timeout: 30_000 }).toBe(before + 1);
    expect((await cli(['topic', 'publish', 'news', 'hello'])).code).toBe(0);
    expect((await cli(['topic', 'publish', 'news'], 'from stdin')).code).toBe(0);
    expect((await cli(['topic', 'publish', 'news'], new Uint8Array([0xff, 0x00]))).code).toBe(0);
    await sub.until(() => sub.lines().length >= 3);
    sub.child.kill('SIGINT');
    expect(await sub.exited).toBe(0);
    expect(sub.lines().map((l) => JSON.parse(l))).toEqual([
      { sequence: 1, text: 'hello' },
      { sequence: 2, text: 'from stdin' },
      { sequence: 3, base64: Buffer.from([0xff, 0x00]).toString('base64') },
    ]);
  });

  test('publish to an unknown cache exits with the not-found code and says so', async () => {
    const r = await cli(['topic', 'publish', '--name', 'no-such-cache', 't', 'x']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("cache 'no-such-cache' not found");
  });
});
