/**
 * Cache and item commands run as the real binary against a real server: the README's seed sequence,
 * cache lifecycle in text and JSON, misses, and help/version.
 */
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

describe('cache and item commands', () => {
  test('the seed sequence: set/get in the default cache, then in a new cache', async () => {
    const set = await cli(['cache', 'set', '--key', 'andrew', '--value', 'brown']);
    expect([set.code, set.out, set.stderr]).toEqual([0, '', '']);
    const [get, create] = await Promise.all([
      cli(['cache', 'get', '--key', 'andrew']),
      cli(['cache', 'create', '--name', 'freecodecamp']),
    ]);
    expect([get.code, get.out]).toEqual([0, 'brown']);
    expect([create.code, create.out]).toEqual([0, "cache 'freecodecamp' created\n"]);
    const set2 = await cli(['cache', 'set', '--name', 'freecodecamp', '--key', 'Quincy', '--value', 'Larson']);
    expect(set2.code).toBe(0);
    const get2 = await cli(['cache', 'get', '--name', 'freecodecamp', '--key', 'Quincy']);
    expect([get2.code, get2.out]).toEqual([0, 'Larson']);
  });

  test('cache create/list/flush/delete, in text and JSON', async () => {
    const created = await cli(['cache', 'create', '--name', 'lifecycle', '-o', 'json']);
    expect(JSON.parse(created.out)).toEqual({ cache: 'lifecycle', created: true });
    const [again, set] = await Promise.all([
      cli(['cache', 'create', '--name', 'lifecycle']),
      cli(['cache', 'set', '--name', 'lifecycle', '--key', 'k', '--value', 'v']),
    ]);
    expect([again.code, again.out]).toEqual([0, "cache 'lifecycle' already exists\n"]);
    expect(set.code).toBe(0);
    const [list, listJson] = await Promise.all([cli(['cache', 'list']), cli(['cache', 'list', '--output', 'json'])]);
    expect(list.out.split('\n')).toEqual(expect.arrayContaining(['default-cache', 'lifecycle']));
    expect(JSON.parse(listJson.out).caches).toEqual(expect.arrayContaining([{ name: 'lifecycle' }]));
    const flush = await cli(['cache', 'flush', '--name', 'lifecycle']);
    expect([flush.code, flush.out]).toEqual([0, "cache 'lifecycle' flushed\n"]);
    const afterFlush = await cli(['cache', 'get', '--name', 'lifecycle', '--key', 'k']);
    expect([afterFlush.code, afterFlush.out]).toEqual([1, '']);
    const del = await cli(['cache', 'delete', '--name', 'lifecycle', '-o', 'json']);
    expect(JSON.parse(del.out)).toEqual({ cache: 'lifecycle', deleted: true });
    const delAgain = await cli(['cache', 'delete', '--name', 'lifecycle']);
    expect(delAgain.code).toBe(1);
    expect(delAgain.stderr).toBe(
      "cachette: cache 'lifecycle' not found in this API key's account (each key sees only its own account's caches): create it with `cachette cache create --name lifecycle`, pick another with --name, or use a key of the account that owns it\n",
    );
  });

  test('get miss: nothing on stdout, a short note on stderr, exit 1; JSON says hit:false', async () => {
    const [miss, missJson] = await Promise.all([
      cli(['cache', 'get', '--key', 'absent']),
      cli(['cache', 'get', '--key', 'absent', '-o', 'json']),
    ]);
    expect([miss.code, miss.out, miss.stderr]).toEqual([
      1,
      '',
      "cachette: miss: no item 'absent' in cache 'default-cache'\n",
    ]);
    expect(missJson.code).toBe(1);
    expect(JSON.parse(missJson.out)).toEqual({ cache: 'default-cache', key: 'absent', hit: false });
  });

  test('--version, help <command> with examples, and usage errors exit 2 on one line', async () => {
    const [version, help, helpNested, noValue, unknown] = await Promise.all([
      cli(['--version']),
      cli(['help', 'cache']),
      cli(['help', 'cache', 'get']),
      cli(['cache', 'set', '--key', 'k']),
      cli(['cache', 'frobnicate']),
    ]);
    expect(version.out).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(help.out).toContain('Usage: cachette cache');
    expect(help.out).toMatch(/increment/);
    expect(helpNested.out).toContain('Usage: cachette cache get [options]');
    expect(helpNested.out).toContain('$ cachette cache get --key andrew');
    expect(helpNested.out).toContain('--profile <name>'); // global options are listed too
    expect([noValue.code, noValue.stderr]).toEqual([
      2,
      'cachette: no value: pass --value V, --value-file PATH or --value - (stdin)\n',
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^cachette: unknown command 'frobnicate'/);
  });
});
