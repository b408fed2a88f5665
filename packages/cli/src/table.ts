/**
 * @module table
 * Plain-text tables for the CLI: columns padded to their widest cell so `usage`, `api-key list` and
 * `admin plans` line up in a terminal. Right-aligned columns are for numbers, so digits line up too.
 */

/** How a column aligns its cells; numbers read best right-aligned. */
export type Align = 'left' | 'right';

/**
 * Renders `rows` under `header` with two spaces between columns and no trailing spaces.
 * @param align one entry per column; missing entries default to `left`.
 */
export function renderTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = [],
): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) =>
      header
        .map((_, i) => {
          const cell = r[i] ?? '';
          const width = widths[i] ?? 0;
          return align[i] === 'right' ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
