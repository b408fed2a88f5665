/**
 * `DATABASE_URL=postgres://host/db` without a user name: the store connects as libpq would (PGUSER, else
 * the operating-system user from the passwd entry, not `USER`), and a failure says which user was tried,
 * where the name came from, and where — never the password.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgresMetadata } from '../src/postgres.ts';
import { resolvePostgresUser } from '../src/postgres-user.ts';
import { PostgresTestSchemas } from './postgres-harness.ts';

const run = promisify(execFile);
const FIXTURE = resolve(import.meta.dirname, 'fixtures/open-postgres.ts');
const schemas = new PostgresTestSchemas();
afterAll(() => schemas.dispose());

/** The shared server's address, without its user: what an operator writes when relying on the default. */
const target = new URL(process.env.CACHETTE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
const NO_USER_URL = `postgres://${target.host}${target.pathname}`;

const osEnv = (env: NodeJS.ProcessEnv, name: string | Error) => ({
  env,
  osUserName: () => {
    if (name instanceof Error) throw name;
    return name;
  },
});

describe('resolvePostgresUser()', () => {
  it('takes the URL user first, then PGUSER, then the operating-system user', () => {
    expect(resolvePostgresUser('alice', osEnv({ PGUSER: 'bob' }, 'carol'))).toEqual({ user: 'alice', source: 'url' });
    expect(resolvePostgresUser('', osEnv({ PGUSER: 'bob', USER: 'x' }, 'carol'))).toEqual({
      user: 'bob',
      source: 'PGUSER',
    });
    expect(resolvePostgresUser('', osEnv({}, 'carol'))).toEqual({ user: 'carol', source: 'operating-system user' });
  });

  it('returns undefined when the uid has no passwd entry and nothing else names a user', () => {
    expect(resolvePostgresUser('', osEnv({}, new Error('ENOENT: no passwd entry')))).toBeUndefined();
  });
});

describe('openPostgresMetadata() with a URL that names no user', () => {
  it('connects as the operating-system user in a child process whose environment has no USER', async () => {
    const env = { ...process.env };
    delete env.USER;
    delete env.PGUSER;
    delete env.LOGNAME;
    const schema = schemas.newSchema();
    const { stdout } = await run(process.execPath, ['--import', 'tsx', FIXTURE, NO_USER_URL, schema], {
      env,
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim())).toEqual({ ok: true });
    // The schema the child's migration created is owned by the user it connected as.
    const { rows } = await schemas.admin.query<{ owner: string }>(
      'select pg_get_userbyid(nspowner) as owner from pg_namespace where nspname = $1',
      [schema],
    );
    const { userInfo } = await import('node:os');
    expect(rows).toEqual([{ owner: userInfo().username }]);
  });

  it('fails with UNAVAILABLE naming the user tried, where the name came from, host and database', async () => {
    const error = await openPostgresMetadata({
      url: NO_USER_URL,
      schema: schemas.newSchema(),
      userEnvironment: osEnv({}, 'no_such_role_cachette'),
    }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error?.code).toBe('UNAVAILABLE');
    expect(error?.message).toContain(
      `tried user 'no_such_role_cachette' (the URL names none, so operating-system user as libpq does) at ${target.host}${target.pathname}`,
    );
  });

  it('never shows the password of a URL that names a user', async () => {
    const error = await openPostgresMetadata({
      url: `postgres://no_such_role_cachette:s3cret-Pa55@${target.host}${target.pathname}`,
      schema: schemas.newSchema(),
    }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error?.code).toBe('UNAVAILABLE');
    expect(error?.message).toContain("tried user 'no_such_role_cachette' (from the URL)");
    expect(error?.message).not.toContain('s3cret-Pa55');
  });

  it('says what to write when no user can be found at all', async () => {
    await expect(
      openPostgresMetadata({ url: NO_USER_URL, userEnvironment: osEnv({}, new Error('no passwd entry')) }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining(`write one into the URL, e.g. postgres://USER@${target.host}`),
    });
  });
});
