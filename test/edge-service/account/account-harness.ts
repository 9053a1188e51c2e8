import express from 'express';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inviteUser } from '../../../edge-service/src/account/account-invitations.ts';
import {
  createAccountRoutes,
  type AccountRateLimits,
  type AccountRouter,
} from '../../../edge-service/src/account/account-routes.ts';
import { loadConfig } from '../../../edge-service/src/config.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { createMail } from '../../../edge-service/src/mail/mail-setup.ts';
import type { Mailer } from '../../../edge-service/src/mail/mailer.ts';
import type { Notifier } from '../../../edge-service/src/mail/notifier.ts';
import { AuthHarness } from '../auth/auth-harness.ts';
import { parseMime } from '../mail/parse-mime.ts';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: () => { error?: { code: string; message: string; [k: string]: unknown }; [k: string]: unknown };
}

/**
 * The account router mounted at /account in an express app on 127.0.0.1 (port 0), over the whole
 * people path of AuthHarness (real SQLite repositories on a temp dir, fake clock) and the mail room
 * writing .eml files to <tmp>/outbox.
 */
export class AccountHarness extends AuthHarness {
  readonly mailer: Mailer;
  readonly notifier: Notifier;
  readonly routes: AccountRouter;
  readonly app = express();
  accountLog = '';
  #server: Server | undefined;
  origin = '';

  /** Reset-request work waiting to run, when the test holds it (`holdResetWork`). */
  readonly heldWork: (() => void)[] = [];
  holdResetWork = false;

  constructor(options: { limits?: Partial<AccountRateLimits> } = {}) {
    super();
    const { config } = loadConfig({ dataDir: this.dir.path }, {});
    ({ mailer: this.mailer, notifier: this.notifier } = createMail({
      config,
      db: this.db,
      dataDir: this.dir.path,
      logger: createLogger({ level: 'silent' }),
      now: () => this.clock.ms,
    }));
    this.routes = createAccountRoutes({
      links: this.links,
      passwords: this.passwords,
      policies: this.policies,
      users: this.users,
      directory: this.directory,
      secretBox: this.box,
      events: this.events,
      notifier: this.notifier,
      mailer: this.mailer,
      logger: createLogger({
        level: 'debug',
        destination: new Writable({
          write: (chunk: Buffer, _encoding, done) => {
            this.accountLog += chunk.toString();
            done();
          },
        }),
      }),
      now: this.clock.now,
      publicOrigin: () => this.origin,
      defer: (work) => (this.holdResetWork ? this.heldWork.push(work) : setImmediate(work)),
      ...(options.limits ? { limits: options.limits } : {}),
    });
    // As behind a TLS-terminating proxy on this host: X-Forwarded-Proto: https makes req.secure.
    this.app.set('trust proxy', 'loopback');
    this.app.use('/account', this.routes);
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => {
      this.#server = this.app.listen(0, '127.0.0.1', () => resolve());
    });
    this.origin = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const work of this.heldWork.splice(0)) work();
    await this.routes.settled();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
    this.close();
  }

  /** Invites a user and returns the URL of the mail, as a person clicks it. */
  async invite(userId: string): Promise<string> {
    const { mail } = inviteUser(
      {
        links: this.links,
        users: this.users,
        directory: this.directory,
        notifier: this.notifier,
        publicOrigin: this.origin,
      },
      userId,
      { invitedBy: 'Ada Admin' },
    );
    const mails = await this.delivered();
    return linkIn(mails.find((m) => m.id === mail.id)!.text);
  }

  /**
   * Every mail written to the outbox so far (after the router's background work and delivery), in
   * the order queued only while the fake clock moves between them (names are `<time>-<id>.eml`).
   */
  async delivered(): Promise<{ id: string; to: string; subject: string; text: string }[]> {
    await this.routes.settled();
    await this.mailer.deliverDue();
    const dir = join(this.dir.path, 'outbox');
    let files: string[] = [];
    try {
      files = readdirSync(dir).sort();
    } catch {
      return [];
    }
    return files.map((f) => {
      const mail = parseMime(readFileSync(join(dir, f), 'utf8'));
      return {
        id: f.slice(f.indexOf('-') + 1, -'.eml'.length),
        to: mail.headers.get('to') ?? '',
        subject: mail.headers.get('subject') ?? '',
        text: mail.parts[0]!.body.replace(/\r\n/g, '\n'),
      };
    });
  }
}

export function linkIn(text: string): string {
  const match = /https?:\/\/\S+\/account\/(?:invite|reset)#token=[A-Za-z0-9_%-]+/.exec(text);
  if (!match) throw new Error(`no account link in:\n${text}`);
  return match[0];
}

export const tokenOf = (url: string): string => decodeURIComponent(url.split('#token=')[1]!);

/**
 * A browser as the account page sees it: keeps its cookie, reads the CSRF token from each page,
 * sends its Origin. Options turn each of those off for the tests that need them missing or wrong.
 */
export class PageClient {
  cookie = '';
  csrf = '';
  readonly #h: AccountHarness;

  constructor(h: AccountHarness) {
    this.#h = h;
  }

  async get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
    const reply = await this.#fetch(path, { method: 'GET', headers });
    const meta = /<meta name="csrf-token" content="([^"]+)"/.exec(reply.text);
    if (meta) this.csrf = meta[1]!;
    return reply;
  }

  /** A form post (HTML answers) with the page's `_csrf` field, unless told otherwise. */
  form(
    path: string,
    fields: Record<string, string>,
    o: { csrf?: string | null; origin?: string | null } = {},
  ): Promise<Reply> {
    const body = new URLSearchParams(fields);
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    if (csrf !== null) body.set('_csrf', csrf);
    return this.#fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...this.#origin(o.origin) },
      body: body.toString(),
    });
  }

  /** A fetch call as the page's script makes it (JSON, X-CSRF-Token). */
  api(
    path: string,
    body: unknown,
    o: { csrf?: string | null; origin?: string | null; headers?: Record<string, string> } = {},
  ): Promise<Reply> {
    const csrf = o.csrf === undefined ? this.csrf : o.csrf;
    return this.#fetch(path, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(csrf !== null ? { 'x-csrf-token': csrf } : {}),
        ...this.#origin(o.origin),
        ...o.headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  #origin(origin: string | null | undefined): Record<string, string> {
    if (origin === null) return {};
    return { origin: origin ?? this.#h.origin };
  }

  async #fetch(path: string, init: RequestInit & { headers: Record<string, string> }): Promise<Reply> {
    const response = await fetch(`${this.#h.origin}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { ...init.headers, ...(this.cookie ? { cookie: this.cookie } : {}) },
    });
    const set = response.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0]!;
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      text,
      json: () => JSON.parse(text) as ReturnType<Reply['json']>,
    };
  }
}

/** The text of an HTML page without tags, whitespace collapsed: what a person reads. */
export function readable(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The value of a hidden or text input of a page. */
export function inputValue(html: string, name: string): string {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no input ${name}`);
  return match[1]!;
}
