/**
 * @module test/support/expect-error
 * Assertions on the official SDK's error responses.
 */
import type { MomentoErrorCode } from '@gomomento/sdk';
import { expect } from 'vitest';

interface MaybeError {
  readonly type: string;
  errorCode?: () => MomentoErrorCode;
  message?: () => string;
}

/** Asserts `response` is an SDK error with `code` and (optionally) a message containing `text`. */
export function expectSdkError(response: MaybeError, code: MomentoErrorCode, text?: string): void {
  expect(response.type, `expected an error ${code}, got ${String(response)}`).toBe('Error');
  expect(response.errorCode?.()).toBe(code);
  if (text !== undefined) expect(response.message?.()).toContain(text);
}
