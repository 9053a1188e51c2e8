import nodemailer from 'nodemailer';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from '../fs/durable-write.ts';
import type { MailTransport, OutgoingMessage } from './mail-transport.ts';

/**
 * The embedded default when no SMTP server is configured: each message is written, as nodemailer
 * composes it for SMTP (RFC 5322, CRLF lines, MIME), to `<outbox>/<time>-<id>.eml`, so testers can
 * open it in any mail client. Names sort by the time the message was queued; a message sent again
 * after a crash overwrites its own file rather than adding a second one.
 */
export class OutboxTransport implements MailTransport {
  readonly description: string;
  readonly dir: string;
  readonly #fs: typeof nodeFs;
  readonly #composer = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: 'windows',
  });

  constructor(dir: string, options: { fs?: typeof nodeFs } = {}) {
    this.dir = dir;
    this.description = `outbox ${dir}`;
    this.#fs = options.fs ?? nodeFs;
  }

  async send(message: OutgoingMessage): Promise<void> {
    const info = await this.#composer.sendMail(message.options);
    const date = message.options.date instanceof Date ? message.options.date : new Date();
    const name = `${outboxStamp(date)}-${message.id}.eml`;
    // A reader never sees half a message, and a queued message survives a power cut.
    await writeDurably(join(this.dir, name), info.message as Buffer, {
      fs: this.#fs,
      temp: join(this.dir, `.${name}.tmp`),
    });
  }

  close(): void {
    this.#composer.close();
  }
}

/** `20240603T123000.000Z`: ISO 8601 basic format, sortable, and without the colons Windows refuses. */
export function outboxStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}
