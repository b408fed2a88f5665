/**
 * @module prompt
 * Questions for the `configure` wizard, printed exactly as the README's transcript shows them
 * (`Default cache [default-cache]: `). In a terminal the answers are read key by key in raw mode, so the
 * API key is never echoed and `********` is printed once after Enter; with piped stdin one line is read per
 * question. Questions go to stderr either way, so stdout carries only results.
 */
import { createInterface, emitKeypressEvents, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CacheError, ErrorCode } from '@cachette/core';

/** Thrown by a question after Ctrl-C when the interrupt handler returns (tests; the CLI exits first). */
export class PromptInterrupted extends Error {
  override readonly name = 'PromptInterrupted';
  constructor() {
    super('interrupted');
  }
}

/** One question. */
export interface Question {
  readonly message: string;
  /** Shown in brackets and returned for an empty answer. */
  readonly default?: string | undefined;
  /** Mask the answer (API keys). */
  readonly secret?: boolean;
}

/** Asks questions one at a time; {@link Prompter.close} releases stdin. */
export interface Prompter {
  ask(question: Question): Promise<string>;
  close(): void;
}

/** What is printed after an answered secret: a fixed mask, so the key's length is not shown either. */
export const SECRET_MASK = '********';

/** The exit code for Ctrl-C at a question, as shells report a SIGINT (128 + 2). */
export const INTERRUPTED_EXIT_CODE = 130;

/** The text a question is introduced with, e.g. `Default TTL seconds [600]: `. */
export function questionText(q: Question): string {
  return `${q.message}${q.default === undefined || q.secret === true ? '' : ` [${q.default}]`}: `;
}

/** A prompter for the current process: key by key when stdin and stderr are terminals, else line by line. */
export function createPrompter(): Prompter {
  return process.stdin.isTTY === true && process.stderr.isTTY === true
    ? terminalPrompter({ input: process.stdin, output: process.stderr })
    : lineProtocolPrompter({ input: process.stdin, output: process.stderr });
}

/** A terminal-like input: `setRawMode` exists on TTY streams only. */
type KeyInput = Readable & { setRawMode?: (raw: boolean) => unknown; isRaw?: boolean };

/** Streams and the Ctrl-C action of {@link terminalPrompter} (injectable for tests). */
export interface TerminalPrompterOptions {
  readonly input: KeyInput;
  readonly output: Writable;
  /** Called on Ctrl-C after the terminal is restored; the default exits with code 130. */
  readonly onInterrupt?: () => void;
}

interface Key {
  readonly sequence?: string;
  readonly name?: string;
  readonly ctrl?: boolean;
  readonly meta?: boolean;
}

/**
 * Reads answers key by key. One keypress listener lives as long as the prompter and queues keys, so a
 * paste holding several lines (`key⏎cache⏎600⏎`) answers several questions instead of losing the rest.
 */
export function terminalPrompter(options: TerminalPrompterOptions): Prompter {
  const { input, output } = options;
  const onInterrupt = options.onInterrupt ?? (() => process.exit(INTERRUPTED_EXIT_CODE));
  const queue: Key[] = [];
  let wake: (() => void) | undefined;
  let listening = false;
  const onKey = (_text: string | undefined, key: Key | undefined) => {
    queue.push(key ?? {});
    wake?.();
  };
  const start = () => {
    if (listening) return;
    listening = true;
    emitKeypressEvents(input);
    input.setRawMode?.(true);
    input.on('keypress', onKey);
    input.resume();
  };
  const stop = () => {
    if (!listening) return;
    listening = false;
    input.off('keypress', onKey);
    input.setRawMode?.(false);
    input.pause();
  };
  const nextKey = async (): Promise<Key> => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
    return queue.shift() as Key;
  };
  return {
    async ask(q) {
      start();
      output.write(questionText(q));
      let answer = '';
      for (;;) {
        const key = await nextKey();
        if (key.ctrl === true && key.name === 'c') {
          stop();
          output.write('\n');
          onInterrupt();
          throw new PromptInterrupted();
        }
        if (key.ctrl === true && key.name === 'd' && answer === '') {
          output.write('\n');
          throw noAnswer(q);
        }
        if (key.name === 'return' || key.name === 'enter') break;
        if (key.name === 'backspace') {
          if (answer === '') continue;
          // Drop one code point, not one UTF-16 unit, so an emoji or accented letter goes as a whole.
          answer = Array.from(answer).slice(0, -1).join('');
          if (q.secret !== true) output.write('\b \b');
          continue;
        }
        const text = key.sequence ?? '';
        // Control keys (arrows, Tab, Escape sequences) are ignored rather than stored in the answer.
        if (key.ctrl === true || key.meta === true || text === '' || hasControlCharacter(text)) continue;
        answer += text;
        if (q.secret !== true) output.write(text);
      }
      output.write(q.secret === true && answer !== '' ? `${SECRET_MASK}\n` : '\n');
      const trimmed = answer.trim();
      return trimmed === '' ? (q.default ?? '') : trimmed;
    },
    close: stop,
  };
}

/** Streams of {@link lineProtocolPrompter}. */
export interface LinePrompterOptions {
  readonly input: Readable;
  readonly output: Writable;
}

/**
 * Reads answers line by line from piped stdin, printing each question like the terminal does (nothing
 * typed is echoed, so a secret shows the same `********`). One readline interface serves every question:
 * a fresh one per question would lose the lines the previous one had already buffered.
 */
export function lineProtocolPrompter(options: LinePrompterOptions): Prompter {
  let rl: Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  return {
    async ask(q) {
      rl ??= createInterface({ input: options.input, terminal: false });
      lines ??= rl[Symbol.asyncIterator]();
      options.output.write(questionText(q));
      const next = await lines.next();
      if (next.done === true) {
        options.output.write('\n');
        throw noAnswer(q);
      }
      const answer = next.value.trim();
      options.output.write(q.secret === true && answer !== '' ? `${SECRET_MASK}\n` : '\n');
      return answer === '' ? (q.default ?? '') : answer;
    },
    close() {
      rl?.close();
    },
  };
}

function hasControlCharacter(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

function noAnswer(q: Question): CacheError {
  return new CacheError(
    ErrorCode.INVALID_ARGUMENT,
    `no answer to '${q.message}' on stdin: pass the values as flags (cachette configure --api-key … --cache … --ttl …)`,
  );
}

/** Reads all of stdin as bytes (`--value -`, `--api-key -`). */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
