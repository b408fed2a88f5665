/**
 * @module service/topic-permissions
 * Who may publish (write) or subscribe (read) to a topic. A key without explicit topic grants uses its
 * cache permissions: the caches in its scope, with its access (a read-only key subscribes, a write-only
 * key publishes), as Momento's `AllDataReadWrite` covers caches and topics alike. A key with explicit
 * grants (Momento `TopicPermissions`, `cachette api-key create --topic …`) may use exactly the topics
 * they name, whatever its cache permissions.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import type { Principal } from './principal.ts';
import type { KeyAccess, TopicGrant } from './types.ts';

/** What a topic call needs: `publish` (write) or `subscribe` (read). */
export type TopicAction = 'publish' | 'subscribe';

function roleAllows(role: KeyAccess, action: TopicAction): boolean {
  return role === 'readWrite' || (action === 'publish' ? role === 'writeOnly' : role === 'readOnly');
}

function grantCovers(grant: TopicGrant, cache: string, topic: string): boolean {
  if (grant.cache !== null && grant.cache !== cache) return false;
  if (grant.topic === null) return true;
  return grant.topicPrefix ? topic.startsWith(grant.topic) : grant.topic === topic;
}

/** Throws PERMISSION_DENIED unless `principal` may `action` on `cache`/`topic`. */
export function authorizeTopic(principal: Principal, cache: string, topic: string, action: TopicAction): void {
  const grants = principal.topics;
  if (grants === null || grants === undefined) {
    const { scope, access } = principal;
    if (scope.kind === 'caches' && !scope.caches.includes(cache)) {
      throw new CacheError(ErrorCode.PERMISSION_DENIED, `this API key has no access to cache '${cache}'`);
    }
    if (!roleAllows(access, action)) {
      const what = access === 'readOnly' ? 'read-only (it may subscribe)' : 'write-only (it may publish)';
      throw new CacheError(ErrorCode.PERMISSION_DENIED, `this API key is ${what} for topics of cache '${cache}'`);
    }
    return;
  }
  let covered = false;
  for (const grant of grants) {
    if (!grantCovers(grant, cache, topic)) continue;
    covered = true;
    if (roleAllows(grant.role, action)) return;
  }
  throw new CacheError(
    ErrorCode.PERMISSION_DENIED,
    covered
      ? `this API key may not ${action} on topic '${topic}' of cache '${cache}'`
      : `this API key has no access to topic '${topic}' of cache '${cache}'`,
  );
}
