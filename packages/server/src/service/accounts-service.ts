/**
 * @module service/accounts-service
 * Signup and API-key management, for any transport. Signup never reveals whether an address already had an
 * account: the caller always gets the same answer, and the key goes only to the mailbox.
 */
import { CacheError, type Clock, ErrorCode, encodeApiKey, isCacheError, validateCacheName } from '@cachette/core';
import type { Account, ApiKey, MetadataStore } from '@cachette/metadata';
import type { Mailer } from '../mail/mailer.ts';
import { signupEmail } from '../mail/signup-email.ts';
import { type Authenticator, authorize, type Principal } from './principal.ts';
import { clientBucketOf, RateLimiter } from './rate-limiter.ts';
import { validateTopicName } from './topic-limits.ts';
import { type KeyAccess, type KeyInfo, type KeyScope, keyInfoOf, type TopicGrant } from './types.ts';

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
  /**
   * Explicit topic permissions; omitted/`null` = topics follow the cache scope and access. With
   * `topicsOnly`, the key has no cache (item) access at all, only these topics.
   */
  readonly topics?: readonly TopicGrant[] | null | undefined;
  readonly topicsOnly?: boolean | undefined;
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
/** Description of keys made by signup (how unseen ones are found when a newer one is mailed). */
const SIGNUP_KEY_DESCRIPTION = 'signup';
/** Usable keys per account whatever the plan says (plans without a limit included): bounds the store. */
export const MAX_KEYS_PER_ACCOUNT = 10_000;
/** Keys per page of `listKeys`, by default and at most. */
export const DEFAULT_KEY_PAGE = 100;
export const MAX_KEY_PAGE = 1000;

/** An opaque cursor: the last key of a page (creation time and id), base64url JSON. */
function encodePageToken(key: ApiKey): string {
  return Buffer.from(JSON.stringify([key.createdAtMs, key.id])).toString('base64url');
}

function decodePageToken(token: string): { createdAtMs: number; id: string } {
  try {
    const [createdAtMs, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (Number.isSafeInteger(createdAtMs) && typeof id === 'string') return { createdAtMs: createdAtMs as number, id };
  } catch {
    // Reported below.
  }
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'page_token is not one this server gave out');
}

/** Signup and keys. */
export class AccountsService {
  private readonly byEmail: RateLimiter;
  private readonly byClient: RateLimiter;

  constructor(private readonly options: AccountsServiceOptions) {
    // An inbox gets at most 3 keys an hour; one client at most 10 signups an hour.
    this.byEmail = new RateLimiter(options.metadata, options.clock, 'signup:email', { limit: 3, windowMs: 3_600_000 });
    this.byClient = new RateLimiter(options.metadata, options.clock, 'signup:client', {
      limit: 10,
      windowMs: 3_600_000,
    });
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
    await this.byClient.take(clientBucketOf(request.clientId), 'client');
    // Someone else may have used up the address's signups; each of them mailed the owner a working key.
    await this.byEmail.take(
      email,
      'e-mail address',
      '; the newest Cachette e-mail in that mailbox holds a working key',
    );

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
    const issued = await this.issue(account.id, { description: SIGNUP_KEY_DESCRIPTION });
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
    await this.revokeUnseenSignupKeys(account.id, issued.key.id);
  }

  /**
   * Revokes earlier signup keys of the account that were never used: the newest e-mail holds the key that
   * works, so signups by someone else cannot pile up valid keys in the owner's mailbox, and the owner is
   * never locked out (every signup mails a working key). Keys already used stay: they are in use.
   */
  private async revokeUnseenSignupKeys(accountId: string, keepKeyId: string): Promise<void> {
    const now = this.options.clock.nowMs();
    for (const key of await this.options.metadata.listApiKeys(accountId)) {
      if (
        key.id !== keepKeyId &&
        key.description === SIGNUP_KEY_DESCRIPTION &&
        key.parentKeyId === null &&
        key.lastUsedAtMs === null &&
        key.revokedAtMs === null
      ) {
        await this.options.metadata.revokeApiKey(accountId, key.id, now);
      }
    }
    this.options.auth.invalidate();
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
    await this.assertRoomForKey(principal.accountId, nowMs);
    return this.issue(principal.accountId, { ...request, parentKeyId: principal.keyId });
  }

  /**
   * One page of the caller's keys, newest first (never secrets). `pageToken` is the previous page's
   * `nextPageToken`; `limit` defaults to {@link DEFAULT_KEY_PAGE} and is at most {@link MAX_KEY_PAGE}.
   * `nextPageToken` is `null` on the last page.
   */
  async listKeys(
    principal: Principal,
    page: { readonly limit?: number | undefined; readonly pageToken?: string | undefined } = {},
  ): Promise<{ keys: KeyInfo[]; nextPageToken: string | null }> {
    authorize(principal, '', 'control');
    const limit = page.limit ?? DEFAULT_KEY_PAGE;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_KEY_PAGE) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, `limit must be a whole number from 1 to ${MAX_KEY_PAGE}`);
    }
    const after = page.pageToken === undefined ? undefined : decodePageToken(page.pageToken);
    // One more than asked tells whether another page follows without a second query.
    const keys = await this.options.metadata.listApiKeysPage(principal.accountId, {
      limit: limit + 1,
      ...(after === undefined ? {} : { after }),
    });
    const more = keys.length > limit;
    if (more) keys.length = limit;
    const last = keys[keys.length - 1];
    return { keys: keys.map(keyInfoOf), nextPageToken: more && last ? encodePageToken(last) : null };
  }

  /** Revokes one of the caller's keys; effective at once on this server. NOT_FOUND for another's key. */
  async revokeKey(principal: Principal, keyId: string): Promise<void> {
    authorize(principal, '', 'control');
    await this.options.metadata.revokeApiKey(principal.accountId, keyId, this.options.clock.nowMs());
    this.options.auth.invalidate();
  }

  /** Creates a key for `accountId` without a permission check (signup, disposable tokens). */
  async issue(accountId: string, request: NewKeyRequest): Promise<IssuedKey> {
    const topics = topicGrantsOf(request.topics);
    if (request.topicsOnly && (topics === null || topics.length === 0)) {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'a topics-only key needs at least one topic permission');
    }
    const scope: KeyScope = request.topicsOnly ? { kind: 'caches', caches: [] } : scopeOf(request.caches);
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
      ...(request.topicsOnly ? { canManage: false } : {}),
      topics,
    });
    return { key: keyInfoOf(key), apiKey: encodeApiKey(this.options.grpcEndpoint, secret, this.options.httpEndpoint) };
  }

  /** LIMIT_EXCEEDED when the account already holds as many usable keys as its plan (or the server) allows. */
  private async assertRoomForKey(accountId: string, nowMs: number): Promise<void> {
    const account = await this.options.metadata.getAccount(accountId);
    const plan = account === undefined ? undefined : await this.options.metadata.getPlan(account.plan);
    const max = Math.min(plan?.maxApiKeys ?? MAX_KEYS_PER_ACCOUNT, MAX_KEYS_PER_ACCOUNT);
    // Checked before each creation, not under a lock: concurrent creations may overshoot by a few, which
    // still bounds the store.
    const count = await this.options.metadata.countUsableApiKeys(accountId, nowMs);
    if (count >= max) {
      throw new CacheError(
        ErrorCode.LIMIT_EXCEEDED,
        `this account already has ${count} usable API keys, the most its plan allows; revoke one before creating another`,
        'api_key_count_limit_exceeded',
      );
    }
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
  // A key with explicit topic grants cannot widen them: only keys whose topics follow an all-cache scope mint
  // topic grants (checking grant-within-grant containment is not worth its rules yet).
  if (request.topics && (parent.topics || parent.scope.kind === 'caches')) {
    throw new CacheError(ErrorCode.PERMISSION_DENIED, 'this API key cannot create keys with topic permissions');
  }
  // The store's default grants management to read-write all-cache keys: say so explicitly when the parent
  // cannot manage (authorize() already requires it today, this keeps the rule local).
  if (request.canManage === true && !parent.canManage) {
    throw new CacheError(ErrorCode.PERMISSION_DENIED, 'this API key cannot create keys with management rights');
  }
}

const ACCESS_VALUES: readonly KeyAccess[] = ['readWrite', 'readOnly', 'writeOnly'];

/** Validated copies of `grants`; INVALID_ARGUMENT names the first bad one. */
function topicGrantsOf(grants: readonly TopicGrant[] | null | undefined): TopicGrant[] | null {
  if (grants === null || grants === undefined) return null;
  return grants.map((g) => {
    if (!ACCESS_VALUES.includes(g.role)) {
      throw new CacheError(
        ErrorCode.INVALID_ARGUMENT,
        `topic permission role must be one of ${ACCESS_VALUES.join(', ')}`,
      );
    }
    if (g.cache !== null) validateCacheName(g.cache);
    if (g.topic !== null) validateTopicName(g.topic);
    return { role: g.role, cache: g.cache, topic: g.topic, ...(g.topicPrefix ? { topicPrefix: true } : {}) };
  });
}

function scopeOf(caches: readonly string[] | undefined): KeyScope {
  if (caches === undefined || caches.length === 0) return { kind: 'all' };
  for (const name of caches) validateCacheName(name);
  return { kind: 'caches', caches: [...new Set(caches)] };
}
