/**
 * `--enable-fault-injection` / `CACHETTE_ENABLE_FAULT_INJECTION`: off unless asked for, and a value that is
 * not a boolean is refused rather than read as "off".
 */
import { describe, expect, it } from 'vitest';
import { resolveConfig, settingsFromEnv } from '../src/config.ts';

describe('enableFaultInjection setting', () => {
  it('is false by default', () => {
    expect(resolveConfig({}, settingsFromEnv({})).enableFaultInjection).toBe(false);
  });

  it('is true with the flag or the environment variable', () => {
    expect(resolveConfig({ enableFaultInjection: true }).enableFaultInjection).toBe(true);
    expect(resolveConfig(settingsFromEnv({ CACHETTE_ENABLE_FAULT_INJECTION: 'true' })).enableFaultInjection).toBe(true);
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => resolveConfig(settingsFromEnv({ CACHETTE_ENABLE_FAULT_INJECTION: 'maybe' }))).toThrow(
      /enable fault injection 'maybe' must be true or false/,
    );
  });
});
