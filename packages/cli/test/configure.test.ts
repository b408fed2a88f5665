/**
 * `cachette configure`: the wizard over piped stdin, the flag form, profiles side by side, files checked
 * byte for byte, comments surviving, and input refused before anything is written.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeApiKey } from '@cachette/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootServer, runCli, type TestServer, tempHome } from './support/cli.ts';
import { readmeConfigureTranscript } from './support/readme-transcript.ts';

const BIN = fileURLToPath(new URL('../bin/cachette.js', import.meta.url));
// util-linux `script` gives the CLI a real terminal (raw mode, isTTY) without a pty library.
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;

interface Step {
  /** Wait until the terminal shows this… */
  readonly after: string;
  /** …then type this. */
  readonly type: string;
}

/** Runs `cachette configure` on a pseudo-terminal, typing each step once its prompt is on screen. */
function configureOnTerminal(home: string, steps: readonly Step[]): Promise<{ code: number | null; screen: string }> {
  const child = spawn('script', ['-qec', `"${process.execPath}" "${BIN}" configure`, '/dev/null'], {
    // A person at a terminal: CI=true (set by CI runners) would turn the spinner's terminal output off.
    env: { ...process.env, HOME: home, CACHETTE_API_KEY: undefined, CACHETTE_PROFILE: undefined, CI: undefined },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  let next = 0;
  child.stdout.on('data', (c: Buffer) => {
    screen += c.toString('utf8');
    while (next < steps.length && screen.includes((steps[next] as Step).after)) {
      child.stdin.write((steps[next] as Step).type);
      next++;
    }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, screen: screen.replaceAll('\r\n', '\n') }));
  });
}

let srv: TestServer;
beforeAll(async () => {
  srv = await bootServer();
});
afterAll(async () => {
  await srv?.stop();
});

const files = (home: string) => ({
  credentials: join(home, '.cachette', 'credentials'),
  config: join(home, '.cachette', 'config'),
});

describe('cachette configure', () => {
  test('wizard over piped stdin writes both TOML files byte for byte, mode 0600, and creates the cache', async () => {
    const home = tempHome();
    const r = await runCli(['configure'], { home, input: `${srv.apiKey}\n\n\n` });
    expect(r.stderr).toContain('API key');
    expect(r.stderr).toContain('Default cache [default-cache]');
    expect(r.stderr).toContain('Default TTL seconds [600]');
    expect(r.out).toBe('default-cache successfully created as the default with default TTL of 600s\n');
    expect(r.code).toBe(0);
    const f = files(home);
    expect(readFileSync(f.credentials, 'utf8')).toBe(`[default]\ntoken = "${srv.apiKey}"\n`);
    expect(readFileSync(f.config, 'utf8')).toBe('[default]\ncache = "default-cache"\nttl = 600\n');
    expect(statSync(f.credentials).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, '.cachette')).mode & 0o777).toBe(0o700);

    // The cache exists on the server; a second wizard run answering Enter keeps the saved key.
    const again = await runCli(['configure'], { home, input: '\nwizard-cache\n42\n' });
    expect(again.stderr).toContain('Enter keeps ****');
    expect(again.out).toBe('wizard-cache successfully created as the default with default TTL of 42s\n');
    expect(readFileSync(f.credentials, 'utf8')).toBe(`[default]\ntoken = "${srv.apiKey}"\n`);
    expect(readFileSync(f.config, 'utf8')).toBe('[default]\ncache = "wizard-cache"\nttl = 42\n');
    const list = await runCli(['cache', 'list'], { home });
    expect(list.out.split('\n')).toEqual(expect.arrayContaining(['default-cache', 'wizard-cache']));
  });

  test('the piped wizard prints the README transcript line for line', async () => {
    const r = await runCli(['configure'], { home: tempHome(), input: `${srv.apiKey}\n\n\n` });
    expect(r.code).toBe(0);
    const shown = `${r.stderr}${r.out}`.split('\n').map((l) => l.trimEnd());
    expect(shown).toEqual([...readmeConfigureTranscript(), '']);
  });

  test.skipIf(!HAS_SCRIPT)(
    'in a terminal the wizard shows the README transcript and never echoes the key',
    async () => {
      const home = tempHome();
      const r = await configureOnTerminal(home, [
        { after: 'API key: ', type: `${srv.apiKey}\r` },
        { after: 'Default cache [default-cache]: ', type: '\r' },
        { after: 'Default TTL seconds [600]: ', type: '\r' },
      ]);
      expect(r.code).toBe(0);
      const shown = r.screen.split('\n').map((l) => l.trimEnd());
      const readme = readmeConfigureTranscript();
      expect(shown.slice(0, 3)).toEqual(readme.slice(0, 3));
      // On a terminal a spinner runs while the cache is created and erases itself before the closing line.
      expect(shown[3]?.endsWith(`\x1b[?25h${readme[3]}`)).toBe(true);
      expect(shown).toHaveLength(5);
      expect(r.screen).not.toContain(srv.apiKey.slice(0, 12));
      expect(readFileSync(files(home).config, 'utf8')).toBe('[default]\ncache = "default-cache"\nttl = 600\n');
    },
  );

  test.skipIf(!HAS_SCRIPT)('Ctrl-C at a question exits 130 and writes nothing', async () => {
    const home = tempHome();
    const r = await configureOnTerminal(home, [{ after: 'API key: ', type: 'half-typed\x03' }]);
    expect(r.code).toBe(130);
    expect(r.screen).toBe('API key: \n');
    expect(existsSync(join(home, '.cachette'))).toBe(false);
  });

  test('a second profile (flags, key on stdin) leaves [default], comments and unknown keys intact', async () => {
    const home = tempHome();
    const f = files(home);
    mkdirSync(join(home, '.cachette'), { recursive: true });
    const credentials = `# my keys, do not share\n[default]\ntoken = "${srv.apiKey}" # laptop\nnote = "kept"\n`;
    const config = '# settings\n[default]\ncache = "default-cache"\nttl = 600\ncolor = true # mine\n';
    writeFileSync(f.credentials, credentials, { mode: 0o600 });
    writeFileSync(f.config, config);

    const r = await runCli(
      ['configure', '--profile', 'staging', '--api-key', '-', '--cache', 'stage.cache', '--ttl', '30'],
      {
        home,
        input: `${srv.apiKey}\n`,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.out).toBe('stage.cache successfully created as the default with default TTL of 30s\n');
    expect(r.code).toBe(0);
    expect(readFileSync(f.credentials, 'utf8')).toBe(`${credentials}\n[staging]\ntoken = "${srv.apiKey}"\n`);
    expect(readFileSync(f.config, 'utf8')).toBe(`${config}\n[staging]\ncache = "stage.cache"\nttl = 30\n`);
    expect(statSync(f.credentials).mode & 0o777).toBe(0o600);

    // Updating [default] keeps its comments and the [staging] table.
    const other = encodeApiKey(srv.address, 'not-checked-until-used');
    const bad = await runCli(['configure', '--api-key', other, '--cache', 'x', '--ttl', '5'], { home });
    expect(bad.code).toBe(3); // the server refuses the key, so nothing is written
    expect(readFileSync(f.config, 'utf8')).toBe(`${config}\n[staging]\ncache = "stage.cache"\nttl = 30\n`);
    const upd = await runCli(['configure', '--api-key', srv.apiKey, '--ttl', '900', '--output', 'json'], { home });
    expect(JSON.parse(upd.out)).toMatchObject({ profile: 'default', cache: 'default-cache', ttlSeconds: 900 });
    expect(readFileSync(f.config, 'utf8')).toBe(
      '# settings\n[default]\ncache = "default-cache"\nttl = 900\ncolor = true # mine\n\n[staging]\ncache = "stage.cache"\nttl = 30\n',
    );
    expect(readFileSync(f.credentials, 'utf8')).toBe(`${credentials}\n[staging]\ntoken = "${srv.apiKey}"\n`);

    // --profile and CACHETTE_PROFILE pick the profile's default cache.
    const viaFlag = await runCli(
      ['cache', 'set', '--profile', 'staging', '--key', 'k', '--value', 'staged', '-o', 'json'],
      { home },
    );
    expect(JSON.parse(viaFlag.out)).toMatchObject({ cache: 'stage.cache', ttlSeconds: 30 });
    const viaEnv = await runCli(['cache', 'get', '--key', 'k'], { home, env: { CACHETTE_PROFILE: 'staging' } });
    expect(viaEnv.out).toBe('staged');
  });

  test('invalid key, TTL and cache name are refused with exit 2 before anything is written', async () => {
    const home = tempHome();
    const badKey = await runCli(['configure', '--api-key', 'not-a-key'], { home });
    expect(badKey.code).toBe(2);
    expect(badKey.stderr).toMatch(/^cachette: that is not a Cachette\/Momento API key/);
    const badTtl = await runCli(['configure', '--api-key', srv.apiKey, '--ttl', '1.5'], { home });
    expect(badTtl.code).toBe(2);
    expect(badTtl.stderr).toBe("cachette: invalid TTL '1.5': use a positive whole number of seconds\n");
    // The wizard checks each answer as it comes.
    const badName = await runCli(['configure'], { home, input: `${srv.apiKey}\nbad name!\n600\n` });
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain(
      "cachette: invalid cache name 'bad name!': use only letters, digits, '-', '_' and '.'",
    );
    expect(existsSync(join(home, '.cachette'))).toBe(false);
  });

  test('malformed TOML is reported with file and line, exit 2, and never overwritten', async () => {
    const home = tempHome();
    const f = files(home);
    mkdirSync(join(home, '.cachette'), { recursive: true });
    const broken = '[default]\ncache = "default-cache"\nttl = \n';
    writeFileSync(f.config, broken);
    const r = await runCli(['configure', '--api-key', srv.apiKey], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^cachette: ${f.config}:3:\\d+: invalid TOML: .+; fix that line`));
    expect(r.stderr.split('\n')).toHaveLength(2); // one line, no stack
    expect(readFileSync(f.config, 'utf8')).toBe(broken);
    expect(existsSync(f.credentials)).toBe(false);
    // Every command reads the files the same way.
    const get = await runCli(['cache', 'get', '--key', 'k'], { home, env: { CACHETTE_API_KEY: srv.apiKey } });
    expect(get.code).toBe(2);
    expect(get.stderr).toContain(`${f.config}:3:`);
  });

  test('stdin closed with no answers is a usage error that says to pass flags', async () => {
    const home = tempHome();
    const r = await runCli(['configure'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no answer to 'API key' on stdin: pass the values as flags");
  });
});
