/**
 * @module bin/docs-settings
 * `npm run docs:settings`: rewrites the settings table in the root README.md from the one settings table
 * (`src/settings/setting-table.ts`). `--check` only reports whether the README is current (exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../src/settings/settings-markdown.ts';

const readmePath = new URL('../../../README.md', import.meta.url);
const readme = readFileSync(readmePath, 'utf8');
const updated = withSettingsTable(readme);
if (process.argv.includes('--check')) {
  if (updated !== readme) {
    process.stderr.write('README.md settings table is out of date: run `npm run docs:settings`\n');
    process.exitCode = 1;
  }
} else if (updated !== readme) {
  writeFileSync(readmePath, updated);
  process.stdout.write('README.md settings table updated\n');
} else {
  process.stdout.write('README.md settings table already current\n');
}
