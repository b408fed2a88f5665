/**
 * @module migrations/0006-topic-grants
 * `api_keys.topic_grants`: a key's explicit topic permissions (Momento `TopicPermissions`) as a JSON list
 * of `{ role, cache, topic, topicPrefix }`; null = topics follow the key's cache scope and access, which is
 * what every key made before topics meant.
 */

import type { Kysely, Migration } from 'kysely';

export const topicGrants: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_keys').addColumn('topic_grants', 'text').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_keys').dropColumn('topic_grants').execute();
  },
};
