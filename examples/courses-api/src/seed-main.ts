/**
 * @module seed-main
 * `npm run seed -w examples/courses-api [-- COUNT]`: (re)creates `free_courses` in `DATABASE_URL`
 * (schema `DB_SCHEMA` when set) with COUNT realistic rows (default 5000).
 */
import { createPool, DEFAULT_DATABASE_URL } from './database.ts';
import { DEFAULT_SEED_COUNT, seedCourses } from './seed.ts';

const count = Number(process.argv[2] ?? process.env.SEED_COUNT ?? DEFAULT_SEED_COUNT);
if (!Number.isSafeInteger(count) || count < 0) {
  console.error(`seed: COUNT must be a whole number, got '${process.argv[2]}'`);
  process.exit(2);
}
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const pool = createPool(url, process.env.DB_SCHEMA || undefined);
try {
  const started = performance.now();
  const written = await seedCourses(pool, count);
  const ms = Math.round(performance.now() - started);
  console.log(`seeded free_courses with ${written} courses in ${ms} ms (${url.replace(/:[^:@/]*@/, ':***@')})`);
} catch (error) {
  console.error(`seed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await pool.end();
}
