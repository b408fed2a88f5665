/**
 * `cachette leaderboard upsert|fetch|rank|length|remove|delete` run as the real binary against a real server:
 * what one command writes the next reads, in text and JSON, and bad input exits 2 with a precise message.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { bootServer, type CliResult, runCli, type TestServer, tempHome } from './support/cli.ts';

let srv: TestServer;
let home: string;
const cli = (args: string[]): Promise<CliResult> => runCli(args, { home });
const lb = (command: string, ...rest: string[]) => cli(['leaderboard', command, '--leaderboard', 'weekly', ...rest]);

beforeAll(async () => {
  srv = await bootServer();
  home = tempHome();
  const r = await runCli(['configure', '--api-key', srv.apiKey], { home });
  expect(r.code).toBe(0);
});
afterAll(async () => {
  await srv?.stop();
});

// Each command is a process start (~1-3 s, more on a loaded machine): far more room than the default 30 s.
describe('leaderboard commands', { timeout: 180_000 }, () => {
  test('upsert, fetch by rank and by score, rank, length, remove, delete', async () => {
    const up = await lb('upsert', '1=10', '2=20', '3=20', '4=30.5');
    expect([up.code, up.stderr]).toEqual([0, '']);
    const [all, top, byScore, ranks, length] = await Promise.all([
      lb('fetch'),
      lb('fetch', '--descending', '--end', '2', '-o', 'json'),
      lb('fetch', '--min', '20', '--max', '30.5'),
      lb('rank', '--descending', '4', '1', '99'),
      lb('length'),
    ]);
    expect([all.code, all.out]).toEqual([0, '0\t1\t10\n1\t2\t20\n2\t3\t20\n3\t4\t30.5\n']);
    expect(JSON.parse(top.out)).toEqual({
      cache: 'default-cache',
      leaderboard: 'weekly',
      elements: [
        { id: 4, score: 30.5, rank: 0 },
        { id: 3, score: 20, rank: 1 },
      ],
    });
    expect(byScore.out).toBe('1\t2\t20\n2\t3\t20\n');
    expect(ranks.out).toBe('0\t4\t30.5\n3\t1\t10\n');
    expect(length.out).toBe('4\n');
    expect((await lb('remove', '1', '2')).code).toBe(0);
    expect((await lb('length')).out).toBe('2\n');
    expect((await lb('delete')).code).toBe(0);
    const [after, empty] = await Promise.all([lb('length'), lb('fetch')]);
    expect([after.out, empty.code, empty.out]).toEqual(['0\n', 0, '']);
  });

  test('bad input exits 2 with what to fix; a page beyond 8192 is refused by the server', async () => {
    const [element, id, score, page] = await Promise.all([
      lb('upsert', '7:1'),
      lb('rank', 'x'),
      lb('fetch', '--min', 'abc'),
      lb('fetch', '--end', '9000'),
    ]);
    expect([element.code, element.stderr]).toEqual([
      2,
      "cachette: invalid element '7:1': use id=score, e.g. 42=1200.5\n",
    ]);
    expect([id.code, id.stderr]).toEqual([2, "cachette: invalid id 'x': use a whole number 0..4294967295\n"]);
    expect([score.code, score.stderr]).toEqual([2, "cachette: invalid --min 'abc': use a number\n"]);
    expect(page.code).toBe(2);
    expect(page.stderr).toContain('8192');
  });
});
