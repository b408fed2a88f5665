/**
 * @module transports/grpc/token-plane
 * `/auth.Auth/GenerateApiToken` and `/token.Token/GenerateDisposableToken`, so the official SDK's
 * `AuthClient` can mint keys. The caller's key travels in the request body (`auth_token`), not in the
 * `authorization` header.
 *
 * Momento permissions map onto Cachette keys as: SuperUser → a managing read-write key for all caches;
 * explicit cache permissions → a data-only key for all caches or the listed ones with one role; explicit
 * topic permissions → the key's topic grants (exactly those: a token with cache permissions only may use no
 * topics, one with topic permissions only may use no items). Function permissions are ignored (Cachette
 * has no functions); item-level selectors (key, key prefix) and mixed cache roles answer UNIMPLEMENTED
 * rather than silently granting something else.
 */
import { CacheError, decodeApiKey, ErrorCode } from '@cachette/core';
import { auth as authPb, token as tokenPb } from '@gomomento/generated-types';
import type { permission_messages } from '@gomomento/generated-types/dist/permissionmessages.js';
import type { ServerUnaryCall, sendUnaryData, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { AccountsService, NewKeyRequest } from '../../service/accounts-service.ts';
import type { Authenticator } from '../../service/principal.ts';
import type { KeyAccess, TopicGrant } from '../../service/types.ts';
import { toGrpcError, type UnexpectedErrorSink } from './status.ts';

type Unary<Req, Res> = (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => Promise<void>;

export interface TokenPlaneDeps {
  readonly accounts: AccountsService;
  readonly auth: Authenticator;
  readonly onUnexpected: UnexpectedErrorSink;
}

/** Momento's limit for disposable tokens. */
export const MAX_DISPOSABLE_TOKEN_SECONDS = 3600;

// CacheRole enum values of permission_messages (PermitNone = 0 grants nothing).
const ROLE: Record<number, KeyAccess | undefined> = { 1: 'readWrite', 2: 'readOnly', 3: 'writeOnly' };

/** The Cachette key request equivalent to Momento `permissions`; throws when it has no equivalent. */
export function keyRequestOf(permissions: permission_messages.Permissions | undefined): NewKeyRequest {
  if (permissions === undefined || permissions.kind === 'none') {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'permissions are required');
  }
  if (permissions.kind === 'super_user') return { access: 'readWrite', canManage: true };
  let access: KeyAccess | undefined;
  let allCaches = false;
  const caches: string[] = [];
  const topics: TopicGrant[] = [];
  for (const p of permissions.explicit.permissions) {
    if (p.kind === 'topic_permissions') {
      const grant = topicGrantOf(p.topic_permissions);
      if (grant !== undefined) topics.push(grant);
      continue;
    }
    if (p.kind !== 'cache_permissions') continue; // functions: not served by Cachette
    const cp = p.cache_permissions;
    const role = ROLE[cp.role];
    if (role === undefined) continue;
    if (cp.cache_item === 'item_selector') {
      throw new CacheError(
        ErrorCode.UNIMPLEMENTED,
        'item-level permissions (a key or key prefix) are not supported by Cachette yet; grant whole caches',
      );
    }
    if (access !== undefined && access !== role) {
      throw new CacheError(
        ErrorCode.UNIMPLEMENTED,
        'different roles for different caches in one key are not supported by Cachette yet; create one key per role',
      );
    }
    access = role;
    if (cp.cache === 'all_caches') allCaches = true;
    else if (cp.cache === 'cache_selector' && cp.cache_selector.kind === 'cache_name') {
      caches.push(cp.cache_selector.cache_name);
    } else {
      throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'a cache permission must name all caches or one cache');
    }
  }
  if (access === undefined) {
    if (topics.length > 0) return { topics, topicsOnly: true, canManage: false };
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      'the requested permissions grant no cache or topic access (Cachette does not serve functions)',
    );
  }
  return { access, caches: allCaches ? undefined : caches, canManage: false, topics };
}

type TopicPermissions = permission_messages.PermissionsType.TopicPermissions;

/** The grant of one Momento topic permission; `undefined` for TopicPermitNone. */
function topicGrantOf(tp: TopicPermissions): TopicGrant | undefined {
  const role = ROLE[tp.role];
  if (role === undefined) return undefined;
  let cache: string | null;
  if (tp.cache === 'all_caches') cache = null;
  else if (tp.cache === 'cache_selector' && tp.cache_selector.kind === 'cache_name')
    cache = tp.cache_selector.cache_name;
  else throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'a topic permission must name all caches or one cache');
  if (tp.topic === 'all_topics') return { role, cache, topic: null };
  if (tp.topic === 'topic_selector') {
    const sel = tp.topic_selector;
    if (sel.kind === 'topic_name') return { role, cache, topic: sel.topic_name };
    if (sel.kind === 'topic_name_prefix') return { role, cache, topic: sel.topic_name_prefix, topicPrefix: true };
  }
  throw new CacheError(ErrorCode.INVALID_ARGUMENT, 'a topic permission must name all topics, one topic or a prefix');
}

/** The secret inside whatever the SDK put in `auth_token` (a bare secret, or a whole v1 key). */
function secretOf(authToken: string): string {
  return decodeApiKey(authToken)?.secret ?? authToken;
}

export function authHandlers({ accounts, auth, onUnexpected }: TokenPlaneDeps): UntypedServiceImplementation {
  const GenerateApiToken: Unary<authPb.auth._GenerateApiTokenRequest, authPb.auth._GenerateApiTokenResponse> = async (
    call,
    callback,
  ) => {
    try {
      const req = call.request;
      const principal = await auth.authenticate(secretOf(req.auth_token), call.getPeer());
      const expiresInSeconds = req.expiry === 'expires' ? req.expires.valid_for_seconds : undefined;
      const issued = await accounts.createKey(principal, {
        ...keyRequestOf(req.has_permissions ? req.permissions : undefined),
        expiresInSeconds,
        description: req.description || 'generated through AuthClient',
      });
      callback(
        null,
        new authPb.auth._GenerateApiTokenResponse({
          api_key: decodeApiKey(issued.apiKey)?.secret ?? '',
          refresh_token: '',
          endpoint: decodeApiKey(issued.apiKey)?.endpoint ?? '',
          valid_until: issued.key.expiresAtMs === null ? 0 : Math.floor(issued.key.expiresAtMs / 1000),
        }),
      );
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };
  return { GenerateApiToken } as Record<string, UntypedHandleCall>;
}

export function tokenHandlers({ accounts, auth, onUnexpected }: TokenPlaneDeps): UntypedServiceImplementation {
  const GenerateDisposableToken: Unary<
    tokenPb.token._GenerateDisposableTokenRequest,
    tokenPb.token._GenerateDisposableTokenResponse
  > = async (call, callback) => {
    try {
      const req = call.request;
      const principal = await auth.authenticate(secretOf(req.auth_token), call.getPeer());
      const seconds = req.has_expires ? req.expires.valid_for_seconds : 0;
      if (!Number.isSafeInteger(seconds) || seconds <= 0 || seconds > MAX_DISPOSABLE_TOKEN_SECONDS) {
        throw new CacheError(
          ErrorCode.INVALID_ARGUMENT,
          `disposable tokens must expire within ${MAX_DISPOSABLE_TOKEN_SECONDS} seconds (1 hour); asked for ${seconds}`,
        );
      }
      const issued = await accounts.createKey(principal, {
        ...keyRequestOf(req.has_permissions ? req.permissions : undefined),
        canManage: false,
        expiresInSeconds: seconds,
        description: req.token_id ? `disposable token ${req.token_id}` : 'disposable token',
      });
      const decoded = decodeApiKey(issued.apiKey);
      callback(
        null,
        new tokenPb.token._GenerateDisposableTokenResponse({
          api_key: decoded?.secret ?? '',
          endpoint: decoded?.endpoint ?? '',
          valid_until: Math.floor((issued.key.expiresAtMs ?? 0) / 1000),
        }),
      );
    } catch (e) {
      callback(toGrpcError(e, onUnexpected));
    }
  };
  return { GenerateDisposableToken } as Record<string, UntypedHandleCall>;
}
