/**
 * @module postgres-dialect
 * Kysely's PostgresDialect, with an introspector that only looks at Cachette's own schema.
 */

import {
  type DatabaseIntrospector,
  type Kysely,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresIntrospector,
  type SchemaMetadata,
  sql,
  type TableMetadata,
} from 'kysely';

/**
 * Kysely's migrator asks the introspector whether its history tables exist, and the stock PostgreSQL
 * introspector answers by reading every column of every table in the database, calling
 * `has_schema_privilege(nspname, …)` and `pg_get_serial_sequence(…)` by name on each. A schema dropped by
 * any other session during that query makes it fail with 3F000 "schema … does not exist" (seen with
 * parallel test runs; just as possible with another application's migrations in a shared database), and
 * the query grows with everything else in the database. This one reads the table names of one schema.
 * It reports no columns: nothing in Cachette introspects columns.
 */
class SchemaIntrospector extends PostgresIntrospector {
  readonly #db: Kysely<unknown>;
  readonly #schema: string;

  constructor(db: Kysely<unknown>, schema: string) {
    super(db);
    this.#db = db;
    this.#schema = schema;
  }

  override async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<SchemaMetadata>`
      select nspname as name from pg_catalog.pg_namespace where nspname = ${this.#schema}`.execute(this.#db);
    return rows;
  }

  override async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; kind: string }>`
      select c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = ${this.#schema} and c.relkind in ('r', 'v', 'p')
      order by c.relname`.execute(this.#db);
    return rows.map((r) => ({ name: r.name, schema: this.#schema, isView: r.kind === 'v', columns: [] }));
  }
}

/** A drop-in for Kysely's `PostgresDialect` whose introspection is confined to `schema`. */
export class CachettePostgresDialect extends PostgresDialect {
  readonly #schema: string;

  constructor(config: PostgresDialectConfig & { readonly schema: string }) {
    super(config);
    this.#schema = config.schema;
  }

  override createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SchemaIntrospector(db, this.#schema);
  }
}
