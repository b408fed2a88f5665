/**
 * @module service/accounts-service
 * Signup and API-key management, for any transport. Signup never reveals whether an address already had an
 * account: the caller always gets the same answer, and the key goes only to the mailbox.
 */
import { CacheError, type Clock, ErrorCode, encodeApiKey, isCacheError, validateCacheName } from '@cachette/core';
import type { Account, MetadataStore } from '@cachette/metadata';
import type { Mailer } from '../mail/mailer.ts';
import { signupEmail } from '../mail/signup-email.ts';
import { type Authenticator, authorize, type Principal } from './principal.ts';
import { RateLimiter } from './rate-limiter.ts';
import { type KeyAccess, type KeyInfo, type KeyScope, keyInfoOf } from './types.ts';

export interface AccountsServiceOptions {
  readonly metadata: MetadataStore;
  readonly mailer: Mailer;
  readonly auth: Authenticator;
  readonly clock: Clock;
  /** Provider/region this deployment serves; signups for others are refused. */
  readonly provider: string;
  readonly region: string;
  /** Endpoints written into keys and e-mails. */
  readonly grpcEndpoint: string;
  readonly httpEndpoint: string;
}

export interface SignupRequest {
  readonly provider: string;
  readonly region: string;
  readonly email: string;
  /** Who is asking (client IP), for rate limiting. */
  readonly clientId: string;
}

export interface NewKeyRequest {
  /** Caches the key may use; omitted or empty = all caches. */
  readonly caches?: readonly string[] | undefined;
  readonly access?: KeyAccess | undefined;
  /** Lifetime in seconds; omitted = never expires. */
  readonly expiresInSeconds?: number | undefined;
  readonly description?: string | undefined;
  /** May manage caches and keys; default: when the key is read-write for all caches. */
  readonly canManage?: boolean | undefined;
  /** The key minting this one (revoking it revokes the new key); `null`/omitted for top-level keys. */
  readonly parentKeyId?: string | null | undefined;
}

export interface IssuedKey {
  readonly key: KeyInfo;
  /** The full v1 API key (shown once; only its hash is stored). */
  readonly apiKey: string;
}

// local-part@domain.tld with RFC 5322 "atext" characters only (ASCII, so the address can go into a mail
// header as is and can never inject one), at most 254 characters (RFC 5321).
const EMAIL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const MAX_KEY_LIFETIME_S = 10 * 365 * 86400;

/** Signup and keys. */
export class AccountsService {
  private readonly byEmail: RateLimiter;
  private readonly byClient: RateLimiter;

  constructor(private readonly options: AccountsServiceOptions) {
    // An inbox gets at most 3 keys an hour; one client at most 10 signups an hour.
    this.byEmail = new RateLimiter(options.clock, { limit: 3, windowMs: 3_600_000 });
    this.byClient = new RateLimiter(options.clock, { limit: 10, windowMs: 3_600_000 });
  }

  /**
   * Creates the account (or finds the existing one) and e-mails a fresh key. Throws INVALID_ARGUMENT for
   * a bad address or a provider/region not served here, LIMIT_EXCEEDED when rate-limited, UNAVAILABLE when
   * the e-mail could not be sent (the key is then revoked, so no unseen key stays valid).
   */
  async signup(request: SignupRequest): Promise<void> {
    const { provider, region } = this.options;
    if (request.provider !== provider || request.region !== region) {
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        `this deployment serves ${provider}/${region} only; it cannot sign up accounts for ${request.provider}/${request.region}`,
      );
    }
    const email = normalizeEmail(request.email);
    this.byClient.take(request.clientId, 'client');
    this.byEmail.take(email, 'e-mail address');

    const account = await this.findOrCreateAccount(email);
    if (account.provider !== provider || account.region !== region) {
      // The address already lives in another region: no key for it here (data residency), and the
      // response stays the same so nobody learns that from it.
      await this.options.mailer.send({
        to: email,
        subject: 'Your Cachette signup',
        text: `This address already has a Cachette account in ${account.provider}/${account.region}.\nSign up or create keys with a server of that region.\n`,
      });
      return;
    }
    const issued = await this.issue(account.id, { description: 'signup' });
    try {
      await this.options.mailer.send(
        signupEmail({
          to: email,
          apiKey: issued.apiKey,
          provider,
          region,
          grpcEndpoint: this.options.grpcEndpoint,
          httpEndpoint: this.options.httpEndpoint,
        }),
      );
    } catch (e) {
      await this.options.metadata.revokeApiKey(account.id, issued.key.id, this.options.clock.nowMs());
      throw e;
    }
  }

  /**
   * Creates a key for the caller's account; needs a key that may manage caches. The new key is the
   * caller's child: it never outlives the caller (no expiry, or a later one, is PERMISSION_DENIED), never
   * has more rights (caches, access, management), and is revoked when the caller is revoked.
   */
  async createKey(principal: Principal, request: NewKeyRequest): Promise<IssuedKey> {
    authorize(principal, '', 'control');
    if (principal.keyId === null) {
      // A key minted anonymously would keep working after the server restarts without --allow-anonymous.
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        'anonymous callers cannot create API keys; use the local key in <data-dir>/dev-api-key',
      );
    }
    const nowMs = this.options.clock.nowMs();
    assertWithinParent(principal, request, nowMs);
    return this.issue(principal.accountId, { ...request, parentKeyId: principal.keyId });
  }

  /** The caller's keys, newest first (never secrets). */
  async listKeys(principal: Principal): Promise<KeyInfo[]> {
    authorize(principal, '', 'control');
    const keys = await this.options.metadata.listApiKeys(principal.accountId);
    return keys.sort((a, b) => b.createdAtMs - a.createdAtMs).map(keyInfoOf);
  }

  /** Revokes one of the caller's keys; effective at once on this server. NOT_FOUND for another's key. */
  async revokeKey(principal: Principal, keyId: string): Promise<void> {
    authorize(principal, '', 'control');
    await this.options.metadata.revokeApiKey(principal.accountId, keyId, this.options.clock.nowMs());
    this.options.auth.invalidate();
  }

  /** Creates a key for `accountId` without a permission check (signup, disposable tokens). */
  async issue(accountId: string, request: NewKeyRequest): Promise<IssuedKey> {
    const scope = scopeOf(request.caches);
    const expiresInSeconds = request.expiresInSeconds;
    if (expiresInSeconds !== undefined) {
      if (!Number.isSafeInteger(expiresInSeconds) || expiresInSeconds <= 0 || expiresInSeconds > MAX_KEY_LIFETIME_S) {
        throw new CacheError(
          ErrorCode.INVALID_ARGUMENT,
          `key lifetime must be a whole number of seconds from 1 to ${MAX_KEY_LIFETIME_S}`,
        );
      }
    }
    const { key, secret } = await this.options.metadata.createApiKey({
      accountId,
      scope,
      access: request.access ?? 'readWrite',
      expiresAtMs: expiresInSeconds === undefined ? null : this.options.clock.nowMs() + expiresInSeconds * 1000,
      description: request.description ?? null,
      ...(request.canManage === undefined ? {} : { canManage: request.canManage }),
      parentKeyId: request.parentKeyId ?? null,
    });
    return { key: keyInfoOf(key), apiKey: encodeApiKey(this.options.grpcEndpoint, secret, this.options.httpEndpoint) };
  }

  private async findOrCreateAccount(email: string): Promise<Account> {
    const existing = await this.options.metadata.findAccountByEmail(email);
    if (existing) return existing;
    try {
      return await this.options.metadata.createAccount({
        email,
        provider: this.options.provider,
        region: this.options.region,
      });
    } catch (e) {
      // Two signups for one new address raced: the other created it.
      if (!isCacheError(e, ErrorCode.ALREADY_EXISTS)) throw e;
      const raced = await this.options.metadata.findAccountByEmail(email);
      if (!raced) throw e;
      return raced;
    }
  }
}

/** Lower-cases and checks an address; INVALID_ARGUMENT when it is not one. */
export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (email.length === 0 || email.length > 254 || !EMAIL.test(email)) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `'${raw}' is not a valid e-mail address`);
  }
  return email;
}

const ACCESS_RANK: Record<KeyAccess, readonly KeyAccess[]> = {
  readWrite: ['readWrite', 'readOnly', 'writeOnly'],
  readOnly: ['readOnly'],
  writeOnly: ['writeOnly'],
};

/**
 * Throws PERMISSION_DENIED when a key asked for by `parent` would outlive it or exceed its rights: its
 * expiry must be set and no later than the parent's (when the parent expires), its caches a subset of the
 * parent's, its access no wider, and management only from a managing parent.
 */
function assertWithinParent(parent: Principal, request: NewKeyRequest, nowMs: number): void {
  if (parent.expiresAtMs !== null) {
    const leftS = Math.floor((parent.expiresAtMs - nowMs) / 1000);
    const asked = request.expiresInSeconds;
    if (asked === undefined || nowMs + asked * 1000 > parent.expiresAtMs) {
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        `this API key expires at ${new Date(parent.expiresAtMs).toISOString()}, and a key it creates cannot outlive it: ` +
          `ask for an expiry of at most ${Math.max(leftS, 0)} seconds`,
      );
    }
  }
  const access = request.access ?? 'readWrite';
  if (!ACCESS_RANK[parent.access].includes(access)) {
    throw new CacheError(
      ErrorCode.PERMISSION_DENIED,
      `this API key is ${parent.access}; it cannot create a ${access} key`,
    );
  }
  if (parent.scope.kind === 'caches') {
    const parentCaches = parent.scope.caches;
    const wanted = request.caches ?? [];
    if (wanted.length === 0) {
      throw new CacheError(
        ErrorCode.PERMISSION_DENIED,
        `this API key is limited to caches ${parentCaches.join(', ')}; a key it creates must list some of them`,
      );
    }
    const outside = wanted.filter((c) => !parentCaches.includes(c));
    if (outside.length > 0) {
      throw new CacheError(ErrorCode.PERMISSION_DENIED, `this API key has no access to cache '${outside[0]}'`);
    }
  }
  // The store's default grants management to read-write all-cache keys: say so explicitly when the parent
  // cannot manage (authorize() already requires it today, this keeps the rule local).
  if (request.canManage === true && !parent.canManage) {
    throw new CacheError(ErrorCode.PERMISSION_DENIED, 'this API key cannot create keys with management rights');
  }
}

function scopeOf(caches: readonly string[] | undefined): KeyScope {
  if (caches === undefined || caches.length === 0) return { kind: 'all' };
  for (const name of caches) validateCacheName(name);
  return { kind: 'caches', caches: [...new Set(caches)] };
}
