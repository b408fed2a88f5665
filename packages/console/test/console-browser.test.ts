/**
 * The console in headless Chromium against a real server: sign-in (with the keyboard alone), a cache
 * created, an item set and read back with its TTL, a read-only key created (its secret works, with read
 * rights only) and revoked (it stops working), a topic published to and watched live (messages from the page
 * and from Node arrive in order; leaving the page ends the server's subscription), a leaderboard upserted,
 * ranked and deleted, the usage chart, the operator view, the server's own error shown for a bad key, and a
 * phone-sized viewport without sideways scrolling.
 * `CACHETTE_SCREENSHOTS=1` also writes the screenshots the README shows into docs/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createTcpServer, type Socket, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type CachetteServer, createLogger, createServerFromSettings } from '@cachette/server';
import { apiKeyIn, chromiumAvailable, type LaunchedBrowser, launchChromium, outbox } from '@cachette/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleFiles } from '../src/index.ts';

// The page answers when the server and the browser do: on a loaded machine that can take seconds.
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });

const docs = fileURLToPath(new URL('../../../docs/', import.meta.url));
const screenshots = process.env.CACHETTE_SCREENSHOTS === '1';

async function shot(page: Page, name: string): Promise<void> {
  if (screenshots) await page.screenshot({ path: join(docs, `console-${name}.png`), fullPage: true });
}

/**
 * A TCP relay in front of the server's HTTP port, so a test can cut every open connection at once (what a
 * flaky network or a load balancer does); new connections go through again at once.
 */
async function relay(port: () => number): Promise<{ url: string; cut: () => void; close: () => Promise<void> }> {
  const pairs = new Set<[Socket, Socket]>();
  const tcp: TcpServer = createTcpServer((client) => {
    const upstream = connect(port(), '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  const address = tcp.address();
  if (address === null || typeof address === 'string') throw new Error('no relay port');
  const cut = () => {
    for (const [client, upstream] of [...pairs]) {
      client.destroy();
      upstream.destroy();
    }
  };
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut,
    close: () => {
      cut();
      return new Promise((resolve) => tcp.close(() => resolve()));
    },
  };
}

describe.skipIf(!chromiumAvailable())('the console in Chromium (skipped without /usr/bin/chromium)', () => {
  let server: CachetteServer;
  let dataDir: string;
  let browser: LaunchedBrowser;
  let page: Page;
  const cacheName = `console-${Math.random().toString(36).slice(2, 8)}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cachette-console-'));
    server = await createServerFromSettings({ port: 0, httpPort: 0, dataDir, logger: createLogger('silent') });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1200, height: 800 });
    // Flush, delete and revoke ask for confirmation: the test confirms.
    page.on('dialog', (dialog) => void dialog.accept());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const notice = () => page.locator('#notice');

  it('refuses a wrong key with the server’s message', { timeout: 60_000 }, async () => {
    await page.goto(`${server.httpUrl}/console`);
    await shot(page, 'sign-in');
    await page.fill('textarea[name=key]', 'not-a-key');
    await page.click('button:has-text("Sign in")');
    await poll(() => notice().textContent()).toContain('UNAUTHENTICATED');
  });

  it('signs up: the key arrives by e-mail and signs in', { timeout: 60_000 }, async () => {
    await page.goto(`${server.httpUrl}/console`);
    await page.fill('input[name=email]', 'console-user@example.com');
    await page.click('button:has-text("Send me a key")');
    await poll(() => notice().textContent()).toContain('A key is on its way to console-user@example.com');
    // No SMTP in the test: the server wrote the e-mail to its outbox.
    const mails = await outbox(dataDir);
    const key = apiKeyIn(mails.at(-1)?.text ?? '');
    await page.fill('textarea[name=key]', key);
    await page.click('button:has-text("Sign in")');
    await page.waitForSelector('h2:has-text("Caches")');
    expect(await page.locator('main').textContent()).toContain('No caches yet.');
    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('h2:has-text("Sign in")');
  });

  it('signs in with the keyboard alone', { timeout: 60_000 }, async () => {
    await page.goto(`${server.httpUrl}/console`);
    // The key field has focus once the view is rendered; Tab reaches the button, Enter presses it.
    await page.waitForFunction("document.activeElement?.getAttribute('name') === 'key'");
    await page.keyboard.insertText(server.devApiKey);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.waitForSelector('h2:has-text("Caches")');
    expect(await page.evaluate("sessionStorage.getItem('cachette.apiKey')")).toBe(server.devApiKey);
    expect(await page.locator('nav a').allTextContents()).toEqual(['Caches', 'API keys', 'Usage', 'Operator']);
  });

  it('creates a cache, sets an item and reads it back with its TTL', { timeout: 60_000 }, async () => {
    await page.fill('input[name=name]', cacheName);
    await page.click('button:has-text("Create cache")');
    await page.waitForSelector(`a:has-text("${cacheName}")`);
    await shot(page, 'caches');
    await page.click(`a:has-text("${cacheName}")`);
    await page.waitForSelector('h3:has-text("Set an item")');
    const set = page.locator('form:has(h3:has-text("Set an item"))');
    await set.locator('input[name=key]').fill('profile');
    await set.locator('select[name=kind]').selectOption('json');
    await set.locator('textarea[name=value]').fill('{"name":"andrew","langs":["ts"]}');
    await set.locator('input[name=ttl]').fill('600');
    await set.locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Item 'profile' stored");
    const get = page.locator('form:has(h3:has-text("Get an item"))');
    await get.locator('input[name=key]').fill('profile');
    await get.locator('button[type=submit]').click();
    await expect
      .poll(() => page.locator('[data-testid=value]').textContent())
      .toBe(JSON.stringify({ name: 'andrew', langs: ['ts'] }, null, 2));
    expect(await page.locator('[data-testid=ttl]').textContent()).toMatch(/^(9|10) min/);
    await shot(page, 'items');
    // The item is really on the server, as the console showed it.
    const stored = await fetch(`${server.httpUrl}/cache/${cacheName}?key=profile`, {
      headers: { authorization: server.devApiKey },
    });
    expect(await stored.text()).toBe('{"name":"andrew","langs":["ts"]}');
    // A miss is a plain statement, not an error.
    await get.locator('input[name=key]').fill('nobody');
    await get.locator('button[type=submit]').click();
    await poll(() => page.locator('main').textContent()).toContain("No item 'nobody' (miss).");
  });

  it('adds to and edits a dictionary, a list, a set and a sorted set through the forms', {
    timeout: 90_000,
  }, async () => {
    await page.goto(`${server.httpUrl}/console#/items/${cacheName}`);
    await page.waitForSelector('h3:has-text("Collections")');
    const card = page.locator('section:has(h3:has-text("Collections"))');
    const form = (title: string) => card.locator(`form[aria-label="${title}"]`);
    const rows = () =>
      card
        .locator('[data-testid=collection] tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    const held = async (path: string) =>
      (
        await fetch(`${server.httpUrl}/v1/caches/${cacheName}/${path}`, {
          headers: { authorization: server.devApiKey },
        })
      ).json();

    // Dictionary: two fields in one set (the second pair added with the keyboard), an increment, a removal.
    await card.locator('select[name=type]').selectOption('dictionary');
    await card.locator('input[name=name]').fill('prefs');
    const setFields = form('Set fields');
    await setFields.locator('input[name=field1]').fill('theme');
    await setFields.locator('textarea[name=value1]').fill('dark');
    await setFields.locator('button:has-text("Add a field")').focus();
    await page.keyboard.press('Enter');
    // The new pair's field has the focus: type on.
    await page.waitForFunction("document.activeElement?.getAttribute('name') === 'field2'");
    await page.keyboard.insertText('lang');
    await setFields.locator('textarea[name=value2]').fill('en');
    await setFields.locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain('Set 2 fields.');
    const increment = form('Increment a field');
    await increment.locator('input[name=field]').fill('visits');
    await increment.locator('input[name=amount]').fill('3');
    // Enter in a field submits its form.
    await increment.locator('input[name=amount]').press('Enter');
    await poll(() => notice().textContent()).toContain("Field 'visits' is now 3.");
    await form('Remove a field').locator('input[name=field]').fill('lang');
    await form('Remove a field').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Field 'lang' removed.");
    await poll(rows).toEqual([
      ['theme', 'dark'],
      ['visits', '3'],
    ]);
    expect(await held('dictionaries/prefs')).toEqual({
      items: expect.arrayContaining([
        { field: 'theme', value: 'dark' },
        { field: 'visits', value: '3' },
      ]),
    });
    // A list op on the dictionary's name: the server's FAILED_PRECONDITION, in the page.
    await card.locator('select[name=type]').selectOption('list');
    await form('Push a value').locator('textarea[name=value]').fill('x');
    await form('Push a value').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain('FAILED_PRECONDITION');

    // List: push back a, b, c and front z, pop the back, retain from index 1, remove a value.
    await card.locator('input[name=name]').fill('queue');
    const push = form('Push a value');
    for (const [value, end] of [
      ['a', 'back'],
      ['b', 'back'],
      ['c', 'back'],
      ['z', 'front'],
    ] as const) {
      await push.locator('textarea[name=value]').fill(value);
      await push.locator('select[name=end]').selectOption(end);
      await push.locator('button[type=submit]').click();
      await poll(() => notice().textContent()).toContain(`Pushed to the ${end}`);
    }
    await poll(rows).toEqual([
      ['0', 'z'],
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
    await form('Pop a value').locator('select[name=end]').selectOption('back');
    await form('Pop a value').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Popped 'c' from the back; 3 left.");
    await form('Retain a range').locator('input[name=start]').fill('1');
    await form('Retain a range').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain('the list holds 2');
    await form('Remove a value').locator('textarea[name=value]').fill('a');
    await form('Remove a value').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Removed every 'a'; the list holds 1.");
    expect(await held('lists/queue')).toEqual({ values: ['b'] });

    // Set: add three elements (one per line), remove one.
    await card.locator('select[name=type]').selectOption('set');
    await card.locator('input[name=name]').fill('tags');
    await form('Add elements').locator('textarea[name=entries]').fill('red\ngreen\nblue');
    await form('Add elements').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain('Added 3 elements.');
    await form('Remove elements').locator('textarea[name=entries]').fill('green');
    await form('Remove elements').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain('Removed 1 element.');
    await poll(async () => (await rows()).flat().sort()).toEqual(['blue', 'red']);

    // Sorted set: put three members, increment one, remove one, fetch by score and by rank.
    await card.locator('select[name=type]').selectOption('sorted set');
    await card.locator('input[name=name]').fill('scores');
    const put = form('Put a member');
    for (const [value, score] of [
      ['alice', '10'],
      ['bob', '30'],
      ['carol', '20'],
    ] as const) {
      await put.locator('input[name=value]').fill(value);
      await put.locator('input[name=score]').fill(score);
      await put.locator('button[type=submit]').click();
      await poll(() => notice().textContent()).toContain(`'${value}' now scores ${score}.`);
    }
    await form('Increment a score').locator('input[name=value]').fill('alice');
    await form('Increment a score').locator('input[name=amount]').fill('15');
    await form('Increment a score').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("'alice' now scores 25.");
    await form('Remove a member').locator('input[name=value]').fill('carol');
    await form('Remove a member').locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("'carol' removed.");
    const range = form('Fetch a range');
    await range.locator('select[name=by]').selectOption('score');
    await range.locator('input[name=from]').fill('26');
    await range.locator('select[name=order]').selectOption('descending');
    await range.locator('button[type=submit]').click();
    await poll(() => card.locator('[data-testid=collection-summary]').textContent()).toContain('scores 26 to +∞');
    expect(await rows()).toEqual([['bob', '30']]);
    await range.locator('select[name=by]').selectOption('rank');
    await range.locator('input[name=from]').fill('0');
    await range.locator('input[name=to]').fill('2');
    await range.locator('select[name=order]').selectOption('ascending');
    await range.locator('button[type=submit]').click();
    await poll(rows).toEqual([
      ['alice', '25'],
      ['bob', '30'],
    ]);
    await shot(page, 'collections');
    // A bad score is refused in the page, before any call.
    await put.locator('input[name=value]').fill('dave');
    await put.locator('input[name=score]').fill('lots');
    await put.locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Score must be a number, got 'lots'.");
    expect(await held('sorted-sets/scores')).toEqual({
      elements: [
        { value: 'alice', score: 25 },
        { value: 'bob', score: 30 },
      ],
    });
    // Delete asks first (the test confirms), then the collection is gone.
    await card.locator('button:has-text("Delete sorted set")').click();
    await poll(() => notice().textContent()).toContain("The sorted set 'scores' was deleted.");
  });

  it('a page still loading when the user navigates never replaces the page navigated to', {
    timeout: 60_000,
  }, async () => {
    const tab = await browser.context.newPage();
    try {
      // The sign-in page loads its config before it shows: hold that answer until the next page is up.
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => (release = resolve));
      let answered: () => void = () => undefined;
      const configAnswered = new Promise<void>((resolve) => (answered = resolve));
      await tab.route('**/console/config.json', async (route) => {
        await held;
        await route.continue();
      });
      tab.on('requestfinished', (request) => {
        if (request.url().endsWith('/console/config.json')) answered();
      });
      await tab.goto(`${server.httpUrl}/console`);
      await tab.evaluate(
        `sessionStorage.setItem('cachette.apiKey', ${JSON.stringify(server.devApiKey)}); ` +
          `sessionStorage.setItem('cachette.managing', 'true'); location.hash = '#/topics/${cacheName}'`,
      );
      await tab.waitForSelector('h3:has-text("Live view")');
      release();
      await configAnswered;
      // Two trips through the page's task queue: the sign-in view's code after its answer has run by then.
      for (let i = 0; i < 2; i++) await tab.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
      expect(await tab.locator('h2:has-text("Sign in")').count()).toBe(0);
      expect(await tab.locator('h3:has-text("Live view")').count()).toBe(1);
    } finally {
      await tab.close();
    }
  });

  it('publishes to a topic and shows it arriving in the live view', { timeout: 60_000 }, async () => {
    await page.click('a:has-text("Topics")');
    await page.waitForSelector('h3:has-text("Live view")');
    const before = server.topics.subscriptionCount();
    const watch = page.locator('form:has(h3:has-text("Live view"))');
    await watch.locator('input[name=topic]').fill('news');
    await watch.locator('button[type=submit]').click();
    await page.waitForSelector('[data-testid=watch-state][data-state=live]');
    expect(server.topics.subscriptionCount()).toBe(before + 1);
    const publish = page.locator('form:has(h3:has-text("Publish"))');
    await publish.locator('input[name=topic]').fill('news');
    await publish.locator('textarea[name=message]').fill('héllo from the console');
    await publish.locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Published to 'news'.");
    // From Node through Momento's HTTP API: the same topic, the next sequence.
    const posted = await fetch(`${server.httpUrl}/topics/${cacheName}/news`, {
      method: 'POST',
      headers: { authorization: server.devApiKey, 'content-type': 'text/plain' },
      body: 'and from Node',
    });
    expect(posted.status).toBe(204);
    const messages = page.locator('[data-testid=messages] li');
    await poll(() => messages.count()).toBe(2);
    // Newest first.
    expect(await messages.allTextContents()).toEqual(['#2 and from Node', '#1 héllo from the console']);
    await shot(page, 'topics');
    // Stopping aborts the request: the server lets the subscription go.
    await page.click('button:has-text("Stop")');
    await page.waitForSelector('[data-testid=watch-state][data-state=stopped]');
    await poll(() => server.topics.subscriptionCount()).toBe(before);
    // An unknown cache is the server's NOT_FOUND, in the page.
    await page.goto(`${server.httpUrl}/console#/topics/no-such-cache`);
    await page.locator('form:has(h3:has-text("Live view")) input[name=topic]').fill('news');
    await page.locator('form:has(h3:has-text("Live view")) button[type=submit]').click();
    await poll(() => notice().textContent()).toContain('NOT_FOUND');
  });

  it('upserts scores, shows the top N and a rank, deletes the leaderboard', { timeout: 60_000 }, async () => {
    await page.goto(`${server.httpUrl}/console#/leaderboards/${cacheName}`);
    await page.waitForSelector('h3:has-text("Upsert a score")');
    await page.fill('input[name=board]', 'players');
    const upsert = page.locator('form:has(h3:has-text("Upsert a score"))');
    for (const [id, score] of [
      ['1', '10'],
      ['2', '30.5'],
      ['3', '20'],
    ] as const) {
      await upsert.locator('input[name=id]').fill(id);
      await upsert.locator('input[name=score]').fill(score);
      await upsert.locator('button[type=submit]').click();
      await poll(() => notice().textContent()).toContain(`Id ${id} now scores ${score}.`);
    }
    const top = page.locator('form:has(h3:has-text("Top N"))');
    await top.locator('input[name=count]').fill('2');
    await top.locator('button[type=submit]').click();
    await poll(() => page.locator('[data-testid=leaderboard-length]').textContent()).toContain(
      'holds 3 elements; top 2',
    );
    // Rank, id, score per row, highest score first.
    expect(await page.locator('[data-testid=leaderboard] tbody td').allTextContents()).toEqual([
      '1',
      '2',
      '30.5',
      '2',
      '3',
      '20',
    ]);
    await shot(page, 'leaderboards');
    const rank = page.locator('form:has(h3:has-text("Rank of an id"))');
    await rank.locator('input[name=id]').fill('1');
    await rank.locator('button[type=submit]').click();
    await poll(() => page.locator('[data-testid=rank]').textContent()).toBe('Id 1 is ranked 3 (score 10).');
    // What the console shows is what the server holds.
    const held = await fetch(`${server.httpUrl}/v1/caches/${cacheName}/leaderboards/players/length`, {
      headers: { authorization: server.devApiKey },
    });
    expect(await held.json()).toEqual({ length: 3 });
    // A bad score is refused in the page, with what was wrong.
    await upsert.locator('input[name=id]').fill('4');
    await upsert.locator('input[name=score]').fill('lots');
    await upsert.locator('button[type=submit]').click();
    await poll(() => notice().textContent()).toContain("Score must be a number, got 'lots'.");
    await page.click('button:has-text("Delete leaderboard")');
    await poll(() => notice().textContent()).toContain("Leaderboard 'players' deleted.");
    await top.locator('button[type=submit]').click();
    await poll(() => page.locator('[data-testid=leaderboard-length]').textContent()).toContain('holds 0 elements');
  });

  it('creates a read-only key (shown once), then revokes it', { timeout: 60_000 }, async () => {
    await page.click('nav a:has-text("API keys")');
    await page.waitForSelector('h3:has-text("Create a key")');
    await page.fill('input[name=caches]', cacheName);
    await page.selectOption('select[name=access]', 'read-only');
    await page.selectOption('select[name=expires]', '1 day');
    await page.fill('input[name=description]', 'console test');
    await page.click('button:has-text("Create key")');
    const secret = (await page.locator('[data-testid=new-key]').textContent()) ?? '';
    expect(secret.length).toBeGreaterThan(40);
    await shot(page, 'keys');
    const read = await fetch(`${server.httpUrl}/cache/${cacheName}?key=profile`, {
      headers: { authorization: secret },
    });
    expect(read.status).toBe(200);
    const write = await fetch(`${server.httpUrl}/cache/${cacheName}?key=x&ttl_seconds=60`, {
      method: 'PUT',
      headers: { authorization: secret },
      body: 'y',
    });
    expect(write.status).toBe(403);

    const row = page.locator('tr', { hasText: 'console test' });
    await row.locator('button:has-text("Revoke")').click();
    await poll(() => row.locator('[data-testid=state]').textContent()).toBe('revoked');
    const after = await fetch(`${server.httpUrl}/cache/${cacheName}?key=profile`, {
      headers: { authorization: secret },
    });
    expect(after.status).toBe(401);
  });

  it('charts the bytes moved this month', { timeout: 60_000 }, async () => {
    await page.click('nav a:has-text("Usage")');
    await page.waitForSelector('[data-testid=usage-chart]');
    // The set above moved the key and value in, the reads moved the value out.
    expect(await page.locator('[data-testid=bytes-in]').textContent()).not.toBe('0 B');
    expect(await page.locator('[data-testid=bytes-out]').textContent()).not.toBe('0 B');
    const days = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 0)).getUTCDate();
    expect(await page.locator('[data-testid=usage-chart] rect').count()).toBe(days * 2);
    const tallest = await page
      .locator('[data-testid=usage-chart] rect.bar-in')
      .evaluateAll((rects) => Math.max(...rects.map((r) => Number(r.getAttribute('height')))));
    expect(tallest).toBeGreaterThan(0);
    await shot(page, 'usage');
  });

  it('shows plans, health and live figures to an operator', { timeout: 60_000 }, async () => {
    await page.click('nav a:has-text("Operator")');
    await page.waitForSelector('h3:has-text("Plans")');
    expect(await page.locator('[data-testid=health]').textContent()).toBe('ok');
    expect(await page.locator('tr', { hasText: 'your plan' }).count()).toBe(1);
    expect(await page.locator('[data-testid=metrics]').textContent()).toContain('Requests served');
    await shot(page, 'operator');
  });

  it('is readable on a phone: no sideways scrolling', { timeout: 60_000 }, async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const hash of [
      '#/caches',
      `#/items/${cacheName}`,
      `#/topics/${cacheName}`,
      `#/leaderboards/${cacheName}`,
      '#/keys',
      '#/usage',
    ]) {
      await page.goto(`${server.httpUrl}/console${hash}`);
      await page.waitForSelector('main h2');
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow, hash).toBeLessThanOrEqual(0);
    }
    // Every collection type's forms fit too.
    await page.goto(`${server.httpUrl}/console#/items/${cacheName}`);
    await page.waitForSelector('h3:has-text("Collections")');
    for (const type of ['dictionary', 'list', 'set', 'sorted set']) {
      await page.locator('select[name=type]').selectOption(type);
      await page.waitForSelector('form.op');
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
      expect(overflow, type).toBeLessThanOrEqual(0);
    }
    await shot(page, 'phone-collections');
    await page.goto(`${server.httpUrl}/console#/caches`);
    await page.waitForSelector('main h2');
    await shot(page, 'phone');
    await page.setViewportSize({ width: 1200, height: 800 });
  });

  it('ships a small console, gzipped, and measures its first load (figures logged, not asserted)', {
    timeout: 120_000,
  }, async () => {
    // What the server sends: every file under /console, as built.
    const files = consoleFiles();
    const shipped = files.reduce((n, f) => n + f.body.length, 0);
    const gzipped = files.reduce((n, f) => n + gzipSync(f.body, { level: 9 }).length, 0);
    // A budget, so the console stays small: a framework or a bundled dependency would break it.
    expect(shipped).toBeLessThan(120_000);
    // The server gzips each file once and sends that to whoever accepts it (browsers do), the same bytes.
    const main = files.find((f) => f.path === 'app/main.js');
    for (const encoding of ['gzip, deflate, br', 'identity']) {
      const answer = await fetch(`${server.httpUrl}/console/app/main.js`, { headers: { 'accept-encoding': encoding } });
      expect(answer.headers.get('content-encoding')).toBe(encoding === 'identity' ? null : 'gzip');
      expect(Buffer.from(await answer.arrayBuffer()).equals(main?.body ?? Buffer.alloc(0))).toBe(true);
    }
    const loads: Array<{ dcl: number; load: number; transferred: number }> = [];
    const reloads: Array<{ dcl: number; transferred: number }> = [];
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const measure = async (p: Page) =>
      (await p.evaluate(`(() => {
        const nav = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource');
        return {
          dcl: nav.domContentLoadedEventEnd,
          load: nav.loadEventEnd,
          transferred: nav.transferSize + resources.reduce((n, r) => n + r.transferSize, 0),
        };
      })()`)) as { dcl: number; load: number; transferred: number };
    for (let i = 0; i < 5; i++) {
      const fresh = await browser.context.newPage();
      // A first visit: nothing in the browser's cache.
      const cdp = await browser.context.newCDPSession(fresh);
      await cdp.send('Network.clearBrowserCache');
      await fresh.goto(`${server.httpUrl}/console`, { waitUntil: 'load' });
      await fresh.waitForSelector('h2:has-text("Sign in")');
      loads.push(await measure(fresh));
      // A reload revalidates every file by ETag (304s).
      await fresh.reload({ waitUntil: 'load' });
      await fresh.waitForSelector('h2:has-text("Sign in")');
      reloads.push(await measure(fresh));
      await fresh.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    console.info(
      `console: ${files.length} files, ${(shipped / 1000).toFixed(1)} KB (${(gzipped / 1000).toFixed(1)} KB gzipped); ` +
        `first load, median of ${loads.length}: DOMContentLoaded ${median(loads.map((l) => l.dcl)).toFixed(0)} ms, ` +
        `load ${median(loads.map((l) => l.load)).toFixed(0)} ms, ${(median(loads.map((l) => l.transferred)) / 1000).toFixed(1)} KB transferred; ` +
        `reload: DOMContentLoaded ${median(reloads.map((l) => l.dcl)).toFixed(0)} ms, ${(median(reloads.map((l) => l.transferred)) / 1000).toFixed(1)} KB`,
    );
    expect(loads.every((l) => l.transferred > 0)).toBe(true);
  });

  it('resumes the live view after a dropped connection and after a server restart', { timeout: 120_000 }, async () => {
    const through = await relay(() => server.httpPort);
    const live = await browser.context.newPage();
    try {
      // The relay is another origin: this tab signs in with the same key.
      await live.goto(`${through.url}/console`);
      await live.evaluate(
        `sessionStorage.setItem('cachette.apiKey', ${JSON.stringify(server.devApiKey)}); ` +
          "sessionStorage.setItem('cachette.managing', 'true')",
      );
      await live.goto(`${through.url}/console#/topics/${cacheName}`);
      await live.locator('form:has(h3:has-text("Live view")) input[name=topic]').fill('feed');
      await live.locator('form:has(h3:has-text("Live view")) button[type=submit]').click();
      await live.waitForSelector('[data-testid=watch-state][data-state=live]');
      const before = server.topics.subscriptionCount();
      const publish = async (text: string) => {
        const answer = await fetch(`${server.httpUrl}/topics/${cacheName}/feed`, {
          method: 'POST',
          headers: { authorization: server.devApiKey, 'content-type': 'text/plain' },
          body: text,
        });
        expect(answer.status).toBe(204);
      };
      const shown = () =>
        live
          .locator('[data-testid=messages] li[data-sequence]')
          .evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-page')}:${li.textContent}`).reverse());
      await publish('one');
      await publish('two');
      await poll(async () => (await shown()).length).toBe(2);
      const page1 = (await shown())[0]?.split(':')[0];

      // The network drops every connection; two messages go out while the page is away.
      through.cut();
      await publish('three');
      await publish('four');
      await poll(() => live.locator('[data-testid=watch-state]').textContent()).toContain('reconnected 1×');
      await publish('five');
      await poll(shown).toEqual(
        ['#1 one', '#2 two', '#3 three', '#4 four', '#5 five'].map((text) => `${page1}:${text}`),
      );
      expect(await live.locator('[data-testid=discontinuity]').count()).toBe(0);
      // The dropped connection's subscription was let go: one subscription, the resumed one.
      await poll(() => server.topics.subscriptionCount()).toBe(before);

      // The server restarts on the same port: the in-process topic bus starts a new numbering, so the page
      // says what it may have missed, then goes on.
      const { grpcPort, httpPort } = server;
      const key = server.devApiKey;
      await server.close();
      server = await createServerFromSettings({ port: grpcPort, httpPort, dataDir, logger: createLogger('silent') });
      expect(server.devApiKey).toBe(key);
      await poll(() => live.locator('[data-testid=watch-state]').textContent()).toContain('reconnected 2×');
      await poll(() => live.locator('[data-testid=discontinuity]').textContent()).toContain('numbering restarted');
      await publish('six');
      await poll(async () => (await shown()).length).toBe(6);
      expect((await shown()).at(-1)).toMatch(/^\d+:#1 six$/);
      expect((await shown()).at(-1)?.split(':')[0]).not.toBe(page1);
      await shot(live, 'topics-resumed');
      await live.click('button:has-text("Stop")');
      await live.waitForSelector('[data-testid=watch-state][data-state=stopped]');
    } finally {
      await live.close();
      await through.close();
    }
  });

  it('deletes the cache after confirmation, and signs out', { timeout: 60_000 }, async () => {
    await page.goto(`${server.httpUrl}/console#/caches`);
    await page.locator('tr', { hasText: cacheName }).locator('button:has-text("Delete")').click();
    await poll(() => notice().textContent()).toContain(`Cache '${cacheName}' deleted.`);
    await page.click('button:has-text("Sign out")');
    await page.waitForSelector('h2:has-text("Sign in")');
    expect(await page.evaluate("sessionStorage.getItem('cachette.apiKey')")).toBeNull();
  });
});
