/**
 * @module database
 * The PostgreSQL side: a pool from `DATABASE_URL`, and the one table the seed's app reads, `free_courses`.
 * Every statement goes through {@link CoursesRepository.query}, which counts them, so tests and the bench
 * can prove when a request did or did not touch the database.
 */
import pg from 'pg';

/** The seed's default: a local PostgreSQL with a `test` database. */
export const DEFAULT_DATABASE_URL = 'postgres://127.0.0.1:5432/test';

/** One row of `free_courses`. */
export interface Course {
  readonly id: number;
  readonly title: string;
  readonly url: string;
  /** Length of the course in minutes. */
  readonly duration_minutes: number;
  readonly tags: string[];
  /** ISO timestamp. */
  readonly created_at: string;
}

/** What `POST /courses` takes. */
export type NewCourse = Omit<Course, 'id' | 'created_at'>;

/**
 * A pool on `databaseUrl`. With `schema`, every connection's `search_path` is that schema, so the SQL stays
 * `SELECT * FROM free_courses` while tests and the bench use a throwaway schema of their own.
 */
export function createPool(databaseUrl: string = DEFAULT_DATABASE_URL, schema?: string): pg.Pool {
  return new pg.Pool({
    connectionString: databaseUrl,
    max: 10,
    ...(schema === undefined ? {} : { options: `-c search_path=${quoteIdent(schema)}` }),
  });
}

/** `name` as a quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The statements of the app, counted. */
export class CoursesRepository {
  /** Statements sent to PostgreSQL so far. */
  queries = 0;
  private readonly pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.pool = pool;
  }

  /** The seed's query, verbatim. */
  async listCourses(): Promise<Course[]> {
    const result = await this.query<Course>('SELECT * FROM free_courses');
    return result.rows;
  }

  /** Inserts a course and returns it with its id. */
  async addCourse(course: NewCourse): Promise<Course> {
    const result = await this.query<Course>(
      'INSERT INTO free_courses (title, url, duration_minutes, tags) VALUES ($1, $2, $3, $4) RETURNING *',
      [course.title, course.url, course.duration_minutes, course.tags],
    );
    const row = result.rows[0];
    if (row === undefined) throw new Error('INSERT … RETURNING returned no row');
    return row;
  }

  async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
    this.queries++;
    return this.pool.query<R>(sql, params);
  }
}
