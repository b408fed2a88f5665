/**
 * `cachette dictionary|list|set|sorted-set` run as the real binary against a real server: what one command
 * writes the next reads, misses exit 1, bad flags exit 2, and a wrong type is refused.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootServer, type CliResult, runCli, type TestServer, tempHome } from './support/cli.ts';

let srv: TestServer;
let home: string;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { home });

beforeAll(async () => {
  srv = await bootServer();
  home = tempHome();
  const r = await runCli(['configure', '--api-key', srv.apiKey], { home });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await srv?.stop();
});

// Each command is a process start (~1-3 s on a busy machine): more room than the default 30 s per test.
describe('collection commands', { timeout: 90_000 }, () => {
  test('dictionary set, get and fetch; a missing field exits 1', async () => {
    await Promise.all([
      cli(['dictionary', 'set', '--key', 'user', '--field', 'name', '--value', 'Ada']),
      cli(['dictionary', 'set', '--key', 'user', '--field', 'lang', '--value', 'en', '--ttl', '60']),
    ]).then((rs) =>
      expect(rs.map((r) => [r.code, r.stderr])).toEqual([
        [0, ''],
        [0, ''],
      ]),
    );
    const [get, fetchJson, missing] = await Promise.all([
      cli(['dictionary', 'get', '--key', 'user', '--field', 'name']),
      cli(['dictionary', 'fetch', '--key', 'user', '-o', 'json']),
      cli(['dictionary', 'get', '--key', 'user', '--field', 'nope']),
    ]);
    expect([get.code, get.out]).toEqual([0, 'Ada\n']);
    expect(JSON.parse(fetchJson.out)).toEqual({
      cache: 'default-cache',
      key: 'user',
      hit: true,
      items: { name: 'Ada', lang: 'en' },
    });
    expect([missing.code, missing.stderr]).toEqual([
      1,
      "cachette: miss: no field 'nope' in dictionary 'user' of cache 'default-cache'\n",
    ]);
  });

  test('list push, fetch with ranges, pop from both ends', async () => {
    for (const v of ['b', 'c']) {
      expect((await cli(['list', 'push', '--key', 'jobs', '--value', v])).code).toBe(0);
    }
    const front = await cli(['list', 'push', '--key', 'jobs', '--value', 'a', '--front']);
    expect([front.code, front.out]).toEqual([0, '3\n']);
    const [all, tail] = await Promise.all([
      cli(['list', 'fetch', '--key', 'jobs']),
      cli(['list', 'fetch', '--key', 'jobs', '--start', '-2', '-o', 'json']),
    ]);
    expect(all.out).toBe('a\nb\nc\n');
    expect(JSON.parse(tail.out)).toMatchObject({ hit: true, values: ['b', 'c'] });
    // Opposite ends of a three-element list: each pop's result is fixed whichever runs first.
    const [first, last, none, bad] = await Promise.all([
      cli(['list', 'pop', '--key', 'jobs']),
      cli(['list', 'pop', '--key', 'jobs', '--back']),
      cli(['list', 'pop', '--key', 'no-such-list']),
      cli(['list', 'fetch', '--key', 'jobs', '--start', 'x']),
    ]);
    expect([first.out, last.out]).toEqual(['a\n', 'c\n']);
    expect(none.code).toBe(1);
    expect([bad.code, bad.stderr]).toEqual([2, "cachette: invalid --start 'x': use a whole number\n"]);
  });

  test('set add and fetch; a wrong type is refused', async () => {
    expect((await cli(['set', 'add', '--key', 'tags', '--element', 'red', 'blue'])).code).toBe(0);
    expect((await cli(['set', 'add', '--key', 'tags', '--element', 'red'])).code).toBe(0);
    const fetched = await cli(['set', 'fetch', '--key', 'tags', '-o', 'json']);
    expect(new Set((JSON.parse(fetched.out) as { elements: string[] }).elements)).toEqual(new Set(['red', 'blue']));
    const wrong = await cli(['list', 'fetch', '--key', 'tags']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/^cachette: /);
  });

  test('sorted-set put and fetch in both orders', async () => {
    await cli(['sorted-set', 'put', '--key', 'board', '--value', 'ada', '--score', '42.5']);
    await cli(['sorted-set', 'put', '--key', 'board', '--value', 'bob', '--score', '7']);
    const [asc, desc, badScore] = await Promise.all([
      cli(['sorted-set', 'fetch', '--key', 'board']),
      cli(['sorted-set', 'fetch', '--key', 'board', '--descending', '--end', '1', '-o', 'json']),
      cli(['sorted-set', 'put', '--key', 'board', '--value', 'x', '--score', 'high']),
    ]);
    expect(asc.out).toBe('bob\t7\nada\t42.5\n');
    expect(JSON.parse(desc.out)).toMatchObject({ hit: true, elements: [{ value: 'ada', score: 42.5 }] });
    expect(badScore.code).toBe(2);
  });
});
