/**
 * @module transports/resp/arguments
 * Reading command arguments the way Redis does: strict decimal integers, doubles with `inf`, score bounds
 * with `(` for exclusive, option words in any case. Failures are {@link CacheError}s whose messages are
 * Redis's texts (the error mapping adds the `ERR` prefix).
 */
import { CacheError, ErrorCode, INT64_MAX, INT64_MIN } from '@cachette/core';
import type { ScoreBound } from '@cachette/engine';

const invalid = (message: string) => new CacheError(ErrorCode.INVALID_ARGUMENT, message);

export const notAnInteger = (): CacheError => invalid('value is not an integer or out of range');
export const notAFloat = (): CacheError => invalid('value is not a valid float');
export const syntaxError = (): CacheError => invalid('syntax error');

/** A strict decimal integer (optional `-`, no `+`, no spaces) within ±2^53; else Redis's error. */
export function intArg(b: Buffer): number {
  const n = b.length;
  if (n === 0 || n > 17) {
    if (n > 17) {
      const big = bigintArg(b); // ints past 2^53 are valid Redis integers, but no count or TTL needs them
      if (big > BigInt(Number.MAX_SAFE_INTEGER) || big < BigInt(Number.MIN_SAFE_INTEGER)) throw notAnInteger();
      return Number(big);
    }
    throw notAnInteger();
  }
  let i = 0;
  let negative = false;
  if (b[0] === 45) {
    if (n === 1) throw notAnInteger();
    negative = true;
    i = 1;
  }
  if (b[i] === 48 && n > i + 1) throw notAnInteger(); // leading zeros are not integers to Redis
  let v = 0;
  for (; i < n; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) throw notAnInteger();
    v = v * 10 + (c - 48);
  }
  return negative ? -v : v;
}

/** A signed 64-bit decimal integer. */
export function bigintArg(b: Buffer): bigint {
  const text = b.toString('latin1');
  if (!/^-?(0|[1-9][0-9]{0,18})$/.test(text)) throw notAnInteger();
  const v = BigInt(text);
  if (v < INT64_MIN || v > INT64_MAX) throw notAnInteger();
  return v;
}

const FLOAT = /^[+-]?(?:inf|infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)$/i;

/** A double as Redis reads it (`1.5`, `-3e2`, `inf`, `+inf`, `-inf`); NaN is refused. */
export function floatArg(b: Buffer, error: () => CacheError = notAFloat): number {
  const text = b.toString('latin1');
  if (!FLOAT.test(text)) throw error();
  const lower = text.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) {
    return lower.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  return Number(text);
}

/**
 * A ZRANGEBYSCORE / ZCOUNT bound: `1.5`, `(1.5` (exclusive), `-inf`, `+inf`. `undefined` = unbounded (a
 * `-inf` minimum or `+inf` maximum); the other infinities stay bounds (they match nothing or everything).
 */
export function scoreBoundArg(b: Buffer, side: 'min' | 'max'): ScoreBound | undefined {
  const exclusive = b[0] === 40;
  const score = floatArg(exclusive ? b.subarray(1) : b, () => invalid('min or max is not a float'));
  if (!exclusive && score === (side === 'min' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY)) {
    return undefined;
  }
  return { score, exclusive };
}

/** The argument as an upper-case word, for option parsing. */
export function word(b: Buffer): string {
  return b.toString('latin1').toUpperCase();
}

/** A name (cache, client name) as text. */
export function text(b: Buffer): string {
  return b.toString('utf8');
}
