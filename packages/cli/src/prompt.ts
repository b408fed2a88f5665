/**
 * @module prompt
 * Questions for the `configure` wizard. In a terminal they use `@inquirer` prompts (masked key input);
 * with piped stdin they read one line per question, because inquirer's readline consumes the whole
 * buffered input on the first question and the following ones would see nothing.
 */
import { createInterface, type Interface } from 'node:readline';
import { CacheError, ErrorCode } from '@cachette/core';
import input from '@inquirer/input';
import password from '@inquirer/password';

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

/** A prompter for the current process: interactive when stdin and stdout are terminals. */
export function createPrompter(): Prompter {
  return process.stdin.isTTY === true && process.stdout.isTTY === true ? terminalPrompter() : lineProtocolPrompter();
}

function terminalPrompter(): Prompter {
  return {
    async ask(q) {
      const answer = q.secret
        ? await password({ message: q.message, mask: '*' })
        : await input({ message: q.message, default: q.default });
      return answer.trim() === '' ? (q.default ?? '') : answer.trim();
    },
    close() {},
  };
}

/** Reads answers line by line from piped stdin, echoing each question on stderr (stdout stays for results). */
function lineProtocolPrompter(): Prompter {
  let rl: Interface | undefined;
  let lines: AsyncIterator<string> | undefined;
  return {
    async ask(q) {
      rl ??= createInterface({ input: process.stdin, terminal: false });
      lines ??= rl[Symbol.asyncIterator]();
      process.stderr.write(`${q.message}${q.default === undefined || q.secret ? '' : ` [${q.default}]`}: `);
      const next = await lines.next();
      process.stderr.write('\n');
      if (next.done === true) {
        throw new CacheError(
          ErrorCode.INVALID_ARGUMENT,
          `no answer to '${q.message}' on stdin: pass the values as flags (cachette configure --api-key … --cache … --ttl …)`,
        );
      }
      const answer = next.value.trim();
      return answer === '' ? (q.default ?? '') : answer;
    },
    close() {
      rl?.close();
    },
  };
}

/** Reads all of stdin as bytes (`--value -`, `--api-key -`). */
export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
