import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { MailTransport, OutgoingMessage } from './mail-transport.ts';

/**
 * nodemailer options from `MFP_EDGE_SMTP_URL`: `smtps://` is TLS from the first byte (port 465 by
 * default), `smtp://` upgrades with STARTTLS whenever the server offers it (port 587 by default).
 * The password comes from the URL or, when the URL names only the user, from the separate setting.
 */
export function smtpOptionsFromUrl(url: string, password?: string): SMTPTransport.Options {
  const parsed = new URL(url);
  const secure = parsed.protocol === 'smtps:';
  if (!secure && parsed.protocol !== 'smtp:') throw new Error('the SMTP URL must be smtp:// or smtps://');
  if (!parsed.hostname) throw new Error('the SMTP URL has no host');
  const options: SMTPTransport.Options = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : secure ? 465 : 587,
    secure,
    // Bounded, so a stop() or a dead server never holds the sender loop for nodemailer's 10 minutes.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  };
  if (parsed.username) {
    const pass = parsed.password ? decodeURIComponent(parsed.password) : password;
    options.auth = { user: decodeURIComponent(parsed.username), ...(pass === undefined ? {} : { pass }) };
  }
  return options;
}

/** Sends through an SMTP server, one connection per message (notifications are few). */
export class SmtpTransport implements MailTransport {
  readonly description: string;
  readonly #options: SMTPTransport.Options;
  #transporter: Transporter<SMTPTransport.SentMessageInfo> | undefined;

  constructor(options: SMTPTransport.Options) {
    this.#options = options;
    this.description = `${options.secure ? 'smtps' : 'smtp'}://${options.host}:${options.port}`;
  }

  async send(message: OutgoingMessage): Promise<void> {
    this.#transporter ??= nodemailer.createTransport(this.#options);
    await this.#transporter.sendMail(message.options);
  }

  close(): void {
    this.#transporter?.close();
    this.#transporter = undefined;
  }
}
