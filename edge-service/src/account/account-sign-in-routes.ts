import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { ChannelContext, SignInService, SignInStep } from '../auth/sign-in-service.ts';
import { otpauthQrPng } from '../auth/totp-enrolment.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { accountSessionOf, clearAccountCookie, setAccountCookie } from './account-cookie.ts';
import { AccountError } from './account-errors.ts';
import { refusalPage, type PageContext } from './account-pages.ts';
import { safeReturnPath } from './account-session.ts';
import {
  changePasswordPage,
  companySignInUrl,
  enrolSignInPage,
  noSignInPage,
  recoveryCodesPage,
  signedInPage,
  signedOutPage,
  signInPage,
  totpPage,
} from './account-sign-in-pages.ts';
import { CSRF_FIELD, CsrfTokens } from './csrf.ts';
import { fromThisSite } from './same-site.ts';

export interface AccountSignInDeps {
  signIn: SignInService;
  /** The account audience's sessions (`audience: 'account'`). */
  sessions: ConsoleSessions;
  users: Pick<UserRepository, 'get' | 'findByEmail'>;
  directory: Pick<DirectoryRepository, 'getEnterprise' | 'listEnterprises' | 'findEnterpriseBySlug'>;
  policies: Pick<PolicyService, 'get'>;
  publicOrigin: string | (() => string);
  extraOrigins?: readonly string[];
  csrfKey?: Uint8Array;
  logger: Logger;
  now?: () => Date;
}

type Fields = Record<string, unknown>;

const text = (value: unknown, max: number): string => {
  if (typeof value !== 'string' || value.length > max) throw new AccountError('INVALID_BODY');
  return value;
};

/**
 * The account page's web sign-in (mount at /account, before the account router): email and
 * password, then the steps the account needs (TOTP or a recovery code, a new password, 2FA
 * enrolment) through the sign-in step machine with a channel of its own (`account`: steps bound
 * to the address that began them, failures rate-limited and counted toward the lockout as at the
 * panel), or the enterprise's company sign-in. The end is an account-audience session (its own
 * cookie, account-cookie.ts) and a 303 to the return path (safeReturnPath). `/account/` signed in
 * shows who you are, with sign out. Every POST needs this site's Origin and the page's CSRF token.
 */
export function createAccountSignInRoutes(deps: AccountSignInDeps): Router {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ module: 'account-sign-in' });
  const csrf = new CsrfTokens(deps.csrfKey);
  const origins = (): Set<string> =>
    new Set(
      [
        typeof deps.publicOrigin === 'function' ? deps.publicOrigin() : deps.publicOrigin,
        ...(deps.extraOrigins ?? []),
      ].map((o) => new URL(o).origin),
    );
  const router = express.Router({ strict: true });
  const parse = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const guarded = (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: unknown) => {
      if (error) return next(new AccountError('INVALID_BODY'));
      if (!fromThisSite(req, origins())) return next(new AccountError('ORIGIN_INVALID'));
      const body = req.body as Fields | undefined;
      if (typeof body !== 'object' || body === null) return next(new AccountError('INVALID_BODY'));
      if (!csrf.verify(req, body[CSRF_FIELD])) return next(new AccountError('CSRF_INVALID'));
      next();
    });

  const ctx = (req: Request, res: Response): PageContext => ({
    base: req.baseUrl,
    csrfToken: csrf.tokenFor(csrf.nonceFor(req, res)),
  });
  const send = (req: Request, res: Response, status: number, render: (c: PageContext) => string) =>
    res
      .status(status)
      .type('html')
      .send(render(ctx(req, res)));
  const source = (req: Request): string => req.socket.remoteAddress ?? 'unknown';
  const signedIn = (req: Request) => accountSessionOf(req, deps.sessions, deps.users, now);

  const channel = (src: string, enterpriseId: string): ChannelContext => ({
    source: src,
    channel: {
      kind: 'account',
      // Steps continue only from the address that began them; failures count per address.
      binding: `account:${src}`,
      enterpriseId,
      label: 'network address',
      issue: (user) => Promise.resolve(deps.sessions.create(user.id, src)),
    },
  });

  /** The enterprise the return path names (`/auth/<slug>/…`), else the only one of this edge. */
  const pageEnterprise = (returnTo: string): EnterpriseRecord | null => {
    const slug = /^\/auth\/([a-z0-9-]{2,63})\//.exec(returnTo)?.[1];
    if (slug) return deps.directory.findEnterpriseBySlug(slug);
    const all = deps.directory.listEnterprises();
    return all.length === 1 ? all[0]! : null;
  };
  const company = (enterprise: EnterpriseRecord | null, returnTo: string) =>
    enterprise && deps.policies.get(enterprise.id).document.sso
      ? { name: enterprise.name, url: companySignInUrl(enterprise.slug, returnTo) }
      : null;

  /** The enterprise of a typed email: the one with that account (the page's, when several), else the page's. */
  const enterpriseFor = (email: string, returnTo: string): EnterpriseRecord | null => {
    const preferred = pageEnterprise(returnTo);
    if (preferred && deps.users.findByEmail(preferred.id, email)) return preferred;
    const withEmail = deps.directory.listEnterprises().filter((e) => deps.users.findByEmail(e.id, email));
    return withEmail[0] ?? preferred ?? deps.directory.listEnterprises()[0] ?? null;
  };

  /** The page of the next step, or (done) the session cookie and the 303 back. */
  async function next(req: Request, res: Response, step: SignInStep, returnTo: string): Promise<void> {
    switch (step.step) {
      case 'totp':
        return void send(req, res, 200, (c) => totpPage(c, { returnTo, stepToken: step.stepToken }));
      case 'change-password': {
        const rules = await deps.signIn.passwordRules(step.stepToken, '', channel(source(req), ''));
        return void send(req, res, 200, (c) =>
          changePasswordPage(c, { returnTo, stepToken: step.stepToken, reason: step.reason, rules }),
        );
      }
      case 'enrol-2fa': {
        const qrPng = await otpauthQrPng(step.otpauthUri);
        return void send(req, res, 200, (c) =>
          enrolSignInPage(c, { returnTo, stepToken: step.stepToken, secret: step.secret, qrPng }),
        );
      }
      case 'done':
        setAccountCookie(res, step.session.token, req.secure);
        log.info({ userId: step.user.id }, 'signed in to the account page');
        if (step.recoveryCodes?.length)
          return void send(req, res, 200, (c) =>
            recoveryCodesPage(c, { returnTo, codes: step.recoveryCodes! }),
          );
        return void res.redirect(303, returnTo);
    }
  }

  /** A refused step: the same form again with why, or the first form when the sign-in must restart. */
  function refused(
    req: Request,
    res: Response,
    error: unknown,
    again: ((c: PageContext, message: string) => string) | null,
    returnTo: string,
  ): void {
    const e = AccountError.from(error);
    if (e.code === 'INTERNAL') throw error;
    if (e.retryAt || e.code === 'RATE_LIMITED')
      res.setHeader(
        'Retry-After',
        String(Math.max(1, Math.ceil(((e.retryAt?.getTime() ?? 0) - now().getTime()) / 1000))),
      );
    const restart = again === null || e.code === 'SIGN_IN_EXPIRED' || e.code === 'TOKEN_INVALID';
    send(req, res, e.status, (c) =>
      restart
        ? signInPage(c, { returnTo, error: e.message, company: company(pageEnterprise(returnTo), returnTo) })
        : again(c, e.message),
    );
  }

  // ----- pages -----------------------------------------------------------------------------------
  router.get('/', (req, res, nextRoute) => {
    const who = signedIn(req);
    if (!who || !req.originalUrl.split('?')[0]!.endsWith('/')) return nextRoute();
    const enterprise = deps.directory.getEnterprise(who.user.enterpriseId);
    send(req, res, 200, (c) =>
      signedInPage(c, {
        displayName: who.user.displayName.trim() || who.user.email,
        email: who.user.email,
        enterprise: enterprise?.name ?? '',
        language: who.user.language,
      }),
    );
  });

  router.get('/sign-in', (req, res) => {
    const returnTo = safeReturnPath(req.query.return);
    if (signedIn(req)) return res.redirect(303, returnTo);
    send(req, res, 200, (c) =>
      signInPage(c, { returnTo, company: company(pageEnterprise(returnTo), returnTo) }),
    );
  });

  router.post('/sign-in', guarded, async (req, res) => {
    const f = req.body as Fields;
    const returnTo = safeReturnPath(f.return);
    const email = text(f.email, 254).trim();
    const password = text(f.password, 1024);
    const enterprise = enterpriseFor(email, returnTo);
    const again = (c: PageContext, message: string) =>
      signInPage(c, {
        returnTo,
        email,
        error: message,
        company: company(pageEnterprise(returnTo), returnTo),
      });
    try {
      if (!enterprise) throw new EdgeError('INVALID_CREDENTIALS');
      await next(
        req,
        res,
        await deps.signIn.password(email, password, channel(source(req), enterprise.id)),
        returnTo,
      );
    } catch (error) {
      if (error instanceof EdgeError && error.code === 'BUILTIN_PASSWORD_DISABLED' && enterprise) {
        // Their company's sign-in if it has one; else what to do instead (no generic failure).
        const sso = company(enterprise, returnTo);
        if (sso) return res.redirect(303, sso.url);
        return send(req, res, 403, (c) => noSignInPage(c, { returnTo }));
      }
      refused(req, res, error, again, returnTo);
    }
  });

  router.post('/sign-in/totp', guarded, async (req, res) => {
    const f = req.body as Fields;
    const returnTo = safeReturnPath(f.return);
    const stepToken = text(f.stepToken, 256);
    try {
      await next(
        req,
        res,
        await deps.signIn.totp(stepToken, text(f.code, 64), channel(source(req), '')),
        returnTo,
      );
    } catch (error) {
      refused(
        req,
        res,
        error,
        (c, message) => totpPage(c, { returnTo, stepToken, error: message }),
        returnTo,
      );
    }
  });

  router.post('/sign-in/change-password', guarded, async (req, res) => {
    const f = req.body as Fields;
    const returnTo = safeReturnPath(f.return);
    const stepToken = text(f.stepToken, 256);
    const password = text(f.password, 1024);
    const confirm = text(f.confirm, 1024);
    const reason = f.reason === 'expired' ? 'expired' : 'must-change';
    const context = channel(source(req), '');
    try {
      if (confirm !== password) throw new AccountError('PASSWORD_MISMATCH');
      await next(req, res, await deps.signIn.changePassword(stepToken, password, context), returnTo);
    } catch (error) {
      let rules: Awaited<ReturnType<SignInService['passwordRules']>> = [];
      try {
        rules = await deps.signIn.passwordRules(stepToken, password, context);
      } catch {
        // The step itself is gone: refused() restarts the sign-in.
      }
      refused(
        req,
        res,
        error,
        (c, message) => changePasswordPage(c, { returnTo, stepToken, reason, rules, error: message }),
        returnTo,
      );
    }
  });

  router.post('/sign-in/enrol-2fa', guarded, async (req, res) => {
    const f = req.body as Fields;
    const returnTo = safeReturnPath(f.return);
    const stepToken = text(f.stepToken, 256);
    try {
      await next(
        req,
        res,
        await deps.signIn.enrolTwoFactor(stepToken, text(f.code, 64), channel(source(req), '')),
        returnTo,
      );
    } catch (error) {
      // The secret is not shown again: a wrong code starts over (a new secret after the password).
      refused(req, res, error, null, returnTo);
    }
  });

  router.post('/sign-out', guarded, (req, res) => {
    const who = signedIn(req);
    if (who) {
      deps.sessions.revoke({ sessionId: who.sessionId }, 'sign-out');
      log.info({ userId: who.user.id }, 'signed out of the account page');
    }
    clearAccountCookie(res, req.secure);
    send(req, res, 200, (c) => signedOutPage(c));
  });

  router.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = AccountError.from(error);
    if (e.code === 'INTERNAL') log.error({ err: error, path: req.path }, 'account sign-in error');
    const title =
      e.code === 'CSRF_INVALID' || e.code === 'ORIGIN_INVALID'
        ? 'Reload the page'
        : 'The sign-in could not go on';
    send(req, res, e.status, (c) =>
      refusalPage(c, {
        title,
        message: e.message,
        action: { href: `${c.base}/sign-in`, label: 'Sign in again' },
      }),
    );
  });

  return router;
}
