/**
 * @module mail/mailer
 * Outgoing e-mail through nodemailer: SMTP when a URL is configured, otherwise each message is written as
 * an `.eml` file under `<data-dir>/outbox/` so a laptop deployment works with nothing else installed.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { CacheError, ErrorCode } from '@cachette/core';
import nodemailer from 'nodemailer';
import addressparser from 'nodemailer/lib/addressparser/index.js';
// Default imports: these are CommonJS modules whose named exports Node's ESM loader cannot see.
import mimeFuncs from 'nodemailer/lib/mime-funcs/index.js';
import { ensurePrivateDir, writePrivateFile } from '../data-dir.ts';
import type { Logger } from '../logger.ts';

export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends one message; rejects with UNAVAILABLE when it could not be handed over. */
export interface Mailer {
  /** Where mail goes, for logs: `smtp://host:port` (no credentials) or the outbox directory. */
  readonly describe: string;
  send(message: MailMessage): Promise<{ readonly outboxFile?: string }>;
  close(): void;
}

export interface MailerOptions {
  readonly smtpUrl: string | undefined;
  readonly from: string;
  readonly outboxDir: string;
  readonly logger: Logger;
}

function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}`;
  } catch {
    return 'smtp (unparseable URL)';
  }
}

/**
 * The message as RFC 5322 text, body in 8bit. Nodemailer would pick quoted-printable for any line over 76
 * characters and fold the API key across lines with `=` soft breaks: unreadable in an `.eml` opened as text
 * and easy to paste broken. An 8bit body keeps the key on one line (SMTP allows 998).
 */
export function renderMessage(from: string, message: MailMessage, newline = '\r\n'): string {
  const headers = [
    `From: ${from}`,
    `To: ${message.to}`,
    `Subject: ${mimeFuncs.encodeWords(message.subject, 'Q', 52)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@cachette>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${headers.join(newline)}${newline}${newline}${message.text.replace(/\r?\n/g, newline)}`;
}

/** The bare address of `From:` (`Name <a@b>` → `a@b`), for the SMTP envelope. */
function envelopeAddress(from: string): string {
  const [first] = addressparser(from, { flatten: true });
  return first?.address || from;
}

/** The mailer for the configuration: SMTP when `smtpUrl` is set, else the outbox directory. */
export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? smtpMailer(options, options.smtpUrl) : outboxMailer(options);
}

function smtpMailer(options: MailerOptions, smtpUrl: string): Mailer {
  const describe = withoutCredentials(smtpUrl);
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    describe,
    async send(message) {
      try {
        await transport.sendMail({
          envelope: { from: envelopeAddress(options.from), to: [message.to] },
          raw: renderMessage(options.from, message),
        });
        return {};
      } catch (e) {
        options.logger.error({ smtp: describe, err: { message: (e as Error).message } }, 'sending e-mail failed');
        throw new CacheError(
          ErrorCode.UNAVAILABLE,
          `the server could not send e-mail through ${describe}; try again later`,
        );
      }
    },
    close: () => transport.close(),
  };
}

function outboxMailer(options: MailerOptions): Mailer {
  const dir = resolve(options.outboxDir);
  let sequence = 0;
  return {
    describe: dir,
    async send(message) {
      // The same message SMTP would carry, with Unix line ends so it reads well in a terminal or editor.
      const raw = renderMessage(options.from, message, '\n');
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const file = join(dir, `${stamp}-${process.pid}-${++sequence}.eml`);
      try {
        // 0600, never through a link: the message holds an API key.
        ensurePrivateDir(dir);
        writePrivateFile(file, raw);
      } catch (e) {
        throw new CacheError(ErrorCode.UNAVAILABLE, `cannot write e-mail to ${dir}: ${(e as Error).message}`);
      }
      options.logger.info({ outboxFile: file, to: message.to }, `e-mail written to ${file}`);
      return { outboxFile: file };
    },
    close: () => {},
  };
}
