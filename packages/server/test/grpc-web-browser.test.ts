/**
 * Momento's browser SDK (`@gomomento/sdk-web` 1.118.0, gRPC-Web text), unchanged, in headless Chromium
 * against a real server: the page is served from another origin than the server (so every call is a real
 * CORS request with its preflight), creates a cache, sets and gets items, reads a batch (a server stream),
 * lists caches, gets the SDK's own error for a missing cache, mints a disposable token and uses it; its
 * `TopicClient` subscribes (a long-lived gRPC-Web text server stream), receives in order what Node and the
 * page publish, and unsubscribing ends the server's subscription.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromiumAvailable, type LaunchedBrowser, launchChromium } from '@cachette/testing';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Booted, boot, uniqueName } from './support/boot.ts';

describe.skipIf(!chromiumAvailable())('@gomomento/sdk-web in Chromium (skipped without /usr/bin/chromium)', () => {
  let b: Booted;
  let browser: LaunchedBrowser;
  let pageServer: Server;
  let pageUrl: string;

  beforeAll(async () => {
    const bundled = await build({
      entryPoints: [fileURLToPath(new URL('./browser/sdk-web-page.ts', import.meta.url))],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    const script = bundled.outputFiles[0]?.contents ?? new Uint8Array();
    // The page's own origin: a second port, so the SDK's calls to the server are cross-origin.
    pageServer = createHttpServer((request, response) => {
      if (request.url === '/sdk.js') {
        response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      } else {
        response
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><title>sdk-web</title><script src="/sdk.js"></script>');
      }
    });
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    b = await boot({ httpPort: 0 });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await b?.stop();
    await new Promise((resolve) => pageServer?.close(resolve));
  });

  it('creates a cache, sets and gets items, mints and uses a disposable token', { timeout: 120_000 }, async () => {
    const page = await browser.context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(pageUrl);
    const cacheName = uniqueName('web');
    const result = await page.evaluate(
      (args) =>
        (
          globalThis as unknown as { cachetteSdk: { run(a: unknown): Promise<Record<string, unknown>> } }
        ).cachetteSdk.run(args),
      { apiKey: b.server.devApiKey, endpoint: b.server.httpUrl, cacheName },
    );
    expect(failures).toEqual([]);
    expect(result).toEqual({
      created: true,
      get: 'brown',
      batch: ['brown', null, '2'],
      listed: expect.arrayContaining([cacheName]),
      missing: 'NOT_FOUND_ERROR',
      tokenGet: 'yes',
      tokenCreateCache: 'PERMISSION_ERROR',
    });
    // What the browser stored is what the server holds.
    const principal = await b.server.auth.authenticate(
      JSON.parse(Buffer.from(b.server.devApiKey, 'base64').toString()).api_key,
    );
    const value = await b.server.service.get(principal, cacheName, Buffer.from('from-token'));
    expect(Buffer.from(value ?? []).toString()).toBe('yes');
  });

  it('TopicClient subscribes over gRPC-Web text, receives in order, unsubscribes cleanly', {
    timeout: 120_000,
  }, async () => {
    const page = await browser.context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (e) => failures.push(e.message));
    await page.goto(pageUrl);
    const cacheName = uniqueName('webtopic');
    const topic = 'news';
    const headers = { authorization: b.server.devApiKey, 'content-type': 'text/plain; charset=utf-8' };
    expect(
      (
        await fetch(`${b.server.httpUrl}/v1/caches/${cacheName}`, {
          method: 'PUT',
          headers: { authorization: b.server.devApiKey },
        })
      ).ok,
    ).toBe(true);
    type Sdk = {
      cachetteSdk: {
        subscribe(a: unknown): Promise<string>;
        publish(a: unknown): Promise<string>;
        unsubscribe(): void;
        watch: { items: string[]; errors: string[] };
      };
    };
    const args = { apiKey: b.server.devApiKey, endpoint: b.server.httpUrl, cacheName, topic };
    const before = b.server.topics.subscriptionCount();
    expect(await page.evaluate((a) => (globalThis as unknown as Sdk).cachetteSdk.subscribe(a), args)).toBe(
      'subscribed',
    );
    expect(b.server.topics.subscriptionCount()).toBe(before + 1);
    // From Node through Momento's HTTP API, then from the page through the SDK: one topic, one order.
    for (const text of ['one', 'two', 'thrée']) {
      const posted = await fetch(`${b.server.httpUrl}/topics/${cacheName}/${topic}`, {
        method: 'POST',
        headers,
        body: text,
      });
      expect(posted.status).toBe(204);
    }
    expect(
      await page.evaluate((a) => (globalThis as unknown as Sdk).cachetteSdk.publish({ ...a, text: 'four' }), args),
    ).toBe('published');
    await page.waitForFunction(() => (globalThis as unknown as Sdk).cachetteSdk.watch.items.length >= 4);
    const watched = await page.evaluate(() => {
      const { items, errors } = (globalThis as unknown as Sdk).cachetteSdk.watch;
      return { items, errors };
    });
    expect(watched).toEqual({ items: ['one', 'two', 'thrée', 'four'], errors: [] });
    // Unsubscribing aborts the page's request; the server notices the closed response and lets go.
    await page.evaluate(() => (globalThis as unknown as Sdk).cachetteSdk.unsubscribe());
    await vi.waitFor(() => expect(b.server.topics.subscriptionCount()).toBe(before), { timeout: 30_000 });
    expect(failures).toEqual([]);
    await page.close();
  });
});
