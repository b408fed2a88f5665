/**
 * @module service/types
 * What the service layer shows transports about API keys. These mirror the metadata rows today but are
 * declared here, and rows are copied into them at the service edge, so a change to the store's schema
 * never reaches a wire format by accident (and transports do not depend on `@cachette/metadata`).
 */
import type { ApiKey, TopicGrant } from '@cachette/metadata';

export type { TopicGrant } from '@cachette/metadata';

/** The caches a key may use: all of the account's, or the named ones. */
export type KeyScope = { readonly kind: 'all' } | { readonly kind: 'caches'; readonly caches: readonly string[] };

/** What a key may do with items of the caches in its scope. */
export type KeyAccess = 'readWrite' | 'readOnly' | 'writeOnly';

/** An API key as listed to its owner: never its secret or hash. */
export interface KeyInfo {
  readonly id: string;
  readonly scope: KeyScope;
  readonly access: KeyAccess;
  readonly description: string | null;
  /** Provider and region of the account the key belongs to. */
  readonly provider: string;
  readonly region: string;
  readonly createdAtMs: number;
  readonly expiresAtMs: number | null;
  readonly lastUsedAtMs: number | null;
  readonly revokedAtMs: number | null;
  /** May manage caches and keys (Momento super-user keys). */
  readonly canManage: boolean;
  /** The key that minted this one (revoking it revoked this one too); `null` for top-level keys. */
  readonly parentKeyId: string | null;
  /** Explicit topic permissions; `null` = topics follow the cache scope and access. */
  readonly topics: readonly TopicGrant[] | null;
}

/** Copies the fields a transport may show out of a metadata row. */
export function keyInfoOf(key: ApiKey): KeyInfo {
  return {
    id: key.id,
    scope: key.scope.kind === 'all' ? { kind: 'all' } : { kind: 'caches', caches: [...key.scope.caches] },
    access: key.access,
    description: key.description,
    provider: key.provider,
    region: key.region,
    createdAtMs: key.createdAtMs,
    expiresAtMs: key.expiresAtMs,
    lastUsedAtMs: key.lastUsedAtMs,
    revokedAtMs: key.revokedAtMs,
    canManage: key.canManage,
    parentKeyId: key.parentKeyId,
    topics: key.topics ? key.topics.map((g) => ({ ...g })) : null,
  };
}
