/**
 * @module seed
 * Creates `free_courses` and fills it with realistic, deterministic rows: real providers and topics,
 * plausible titles, URLs, lengths and tags. The same `count` always gives the same rows, so benchmark
 * figures compare across runs.
 */
import type pg from 'pg';

/** Rows the seed script writes unless told otherwise. */
export const DEFAULT_SEED_COUNT = 5_000;

const PROVIDERS = [
  { name: 'freeCodeCamp', base: 'https://www.freecodecamp.org/learn' },
  { name: 'MIT OpenCourseWare', base: 'https://ocw.mit.edu/courses' },
  { name: 'Khan Academy', base: 'https://www.khanacademy.org/computing' },
  { name: 'Harvard CS50', base: 'https://cs50.harvard.edu' },
  { name: 'The Odin Project', base: 'https://www.theodinproject.com/paths' },
  { name: 'Exercism', base: 'https://exercism.org/tracks' },
  { name: 'Stanford Online', base: 'https://online.stanford.edu/courses' },
  { name: 'Google Developers', base: 'https://developers.google.com/learn' },
] as const;

const TOPICS = [
  { name: 'SQL', tags: ['sql', 'databases'] },
  { name: 'PostgreSQL', tags: ['postgresql', 'databases', 'sql'] },
  { name: 'Python', tags: ['python', 'programming'] },
  { name: 'JavaScript', tags: ['javascript', 'web'] },
  { name: 'TypeScript', tags: ['typescript', 'javascript', 'web'] },
  { name: 'React', tags: ['react', 'frontend', 'javascript'] },
  { name: 'Node.js', tags: ['nodejs', 'backend', 'javascript'] },
  { name: 'Go', tags: ['go', 'backend'] },
  { name: 'Rust', tags: ['rust', 'systems'] },
  { name: 'Docker', tags: ['docker', 'devops', 'containers'] },
  { name: 'Kubernetes', tags: ['kubernetes', 'devops', 'containers'] },
  { name: 'Linux', tags: ['linux', 'systems'] },
  { name: 'Git', tags: ['git', 'tools'] },
  { name: 'Machine Learning', tags: ['machine-learning', 'ai', 'python'] },
  { name: 'Data Structures', tags: ['algorithms', 'computer-science'] },
  { name: 'Algorithms', tags: ['algorithms', 'computer-science'] },
  { name: 'Redis', tags: ['redis', 'caching', 'databases'] },
  { name: 'Web Accessibility', tags: ['accessibility', 'web', 'html'] },
  { name: 'CSS', tags: ['css', 'frontend', 'web'] },
  { name: 'Cloud Architecture', tags: ['cloud', 'architecture'] },
  { name: 'Cybersecurity', tags: ['security'] },
  { name: 'Statistics', tags: ['statistics', 'math', 'data'] },
  { name: 'Linear Algebra', tags: ['math', 'linear-algebra'] },
  { name: 'Distributed Systems', tags: ['distributed-systems', 'computer-science'] },
] as const;

const FORMATS = [
  (t: string) => `Introduction to ${t}`,
  (t: string) => `${t} for Beginners`,
  (t: string) => `Learn ${t} in One Weekend`,
  (t: string) => `Practical ${t}`,
  (t: string) => `${t}: From Zero to Production`,
  (t: string) => `Advanced ${t}`,
  (t: string) => `${t} Crash Course`,
  (t: string) => `Hands-on ${t} Projects`,
  (t: string) => `${t} Interview Preparation`,
  (t: string) => `The Complete ${t} Bootcamp`,
] as const;

const LEVEL_TAGS = ['beginner', 'intermediate', 'advanced'] as const;

/** A small deterministic PRNG (mulberry32): the same seed gives the same catalogue everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(items: readonly T[], random: () => number): T {
  return items[Math.floor(random() * items.length)] as T;
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** One generated row, before PostgreSQL gives it an id. */
export interface SeedCourse {
  readonly title: string;
  readonly url: string;
  readonly duration_minutes: number;
  readonly tags: string[];
}

/** The first `count` courses of the catalogue. */
export function generateCourses(count: number): SeedCourse[] {
  const random = prng(20_240_601);
  const courses: SeedCourse[] = [];
  for (let i = 0; i < count; i++) {
    const provider = pick(PROVIDERS, random);
    const topic = pick(TOPICS, random);
    const level = pick(LEVEL_TAGS, random);
    const title = pick(FORMATS, random)(topic.name);
    // Courses run from a 30-minute crash course to a 60-hour bootcamp, in 5-minute steps.
    const duration = 30 + 5 * Math.floor(random() * random() * 714);
    courses.push({
      title,
      // The row number keeps URLs unique when provider, topic and format repeat.
      url: `${provider.base}/${slug(title)}-${i + 1}`,
      duration_minutes: duration,
      tags: [...topic.tags, level, slug(provider.name)],
    });
  }
  return courses;
}

/** Creates `free_courses` when it does not exist (in the pool's `search_path`). */
export async function createCoursesTable(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS free_courses (
      id               serial PRIMARY KEY,
      title            text NOT NULL,
      url              text NOT NULL UNIQUE,
      duration_minutes integer NOT NULL CHECK (duration_minutes > 0),
      tags             text[] NOT NULL DEFAULT '{}',
      created_at       timestamptz NOT NULL DEFAULT now()
    )`);
}

/**
 * Empties `free_courses` and writes the first `count` courses of the catalogue, 1000 rows per statement
 * (one round trip per thousand, well under PostgreSQL's 65535 parameters). Returns the number written.
 */
export async function seedCourses(pool: pg.Pool, count: number = DEFAULT_SEED_COUNT): Promise<number> {
  await createCoursesTable(pool);
  const courses = generateCourses(count);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('TRUNCATE free_courses RESTART IDENTITY');
    for (let start = 0; start < courses.length; start += 1000) {
      const batch = courses.slice(start, start + 1000);
      const params: unknown[] = [];
      const rows = batch.map((c, i) => {
        params.push(c.title, c.url, c.duration_minutes, c.tags);
        const p = i * 4;
        return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4})`;
      });
      await client.query(
        `INSERT INTO free_courses (title, url, duration_minutes, tags) VALUES ${rows.join(', ')}`,
        params,
      );
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return courses.length;
}
