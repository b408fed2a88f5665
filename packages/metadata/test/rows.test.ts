import { ErrorCode } from '@cachette/core';
import { describe, expect, it } from 'vitest';
import { toAccount, toApiKey, toCount, toMs, toPlan, toUsage } from '../src/rows.ts';
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
  can_manage: 0,
  parent_key_id: null,
  topic_grants: null,
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
      toAccount({ id: 'acc_1', email: null, provider: 'p', region: 'r', created_at_ms: '1700000000000', plan: 'free' }),
    ).toMatchObject({ createdAtMs: 1_700_000_000_000, plan: 'free' });
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
      canManage: false,
      parentKeyId: null,
      topics: null,
    });
    expect(key).not.toHaveProperty('secretHash');
    const grants = [{ role: 'writeOnly', cache: 'a', topic: 'chat-', topicPrefix: true }];
    expect(toApiKey({ ...keyRow, topic_grants: JSON.stringify(grants) }).topics).toEqual(grants);
    expect(toApiKey({ ...keyRow, can_manage: 1 }).canManage).toBe(true);
  });

  it('toApiKey(row with unknown access or bad scope) throws INTERNAL instead of guessing permissions', async () => {
    for (const bad of [
      { access: 'admin' },
      { scope_kind: 'some' },
      { scope_caches: '{"a":1}' },
      { scope_caches: 'x' },
      { can_manage: 2 },
      { topic_grants: 'x' },
      { topic_grants: '[{"role":"admin","cache":null,"topic":null}]' },
    ]) {
      const error = await cacheErrorOf(Promise.resolve().then(() => toApiKey({ ...keyRow, ...bad })));
      expect(error.code).toBe(ErrorCode.INTERNAL);
    }
  });

  it('toPlan() and toUsage() normalise pg int8 strings and keep null limits', () => {
    expect(
      toPlan({
        name: 'free',
        max_requests_per_second: '100',
        max_throughput_bytes_per_second: null,
        max_item_size_bytes: 5242880n,
        max_ttl_ms: '86400000',
        max_caches: null,
        max_api_keys: '100',
        max_topic_publishes_per_second: '100',
        max_topic_subscriptions_per_cache: null,
        max_topic_message_bytes: 4096n,
      }),
    ).toEqual({
      name: 'free',
      maxRequestsPerSecond: 100,
      maxThroughputBytesPerSecond: null,
      maxItemSizeBytes: 5_242_880,
      maxTtlMs: 86_400_000,
      maxCaches: null,
      maxApiKeys: 100,
      maxTopicPublishesPerSecond: 100,
      maxTopicMessageBytes: 4096,
    });
    expect(
      toUsage({
        account_id: 'acc_1',
        cache_name: 'c',
        hour_start_ms: '1699999200000',
        bytes_in: '10',
        bytes_out: 20,
        requests: 3n,
      }),
    ).toEqual({
      accountId: 'acc_1',
      cacheName: 'c',
      hourStartMs: 1_699_999_200_000,
      bytesIn: 10,
      bytesOut: 20,
      requests: 3,
    });
  });

  it('toUsage(counter past 2^53) throws INTERNAL rather than returning a rounded total', async () => {
    const row = {
      account_id: 'a',
      cache_name: 'c',
      hour_start_ms: 0,
      bytes_in: '9007199254740993',
      bytes_out: 0,
      requests: 0,
    };
    const error = await cacheErrorOf(Promise.resolve().then(() => toUsage(row)));
    expect(error.code).toBe(ErrorCode.INTERNAL);
    expect(error.message).toContain('usage.bytes_in');
  });
});
