/**
 * Authenticator.recall with a connection's AuthMemo: what the hot path may skip (digest, lookup, promise)
 * and what it must still notice — another token, a revocation, the lookup period, the key's own expiry.
 */
import { ErrorCode, ManualClock } from '@cachette/core';
import { type MetadataStore, openSqliteMetadata } from '@cachette/metadata';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Authenticator, AuthMemo } from '../../src/service/principal.ts';

describe('Authenticator.recall with an AuthMemo', () => {
  let clock: ManualClock;
  let metadata: MetadataStore;
  let auth: Authenticator;
  let accountId: string;

  beforeEach(async () => {
    clock = new ManualClock();
    metadata = await openSqliteMetadata({ path: ':memory:', clock });
    accountId = (await metadata.createAccount({ provider: 'aws', region: 'us-west-2' })).id;
    auth = new Authenticator({
      metadata,
      clock,
      anonymousAccountId: null,
      provider: 'aws',
      region: 'us-west-2',
      cacheTtlMs: 1000,
    });
  });
  afterEach(() => metadata.close());

  it('remembers nothing until authenticate() succeeded with the memo', async () => {
    const { secret } = await metadata.createApiKey({ accountId });
    const memo = new AuthMemo();
    expect(auth.recall(secret, memo)).toBeUndefined();
    await expect(auth.authenticate('not-a-key', undefined, memo)).rejects.toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
    });
    expect(auth.recall('not-a-key', memo)).toBeUndefined();
    const principal = await auth.authenticate(secret, undefined, memo);
    expect(auth.recall(secret, memo)).toBe(principal);
  });

  it('never answers for another token, of the same length or not', async () => {
    const { secret } = await metadata.createApiKey({ accountId });
    const memo = new AuthMemo();
    await auth.authenticate(secret, undefined, memo);
    const sameLength = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    expect(auth.recall(sameLength, memo)).toBeUndefined();
    expect(auth.recall(`${secret}x`, memo)).toBeUndefined();
    expect(auth.recall(undefined, memo)).toBeUndefined();
    expect(auth.recall('', memo)).toBeUndefined();
  });

  it('lasts no longer than the lookup period: a key revoked by another server stops working as soon', async () => {
    const { key, secret } = await metadata.createApiKey({ accountId });
    const memo = new AuthMemo();
    await auth.authenticate(secret, undefined, memo);
    await metadata.revokeApiKey(accountId, key.id, clock.nowMs());
    clock.advance(999);
    expect(auth.recall(secret, memo)).toBeDefined();
    clock.advance(1);
    expect(auth.recall(secret, memo)).toBeUndefined();
    await expect(auth.authenticate(secret, undefined, memo)).rejects.toMatchObject({
      code: ErrorCode.UNAUTHENTICATED,
    });
  });

  it('is dropped at once by invalidate() (a key revoked through this server)', async () => {
    const { secret } = await metadata.createApiKey({ accountId });
    const memo = new AuthMemo();
    await auth.authenticate(secret, undefined, memo);
    auth.invalidate();
    expect(auth.recall(secret, memo)).toBeUndefined();
  });

  it('lasts no longer than the key: an expiring key is refused from its expiry on', async () => {
    const { secret } = await metadata.createApiKey({ accountId, expiresAtMs: clock.nowMs() + 500 });
    const memo = new AuthMemo();
    await auth.authenticate(secret, undefined, memo);
    clock.advance(499);
    expect(auth.recall(secret, memo)).toBeDefined();
    clock.advance(1);
    expect(auth.recall(secret, memo)).toBeUndefined();
  });

  it('answers the anonymous principal for an empty token only when anonymous access is on', () => {
    const memo = new AuthMemo();
    expect(auth.recall('', memo)).toBeUndefined();
    auth.setAnonymousAccount(accountId);
    expect(auth.recall('', memo)).toMatchObject({ accountId, keyId: null });
    expect(auth.recall(undefined, memo)).toMatchObject({ accountId, keyId: null });
  });
});
