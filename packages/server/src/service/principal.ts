/**
 * @module service/principal
 * Who is calling: API-key authentication and per-cache authorization. Transports hand over the raw
 * `authorization` value; nothing here knows about gRPC or HTTP.
 */
import { createHash } from 'node:crypto';
import { CacheError, type Clock, decodeApiKey, ErrorCode } from '@cachette/core';
import type { ApiKey, MetadataStore } from '@cachette/metadata';
import { type AuthThrottle, addressOfPeer } from './auth-throttle.ts';
import type { KeyAccess, KeyScope, TopicGrant } from './types.ts';

/** An authenticated caller. */
export interface Principal {
  readonly accountId: string;
  /** `null` for the anonymous local principal (`--allow-anonymous`). */
  readonly keyId: string | null;
  readonly scope: KeyScope;
  readonly access: KeyAccess;
  /** May manage caches and keys (Momento super-user keys). */
  readonly canManage: boolean;
  /** When the key expires (ms), `null` for never; keys it mints may not outlive it. */
  readonly expiresAtMs: number | null;
  /** Explicit topic permissions; `null`/absent = topics follow `scope` and `access` (see topic-permissions.ts). */
  readonly topics?: readonly TopicGrant[] | null;
}

/** What an operation needs from the key. */
export type Permission = 'read' | 'write' | 'control';

export interface AuthenticatorOptions {
  readonly metadata: MetadataStore;
  readonly clock: Clock;
  /** Account an empty token maps to; `null` refuses empty tokens (the default). */
  readonly anonymousAccountId: string | null;
  /** Provider/region this deployment serves: keys of another region are refused (data residency). */
  readonly provider: string;
  readonly region: string;
  /**
   * How long a key lookup is reused, in ms. Keeps the metadata store off the hot path; a key revoked on
   * another server sharing the store stops working within this window (revoked here: at once).
   */
  readonly cacheTtlMs?: number;
  /** How often a key's `lastUsedAtMs` is written, in ms. Default 60 000. */
  readonly touchIntervalMs?: number;
  /** Told when recording last use fails (the call itself still succeeds). */
  readonly onTouchError?: (error: unknown) => void;
  /** Throttles failed authentications per client address; none = no throttling. */
  readonly throttle?: AuthThrottle;
}

/**
 * What one connection remembers of its last successful authentication, so that the calls after it skip
 * the digest and the lookup (a client sends the same key on every call of a connection). Filled by
 * {@link Authenticator.authenticate}, read by {@link Authenticator.recall}; valid no longer than the lookup
 * it came from (so a key revoked elsewhere stops working just as soon) nor than the key itself.
 */
export class AuthMemo {
  token = '';
  principal: Principal | undefined = undefined;
  validUntilMs = 0;
  generation = -1;
}

/**
 * Whether two tokens are equal, in time that depends only on their lengths: a connection may carry several
 * clients' calls (a proxy), so a guess must not learn how much of the remembered key it matched.
 */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

type CachedLookup = { readonly key: ApiKey | undefined; readonly expiresAtMs: number };

// Bounded so a flood of random tokens cannot grow memory; cleared wholesale because a refill is cheap.
const MAX_CACHED_LOOKUPS = 10_000;

/** Resolves tokens to principals. One per server process. */
export class Authenticator {
  /**
   * Keyed by the SHA-256 of the token, never the token: a Map compares keys with `===`, whose time depends
   * on how much of the key matches; comparing digests leaks nothing about the secret (constant-time in
   * effect, as the metadata store's lookup by hash is).
   */
  private readonly lookups = new Map<string, CachedLookup>();
  /** Digests of tokens seen valid by this process: never throttled, whatever their address did. */
  private readonly knownValid = new Set<string>();
  /** keyId → when this process last wrote `lastUsedAtMs`, so use is recorded without a write per call. */
  private readonly touched = new Map<string, number>();
  private readonly cacheTtlMs: number;
  private anonymous: Principal | null = null;
  #generation = 0;

  constructor(private readonly options: AuthenticatorOptions) {
    this.cacheTtlMs = options.cacheTtlMs ?? 1000;
    this.setAnonymousAccount(options.anonymousAccountId);
  }

  /** Maps empty tokens to `accountId` (full access), or refuses them when `null`. */
  setAnonymousAccount(accountId: string | null): void {
    this.#generation++;
    this.anonymous =
      accountId === null
        ? null
        : { accountId, keyId: null, scope: { kind: 'all' }, access: 'readWrite', canManage: true, expiresAtMs: null };
  }

  /**
   * The principal for `token` (the secret the Momento SDK sends, or a whole v1 key).
   * Throws UNAUTHENTICATED for a missing, unknown, revoked or expired key; PERMISSION_DENIED for a key of
   * another region.
   */
  async authenticate(token: string | undefined, peer?: string, memo?: AuthMemo): Promise<Principal> {
    if (token === undefined || token === '') {
      if (this.anonymous) return this.anonymous;
      throw new CacheError(
        ErrorCode.UNAUTHENTICATED,
        'missing API key: send it in the authorization header (the server does not allow anonymous access)',
      );
    }
    const now = this.options.clock.nowMs();
    const digest = createHash('sha256').update(token).digest('base64');
    const throttle = this.options.throttle;
    const address = throttle !== undefined && peer !== undefined ? addressOfPeer(peer) : undefined;
    if (address !== undefined && !this.knownValid.has(digest)) {
      const retryAfter = throttle?.retryAfterSeconds(address) ?? 0;
      if (retryAfter > 0) {
        throw new CacheError(
          ErrorCode.LIMIT_EXCEEDED,
          `too many failed authentications from this address; retry in ${retryAfter} s`,
          'auth_throttled',
          retryAfter,
        );
      }
    }
    let cached = this.lookups.get(digest);
    if (cached === undefined || cached.expiresAtMs <= now) {
      const key = await this.options.metadata.findApiKeyBySecret(decodeApiKey(token)?.secret ?? token);
      if (this.lookups.size >= MAX_CACHED_LOOKUPS) this.lookups.clear();
      cached = { key, expiresAtMs: now + this.cacheTtlMs };
      this.lookups.set(digest, cached);
    }
    const key = cached.key;
    const refusal =
      key === undefined
        ? 'invalid API key'
        : key.revokedAtMs !== null
          ? 'this API key has been revoked'
          : key.expiresAtMs !== null && key.expiresAtMs <= now
            ? `this API key expired at ${new Date(key.expiresAtMs).toISOString()}`
            : undefined;
    if (refusal !== undefined || key === undefined) {
      if (address !== undefined) throttle?.recordFailure(address);
      throw new CacheError(ErrorCode.UNAUTHENTICATED, refusal ?? 'invalid API key');
    }
    if (!this.knownValid.has(digest)) {
      if (this.knownValid.size >= MAX_CACHED_LOOKUPS) this.knownValid.clear();
      this.knownValid.add(digest);
    }
    if (key.region !== this.options.region || key.provider !== this.options.provider) {
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        `this API key belongs to ${key.provider}/${key.region}; this server serves ${this.options.provider}/${this.options.region}`,
      );
    }
    this.recordUse(key.id, now);
    const principal = principalOf(key);
    if (memo !== undefined) {
      memo.token = token;
      memo.principal = principal;
      memo.validUntilMs = key.expiresAtMs === null ? cached.expiresAtMs : Math.min(cached.expiresAtMs, key.expiresAtMs);
      memo.generation = this.#generation;
    }
    return principal;
  }

  /**
   * The principal for `token` without a digest, a lookup or a promise, when `memo` (the connection's) holds
   * it and is still valid; `undefined` otherwise — then call {@link authenticate} with the memo.
   */
  recall(token: string | undefined, memo: AuthMemo): Principal | undefined {
    if (token === undefined || token === '') return this.anonymous ?? undefined;
    const principal = memo.principal;
    if (principal === undefined || memo.generation !== this.#generation) return undefined;
    const now = this.options.clock.nowMs();
    if (now >= memo.validUntilMs || !sameToken(token, memo.token)) return undefined;
    if (principal.keyId !== null) this.recordUse(principal.keyId, now);
    return principal;
  }

  private recordUse(keyId: string, now: number): void {
    const last = this.touched.get(keyId);
    if (last !== undefined && now - last < (this.options.touchIntervalMs ?? 60_000)) return;
    if (this.touched.size >= MAX_CACHED_LOOKUPS) this.touched.clear();
    this.touched.set(keyId, now);
    // Off the request path: a slow or failing metadata write must not delay or fail the call.
    this.options.metadata.touchApiKey(keyId, now).catch((e: unknown) => this.options.onTouchError?.(e));
  }

  /** Forgets cached lookups, e.g. after a key was revoked through this server. */
  invalidate(): void {
    this.lookups.clear();
    this.#generation++;
  }

  /**
   * Changes whenever cached lookups are dropped or anonymous access changes: a connection-oriented
   * transport (RESP) that keeps a principal between calls re-authenticates when this moved, so a key
   * revoked here stops working at once there too, as it does on per-call transports.
   */
  get generation(): number {
    return this.#generation;
  }
}

// Principals are cached on the ApiKey object so authenticated hot-path calls allocate nothing here.
const principals = new WeakMap<ApiKey, Principal>();
function principalOf(key: ApiKey): Principal {
  let p = principals.get(key);
  if (p === undefined) {
    p = {
      accountId: key.accountId,
      keyId: key.id,
      scope: key.scope,
      access: key.access,
      canManage: key.canManage,
      expiresAtMs: key.expiresAtMs,
      topics: key.topics ?? null,
    };
    principals.set(key, p);
  }
  return p;
}

/** Throws PERMISSION_DENIED unless `principal` may perform `permission` on `cacheName`. */
export function authorize(principal: Principal, cacheName: string, permission: Permission): void {
  const { scope, access } = principal;
  if (permission === 'control') {
    if (!principal.canManage) {
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        'this API key cannot manage caches or keys: that needs a key with management rights (a read-write key for all caches)',
      );
    }
    return;
  }
  if (scope.kind === 'caches' && !scope.caches.includes(cacheName)) {
    throw new CacheError(ErrorCode.PERMISSION_DENIED, `this API key has no access to cache '${cacheName}'`);
  }
  if (permission === 'write' && access === 'readOnly') {
    throw new CacheError(ErrorCode.PERMISSION_DENIED, `this API key is read-only for cache '${cacheName}'`);
  }
  if (permission === 'read' && access === 'writeOnly') {
    throw new CacheError(ErrorCode.PERMISSION_DENIED, `this API key is write-only for cache '${cacheName}'`);
  }
}

/** True when `principal` may see `cacheName` in ListCaches. */
export function canSee(principal: Principal, cacheName: string): boolean {
  return principal.scope.kind === 'all' || principal.scope.caches.includes(cacheName);
}
