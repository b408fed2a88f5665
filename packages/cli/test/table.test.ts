import { describe, expect, it } from 'vitest';
import { renderTable } from '../src/table.ts';

describe('renderTable', () => {
  it('pads every column to its widest cell and right-aligns numeric columns', () => {
    const text = renderTable(
      ['CACHE', 'IN', 'OUT'],
      [
        ['orders', '1.20 kB', '5 B'],
        ['a', '10 B', '100.00 MB'],
      ],
      ['left', 'right', 'right'],
    );
    expect(text).toBe(
      ['CACHE        IN        OUT', 'orders  1.20 kB        5 B', 'a          10 B  100.00 MB'].join('\n'),
    );
  });

  it('leaves no trailing spaces when the last column is short', () => {
    const text = renderTable(
      ['ID', 'DESCRIPTION'],
      [
        ['k1', ''],
        ['key-2', 'ci'],
      ],
    );
    for (const line of text.split('\n')) expect(line).toBe(line.trimEnd());
    expect(text.split('\n')[1]).toBe('k1');
  });
});
