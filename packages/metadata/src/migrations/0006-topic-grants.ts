/**
 * @module migrations/0006-topic-grants
 * `api_keys.topic_grants`: a key's explicit topic permissions (Momento `TopicPermissions`) as a JSON list
 * of `{ role, cache, topic, topicPrefix }`; null = topics follow the key's cache scope and access, which is
 * what every key made before topics meant. And `webhooks`: Momento Topics webhooks, one row per
 * (cache, name), keyed by the cache's id so a re-created cache of the same name starts with none. And the
 * plans' topic limits, null (the server's settings, Momento's defaults) for the built-in plans.
 */

import type { Kysely, Migration } from 'kysely';

export const topicGrants: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_keys').addColumn('topic_grants', 'text').execute();
    await db.schema
      .createTable('webhooks')
      .addColumn('cache_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('account_id', 'text', (c) => c.notNull())
      .addColumn('topic', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at_ms', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhooks_pk', ['cache_id', 'name'])
      .execute();
    for (const column of [
      'max_topic_publishes_per_second',
      'max_topic_subscriptions_per_cache',
      'max_topic_message_bytes',
    ]) {
      await db.schema.alterTable('plans').addColumn(column, 'bigint').execute();
    }
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const column of [
      'max_topic_publishes_per_second',
      'max_topic_subscriptions_per_cache',
      'max_topic_message_bytes',
    ]) {
      await db.schema.alterTable('plans').dropColumn(column).execute();
    }
    await db.schema.dropTable('webhooks').execute();
    await db.schema.alterTable('api_keys').dropColumn('topic_grants').execute();
  },
};
