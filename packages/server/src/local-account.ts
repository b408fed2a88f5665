/**
 * @module local-account
 * First start on an empty data directory creates the deployment's local account and writes its API key to
 * `<data-dir>/dev-api-key` (0600). The key itself is never logged; the path is.
 */

import { decodeApiKey, encodeApiKey } from '@cachette/core';
import type { MetadataStore } from '@cachette/metadata';
import { readDevApiKey, writeDevApiKey } from './data-dir.ts';

// One local account per provider/region: servers of two regions sharing a metadata database must not
// share an account (data residency).
const localAccountSetting = (provider: string, region: string) => `local_account_id:${provider}/${region}`;

export interface LocalAccount {
  readonly accountId: string;
  /** The full v1 API key (base64 JSON with endpoint and secret). */
  readonly apiKey: string;
  readonly apiKeyPath: string;
  /** True when this start created the key file. */
  readonly created: boolean;
}

/**
 * Ensures the local account exists and `dev-api-key` holds a working key for it; re-issues the key when
 * the file is missing or its key no longer works (revoked, or the file was copied from elsewhere).
 */
export async function ensureLocalAccount(
  metadata: MetadataStore,
  opts: { dataDir: string; provider: string; region: string; endpoint: string; httpEndpoint: string },
): Promise<LocalAccount> {
  const setting = localAccountSetting(opts.provider, opts.region);
  let accountId = await metadata.getSetting(setting);
  if (accountId === undefined || (await metadata.getAccount(accountId)) === undefined) {
    // The local account is for development and operators: no rate or throughput limits.
    const account = await metadata.createAccount({
      email: null,
      provider: opts.provider,
      region: opts.region,
      plan: 'unlimited',
    });
    accountId = account.id;
    await metadata.setSetting(setting, accountId);
  }
  const existing = readDevApiKey(opts.dataDir);
  const secret = existing === undefined ? undefined : decodeApiKey(existing)?.secret;
  if (existing !== undefined && secret !== undefined) {
    const key = await metadata.findApiKeyBySecret(secret);
    if (key !== undefined && key.accountId === accountId && key.revokedAtMs === null) {
      // Same secret, current endpoints: a restart on other ports keeps the key working from the file.
      const apiKey = encodeApiKey(opts.endpoint, secret, opts.httpEndpoint);
      return { accountId, apiKey, apiKeyPath: writeDevApiKey(opts.dataDir, apiKey), created: false };
    }
  }
  const { secret: fresh } = await metadata.createApiKey({ accountId, description: 'local development key' });
  const apiKey = encodeApiKey(opts.endpoint, fresh, opts.httpEndpoint);
  return { accountId, apiKey, apiKeyPath: writeDevApiKey(opts.dataDir, apiKey), created: true };
}
