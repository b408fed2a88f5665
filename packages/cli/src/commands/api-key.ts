/**
 * @module commands/api-key
 * `cachette api-key create|list|revoke`: the profile's account's keys, through the HTTP API. A new key is
 * printed once; listings never show secrets.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { type Command, Option } from 'commander';
import { globalOptions, report } from '../command-context.ts';
import { apiUrlFor, callHttpApi } from '../http-api.ts';
import { loadProfile } from '../profile.ts';
import { renderTable } from '../table.ts';

interface KeyJson {
  id: string;
  caches: 'all' | string[];
  access: string;
  description: string | null;
  region: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `3600`, `90s`, `30m`, `12h`, `30d` → seconds; INVALID_ARGUMENT otherwise. */
export function parseDuration(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  const n = m ? Number(m[1]) * (UNIT_SECONDS[m[2] || 's'] ?? 1) : Number.NaN;
  if (!m || !Number.isSafeInteger(n) || n <= 0) {
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `'${text}' is not a duration: use e.g. 3600, 30m, 12h or 30d`);
  }
  return n;
}

function context(cmd: Command, apiUrl: string | undefined) {
  const options = globalOptions(cmd);
  const profile = loadProfile({ profile: options.profile });
  return { options, token: profile.apiKey, baseUrl: apiUrlFor(profile.apiKey, apiUrl) };
}

const apiUrlOption = () => new Option('--api-url <url>', "the server's HTTP API (default: from the API key)");

/** `cache/topic` (either may be `*`; a topic ending in `*` is a prefix) as the HTTP API's grant. */
function topicGrant(spec: string, access: string): { cache: string; topic: string; access: string } {
  const slash = spec.indexOf('/');
  if (slash <= 0 || slash === spec.length - 1) {
    throw new CacheError(
      ErrorCode.INVALID_ARGUMENT,
      `--topic wants cache/topic (e.g. chat/room-1, chat/room-*, */*); got '${spec}'`,
    );
  }
  return { cache: spec.slice(0, slash), topic: spec.slice(slash + 1), access };
}

/** Adds `create`, `list` and `revoke` to the `api-key` group. */
export function registerApiKey(group: Command): void {
  group
    .command('create')
    .description('create an API key for your account (printed once)')
    .option('--cache <name...>', 'limit the key to these caches (default: all caches)')
    .addOption(
      new Option('--access <access>', 'what the key may do with items')
        .choices(['read-write', 'read-only', 'write-only'])
        .default('read-write'),
    )
    .option('--expires-in <duration>', 'lifetime, e.g. 3600, 30m, 12h, 30d (default: never)')
    .option('--description <text>', 'a note to recognise the key by')
    .option(
      '--topic <cache/topic...>',
      'grant only these topics (`*` = all caches or topics, `chat-*` = a prefix); default: topics follow --cache and --access',
    )
    .addOption(
      new Option('--topic-access <access>', 'what the key may do with the --topic topics')
        .choices(['publish-subscribe', 'publish', 'subscribe'])
        .default('publish-subscribe'),
    )
    .option('--topics-only', 'no item access at all: only the --topic topics')
    .addOption(apiUrlOption())
    .addHelpText(
      'after',
      `
Examples:
  $ cachette api-key create --cache orders --access read-only --expires-in 30d --description "reporting job"
  $ cachette api-key create --topics-only --topic 'chat/room-*' --topic-access subscribe --expires-in 1h
  $ cachette api-key create --output json | jq -r .apiKey`,
    )
    .action(async function (
      this: Command,
      opts: {
        cache?: string[];
        access: string;
        expiresIn?: string;
        description?: string;
        apiUrl?: string;
        topic?: string[];
        topicAccess: string;
        topicsOnly?: boolean;
      },
    ) {
      if (opts.topicsOnly && !opts.topic) {
        throw new CacheError(ErrorCode.INVALID_ARGUMENT, '--topics-only needs at least one --topic cache/topic');
      }
      const { options, token, baseUrl } = context(this, opts.apiUrl);
      const created = await callHttpApi<KeyJson & { apiKey: string }>({
        baseUrl,
        method: 'POST',
        path: 'v1/api-keys',
        token,
        body: {
          ...(opts.cache ? { caches: opts.cache } : {}),
          access: opts.access,
          ...(opts.expiresIn ? { expiresInSeconds: parseDuration(opts.expiresIn) } : {}),
          ...(opts.description ? { description: opts.description } : {}),
          ...(opts.topic ? { topics: opts.topic.map((t) => topicGrant(t, opts.topicAccess)) } : {}),
          ...(opts.topicsOnly ? { topicsOnly: true } : {}),
        },
      });
      const scope = created.caches === 'all' ? 'all caches' : `caches ${created.caches.join(', ')}`;
      report(
        options,
        `${created.apiKey}\n\nkey ${created.id}: ${created.access} on ${scope}, expires ${created.expiresAt ?? 'never'}.\nThis is the only time the key is shown; store it now.`,
        created,
      );
    });

  group
    .command('list')
    .description("list your account's API keys (never their secrets)")
    .addOption(apiUrlOption())
    .action(async function (this: Command, opts: { apiUrl?: string }) {
      const { options, token, baseUrl } = context(this, opts.apiUrl);
      // The server answers one page at a time (at most 1000 keys); follow the pages to list them all.
      const keys: KeyJson[] = [];
      let pageToken: string | null = null;
      do {
        const query: string = pageToken === null ? '' : `&page_token=${encodeURIComponent(pageToken)}`;
        const page: { keys: KeyJson[]; nextPageToken?: string | null } = await callHttpApi({
          baseUrl,
          method: 'GET',
          path: `v1/api-keys?limit=1000${query}`,
          token,
        });
        keys.push(...page.keys);
        pageToken = page.nextPageToken ?? null;
      } while (pageToken !== null);
      const rows = keys.map((k) => [
        k.id,
        k.caches === 'all' ? 'all' : k.caches.join(','),
        k.access,
        k.createdAt.slice(0, 19),
        k.expiresAt?.slice(0, 19) ?? 'never',
        k.lastUsedAt?.slice(0, 19) ?? '-',
        k.revokedAt ? 'revoked' : 'active',
        k.description ?? '',
      ]);
      const header = ['ID', 'CACHES', 'ACCESS', 'CREATED', 'EXPIRES', 'LAST-USED', 'STATE', 'DESCRIPTION'];
      report(options, renderTable(header, rows), { keys });
    });

  group
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<id>', 'the key id, as `cachette api-key list` shows it')
    .addOption(apiUrlOption())
    .action(async function (this: Command, id: string, opts: { apiUrl?: string }) {
      const { options, token, baseUrl } = context(this, opts.apiUrl);
      await callHttpApi({ baseUrl, method: 'DELETE', path: `v1/api-keys/${encodeURIComponent(id)}`, token });
      report(options, `key ${id} revoked`, { id, revoked: true });
    });
}
