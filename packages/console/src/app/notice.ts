/**
 * @module app/notice
 * One place on the page for what just happened: errors (role=alert, read out by screen readers) and
 * confirmations. Every failed API call ends here with the server's own message.
 */
import { ApiError } from './api.ts';
import { h, mount } from './dom.ts';

function area(): HTMLElement {
  return document.getElementById('notice') as HTMLElement;
}

/** Shows `message` as an error. */
export function showError(error: unknown): void {
  const text =
    error instanceof ApiError
      ? `${error.code}: ${error.describe()}`
      : error instanceof Error
        ? error.message
        : String(error);
  mount(area(), h('div', { class: 'notice error', role: 'alert' }, text));
}

/** Shows a confirmation. */
export function showInfo(message: string): void {
  mount(area(), h('div', { class: 'notice info', role: 'status' }, message));
}

/** Clears the notice (on navigation). */
export function clearNotice(): void {
  mount(area());
}

/** Runs `task`, showing its error if it fails; disables `button` meanwhile. */
export async function attempt(task: () => Promise<void>, button?: HTMLButtonElement | null): Promise<void> {
  if (button) button.disabled = true;
  try {
    await task();
  } catch (e) {
    showError(e);
  } finally {
    if (button) button.disabled = false;
  }
}
