/**
 * @module mail
 * Reading signup e-mails: from the outbox directory, or from a real SMTP receiver (`smtp-server`)
 * started on a free port.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** The API key line of a signup e-mail (a base64 JSON v1 key on its own line). */
export function apiKeyIn(text: string): string {
  const m = /^(eyJ[A-Za-z0-9+/=]+)$/m.exec(text);
  if (!m?.[1]) throw new Error(`no API key found in e-mail:\n${text}`);
  return m[1];
}

/** Parsed `.eml` files in `<dataDir>/outbox`, oldest first. */
export async function outbox(dataDir: string): Promise<ParsedMail[]> {
  const dir = join(dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort();
  } catch {
    return [];
  }
  return Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))));
}

/** A local SMTP receiver collecting messages; `next()` resolves with the next message to arrive. */
export async function startSmtpReceiver(): Promise<{
  url: string;
  received: ParsedMail[];
  next(): Promise<ParsedMail>;
  stop(): Promise<void>;
}> {
  const received: ParsedMail[] = [];
  const waiters: Array<(m: ParsedMail) => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          received.push(mail);
          waiters.shift()?.(mail);
          callback();
        },
        (e: Error) => callback(e),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
