/**
 * @module settings/resolve-settings
 * Resolves every setting of the {@link settingTable} from its sources. Precedence, first wins: flags >
 * environment (`CACHETTE_*` before generic names like `DATABASE_URL`) > config file > defaults. An invalid
 * value is reported with the flag, variable or file key that carried it.
 */
import { CacheError, ErrorCode } from '@cachette/core';
import { InvalidSettingValue } from './parsers.ts';
import {
  flagOf,
  type SettingName,
  type SettingSpec,
  type Settings,
  settingNames,
  settingTable,
} from './setting-table.ts';

/** Where settings come from; every source is optional. */
export interface SettingSources {
  /**
   * Parsed flags keyed by setting name (commander's camelCase of the flag): text, or `true` for a switch.
   * Keys that are not settings are ignored.
   */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** The environment, e.g. `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** A config file's values keyed by setting name, and the file's path for error messages. */
  readonly file?: { readonly path: string; readonly values: Readonly<Record<string, unknown>> };
}

/** Where a resolved value came from: `--port`, `CACHETTE_PORT`, `cachette.toml: port` or `default`. */
export type SettingOrigins = { [K in SettingName]: string };

/** A value worth reading: empty text counts as unset, so `CACHETTE_REGION=` falls through to the default. */
function given(value: unknown): string | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  const text = value === true ? 'true' : String(value);
  return text === '' ? undefined : text;
}

/** The first source giving `name` a value: the text and the name of that source. */
function lookup(name: SettingName, sources: SettingSources): { text: string; origin: string } | undefined {
  const flag = given(sources.flags?.[name]);
  if (flag !== undefined) return { text: flag, origin: flagOf(name) };
  for (const variable of settingTable[name].env) {
    const text = given(sources.env?.[variable]);
    if (text !== undefined) return { text, origin: variable };
  }
  const fromFile = given(sources.file?.values[name]);
  if (fromFile !== undefined && sources.file !== undefined) {
    return { text: fromFile, origin: `${sources.file.path}: ${name}` };
  }
  return undefined;
}

/** `maxMemory` → `max memory`: the setting as words, for messages. */
export function labelOf(name: SettingName): string {
  return name.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
}

/**
 * Resolves one setting: its value and where it came from (`--port`, `CACHETTE_PORT`, `<file>: port`, or
 * `default`).
 * @throws {CacheError} INVALID_ARGUMENT naming the flag, variable or file key of an invalid value, e.g.
 *   `CACHETTE_PORT: port 'abc' must be an integer from 0 to 65535`.
 */
export function resolveSetting<K extends SettingName>(
  name: K,
  sources: SettingSources,
): { value: Settings[K]; origin: string } {
  const spec = settingTable[name] as SettingSpec<Settings[K]>;
  const found = lookup(name, sources);
  if (found === undefined) return { value: spec.default, origin: 'default' };
  try {
    return { value: spec.parse(found.text), origin: found.origin };
  } catch (e) {
    if (!(e instanceof InvalidSettingValue)) throw e;
    throw new CacheError(ErrorCode.INVALID_ARGUMENT, `${found.origin}: ${labelOf(name)} '${found.text}' ${e.message}`);
  }
}

/**
 * Resolves every setting (see {@link resolveSetting}); `origins` says where each value came from.
 * @throws {CacheError} INVALID_ARGUMENT for the first invalid value, in table order.
 */
export function resolveSettingsWithOrigins(sources: SettingSources): {
  settings: Settings;
  origins: SettingOrigins;
} {
  const settings: Record<string, unknown> = {};
  const origins: Record<string, string> = {};
  for (const name of settingNames) {
    const { value, origin } = resolveSetting(name, sources);
    settings[name] = value;
    origins[name] = origin;
  }
  return { settings: settings as Settings, origins: origins as SettingOrigins };
}

/** Resolves every setting (see {@link resolveSettingsWithOrigins}). */
export function resolveSettings(sources: SettingSources): Settings {
  return resolveSettingsWithOrigins(sources).settings;
}

/** Every setting at its default. */
export function defaultSettings(): Settings {
  return resolveSettings({});
}
