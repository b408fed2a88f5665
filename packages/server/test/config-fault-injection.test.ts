/**
 * `--enable-fault-injection` / `CACHETTE_ENABLE_FAULT_INJECTION`: off unless asked for, and a value that is
 * not a boolean is refused rather than read as "off".
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';

describe('enableFaultInjection setting', () => {
  it('is false by default', () => {
    expect(resolveConfig({}).enableFaultInjection).toBe(false);
  });

  it('is true with the flag or the environment variable', () => {
    expect(resolveConfig({ flags: { enableFaultInjection: true } }).enableFaultInjection).toBe(true);
    expect(resolveConfig({ env: { CACHETTE_ENABLE_FAULT_INJECTION: 'true' } }).enableFaultInjection).toBe(true);
  });

  it('refuses a value that is not a boolean, naming where it came from', () => {
    expect(() => resolveConfig({ env: { CACHETTE_ENABLE_FAULT_INJECTION: 'maybe' } })).toThrow(
      /CACHETTE_ENABLE_FAULT_INJECTION/,
    );
  });
});
