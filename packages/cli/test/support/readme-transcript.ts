/**
 * @module test/support/readme-transcript
 * Reads what the README's CLI walk-through shows `cachette configure` printing, so tests can hold the real
 * output to it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const README = fileURLToPath(new URL('../../../../README.md', import.meta.url));

/**
 * The lines after `$ cachette configure` in the README's first `console` block that contains it, up to the
 * next command, with `# comments` and trailing blanks removed: the questions and the closing line.
 */
export function readmeConfigureTranscript(): string[] {
  const blocks = [...readFileSync(README, 'utf8').matchAll(/^```console\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  const block = blocks.find((b) => b.includes('\n$ cachette configure\n'));
  if (block === undefined) throw new Error('README has no console block with `$ cachette configure`');
  const lines = block.split('\n');
  const start = lines.indexOf('$ cachette configure') + 1;
  const out: string[] = [];
  for (const line of lines.slice(start)) {
    if (line.startsWith('$ ')) break;
    out.push(line.replace(/\s+#.*$/, '').trimEnd());
  }
  return out;
}
