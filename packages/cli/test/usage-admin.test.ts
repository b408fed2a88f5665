/**
 * `cachette usage` and the operator's `cachette admin plans|set-plan`, as subprocesses against a real
 * server and its data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CachetteServer, createLogger, createServerFromSettings } from '@cachette/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempHome } from './support/cli.ts';

let server: CachetteServer;
let dataDir: string;
const home = tempHome();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'cachette-usage-'));
  server = await createServerFromSettings({ port: 0, dataDir, logger: createLogger('silent') });
});
afterAll(async () => {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

describe('cachette usage', () => {
  it('reports the bytes just moved, the free tier and the cost', async () => {
    const env = { CACHETTE_API_KEY: server.devApiKey };
    expect((await runCli(['cache', 'create', '--name', 'metered'], { home, env })).code).toBe(0);
    expect(
      (await runCli(['cache', 'set', '--name', 'metered', '--key', 'andrew', '--value', 'brown'], { home, env })).code,
    ).toBe(0);
    expect((await runCli(['cache', 'get', '--name', 'metered', '--key', 'andrew'], { home, env })).out).toBe('brown');
    const json = await runCli(['usage', '--output', 'json'], { home, env });
    expect(json.code).toBe(0);
    const r = JSON.parse(json.out) as {
      totals: { bytesIn: number; bytesOut: number };
      costUsd: number;
      byCache: Array<{ cache: string }>;
    };
    expect(r.totals.bytesIn).toBe(6 + 5 + 6); // set key+value, get key
    expect(r.totals.bytesOut).toBe(5);
    expect(r.costUsd).toBe(0);
    expect(r.byCache.map((c) => c.cache)).toEqual(['metered']);
    const text = await runCli(['usage'], { home, env });
    expect(text.out).toContain('Free tier: 0.000 of 50 GB used');
    expect(text.out).toContain('Cost so far: $0.00');
    expect(text.out).toContain('metered');
    const bad = await runCli(['usage', '--month', '2026-13'], { home, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('YYYY-MM');
  });
});

describe('cachette admin', () => {
  it('lists plans and moves an account between them', async () => {
    const account = await server.metadata.createAccount({
      email: 'ops-test@example.com',
      provider: 'local',
      region: 'local',
    });
    const plans = await runCli(['admin', 'plans', '--data-dir', dataDir], { home });
    expect(plans.code).toBe(0);
    const lines = plans.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^PLAN +REQUESTS\/S PER CACHE +BANDWIDTH PER CACHE +LARGEST ITEM +LONGEST TTL +CACHES$/);
    const free = lines.find((l) => l.startsWith('free '));
    expect(free?.split(/ {2,}/)).toEqual(['free', '100', '1 MiB/s', '5 MiB', '24 h', '100']);
    const unlimited = lines.find((l) => l.startsWith('unlimited '));
    expect(unlimited).toMatch(/^unlimited +no limit +no limit +/);
    // Every row starts its columns where the header does.
    const starts = (l: string) => [...l.matchAll(/(?<=^| {2})\S/g)].map((m) => m.index);
    for (const l of lines) expect(starts(l).slice(0, 3)).toEqual(starts(lines[0] ?? '').slice(0, 3));

    const set = await runCli(
      ['admin', 'set-plan', '--account', 'ops-test@example.com', '--plan', 'unlimited', '--data-dir', dataDir],
      { home },
    );
    expect(set.out).toBe(`account ${account.id} is now on plan 'unlimited'\n`);
    expect((await server.metadata.getAccount(account.id))?.plan).toBe('unlimited');

    const unknown = await runCli(
      ['admin', 'set-plan', '--account', account.id, '--plan', 'gold', '--data-dir', dataDir],
      { home },
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("plan 'gold' not found");
  });
});
