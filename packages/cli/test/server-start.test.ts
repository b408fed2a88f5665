/**
 * `cachette server start` settings as operators meet them: --help derived from the settings table,
 * errors naming the flag or variable, a bad --log-level as a usage error, and the Valkey URL dialled by
 * default shown in the ready line.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli, tempHome } from './support/cli.ts';

const BIN = fileURLToPath(new URL('../bin/cachette.js', import.meta.url));
const home = tempHome();
const dirs: string[] = [home];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cachette-start-'));
  dirs.push(dir);
  return dir;
}

describe('cachette server start', () => {
  test('--help shows every flag with its default and environment variables, CACHETTE_* first', async () => {
    const r = await runCli(['server', 'start', '--help'], { home });
    expect(r.code).toBe(0);
    const help = r.out.replace(/\s+/g, ' ');
    expect(help).toContain('--port <port>');
    expect(help).toContain('default: 8080; env: CACHETTE_PORT');
    expect(help).toContain('default: redis://127.0.0.1:6379; env: CACHETTE_VALKEY_URL or VALKEY_URL');
    expect(help).toContain('env: CACHETTE_DATABASE_URL or DATABASE_URL');
    expect(help).toContain('--max-item-size <size>');
  });

  test('a taken port exits 5 with one worded line (no grpc-js log line before it)', async () => {
    const blocker = createNetServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const r = await runCli(['server', 'start', '--data-dir', dataDir(), '--port', String(port), '--http-port', '0'], {
        home,
      });
      expect(r.code).toBe(5);
      expect(r.stderr).toBe(
        `cachette: cannot listen for gRPC on 127.0.0.1:${port}: the port is already in use (another Cachette server?); stop that process or choose another port with --port\n`,
      );
    } finally {
      blocker.close();
    }
  });

  test('--data-dir naming a file is a usage error (exit 2)', async () => {
    const file = join(dataDir(), 'a-file');
    writeFileSync(file, '');
    const r = await runCli(['server', 'start', '--data-dir', file, '--port', '0', '--http-port', '0'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `cachette: --data-dir ${file} is a file, not a directory: pass a directory (it is created when missing)\n`,
    );
  });

  test('a bad --log-level is a usage error (exit 2) listing the levels', async () => {
    const r = await runCli(['server', 'start', '--data-dir', dataDir(), '--log-level', 'loud'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("argument 'loud' is invalid");
    expect(r.stderr).toContain('fatal, error, warn, info, debug, trace, silent');
  });

  test('CACHETTE_PORT=abc exits 2 naming the variable; --port abc names the flag', async () => {
    const fromEnv = await runCli(['server', 'start', '--data-dir', dataDir()], { home, env: { CACHETTE_PORT: 'abc' } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toBe("cachette: CACHETTE_PORT: port 'abc' must be an integer from 0 to 65535\n");
    const fromFlag = await runCli(['server', 'start', '--data-dir', dataDir(), '--port', 'abc'], {
      home,
      env: { CACHETTE_PORT: '0' },
    });
    expect(fromFlag.code).toBe(2);
    expect(fromFlag.stderr).toBe("cachette: --port: port 'abc' must be an integer from 0 to 65535\n");
  });

  test('--engine valkey without --valkey-url names redis://127.0.0.1:6379 in the ready line', async () => {
    const logs = await logUntilReady(['--engine', 'valkey', '--valkey-key-prefix', `t${process.pid}:`], {
      CACHETTE_VALKEY_URL: undefined,
      VALKEY_URL: undefined,
    });
    const ready = logs.find((l) => l.msg.includes('cachette ready'));
    expect(ready?.engine).toBe('valkey redis://127.0.0.1:6379');
    expect(ready?.msg).toContain('items in valkey redis://127.0.0.1:6379;');
  });
});

describe('cachette server start --max-memory', () => {
  test('a limit above physical memory starts with a warning saying why and what to choose', async () => {
    const logs = await logUntilReady(['--max-memory', '1tb']);
    const warning = logs.find((l) => l.level === 40);
    expect(warning?.msg).toMatch(
      /^--max-memory 1024\.0 GiB exceeds this machine's physical memory \(\d+\.\d GiB\): .*choose a value below/,
    );
  });
});

/** A log line of the server (pino JSON). */
interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly engine?: string;
}

/**
 * Starts `cachette server start …args` on free ports with a fresh data dir, collects its log lines until the
 * ready line, then stops it with SIGTERM (which must exit 0). `env` entries set to `undefined` are removed.
 */
async function logUntilReady(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): Promise<LogLine[]> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  const child = spawn(
    process.execPath,
    [BIN, 'server', 'start', '--port', '0', '--http-port', '0', '--data-dir', dataDir(), ...args],
    { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.includes('cachette ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before ready: ${stderr}`)));
  });
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return lines.map((l) => JSON.parse(l) as LogLine);
}

describe('cachette server start --allow-anonymous', () => {
  const WARNING = /^anonymous access is on: anyone who can reach .+ can use the local account without a key/;

  test('on loopback it starts with a warning that anyone reaching the port uses the local account', async () => {
    const logs = await logUntilReady(['--allow-anonymous']);
    const warnings = logs.filter((l) => l.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toMatch(WARNING);
    expect(warnings[0]?.msg).toContain('127.0.0.1:');
  });

  test('without it there is no such warning', async () => {
    const logs = await logUntilReady([]);
    expect(logs.filter((l) => WARNING.test(l.msg))).toEqual([]);
  });

  test('on a non-loopback --host it is refused (exit 2) unless --allow-anonymous-on-network confirms', async () => {
    const refused = await runCli(
      ['server', 'start', '--data-dir', dataDir(), '--port', '0', '--host', '0.0.0.0', '--allow-anonymous'],
      { home },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'cachette: --allow-anonymous on --host 0.0.0.0 lets anyone who can reach the server use the local account: ' +
        'listen on 127.0.0.1, or add --allow-anonymous-on-network to confirm\n',
    );
    // The environment form is refused the same way.
    const viaEnv = await runCli(['server', 'start', '--data-dir', dataDir(), '--port', '0', '--host', '0.0.0.0'], {
      home,
      env: { CACHETTE_ALLOW_ANONYMOUS: 'true' },
    });
    expect(viaEnv.code).toBe(2);

    const confirmed = await logUntilReady(['--host', '0.0.0.0', '--allow-anonymous', '--allow-anonymous-on-network']);
    expect(confirmed.filter((l) => l.level === 40).map((l) => l.msg)).toEqual([expect.stringMatching(WARNING)]);
  });
});
