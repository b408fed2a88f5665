/**
 * Issue 14, finding 6: API keys per account are bounded by the plan, and `GET /v1/api-keys` answers one
 * page at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Booted, boot } from './support/boot.ts';

let b: Booted;
beforeAll(async () => {
  b = await boot();
});
afterAll(async () => {
  await b.stop();
});

async function createKey(apiKey: string) {
  const res = await fetch(`${b.server.httpUrl}/v1/api-keys`, {
    method: 'POST',
    headers: { authorization: apiKey, 'content-type': 'application/json' },
    body: '{}',
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

async function list(apiKey: string, query = '') {
  const res = await fetch(`${b.server.httpUrl}/v1/api-keys${query}`, { headers: { authorization: apiKey } });
  return {
    status: res.status,
    json: (await res.json()) as { keys: Array<{ id: string }>; nextPageToken: string | null; error?: unknown },
  };
}

/** A fresh account on a plan allowing `maxApiKeys` usable keys, with one managing key (counted). */
async function accountWithPlan(maxApiKeys: number | null): Promise<string> {
  const { metadata, accounts } = b.server;
  const free = await metadata.getPlan('free');
  if (free === undefined) throw new Error('no free plan');
  const name = `keys-${maxApiKeys}-${Math.random().toString(36).slice(2, 8)}`;
  await metadata.putPlan({ ...free, name, maxApiKeys });
  const account = await metadata.createAccount({ provider: 'local', region: 'local', plan: name });
  return (await accounts.issue(account.id, {})).apiKey;
}

describe('API keys per account', () => {
  it('the free plan allows 100 usable keys', async () => {
    expect((await b.server.metadata.getPlan('free'))?.maxApiKeys).toBe(100);
  });

  it('POST /v1/api-keys past the plan limit answers 429 api_key_count_limit_exceeded; revoking makes room', async () => {
    const key = await accountWithPlan(3);
    const made: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await createKey(key);
      expect(r.status).toBe(201);
      made.push(r.json.id as string);
    }
    const over = await createKey(key);
    expect(over.status).toBe(429);
    expect(over.json).toMatchObject({ error: { code: 'LIMIT_EXCEEDED', reason: 'api_key_count_limit_exceeded' } });
    const del = await fetch(`${b.server.httpUrl}/v1/api-keys/${made[0]}`, {
      method: 'DELETE',
      headers: { authorization: key },
    });
    expect(del.status).toBe(204);
    expect((await createKey(key)).status).toBe(201);
  });
});

describe('GET /v1/api-keys pagination', () => {
  it('pages of ?limit=N, newest first, cover every key exactly once and end with nextPageToken null', async () => {
    const key = await accountWithPlan(null);
    const created: string[] = [];
    for (let i = 0; i < 6; i++) created.push((await createKey(key)).json.id as string);
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=4${token === null ? '' : `&page_token=${encodeURIComponent(token)}`}`;
      const page = await list(key, query);
      expect(page.status).toBe(200);
      expect(page.json.keys.length).toBeLessThanOrEqual(4);
      seen.push(...page.json.keys.map((k) => k.id));
      token = page.json.nextPageToken;
      pages++;
    } while (token !== null);
    expect(pages).toBe(2);
    expect(seen).toHaveLength(7); // six created + the account's first key
    expect(new Set(seen).size).toBe(7);
    for (const id of created) expect(seen).toContain(id);
  });

  it('without ?limit a page holds at most 100 keys', async () => {
    const key = await accountWithPlan(null);
    const { metadata } = b.server;
    const owner = (await b.server.auth.authenticate(key)).accountId;
    for (let i = 0; i < 120; i++) await metadata.createApiKey({ accountId: owner });
    const page = await list(key);
    expect(page.json.keys).toHaveLength(100);
    expect(page.json.nextPageToken).toEqual(expect.any(String));
  });

  it('a limit above 1000, a non-number or a forged page token answers 400', async () => {
    expect((await list(b.server.devApiKey, '?limit=1001')).status).toBe(400);
    expect((await list(b.server.devApiKey, '?limit=0')).status).toBe(400);
    expect((await list(b.server.devApiKey, '?limit=ten')).status).toBe(400);
    expect((await list(b.server.devApiKey, '?page_token=bm9wZQ')).status).toBe(400);
  });
});
