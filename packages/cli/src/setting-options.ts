/**
 * @module setting-options
 * Commander options for server settings, derived from the server's one settings table: the flag, its help
 * with the default and the environment variables, and its choices. Commander neither reads the
 * environment nor applies defaults for them: the server's resolver does both, so precedence and error
 * messages (naming the flag or the variable) live in one place.
 */
import { defaultTextOf, flagWithArg, type SettingName, type SettingSpec, settingTable } from '@cachette/server/config';
import { Option } from 'commander';

/** `interface to listen on (default: 127.0.0.1; env: CACHETTE_HOST)`. */
export function settingHelp(name: SettingName, help: string = settingTable[name].help): string {
  const spec: SettingSpec<unknown> = settingTable[name];
  const fallback = defaultTextOf(name);
  const extra = [...(fallback === undefined ? [] : [`default: ${fallback}`]), `env: ${spec.env.join(' or ')}`];
  return `${help} (${extra.join('; ')})`;
}

/**
 * The option of setting `name`. Choices are checked by commander, so a bad `--log-level` is a usage error
 * (exit 2) listing the valid levels. `help` replaces the table's text where a command means it otherwise.
 */
export function settingOption(name: SettingName, help?: string): Option {
  const spec: SettingSpec<unknown> = settingTable[name];
  const option = new Option(flagWithArg(name), settingHelp(name, help));
  return spec.choices === undefined ? option : option.choices(spec.choices);
}
