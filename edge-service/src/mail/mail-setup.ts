import { join } from 'node:path';
import type { EdgeConfig } from '../config.ts';
import type { Db } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { Mailer, type MailRetryPolicy } from './mailer.ts';
import type { MailTransport } from './mail-transport.ts';
import { Notifier } from './notifier.ts';
import { OutboxTransport } from './outbox-transport.ts';
import { SmtpTransport, smtpOptionsFromUrl } from './smtp-transport.ts';

export type MailConfig = Pick<EdgeConfig, 'smtpUrl' | 'smtpPassword' | 'mailFrom'>;

/** SMTP when `smtpUrl` is set, else the outbox folder `<data>/outbox/` (DESIGN.md §11). */
export function createMailTransport(config: MailConfig, dataDir: string): MailTransport {
  return config.smtpUrl
    ? new SmtpTransport(smtpOptionsFromUrl(config.smtpUrl, config.smtpPassword))
    : new OutboxTransport(join(dataDir, 'outbox'));
}

/**
 * The mail part of the edge for the composition root: `mailer.start()` after the database is open,
 * `await mailer.stop()` before it closes; `notifier` is what the auth, users and fax code call.
 */
export function createMail(options: {
  config: MailConfig;
  db: Db;
  dataDir: string;
  logger: Logger;
  transport?: MailTransport;
  retry?: Partial<MailRetryPolicy>;
  now?: () => number;
}): { mailer: Mailer; notifier: Notifier } {
  const { config, db, dataDir, logger, now } = options;
  const mailer = new Mailer({
    db,
    transport: options.transport ?? createMailTransport(config, dataDir),
    from: config.mailFrom,
    logger: logger.child({ module: 'mail' }),
    ...(options.retry ? { retry: options.retry } : {}),
    ...(now ? { now } : {}),
  });
  return { mailer, notifier: new Notifier({ mailer, ...(now ? { now } : {}) }) };
}
