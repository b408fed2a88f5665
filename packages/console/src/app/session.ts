/**
 * @module app/session
 * The signed-in key lives in this tab's sessionStorage only: closing the tab forgets it, other tabs and
 * sites never see it, and nothing is written to disk by the console.
 */

const KEY = 'cachette.apiKey';
const MANAGING = 'cachette.managing';

export const session = {
  key(): string | null {
    return sessionStorage.getItem(KEY);
  },
  /** True when the key may manage caches, keys and usage (probed at sign-in). */
  managing(): boolean {
    return sessionStorage.getItem(MANAGING) === 'true';
  },
  signIn(key: string, managing: boolean): void {
    sessionStorage.setItem(KEY, key);
    sessionStorage.setItem(MANAGING, String(managing));
  },
  signOut(): void {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(MANAGING);
  },
};
