/**
 * @module browser
 * Headless Chromium for browser tests: Debian's `chromium` driven by `playwright-core` (no browser download;
 * `.ci/run` installs the package). Each launch gets a fresh profile directory, removed on close, and the flags
 * that keep Chromium from reaching the network on its own (updates, sync, QUIC probes).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/** Where Debian's package puts the browser. */
export const CHROMIUM_PATH = process.env.CACHETTE_CHROMIUM ?? '/usr/bin/chromium';

/** True when the Chromium binary is installed (browser tests are skipped, and say so, otherwise). */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A launched browser (one persistent context on the fresh profile); `close()` also removes the profile. */
export interface LaunchedBrowser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** Launches headless Chromium with a fresh user-data dir. */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'cachette-chromium-'));
  // Playwright takes the profile directory as launchPersistentContext's argument, not as a flag.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
