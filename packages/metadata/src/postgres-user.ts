/**
 * @module postgres-user
 * The PostgreSQL user name when the database URL has none (`postgres://host/db`), chosen as libpq chooses
 * it: `PGUSER`, else the operating-system user. node-postgres instead reads `USER`, which containers and
 * systemd units often leave unset — and a URL without a user part overrides even that with an empty name,
 * so the server refused to start with "no PostgreSQL user name specified in startup packet".
 */

import { userInfo } from 'node:os';

/** Where the user name came from, for error messages: an operator must see what was tried. */
export type PostgresUserSource = 'url' | 'PGUSER' | 'operating-system user';

export interface ResolvedPostgresUser {
  readonly user: string;
  readonly source: PostgresUserSource;
}

/** What {@link resolvePostgresUser} reads besides the URL; injectable so tests need not change the process. */
export interface PostgresUserEnvironment {
  readonly env: NodeJS.ProcessEnv;
  /** The operating-system user's name; throws when the uid has no passwd entry (random-uid containers). */
  readonly osUserName: () => string;
}

const processEnvironment: PostgresUserEnvironment = {
  env: process.env,
  osUserName: () => userInfo().username,
};

/**
 * The user to connect as: the URL's own (`postgres://user@…` or `?user=`), else `PGUSER`, else the
 * operating-system user (`os.userInfo()`, which reads the passwd entry of the process's uid, not `USER`).
 * `undefined` when none of them gives a name.
 */
export function resolvePostgresUser(
  fromUrl: string,
  environment: PostgresUserEnvironment = processEnvironment,
): ResolvedPostgresUser | undefined {
  if (fromUrl !== '') return { user: fromUrl, source: 'url' };
  const pgUser = environment.env.PGUSER;
  if (pgUser !== undefined && pgUser !== '') return { user: pgUser, source: 'PGUSER' };
  try {
    const name = environment.osUserName();
    if (name !== '') return { user: name, source: 'operating-system user' };
  } catch {
    // No passwd entry for this uid: fall through to "no user".
  }
  return undefined;
}
