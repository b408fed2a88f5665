import { ErrorCode } from '@cachette/engine';
import { describe, expect, it } from 'vitest';
import { toAccount, toApiKey, toCount, toMs } from '../src/rows.ts';
import { cacheErrorOf } from './metadata-suite.ts';

const keyRow = {
  id: 'key_1',
  account_id: 'acc_1',
  secret_hash: 'ab',
  region: 'r',
  provider: 'p',
  scope_kind: 'caches',
  scope_caches: '["a","b"]',
  access: 'readOnly',
  created_at_ms: '1700000000000',
  expires_at_ms: 1800000000000n,
  revoked_at_ms: null,
  last_used_at_ms: 1700000000001,
  description: null,
};

describe('rows', () => {
  it('toMs() accepts numbers (better-sqlite3), strings (pg int8) and bigints alike', () => {
    expect(toMs(1_700_000_000_000, 'c')).toBe(1_700_000_000_000);
    expect(toMs('1700000000000', 'c')).toBe(1_700_000_000_000);
    expect(toMs(1_700_000_000_000n, 'c')).toBe(1_700_000_000_000);
    expect(toCount('3')).toBe(3);
  });

  it('toMs(non-integer) throws INTERNAL naming the column', async () => {
    const error = await cacheErrorOf(Promise.resolve().then(() => toMs('soon', 'caches.created_at_ms')));
    expect(error.code).toBe(ErrorCode.INTERNAL);
    expect(error.message).toContain('caches.created_at_ms');
  });

  it('toAccount() and toApiKey() normalise pg-style values and drop secret_hash', () => {
    expect(
      toAccount({ id: 'acc_1', email: null, provider: 'p', region: 'r', created_at_ms: '1700000000000' }).createdAtMs,
    ).toBe(1_700_000_000_000);
    const key = toApiKey(keyRow);
    expect(key).toEqual({
      id: 'key_1',
      accountId: 'acc_1',
      region: 'r',
      provider: 'p',
      scope: { kind: 'caches', caches: ['a', 'b'] },
      access: 'readOnly',
      createdAtMs: 1_700_000_000_000,
      expiresAtMs: 1_800_000_000_000,
      revokedAtMs: null,
      lastUsedAtMs: 1_700_000_000_001,
      description: null,
    });
    expect(key).not.toHaveProperty('secretHash');
  });

  it('toApiKey(row with unknown access or bad scope) throws INTERNAL instead of guessing permissions', async () => {
    for (const bad of [
      { access: 'admin' },
      { scope_kind: 'some' },
      { scope_caches: '{"a":1}' },
      { scope_caches: 'x' },
    ]) {
      const error = await cacheErrorOf(Promise.resolve().then(() => toApiKey({ ...keyRow, ...bad })));
      expect(error.code).toBe(ErrorCode.INTERNAL);
    }
  });
});
