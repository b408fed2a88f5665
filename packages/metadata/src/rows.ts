/**
 * @module rows
 * The one place rows become domain objects. Drivers differ in how they return bigint columns (numbers
 * from better-sqlite3, strings from pg), and a row written by a buggy or newer writer must fail loudly
 * rather than leak an unchecked value into authorisation decisions.
 */

import { CacheError, ErrorCode } from '@cachette/core';
import type { Selectable } from 'kysely';
import type { AccountsTable, ApiKeysTable, CachesTable, PlansTable, UsageTable, WebhooksTable } from './schema.ts';
import type {
  Account,
  ApiKey,
  CacheRecord,
  KeyAccess,
  KeyScope,
  Plan,
  TopicGrant,
  UsageDelta,
  WebhookRecord,
} from './store.ts';

function corrupt(what: string): CacheError {
  return new CacheError(ErrorCode.INTERNAL, `metadata row is invalid: ${what}`);
}

/** A bigint-ms value as any driver returns it, as a number; ms since 1970 fit a double exactly until year 287396. */
export function toMs(value: number | bigint | string, column: string): number {
  const ms = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(ms)) throw corrupt(`${column} is not an integer (${String(value)})`);
  return ms;
}

/** Like {@link toMs}, keeping null. */
export function toMsOrNull(value: number | bigint | string | null, column: string): number | null {
  return value === null ? null : toMs(value, column);
}

/** A `count(*)` as any driver returns it (pg: a string), as a number. */
export function toCount(value: number | bigint | string): number {
  return toMs(value, 'count');
}

/** A bigint count or limit (bytes, requests) as any driver returns it, as a number; fails past 2^53. */
export function toInt(value: number | bigint | string, column: string): number {
  return toMs(value, column);
}

/** Like {@link toInt}, keeping null (unlimited). */
export function toIntOrNull(value: number | bigint | string | null, column: string): number | null {
  return value === null ? null : toInt(value, column);
}

/** A 0/1 flag column; anything else is a corrupt row, never silently truthy. */
function toFlag(value: number, column: string): boolean {
  if (value === 0 || value === 1) return value === 1;
  throw corrupt(`${column} is not 0 or 1 (${String(value)})`);
}

export function toAccount(row: Selectable<AccountsTable>): Account {
  return {
    id: row.id,
    email: row.email,
    provider: row.provider,
    region: row.region,
    createdAtMs: toMs(row.created_at_ms, 'accounts.created_at_ms'),
    plan: row.plan,
  };
}

export function toPlan(row: Selectable<PlansTable>): Plan {
  return {
    name: row.name,
    maxRequestsPerSecond: toIntOrNull(row.max_requests_per_second, 'plans.max_requests_per_second'),
    maxThroughputBytesPerSecond: toIntOrNull(
      row.max_throughput_bytes_per_second,
      'plans.max_throughput_bytes_per_second',
    ),
    maxItemSizeBytes: toInt(row.max_item_size_bytes, 'plans.max_item_size_bytes'),
    maxTtlMs: toMs(row.max_ttl_ms, 'plans.max_ttl_ms'),
    maxCaches: toIntOrNull(row.max_caches, 'plans.max_caches'),
    maxApiKeys: toIntOrNull(row.max_api_keys ?? null, 'plans.max_api_keys'),
    // Topic limits appear only when the plan sets them (null = the server's settings).
    ...optionalLimit(
      'maxTopicPublishesPerSecond',
      row.max_topic_publishes_per_second,
      'plans.max_topic_publishes_per_second',
    ),
    ...optionalLimit(
      'maxTopicSubscriptionsPerCache',
      row.max_topic_subscriptions_per_cache,
      'plans.max_topic_subscriptions_per_cache',
    ),
    ...optionalLimit('maxTopicMessageBytes', row.max_topic_message_bytes, 'plans.max_topic_message_bytes'),
  };
}

function optionalLimit<K extends string>(
  field: K,
  value: number | bigint | string | null | undefined,
  column: string,
): { [P in K]?: number } {
  const n = toIntOrNull(value ?? null, column);
  return (n === null ? {} : { [field]: n }) as { [P in K]?: number };
}

export function toUsage(row: Selectable<UsageTable>): UsageDelta {
  return {
    accountId: row.account_id,
    cacheName: row.cache_name,
    hourStartMs: toMs(row.hour_start_ms, 'usage.hour_start_ms'),
    bytesIn: toInt(row.bytes_in, 'usage.bytes_in'),
    bytesOut: toInt(row.bytes_out, 'usage.bytes_out'),
    requests: toInt(row.requests, 'usage.requests'),
  };
}

export function toCacheRecord(row: Selectable<CachesTable>): CacheRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    name: row.name,
    createdAtMs: toMs(row.created_at_ms, 'caches.created_at_ms'),
  };
}

/** Every {@link KeyAccess}; stored as these exact strings. */
export const ACCESS_VALUES: readonly KeyAccess[] = ['readWrite', 'readOnly', 'writeOnly'];

function toAccess(value: string, keyId: string): KeyAccess {
  if (!(ACCESS_VALUES as readonly string[]).includes(value))
    throw corrupt(`api key '${keyId}' has unknown access '${value}'`);
  return value as KeyAccess;
}

function toScope(kind: string, caches: string | null, keyId: string): KeyScope {
  if (kind === 'all') return { kind: 'all' };
  if (kind !== 'caches') throw corrupt(`api key '${keyId}' has unknown scope kind '${kind}'`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(caches ?? 'null');
  } catch {
    throw corrupt(`api key '${keyId}' has unparsable scope_caches`);
  }
  if (!Array.isArray(parsed) || !parsed.every((c): c is string => typeof c === 'string')) {
    throw corrupt(`api key '${keyId}' has scope_caches that is not a list of names`);
  }
  return { kind: 'caches', caches: parsed };
}

/** The stored columns of a scope. */
export function fromScope(scope: KeyScope): { scope_kind: string; scope_caches: string | null } {
  return scope.kind === 'all'
    ? { scope_kind: 'all', scope_caches: null }
    : { scope_kind: 'caches', scope_caches: JSON.stringify(scope.caches) };
}

/** An api_keys row as an {@link ApiKey}; `secret_hash` is deliberately dropped so no caller ever sees it. */
export function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    accountId: row.account_id,
    region: row.region,
    provider: row.provider,
    scope: toScope(row.scope_kind, row.scope_caches, row.id),
    access: toAccess(row.access, row.id),
    createdAtMs: toMs(row.created_at_ms, 'api_keys.created_at_ms'),
    expiresAtMs: toMsOrNull(row.expires_at_ms, 'api_keys.expires_at_ms'),
    revokedAtMs: toMsOrNull(row.revoked_at_ms, 'api_keys.revoked_at_ms'),
    lastUsedAtMs: toMsOrNull(row.last_used_at_ms, 'api_keys.last_used_at_ms'),
    description: row.description,
    canManage: toFlag(row.can_manage, 'api_keys.can_manage'),
    parentKeyId: row.parent_key_id ?? null,
    topics: toTopicGrants(row.topic_grants ?? null, row.id),
  };
}

function toTopicGrants(text: string | null, keyId: string): TopicGrant[] | null {
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw corrupt(`api key '${keyId}' has unparsable topic_grants`);
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (g) =>
        typeof g === 'object' &&
        g !== null &&
        (ACCESS_VALUES as readonly unknown[]).includes(g.role) &&
        (g.cache === null || typeof g.cache === 'string') &&
        (g.topic === null || typeof g.topic === 'string') &&
        (g.topicPrefix === undefined || typeof g.topicPrefix === 'boolean'),
    );
  if (!valid) throw corrupt(`api key '${keyId}' has topic_grants that are not a list of grants`);
  return parsed as TopicGrant[];
}

/** The stored column of explicit topic grants. */
export function fromTopicGrants(grants: readonly TopicGrant[] | null | undefined): string | null {
  if (grants === null || grants === undefined) return null;
  return JSON.stringify(
    grants.map((g) => ({
      role: g.role,
      cache: g.cache,
      topic: g.topic,
      ...(g.topicPrefix ? { topicPrefix: true } : {}),
    })),
  );
}

/** A webhooks row as a {@link WebhookRecord}. */
export function toWebhook(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    cacheId: row.cache_id,
    name: row.name,
    accountId: row.account_id,
    topic: row.topic,
    url: row.url,
    secret: row.secret,
    createdAtMs: toMs(row.created_at_ms, 'webhooks.created_at_ms'),
  };
}
