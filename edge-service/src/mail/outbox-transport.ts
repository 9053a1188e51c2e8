import nodemailer from 'nodemailer';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
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
    await writeAtomically(this.#fs, this.dir, name, info.message as Buffer);
  }

  close(): void {
    this.#composer.close();
  }
}

/** `20240603T123000.000Z`: ISO 8601 basic format, sortable, and without the colons Windows refuses. */
export function outboxStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '');
}

/** Temp file, fsync, rename, fsync of the folder: a reader never sees half a message. */
async function writeAtomically(fs: typeof nodeFs, dir: string, name: string, data: Buffer): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const temp = join(dir, `.${name}.tmp`);
  try {
    const handle = await fs.open(temp, 'w', 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, join(dir, name));
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  const folder = await fs.open(dir, 'r');
  try {
    await folder.sync();
  } finally {
    await folder.close();
  }
}
