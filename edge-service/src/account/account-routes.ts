import { transformSync } from 'esbuild';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { readFileSync } from 'node:fs';
import type { AccountLinks } from '../auth/account-links.ts';
import type { AuthEvents } from '../auth/auth-events.ts';
import type { PasswordChanger } from '../auth/password-changer.ts';
import { FailureRateLimiter } from '../auth/rate-limiter.ts';
import type { SecretBox } from '../auth/secret-box.ts';
import type { AccountLinkKind } from '../domain/auth-records.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { UserAccount, UserRepository } from '../domain/user.ts';
import type { Logger } from '../logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import type { Notifier } from '../mail/notifier.ts';
import { pageSecurityHeaders } from '../http/browser-assets.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { AccountError } from './account-errors.ts';
import {
  donePage,
  enrolPage,
  greeting,
  passwordPage,
  refusal,
  refusalPage,
  RESET_REQUESTED_MESSAGE,
  resetRequestedPage,
  resetRequestPage,
  type PageContext,
} from './account-pages.ts';
import { CSRF_FIELD, CSRF_HEADER, CsrfTokens } from './csrf.ts';
import { fromThisSite } from './same-site.ts';
import { sendResetUnavailable } from './reset-unavailable-mail.ts';
import { TwoFactorEnrolment } from './two-factor-enrolment.ts';

/** The page's policy, exactly: nothing inline, nothing from elsewhere, never framed, forms post here only. */
export const ACCOUNT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'";

/** Where the account page is mounted by the composition. */
export const ACCOUNT_PATH = '/account';

/** The URL an invitation or reset mail carries: the token in the fragment, which browsers never send. */
export function accountLinkUrl(publicOrigin: string, kind: AccountLinkKind, token: string): string {
  const origin = new URL(publicOrigin).origin;
  return `${origin}${ACCOUNT_PATH}/${kind === 'invitation' ? 'invite' : 'reset'}#token=${encodeURIComponent(token)}`;
}

export interface AccountRateLimits {
  /** Reset requests per source address (each one counts) before 429. */
  resetPerSource: { maxFailures: number; windowMs: number };
  /** Reset mails per email address; beyond, requests are answered alike and nothing is sent. */
  resetPerEmail: { maxFailures: number; windowMs: number };
  /** Refused links (invalid, used, expired, another user's) and wrong 2FA codes per source before 429. */
  linkPerSource: { maxFailures: number; windowMs: number };
}

export const DEFAULT_ACCOUNT_LIMITS: AccountRateLimits = {
  resetPerSource: { maxFailures: 10, windowMs: 15 * 60_000 },
  resetPerEmail: { maxFailures: 3, windowMs: 60 * 60_000 },
  linkPerSource: { maxFailures: 10, windowMs: 15 * 60_000 },
};

export interface AccountRoutesDeps {
  links: Pick<AccountLinks, 'create' | 'inspect' | 'redeem'>;
  /** The live rule list (PasswordChanger.rules); the links enforce the policy when they redeem. */
  passwords: Pick<PasswordChanger, 'rules'>;
  policies: Pick<PolicyService, 'get'>;
  users: UserRepository;
  directory: Pick<DirectoryRepository, 'getEnterprise' | 'listEnterprises'>;
  /** 2FA enrolment: the TOTP secret is sealed in it, as the panel's sign-in does. */
  secretBox: SecretBox;
  events?: AuthEvents;
  notifier: Pick<Notifier, 'passwordReset'>;
  /** For the one message the notifier has no method for (reset asked by an SSO / device-login user). */
  mailer: Pick<Mailer, 'enqueue'>;
  logger: Logger;
  now?: () => Date;
  /**
   * The edge's address as people reach it (`https://edge.example`): the links in mails use it, never
   * the request's Host header, and POSTs must come from it (Origin). A function when only known
   * after listening.
   */
  publicOrigin: string | (() => string);
  /** Other origins of the same edge whose pages may post here (another host name). */
  extraOrigins?: readonly string[];
  /** HMAC key of the CSRF tokens; random per start by default (open pages then need a reload). */
  csrfKey?: Uint8Array;
  limits?: Partial<AccountRateLimits>;
  /** Runs the work of a reset request after its answer is sent (default setImmediate; tests step it). */
  defer?: (work: () => void) => void;
}

/** The router, and a promise for the reset mails still being prepared (tests, orderly stop). */
export type AccountRouter = Router & { settled(): Promise<void> };

const BODY_LIMIT = '16kb';
const MAX_EMAIL = 254;
const MAX_PASSWORD_INPUT = 1024;
const BROWSER_SCRIPT = new URL('./browser/account-page.ts', import.meta.url);
const STYLESHEET = new URL('./browser/account.css', import.meta.url);

let script: string | undefined;
/** The browser script, compiled once from TypeScript (one IIFE, ES2019: phones and older desktops). */
function browserScript(): string {
  script ??= transformSync(readFileSync(BROWSER_SCRIPT, 'utf8'), {
    loader: 'ts',
    format: 'iife',
    target: 'es2019',
    legalComments: 'none',
  }).code;
  return script;
}

type Fields = Record<string, unknown>;

/**
 * The account page (issue 9): invitation and password-reset links, and the reset request. Mount at
 * `/account` (ACCOUNT_PATH). Pages are server-rendered with every value escaped; one external
 * script adds the link token from the URL fragment and the live password rules; no inline script
 * or style, so ACCOUNT_CSP holds. Every POST needs this site's Origin and the page's CSRF token;
 * navigations get HTML pages, fetch calls (`/api/…` or a JSON body) get `{"error": {code, message}}`.
 */
export function createAccountRoutes(deps: AccountRoutesDeps): AccountRouter {
  const now = deps.now ?? (() => new Date());
  const defer = deps.defer ?? ((work: () => void) => void setImmediate(work));
  const log = deps.logger.child({ module: 'account' });
  const limits = { ...DEFAULT_ACCOUNT_LIMITS, ...deps.limits };
  const limiter = (o: { maxFailures: number; windowMs: number }) => new FailureRateLimiter({ ...o, now });
  const resetBySource = limiter(limits.resetPerSource);
  const resetByEmail = limiter(limits.resetPerEmail);
  const linkBySource = limiter(limits.linkPerSource);
  const csrf = new CsrfTokens(deps.csrfKey);
  const enrolment = new TwoFactorEnrolment({
    users: deps.users,
    directory: deps.directory,
    policies: deps.policies,
    secretBox: deps.secretBox,
    ...(deps.events ? { events: deps.events } : {}),
    now,
  });
  const pending = new Set<Promise<void>>();
  const origins = (): Set<string> =>
    new Set(
      [
        typeof deps.publicOrigin === 'function' ? deps.publicOrigin() : deps.publicOrigin,
        ...(deps.extraOrigins ?? []),
      ].map((o) => new URL(o).origin),
    );

  const router = express.Router({ strict: true }) as AccountRouter;
  const guarded = [...bodyParsers, checkOriginAndToken];
  router.settled = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  router.use(pageSecurityHeaders(ACCOUNT_CSP, 'no-store'));

  const ctx = (req: Request, res: Response): PageContext => ({
    base: req.baseUrl,
    csrfToken: csrf.tokenFor(csrf.nonceFor(req, res)),
  });
  const sendPage = (req: Request, res: Response, status: number, render: (c: PageContext) => string) =>
    res
      .status(status)
      .type('html')
      .send(render(ctx(req, res)));
  const source = (req: Request): string => req.socket.remoteAddress ?? 'unknown';
  const checkLimit = (l: FailureRateLimiter, key: string) => {
    const until = l.blockedUntil(key);
    if (until) throw new AccountError('RATE_LIMITED', undefined, { retryAt: until });
  };
  const wantsJson = (req: Request): boolean =>
    req.path.startsWith('/api/') || req.is('application/json') === 'application/json';

  // ----- static ----------------------------------------------------------------------------------
  router.get('/account.js', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/javascript; charset=utf-8').send(browserScript());
  });
  router.get('/account.css', (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.type('text/css; charset=utf-8').send(readFileSync(STYLESHEET));
  });

  // ----- pages -----------------------------------------------------------------------------------
  router.get('/', (req, res) => {
    if (!req.originalUrl.split('?')[0]!.endsWith('/')) return res.redirect(301, `${req.baseUrl}/`);
    sendPage(req, res, 200, (c) => resetRequestPage(c));
  });

  for (const [path, kind] of [
    ['/invite', 'invitation'],
    ['/reset', 'reset'],
  ] as const) {
    router.get(path, async (req, res) => {
      // The mail's link carries the token in the fragment (the script reads it). `?token=` works too,
      // for mail systems that drop fragments and for browsers without JavaScript.
      const token = typeof req.query.token === 'string' ? req.query.token : undefined;
      if (token === undefined) return sendPage(req, res, 200, (c) => passwordPage(c, { kind }));
      checkLimit(linkBySource, source(req));
      const { user } = inspect(req, kind, token);
      const rules = await deps.passwords.rules(user, '');
      sendPage(req, res, 200, (c) => passwordPage(c, { kind, token, user: describe(user), rules }));
    });

    router.post(path, ...guarded, async (req, res) => {
      const f = fields(req);
      const token = text(f.token, 256);
      const email = text(f.email, MAX_EMAIL);
      const password = text(f.password, MAX_PASSWORD_INPUT);
      const confirm = f.confirm === undefined ? password : text(f.confirm, MAX_PASSWORD_INPUT);
      checkLimit(linkBySource, source(req));
      const { user } = inspect(req, kind, token, email);
      try {
        if (confirm !== password) throw new AccountError('PASSWORD_MISMATCH');
        await redeem(req, kind, token, password, email);
      } catch (error) {
        const e = AccountError.from(error);
        if (wantsJson(req) || (e.code !== 'PASSWORD_POLICY' && e.code !== 'PASSWORD_MISMATCH')) throw e;
        // The form again, with what was wrong; the link is still unused.
        const rules = await deps.passwords.rules(user, password);
        if (e.rules) for (const r of rules) if (e.rules.some((f) => f.rule === r.rule)) r.ok = false;
        return sendPage(req, res, e.status, (c) =>
          passwordPage(c, { kind, token, user: describe(user), rules, error: e.message }),
        );
      }
      const updated = deps.users.get(user.id)!;
      log.info({ userId: user.id, kind }, 'password set through an account link');
      if (enrolment.required(updated)) {
        const offer = await enrolment.offer(updated, browserOf(req), kind);
        if (wantsJson(req))
          return res.json({
            next: 'enrol-2fa',
            enrolToken: offer.enrolToken,
            expiresAt: offer.expiresAt.toISOString(),
            secret: offer.secret,
            otpauthUri: offer.otpauthUri,
            qrDataUrl: offer.qrDataUrl,
          });
        return sendPage(req, res, 200, (c) => enrolPage(c, offer));
      }
      if (wantsJson(req)) return res.json({ next: 'done' });
      sendPage(req, res, 200, (c) => donePage(c, { kind, email: updated.email }));
    });
  }

  router.post('/two-factor', ...guarded, async (req, res) => {
    const f = fields(req);
    const enrolToken = text(f.enrolToken, 256);
    const code = text(f.code, 64);
    const browser = browserOf(req);
    checkLimit(linkBySource, source(req));
    let done: Awaited<ReturnType<TwoFactorEnrolment['confirm']>>;
    try {
      done = await enrolment.confirm(enrolToken, code, browser);
    } catch (error) {
      const e = AccountError.from(error);
      if (e.code !== 'TOTP_INVALID') throw e;
      linkBySource.recordFailure(source(req));
      if (wantsJson(req)) throw e;
      const offer = await enrolment.offerAgain(enrolToken, browser);
      return sendPage(req, res, e.status, (c) => enrolPage(c, offer, e.message));
    }
    const { user, kind, recoveryCodes } = done;
    log.info({ userId: user.id }, 'two-factor enrolled on the account page');
    if (wantsJson(req)) return res.json({ next: 'done', recoveryCodes });
    sendPage(req, res, 200, (c) => donePage(c, { kind, email: user.email, recoveryCodes }));
  });

  router.post('/reset-request', ...guarded, (req, res) => {
    const f = fields(req);
    const email = typeof f.email === 'string' ? f.email.trim() : '';
    const from = source(req);
    checkLimit(resetBySource, from);
    resetBySource.recordFailure(from);
    if (email === '' || email.length > MAX_EMAIL || !/^[^\s@]+@[^\s@]+$/.test(email)) {
      if (wantsJson(req)) throw new AccountError('EMAIL_REQUIRED');
      return sendPage(req, res, 400, (c) =>
        resetRequestPage(c, {
          email: email.slice(0, MAX_EMAIL),
          error: 'Enter the email address of your account.',
        }),
      );
    }
    // Answered before anything is looked up, so the answer and its time are the same for every address;
    // the look-up and the mail happen after.
    const job = new Promise<void>((resolve) => defer(resolve))
      .then(() => processResetRequest(email))
      .catch((error: unknown) => log.error({ err: error }, 'reset request failed'))
      .finally(() => pending.delete(job));
    pending.add(job);
    if (wantsJson(req)) return res.status(202).json({ ok: true, message: RESET_REQUESTED_MESSAGE });
    sendPage(req, res, 202, (c) => resetRequestedPage(c, email));
  });

  // ----- JSON for the script ------------------------------------------------------------------------
  router.post('/api/link', ...guarded, async (req, res) => {
    const f = fields(req);
    const kind = linkKind(f.kind);
    checkLimit(linkBySource, source(req));
    const { user } = inspect(req, kind, text(f.token, 256));
    res.json({
      kind,
      user: describe(user),
      greeting: greeting(kind, describe(user)),
      rules: await deps.passwords.rules(user, ''),
      twoFactorRequired: enrolment.required(user),
    });
  });

  router.post('/api/password-rules', ...guarded, async (req, res) => {
    const f = fields(req);
    const kind = linkKind(f.kind);
    const password = text(f.password, MAX_PASSWORD_INPUT);
    checkLimit(linkBySource, source(req));
    const { user } = inspect(req, kind, text(f.token, 256));
    res.json({ rules: await deps.passwords.rules(user, password) });
  });

  router.use((req, _res, next) => next(new AccountError('NOT_FOUND')));

  // The one place errors become replies.
  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = bodyError(error) ?? AccountError.from(error);
    if (e.code === 'INTERNAL') log.error({ err: error, path: req.path }, 'account page error');
    if (e.retryAt)
      res.setHeader(
        'Retry-After',
        String(Math.max(1, Math.ceil((e.retryAt.getTime() - now().getTime()) / 1000))),
      );
    const kind =
      req.path === '/invite'
        ? 'invitation'
        : req.path === '/reset'
          ? 'reset'
          : req.path === '/two-factor'
            ? 'two-factor'
            : linkKindOrNull(req.body);
    const r = refusal(kind, e.code, req.baseUrl);
    if (wantsJson(req) || req.is('application/json')) {
      const body = e.toJson();
      if (
        e.code.startsWith('LINK_') ||
        e.code === 'BUILTIN_PASSWORD_DISABLED' ||
        e.code === 'ACCOUNT_DISABLED'
      ) {
        body.error.message = r.message;
        body.error.title = r.title;
        if (r.action) body.error.action = r.action;
      }
      return res.status(e.status).json(body);
    }
    sendPage(req, res, e.status, (c) => refusalPage(c, r));
  });

  // ----- helpers that use the deps ---------------------------------------------------------------
  function inspect(req: Request, kind: AccountLinkKind, token: string, email?: string) {
    try {
      return deps.links.inspect(token, { kind, ...(email !== undefined ? { email } : {}) });
    } catch (error) {
      const e = AccountError.from(error);
      if (e.code.startsWith('LINK_')) linkBySource.recordFailure(source(req));
      throw e;
    }
  }

  async function redeem(req: Request, kind: AccountLinkKind, token: string, password: string, email: string) {
    try {
      return await deps.links.redeem(token, password, { kind, email });
    } catch (error) {
      const e = AccountError.from(error);
      if (e.code.startsWith('LINK_')) linkBySource.recordFailure(source(req));
      throw e;
    }
  }

  function describe(user: UserAccount) {
    return {
      email: user.email,
      displayName: user.displayName.trim() || user.email,
      enterprise: deps.directory.getEnterprise(user.enterpriseId)?.name ?? 'your company',
    };
  }

  function processResetRequest(email: string): void {
    const key = email.toLowerCase();
    if (resetByEmail.blockedUntil(key)) {
      log.warn('reset request dropped: too many for one address');
      return;
    }
    resetByEmail.recordFailure(key);
    for (const enterprise of deps.directory.listEnterprises()) {
      const user = deps.users.findByEmail(enterprise.id, email);
      if (!user || user.disabledAt !== null) continue;
      try {
        sendReset(user);
      } catch (error) {
        log.error({ err: error, userId: user.id }, 'reset link not sent');
      }
    }
  }

  function sendReset(user: UserAccount): void {
    if (user.builtinPasswordDisabled) {
      sendResetUnavailable(deps.mailer, user);
      log.info(
        { userId: user.id },
        'reset asked for an account without a built-in password: told where to sign in',
      );
      return;
    }
    const { token, link } = deps.links.create(user.id, 'reset');
    const origin = typeof deps.publicOrigin === 'function' ? deps.publicOrigin() : deps.publicOrigin;
    deps.notifier.passwordReset({
      to: user.email,
      name: user.displayName,
      language: user.language,
      timeZone: user.timeZone,
      url: accountLinkUrl(origin, 'reset', token),
      expiresAt: new Date(link.expiresAt),
    });
    log.info({ userId: user.id, linkId: link.id }, 'password reset link sent');
  }

  // Body parsing, then Origin, then the CSRF token: for every state-changing request.
  function checkOriginAndToken(req: Request, _res: Response, next: NextFunction): void {
    if (!fromThisSite(req, origins())) return next(new AccountError('ORIGIN_INVALID'));
    const submitted = req.get(CSRF_HEADER) ?? (req.body as Fields | undefined)?.[CSRF_FIELD];
    if (!csrf.verify(req, submitted)) return next(new AccountError('CSRF_INVALID'));
    next();
  }

  function browserOf(req: Request): string {
    // Verified by checkOriginAndToken before any handler that asks.
    return `account:${csrf.verify(req, req.get(CSRF_HEADER) ?? (req.body as Fields)[CSRF_FIELD])}`;
  }

  return router;
}

function onlyJsonOrForm(req: Request, _res: Response, next: NextFunction): void {
  if (!req.is(['application/json', 'application/x-www-form-urlencoded']))
    return next(new AccountError('UNSUPPORTED_MEDIA_TYPE'));
  next();
}

const bodyParsers = [
  onlyJsonOrForm,
  express.json({ limit: BODY_LIMIT, strict: true }),
  express.urlencoded({ extended: false, limit: BODY_LIMIT, parameterLimit: 20 }),
];

function fields(req: Request): Fields {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new AccountError('INVALID_BODY');
  return body as Fields;
}

function text(value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length > max) throw new AccountError('INVALID_BODY');
  return value;
}

function linkKind(value: unknown): AccountLinkKind {
  if (value !== 'invitation' && value !== 'reset') throw new AccountError('INVALID_BODY');
  return value;
}

function linkKindOrNull(body: unknown): AccountLinkKind | null {
  const kind = typeof body === 'object' && body !== null ? (body as Fields).kind : undefined;
  return kind === 'invitation' || kind === 'reset' ? kind : null;
}

/** body-parser's errors (too large, malformed JSON, a charset it cannot read) as our codes. */
function bodyError(error: unknown): AccountError | null {
  if (typeof error !== 'object' || error === null || !('type' in error)) return null;
  switch ((error as { type: unknown }).type) {
    case 'entity.too.large':
      return new AccountError('BODY_TOO_LARGE');
    case 'entity.parse.failed':
    case 'parameters.too.many':
      return new AccountError('INVALID_BODY');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new AccountError('UNSUPPORTED_MEDIA_TYPE');
    default:
      return null;
  }
}
