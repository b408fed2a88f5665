/**
 * Unit tests of settings: parsing of sizes and durations, resolution from flags, environment, config file
 * and defaults, error messages naming their source, and the checks across settings. No server boots.
 */
import { readFileSync } from 'node:fs';
import { CacheError, ErrorCode } from '@cachette/core';
import {
  completeConfig,
  defaultConfig,
  durationParser,
  formatDuration,
  formatSize,
  InvalidSettingValue,
  isLoopbackHost,
  parseSize,
  renderSettingsTable,
  resolveConfig,
  resolveSettingsWithOrigins,
  SETTINGS_TABLE_END,
  SETTINGS_TABLE_START,
  settingNames,
  settingTable,
  withSettingsTable,
} from '@cachette/server/config';
import { describe, expect, test } from 'vitest';

/** The CacheError `fn` throws (fails the test when it throws nothing or something else). */
function errorOf(fn: () => unknown): CacheError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CacheError) return e;
    throw e;
  }
  throw new Error('expected a CacheError');
}

describe('parseSize', () => {
  test.each([
    ['1048576', 1048576],
    ['512mb', 512 * 1024 ** 2],
    ['512MiB', 512 * 1024 ** 2],
    ['1gb', 1024 ** 3],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['64 kb', 64 * 1024],
    ['2t', 2 * 1024 ** 4],
    [' 10b ', 10],
  ])('parseSize(%j) returns %d bytes (binary units)', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  test.each(['lots', '', '-1mb', '1 zb', 'mb', '1e6'])('parseSize(%j) throws "is not a size"', (text) => {
    expect(() => parseSize(text)).toThrow(
      new InvalidSettingValue('is not a size (use e.g. 512mb, 1gb or a number of bytes)'),
    );
  });

  test('parseSize of zero bytes throws "must be greater than zero"', () => {
    expect(() => parseSize('0')).toThrow('must be greater than zero');
    expect(() => parseSize('0.1b')).toThrow('must be greater than zero');
  });

  test('formatSize writes whole units and falls back to bytes', () => {
    expect(formatSize(5 * 1024 ** 2)).toBe('5mb');
    expect(formatSize(1024 ** 3)).toBe('1gb');
    expect(formatSize(1536)).toBe('1536');
  });
});

describe('durationParser', () => {
  const seconds = durationParser('s', 1000, 365 * 86_400_000);
  const millis = durationParser('ms', 100, 3_600_000);

  test.each([
    ['3600', 3_600_000],
    ['90s', 90_000],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['7d', 7 * 86_400_000],
    ['1500ms', 1500],
    ['1.5s', 1500],
  ])('a seconds setting reads %j as %d ms', (text, ms) => {
    expect(seconds(text)).toBe(ms);
  });

  test('a bare number is in the unit the setting names', () => {
    expect(millis('5000')).toBe(5000);
    expect(seconds('5000')).toBe(5_000_000);
  });

  test('out of range or fractional milliseconds throw with the range', () => {
    expect(() => millis('50')).toThrow('must be from 100ms to 1h');
    expect(() => seconds('366d')).toThrow('must be from 1s to 365d');
    expect(() => millis('100.5')).toThrow('must be from 100ms to 1h');
  });

  test('text that is not a duration throws naming the bare unit', () => {
    expect(() => seconds('soon')).toThrow('or a number of seconds');
    expect(() => millis('-5')).toThrow('or a number of milliseconds');
  });

  test('formatDuration prefers hours to one day', () => {
    expect(formatDuration(86_400_000)).toBe('24h');
    expect(formatDuration(2 * 86_400_000)).toBe('2d');
    expect(formatDuration(5000)).toBe('5s');
    expect(formatDuration(1500)).toBe('1500ms');
  });
});

describe('resolveConfig', () => {
  test('with no sources every setting takes its default', () => {
    const config = resolveConfig({});
    expect(config).toEqual(defaultConfig);
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      httpPort: 8081,
      dataDir: './.cachette',
      engine: 'memory',
      valkeyUrl: 'redis://127.0.0.1:6379',
      maxMemoryBytes: 1024 ** 3,
      logLevel: 'info',
      meteringFlushIntervalMs: 5000,
      freeGbPerMonth: 50,
      pricePerGbUsd: 0.15,
    });
    expect(config.limits).toMatchObject({
      maxItemSizeBytes: 5 * 1024 ** 2,
      maxTtlMs: 86_400_000,
      maxCachesPerAccount: 100,
    });
  });

  test('flags beat the environment, which beats the config file, which beats defaults', () => {
    const file = {
      path: 'cachette.toml',
      values: { port: 7000, region: 'file-region', provider: 'file-provider', host: '::1' },
    };
    const env = { CACHETTE_PORT: '7001', CACHETTE_REGION: 'env-region' };
    const flags = { port: '7002' };
    const { settings, origins } = resolveSettingsWithOrigins({ flags, env, file });
    expect(settings.port).toBe(7002);
    expect(origins.port).toBe('--port');
    expect(settings.region).toBe('env-region');
    expect(origins.region).toBe('CACHETTE_REGION');
    expect(settings.provider).toBe('file-provider');
    expect(origins.provider).toBe('cachette.toml: provider');
    expect(settings.mailFrom).toBe('Cachette <no-reply@cachette.local>');
    expect(origins.mailFrom).toBe('default');
  });

  test('CACHETTE_DATABASE_URL wins over DATABASE_URL, which still applies alone', () => {
    const both = { CACHETTE_DATABASE_URL: 'postgres://ours/db', DATABASE_URL: 'postgres://theirs/db' };
    expect(resolveConfig({ env: both }).databaseUrl).toBe('postgres://ours/db');
    expect(resolveConfig({ env: { DATABASE_URL: 'postgres://theirs/db' } }).databaseUrl).toBe('postgres://theirs/db');
    expect(resolveConfig({ env: both, flags: { databaseUrl: 'postgres://flag/db' } }).databaseUrl).toBe(
      'postgres://flag/db',
    );
  });

  test('CACHETTE_VALKEY_URL wins over VALKEY_URL', () => {
    const env = { CACHETTE_VALKEY_URL: 'redis://ours:6379', VALKEY_URL: 'redis://theirs:6379' };
    expect(resolveConfig({ env }).valkeyUrl).toBe('redis://ours:6379');
  });

  test('empty values count as unset, so the next source applies', () => {
    const config = resolveConfig({ flags: { region: '' }, env: { CACHETTE_REGION: '', CACHETTE_PROVIDER: 'aws' } });
    expect(config.region).toBe('local');
    expect(config.provider).toBe('aws');
  });

  test('a switch flag is true; the environment spells booleans several ways', () => {
    expect(resolveConfig({ flags: { allowAnonymous: true } }).allowAnonymous).toBe(true);
    expect(resolveConfig({ env: { CACHETTE_TRUST_PROXY: 'yes' } }).trustProxy).toBe(true);
    expect(resolveConfig({ env: { CACHETTE_TRUST_PROXY: 'off' } }).trustProxy).toBe(false);
  });

  test('anonymous mode is allowed on loopback hosts only, unless confirmed for the network', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST']) {
      expect(isLoopbackHost(host), host).toBe(true);
      expect(resolveConfig({ flags: { allowAnonymous: true, host } }).allowAnonymous).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.5', 'cachette.example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
      expect(() => resolveConfig({ flags: { allowAnonymous: true, host } })).toThrow(
        `--allow-anonymous on --host ${host} lets anyone who can reach the server use the local account`,
      );
      expect(resolveConfig({ flags: { host } }).allowAnonymous).toBe(false);
      const confirmed = resolveConfig({
        flags: { allowAnonymous: true, host },
        env: { CACHETTE_ALLOW_ANONYMOUS_ON_NETWORK: '1' },
      });
      expect(confirmed.allowAnonymousOnNetwork).toBe(true);
    }
  });

  test('sizes, durations and numbers land in the config in bytes and ms', () => {
    const config = resolveConfig({
      env: {
        CACHETTE_MAX_MEMORY: '64mb',
        CACHETTE_MAX_ITEM_SIZE: '1mb',
        CACHETTE_MAX_TTL_SECONDS: '3600',
        CACHETTE_METERING_FLUSH_MS: '250',
        CACHETTE_PRICE_PER_GB: '0.2',
      },
      flags: { maxCachesPerAccount: '5' },
    });
    expect(config.maxMemoryBytes).toBe(64 * 1024 ** 2);
    expect(config.limits).toMatchObject({ maxItemSizeBytes: 1024 ** 2, maxTtlMs: 3_600_000, maxCachesPerAccount: 5 });
    expect(config.meteringFlushIntervalMs).toBe(250);
    expect(config.pricePerGbUsd).toBe(0.2);
  });

  test('an invalid environment value names the variable: CACHETTE_PORT=abc', () => {
    const error = errorOf(() => resolveConfig({ env: { CACHETTE_PORT: 'abc' } }));
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(error.message).toBe("CACHETTE_PORT: port 'abc' must be an integer from 0 to 65535");
  });

  test('an invalid flag value names the flag, even when the environment is valid', () => {
    const error = errorOf(() => resolveConfig({ flags: { port: '70000' }, env: { CACHETTE_PORT: '1' } }));
    expect(error.message).toBe("--port: port '70000' must be an integer from 0 to 65535");
    expect(errorOf(() => resolveConfig({ flags: { maxMemory: 'lots' } })).message).toContain(
      "--max-memory: max memory 'lots' is not a size",
    );
  });

  test('a bad CACHETTE_LOG_LEVEL names the variable and lists the levels', () => {
    const error = errorOf(() => resolveConfig({ env: { CACHETTE_LOG_LEVEL: 'loud' } }));
    expect(error.message).toBe(
      "CACHETTE_LOG_LEVEL: log level 'loud' must be one of fatal, error, warn, info, debug, trace, silent",
    );
  });

  test('an invalid config file value names the file and key', () => {
    const error = errorOf(() =>
      resolveConfig({ file: { path: '/etc/cachette.toml', values: { trustProxy: 'maybe' } } }),
    );
    expect(error.message).toBe("/etc/cachette.toml: trustProxy: trust proxy 'maybe' must be true or false");
  });

  test('a free gRPC port without an HTTP port means a free HTTP port; an explicit one is kept', () => {
    expect(resolveConfig({ flags: { port: '0' } }).httpPort).toBe(0);
    expect(resolveConfig({ flags: { port: '0', httpPort: '9000' } }).httpPort).toBe(9000);
    expect(resolveConfig({ flags: { port: '9090' } }).httpPort).toBe(8081);
    expect(completeConfig({ port: 0 }).httpPort).toBe(0);
    expect(completeConfig({ port: 0, httpPort: undefined }).httpPort).toBe(0);
  });

  test('checks across settings: TLS pairs, distinct ports, memory for two items', () => {
    expect(errorOf(() => resolveConfig({ flags: { tlsCert: 'c.pem' } })).message).toBe(
      'TLS needs both a certificate (--tls-cert) and a private key (--tls-key)',
    );
    expect(errorOf(() => resolveConfig({ flags: { port: '9000', httpPort: '9000' } })).message).toContain(
      'must differ (both are 9000)',
    );
    expect(errorOf(() => resolveConfig({ flags: { maxMemory: '8mb', maxItemSize: '5mb' } })).message).toContain(
      'must be at least twice the max item size',
    );
  });
});

describe('the settings table', () => {
  test('every setting has a CACHETTE_* variable first, help text, and choices its parser accepts', () => {
    for (const name of settingNames) {
      const spec = settingTable[name] as {
        env: readonly string[];
        help: string;
        choices?: readonly string[];
        parse: (t: string) => unknown;
      };
      expect(spec.env[0], name).toMatch(/^CACHETTE_[A-Z_]+$/);
      expect(spec.help.length, name).toBeGreaterThan(5);
      for (const choice of spec.choices ?? []) expect(spec.parse(choice), name).toBe(choice);
    }
  });

  test('README.md holds the table rendered from the list (run `npm run docs:settings` after a change)', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(SETTINGS_TABLE_START);
    expect(readme).toContain(SETTINGS_TABLE_END);
    expect(withSettingsTable(readme)).toBe(readme);
    // And the rendering names every flag and variable.
    const table = renderSettingsTable();
    expect(table).toContain(
      '| `--valkey-url <urls>` | `CACHETTE_VALKEY_URL` or `VALKEY_URL` | `redis://127.0.0.1:6379` |',
    );
    for (const name of settingNames) for (const variable of settingTable[name].env) expect(table).toContain(variable);
  });

  test('withSettingsTable replaces only what lies between the markers', () => {
    const doc = `# Title\n\n${SETTINGS_TABLE_START}\nstale\n${SETTINGS_TABLE_END}\n\nafter\n`;
    const out = withSettingsTable(doc);
    expect(out.startsWith(`# Title\n\n${SETTINGS_TABLE_START}\n| flag |`)).toBe(true);
    expect(out.endsWith(`${SETTINGS_TABLE_END}\n\nafter\n`)).toBe(true);
    expect(out).not.toContain('stale');
    expect(() => withSettingsTable('# no markers')).toThrow('no settings table markers');
  });
});
