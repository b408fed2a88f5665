/**
 * @module @cachette/example-courses-api
 * The seed's cache-aside example: a Fastify API over PostgreSQL's `free_courses`, cached in Cachette.
 */
export { type AppOptions, buildApp, COURSES_CACHE_KEY } from './app.ts';
export {
  type Course,
  CoursesRepository,
  createPool,
  DEFAULT_DATABASE_URL,
  type NewCourse,
  quoteIdent,
} from './database.ts';
export { createCoursesTable, DEFAULT_SEED_COUNT, generateCourses, type SeedCourse, seedCourses } from './seed.ts';
