/**
 * @module migrations/0003-key-parents
 * `api_keys.parent_key_id`: the key that minted this one (null for keys made by signup, the local account
 * or an operator). Revoking a key revokes every key it minted, transitively, so a leaked managing key
 * cannot leave children behind that outlive its revocation.
 *
 * No foreign key: SQLite cannot add a column with `REFERENCES` to a table with rows without a rebuild, and
 * keys are never deleted (only revoked), so a parent id always names a row of the same account.
 */

import type { Kysely, Migration } from 'kysely';

export const keyParents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('api_keys').addColumn('parent_key_id', 'text').execute();
    // Revocation walks children by parent id.
    await db.schema.createIndex('api_keys_parent_key_id_idx').on('api_keys').column('parent_key_id').execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('api_keys_parent_key_id_idx').execute();
    await db.schema.alterTable('api_keys').dropColumn('parent_key_id').execute();
  },
};
