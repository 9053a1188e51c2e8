import { randomUUID } from 'node:crypto';
import type { DeviceRecord, DeviceRepository } from '../domain/device.ts';
import {
  isFinal,
  type FaxJobOptionsInput,
  type JobPageRecord,
  type JobRecord,
  type JobRepository,
} from '../domain/job.ts';
import type { Logger } from '../logger.ts';
import { renderFaxPage } from '../pipeline/fax-page.ts';
import { buildFaxTiff } from '../pipeline/fax-tiff.ts';
import { renderTextPages } from '../pipeline/text-page.ts';
import type { DeviceDrivers } from '../services/device-drivers.ts';
import type { Spool } from '../services/spool.ts';
import type { SqliteEmailJobs } from '../storage/sqlite-email-jobs.ts';
import { DocumentRefused, isDiskFull, readEmailDocument } from './email-document.ts';
import type { AdmittedMessage, EmailToFaxPolicy } from './sender-policy.ts';
import { reply, SmtpReply } from './smtp-reply.ts';

/** A printer that does not answer its fax line's capabilities within this counts as offline. */
const ONLINE_PROBE_MS = 3_000;

export interface EmailJobIntakeOptions {
  jobs: JobRepository;
  emailJobs: SqliteEmailJobs;
  /** The fax job engine: adopt() starts a job recorded here. */
  engine: { adopt(job: JobRecord): void };
  spool: Spool;
  devices: Pick<DeviceRepository, 'list' | 'get'>;
  drivers: DeviceDrivers;
  logger: Logger;
}

/**
 * An admitted message becomes one fax job with one recipient per number (the engine sends one
 * document to several numbers, with per-number results and retries). Every page is drawn,
 * converted to G4 and fsynced in the spool, then the job and its sender are written in one SQLite
 * transaction; only then does the SMTP intake answer 250. A crash before the commit leaves only an
 * orphan spool folder (the spool sweep removes it) and the sender's server retries.
 */
export class EmailJobIntake {
  readonly #o: EmailJobIntakeOptions;

  constructor(options: EmailJobIntakeOptions) {
    this.#o = options;
  }

  /** Which devices may send this enterprise's email faxes: its setting, else every paired fax device. */
  candidates(enterpriseId: string, settings: EmailToFaxPolicy): DeviceRecord[] {
    const paired = this.#o.devices
      .list()
      .filter((d) => d.enterpriseId === enterpriseId && d.revokedAt === null && d.faxUrl !== null);
    return settings.devices.length === 0 ? paired : paired.filter((d) => settings.devices.includes(d.id));
  }

  /**
   * One of the candidates that answers (online) and has no fax of its own running (idle); else an
   * online busy one (its queue holds the job); none online: the first candidate, whose job waits
   * for it (the engine waits for an unreachable modem) and moves when another comes online.
   */
  async pickDevice(enterpriseId: string, settings: EmailToFaxPolicy): Promise<DeviceRecord> {
    const candidates = this.candidates(enterpriseId, settings);
    if (candidates.length === 0) throw reply.noFaxLine();
    const online = await this.online(candidates);
    const idle = online.find((d) => this.idle(d));
    return idle ?? online[0] ?? candidates[0]!;
  }

  /** The devices among `devices` whose fax line answers now (asked in parallel, bounded in time). */
  async online(devices: DeviceRecord[]): Promise<DeviceRecord[]> {
    const answers = await Promise.all(
      devices.map(async (device) => {
        try {
          await Promise.race([
            this.#o.drivers.faxLine(device).capabilities(),
            new Promise((_, reject) => setTimeout(reject, ONLINE_PROBE_MS).unref()),
          ]);
          return device;
        } catch {
          return null;
        }
      }),
    );
    return answers.filter((d): d is DeviceRecord => d !== null);
  }

  /** No fax of its own unfinished (its queue is empty). */
  idle(device: DeviceRecord): boolean {
    return this.#o.jobs.listByDevice(device.id, 5).every((job) => isFinal(job.state));
  }

  /** Spools the pages, records the job durably, starts it. Throws an SmtpReply when it cannot. */
  async accept(message: AdmittedMessage, recipients: string[], raw: Buffer): Promise<JobRecord> {
    const settings = message.policy.emailToFax;
    const device = await this.pickDevice(message.enterprise.id, settings);
    const id = randomUUID();
    const resolution = 'fine' as const;
    const pages: JobPageRecord[] = [];
    let sequence = 0;
    const spoolPage = async (image: Buffer, extension: 'png' | 'jpg') => {
      sequence += 1;
      const name = `mail-${String(sequence).padStart(4, '0')}`;
      const scanFile = await this.#o.spool.write(id, `${name}.${extension}`, image);
      // Converted now: a page the fax pipeline refuses is refused in the SMTP reply, not hours later.
      const faxPage = await renderFaxPage(image, { resolution, mode: 'text', pageNumber: sequence });
      const faxFile = await this.#o.spool.write(id, `${name}.tif`, buildFaxTiff([faxPage]));
      pages.push({ number: sequence, scanFile, faxFile, thumbFile: null });
    };
    const coverWanted = settings.body === 'cover-page';
    let document;
    try {
      document = await readEmailDocument(
        raw,
        { maxPages: settings.maxPages - (coverWanted ? 1 : 0) },
        spoolPage,
      );
      if (document.body && settings.body === 'first-page') {
        const bodyPages = await renderTextPages(document.body, settings.maxPages - document.pages);
        const attachments = pages.splice(0);
        for (const png of bodyPages) await spoolPage(png, 'png');
        // The text first, then the attachments: page numbers follow the order (file names need not).
        const ordered = [...pages.splice(0), ...attachments];
        ordered.forEach((page, i) => pages.push({ ...page, number: i + 1 }));
      }
    } catch (error) {
      await this.#o.spool.removeJob(id).catch(() => undefined);
      throw refusalOf(error);
    }
    const senderName =
      message.sender.kind === 'user'
        ? `${message.sender.user.displayName} <${message.sender.address}>`
        : document.fromName
          ? `${document.fromName} <${message.sender.address}>`
          : message.sender.address;
    const text = document.body || document.subject;
    const cover =
      coverWanted && text !== ''
        ? { subject: document.subject, note: document.body, senderName, recipientName: null }
        : null;
    if (pages.length === 0 && cover) {
      // Text alone, no attachment: the text is the fax (a cover page with nothing after it is none).
      for (const png of await renderTextPages(document.body || document.subject, settings.maxPages))
        await spoolPage(png, 'png');
    }
    if (pages.length === 0) {
      await this.#o.spool.removeJob(id).catch(() => undefined);
      throw new SmtpReply(
        554,
        '5.6.0',
        'EMAIL_TO_FAX_EMPTY',
        'Nothing to fax: attach a PDF, TIFF, JPEG or PNG, or write the text in the message.',
      );
    }
    const withCover = cover !== null && pages.length > 0 && !(document.pages === 0);
    const options: FaxJobOptionsInput = {
      resolution,
      source: 'adf',
      duplex: false,
      contentType: 'text',
      cover: withCover ? cover : null,
    };
    const user = message.sender.kind === 'user' ? message.sender.user : null;
    const job = this.#o.jobs.atomically(() => {
      const created = this.#o.jobs.create({
        deviceId: device.id,
        userId: user?.id ?? null,
        options,
        recipients,
        prepared: { id, source: 'email', pages, totalPages: pages.length + (withCover ? 1 : 0) },
      });
      this.#o.emailJobs.insert({
        jobId: id,
        messageId: document.messageId,
        sender: message.sender.address,
        senderName: user?.displayName ?? document.fromName,
        // Trusted-domain senders get the enterprise's defaults: English and UTC until enterprises have their own.
        language: user?.language ?? 'en',
        timeZone: user?.timeZone ?? 'UTC',
        skipped: document.skipped,
      });
      return created;
    });
    this.#o.logger.info(
      {
        jobId: id,
        device: device.id,
        recipients: recipients.length,
        pages: job.totalPages,
        sender: message.sender.kind,
      },
      'email fax accepted',
    );
    this.#o.engine.adopt(job);
    return job;
  }
}

/** What the sender hears for a document that cannot be faxed (554 5.6.x: the content is at fault). */
function refusalOf(error: unknown): SmtpReply {
  if (error instanceof SmtpReply) return error;
  if (error instanceof DocumentRefused) {
    const enhanced =
      error.code === 'PAGE_LIMIT'
        ? '5.3.4'
        : error.code === 'EMAIL_MALFORMED'
          ? '5.6.0'
          : error.code === 'PDF_ENCRYPTED'
            ? '5.7.5'
            : '5.6.1';
    return new SmtpReply(554, enhanced, error.code, error.message);
  }
  const code = (error as { code?: unknown }).code;
  if (isDiskFull(error))
    return new SmtpReply(
      452,
      '4.3.1',
      'SPOOL_FULL',
      'The edge has no disk space left for faxes right now: try again later.',
    );
  if (code === 'IMAGE_TOO_LARGE' || code === 'IMAGE_INVALID')
    return new SmtpReply(554, '5.6.1', String(code), (error as Error).message);
  throw error;
}
