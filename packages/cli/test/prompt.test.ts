/**
 * The `configure` questions: the terminal prompter driven key by key through streams (raw-mode logic:
 * Enter, Backspace, Ctrl-C, Ctrl-D, pasted lines, the key never echoed), the line prompter, and both held to
 * the README's transcript.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import {
  lineProtocolPrompter,
  type Prompter,
  PromptInterrupted,
  type Question,
  SECRET_MASK,
  terminalPrompter,
} from '../src/prompt.ts';
import { readmeConfigureTranscript } from './support/readme-transcript.ts';

const KEY = 'eyJlbmRwb2ludCI6IjEyNy4wLjAuMTo4MDgwIiwiYXBpX2tleSI6InNlY3JldCJ9';
const QUESTIONS: Question[] = [
  { message: 'API key', secret: true },
  { message: 'Default cache', default: 'default-cache' },
  { message: 'Default TTL seconds', default: '600' },
];

interface Rig {
  readonly input: PassThrough;
  readonly output: () => string;
  readonly prompter: Prompter;
  readonly interrupts: () => number;
}

function terminalRig(): Rig {
  const input = new PassThrough();
  const output = new PassThrough();
  let written = '';
  output.on('data', (c: Buffer) => (written += c.toString('utf8')));
  let interrupts = 0;
  const prompter = terminalPrompter({ input, output, onInterrupt: () => interrupts++ });
  return { input, output: () => written, prompter, interrupts: () => interrupts };
}

async function askAll(prompter: Prompter, questions: readonly Question[]): Promise<string[]> {
  const answers: string[] = [];
  for (const q of questions) answers.push(await prompter.ask(q));
  prompter.close();
  return answers;
}

describe('the README transcript', () => {
  test('the README shows the three questions and the closing line', () => {
    expect(readmeConfigureTranscript()).toEqual([
      `API key: ${SECRET_MASK}`,
      'Default cache [default-cache]:',
      'Default TTL seconds [600]:',
      'default-cache successfully created as the default with default TTL of 600s',
    ]);
  });

  test('the terminal prompter prints exactly the README questions for a pasted key and two Enters', async () => {
    const rig = terminalRig();
    const answers = askAll(rig.prompter, QUESTIONS);
    // Typed one chunk per question, as a terminal delivers a paste and then each Enter.
    rig.input.write(`${KEY}\r`);
    rig.input.write('\r');
    rig.input.write('\r');
    expect(await answers).toEqual([KEY, 'default-cache', '600']);
    const shown = rig
      .output()
      .split('\n')
      .map((l) => l.trimEnd());
    expect(shown.slice(0, 3)).toEqual(readmeConfigureTranscript().slice(0, 3));
    expect(rig.output()).not.toContain(KEY.slice(0, 8));
  });

  test('the piped-stdin prompter prints the same questions', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let written = '';
    output.on('data', (c: Buffer) => (written += c.toString('utf8')));
    input.end(`${KEY}\n\n\n`);
    const answers = await askAll(lineProtocolPrompter({ input, output }), QUESTIONS);
    expect(answers).toEqual([KEY, 'default-cache', '600']);
    expect(written.split('\n').map((l) => l.trimEnd())).toEqual([...readmeConfigureTranscript().slice(0, 3), '']);
  });
});

describe('terminal prompter keys', () => {
  test('one paste answering all three questions loses nothing', async () => {
    const rig = terminalRig();
    const answers = askAll(rig.prompter, QUESTIONS);
    rig.input.write(`${KEY}\rorders\r30\r`);
    expect(await answers).toEqual([KEY, 'orders', '30']);
    expect(rig.output()).toBe(
      `API key: ${SECRET_MASK}\nDefault cache [default-cache]: orders\nDefault TTL seconds [600]: 30\n`,
    );
  });

  test('Backspace edits the answer (visibly for plain answers, silently for the key); control keys are dropped', async () => {
    const rig = terminalRig();
    const answers = askAll(rig.prompter, QUESTIONS);
    rig.input.write('abX\x7fc\r'); // secret: "abc"
    rig.input.write('\x1b[Dcachy\x7f\x7fe\r'); // left arrow ignored, "cachy" → "cache"
    rig.input.write('\t9\x7f\x7f\x7f45\n'); // tab ignored, extra Backspaces on an empty answer are harmless
    expect(await answers).toEqual(['abc', 'cace', '45']);
    expect(rig.output()).toBe(
      `API key: ${SECRET_MASK}\nDefault cache [default-cache]: cachy\b \b\b \be\nDefault TTL seconds [600]: 9\b \b45\n`,
    );
  });

  test('Enter on an empty key prints no mask; Ctrl-D on an empty answer says to pass flags', async () => {
    const rig = terminalRig();
    const first = rig.prompter.ask(QUESTIONS[0] as Question);
    rig.input.write('\r');
    expect(await first).toBe('');
    const second = rig.prompter.ask(QUESTIONS[1] as Question);
    rig.input.write('\x04');
    await expect(second).rejects.toThrow("no answer to 'Default cache' on stdin: pass the values as flags");
    rig.prompter.close();
    expect(rig.output()).toBe('API key: \nDefault cache [default-cache]: \n');
  });

  test('Ctrl-C restores the terminal and calls the interrupt handler (the CLI exits 130)', async () => {
    const rig = terminalRig();
    const raw: boolean[] = [];
    Object.assign(rig.input, { setRawMode: (on: boolean) => raw.push(on) });
    const answer = rig.prompter.ask(QUESTIONS[0] as Question);
    rig.input.write('half-typed\x03');
    await expect(answer).rejects.toBeInstanceOf(PromptInterrupted);
    expect(rig.interrupts()).toBe(1);
    expect(raw).toEqual([true, false]);
    expect(rig.output()).toBe('API key: \n');
  });
});
