/**
 * @module settings/parsers
 * Parsers for setting values given as text (flags, environment, config file). A parser knows nothing of
 * where the text came from: it throws {@link InvalidSettingValue} with the problem only, and the resolver
 * words the error with the flag or variable that carried the value.
 */

/** The text is not a valid value; `message` says why, e.g. `must be an integer from 0 to 65535`. */
export class InvalidSettingValue extends Error {
  override readonly name = 'InvalidSettingValue';
}

const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g|tb|tib|t)?$/i;
const SIZE_UNIT: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/**
 * Parses a size in bytes: `512mb`, `1gb`, `1.5GiB`, `1048576`. Units are binary whatever their spelling
 * (1 kb = 1 kib = 1024 bytes), as memory is sized in binary units. Fractions of a byte are dropped.
 * @throws {InvalidSettingValue} when the text is not a size or is not greater than zero.
 */
export function parseSize(text: string): number {
  const m = SIZE.exec(text.trim());
  if (!m) throw new InvalidSettingValue('is not a size (use e.g. 512mb, 1gb or a number of bytes)');
  const unit = (m[2] ?? 'b').toLowerCase()[0] ?? 'b';
  const bytes = Math.floor(Number(m[1]) * (SIZE_UNIT[unit] ?? 1));
  if (bytes <= 0) throw new InvalidSettingValue('must be greater than zero');
  return bytes;
}

/** `5242880` → `5mb`; sizes that are not a whole number of a unit stay in bytes. For help texts. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['tb', 1024 ** 4],
    ['gb', 1024 ** 3],
    ['mb', 1024 ** 2],
    ['kb', 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return `${bytes}`;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/i;
const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `86400000` → `24h`, `5000` → `5s`, `1500` → `1500ms`. For help texts and error messages. */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const factor = DURATION_MS[unit] ?? 1;
    // Days only from two on: people say "24h", not "1d".
    const min = unit === 'd' ? 2 * factor : factor;
    if (ms >= min && ms % factor === 0) return `${ms / factor}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A parser of durations in ms: `250ms`, `5s`, `10m`, `24h`, `7d`, or a bare number in `bareUnit` (the unit
 * the setting's name promises, e.g. `CACHETTE_MAX_TTL_SECONDS=3600`). The result must lie in
 * [`minMs`, `maxMs`] and be a whole number of ms.
 */
export function durationParser(bareUnit: 'ms' | 's', minMs: number, maxMs: number): (text: string) => number {
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  return (text) => {
    const m = DURATION.exec(text.trim());
    if (!m) {
      throw new InvalidSettingValue(
        `is not a duration (use e.g. 5s, 10m, 24h or a number of ${bareUnit === 's' ? 'seconds' : 'milliseconds'})`,
      );
    }
    const ms = Number(m[1]) * (DURATION_MS[(m[2] ?? bareUnit).toLowerCase()] ?? 1);
    if (!Number.isSafeInteger(ms) || ms < minMs || ms > maxMs) throw new InvalidSettingValue(`must be ${range}`);
    return ms;
  };
}

/** A parser of integers in [`min`, `max`] written as plain digits (no sign, exponent or fraction). */
export function integerParser(min: number, max: number): (text: string) => number {
  return (text) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidSettingValue(`must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** Parses a finite number ≥ 0 (prices, GB counts). */
export function parseNonNegativeNumber(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidSettingValue('must be a number ≥ 0');
  return n;
}

/** `1`/`true`/`yes`/`on` and `0`/`false`/`no`/`off`, any case. */
export function parseBoolean(text: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text.trim())) return true;
  if (/^(0|false|no|off)$/i.test(text.trim())) return false;
  throw new InvalidSettingValue('must be true or false');
}

/** A parser accepting exactly one of `choices`. */
export function choiceParser<T extends string>(choices: readonly T[]): (text: string) => T {
  return (text) => {
    const found = choices.find((c) => c === text);
    if (found === undefined) throw new InvalidSettingValue(`must be one of ${choices.join(', ')}`);
    return found;
  };
}

/** Any text, taken as is. */
export function parseText(text: string): string {
  return text;
}
