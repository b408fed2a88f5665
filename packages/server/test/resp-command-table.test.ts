/**
 * Command lookup: any case, short names (found by their bytes) and long ones alike, and nothing else matches —
 * bytes that are not letters are never folded onto letters.
 */
import { describe, expect, it } from 'vitest';
import { commandNames, lookupCommand } from '../src/transports/resp/command-table.ts';

const find = (name: string) => lookupCommand(Buffer.from(name, 'latin1'))?.name;

describe('lookupCommand', () => {
  it('finds every command in lower, upper and mixed case', () => {
    for (const name of commandNames) {
      expect(find(name)).toBe(name);
      expect(find(name.toUpperCase())).toBe(name);
      const mixed = [...name].map((ch, i) => (i % 2 === 0 ? ch.toUpperCase() : ch)).join('');
      expect(find(mixed)).toBe(name);
    }
  });

  it('finds nothing for unknown names, including near misses of short ones', () => {
    for (const name of [
      '',
      'g',
      'ge',
      'gett',
      'GETX',
      'ge4',
      'GE\u0014',
      'GE\u00d4',
      'g\u00c5t',
      'set\u0000',
      '\u00e7et',
      'x'.repeat(30),
    ]) {
      expect(find(name), JSON.stringify(name)).toBeUndefined();
    }
  });
});
