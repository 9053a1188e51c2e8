import express, { type Request, type Response, type Router } from 'express';
import { readCookies } from '../account/csrf.ts';
import { ACCOUNT_SIGN_IN_PATH, accountCookieName } from '../account/account-session.ts';
import { accountSessionOf, clearAccountCookie, setAccountCookie } from '../account/account-cookie.ts';
import { consoleCookieName } from '../api/api-auth.ts';
import { httpStatusOf } from '../api/http-status.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import { FailureRateLimiter } from '../auth/rate-limiter.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import { escapeHtml } from '../escape-html.ts';
import type { Logger } from '../logger.ts';
import { SamlProtocol } from './saml-protocol.ts';
import type { SsoProtocolName } from './sso-protocol.ts';
import type { SsoPurpose } from './sso-requests.ts';
import type { SsoService } from './sso-service.ts';

/** The browser binding cookie of sign-ins in progress (its hash is stored with each request). */
export const SSO_BINDING_COOKIE_TLS = '__Host-mfp-sso';
export const SSO_BINDING_COOKIE_PLAIN = 'mfp-sso';
const bindingCookieName = (secure: boolean) => (secure ? SSO_BINDING_COOKIE_TLS : SSO_BINDING_COOKIE_PLAIN);

export interface SsoRoutesDeps {
  sso: SsoService;
  consoleSessions: ConsoleSessions;
  accountSessions: ConsoleSessions;
  users: Pick<UserRepository, 'get'>;
  /** The enterprises with company sign-in, for the sign-in pages' buttons. */
  signInOptions: () => {
    enterprise: { name: string; slug: string };
    protocol: SsoProtocolName;
    startUrl: string;
  }[];
  logger?: Logger;
  /** Sign-ins a network address may start per window (each start stores a row). */
  startLimit?: { maxFailures: number; windowMs: number };
}

const page = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

/**
 * The company sign-in URLs under /auth/<slug>/ (DESIGN.md §11):
 *   GET  sso/start?purpose=console|account&return=<path>   → 303 to the IdP
 *   GET  saml/metadata, wsfed/metadata                     our SP metadata
 *   POST saml/acs, POST wsfed, GET oidc/callback           the IdP's answer → 303 sso/finish
 *   GET  sso/finish?request=<id>                           the starting browser gets its session → 303 return
 *   POST logout?purpose=console|account                    signs out here, then the IdP's single logout
 *   GET  saml/slo                                          the IdP's logout messages
 *   GET  /auth/account-session                             who the account cookie signs in (JSON)
 *   GET  /auth/sign-in-options                             the enterprises with SSO: a button each (JSON)
 * The IdP's POST comes from another site, so it carries none of our SameSite cookies: the answer
 * is checked there and recorded against its request, and the browser binding (SameSite=Lax, sent
 * on the top-level GET that follows) is checked at sso/finish.
 */
export function createSsoRoutes(deps: SsoRoutesDeps): Router {
  const router = express.Router({ strict: false });
  const limiter = new FailureRateLimiter(deps.startLimit ?? { maxFailures: 60, windowMs: 5 * 60_000 });
  const form = express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 20 });
  const source = (req: Request) => req.socket.remoteAddress ?? 'unknown';
  const noStore = (res: Response) => res.setHeader('Cache-Control', 'no-store');

  const refuse = (res: Response, error: unknown) => {
    const edge = error instanceof EdgeError ? error : new EdgeError('INTERNAL');
    if (!(error instanceof EdgeError)) deps.logger?.error({ err: error }, 'SSO request failed');
    noStore(res);
    res
      .status(httpStatusOf(edge.code))
      .type('html')
      .send(
        page(
          'Company sign-in refused',
          `<p>${escapeHtml(edge.message)}</p><p>Code: <code>${edge.code}</code></p>` +
            `<p><a href="${ACCOUNT_SIGN_IN_PATH}">Account sign-in</a> · <a href="/admin/">Admin console</a></p>`,
        ),
      );
  };
  const wrap =
    (handler: (req: Request, res: Response) => Promise<void> | void) =>
    async (req: Request, res: Response) => {
      try {
        await handler(req, res);
      } catch (error) {
        refuse(res, error);
      }
    };
  const finishUrl = (slug: string, requestId: string) =>
    `/auth/${encodeURIComponent(slug)}/sso/finish?request=${encodeURIComponent(requestId)}`;
  const slugOf = (req: Request) => String(req.params.slug);

  router.get(
    '/:slug/sso/start',
    wrap(async (req, res) => {
      const purpose =
        req.query.purpose === 'console' ? 'console' : req.query.purpose === 'account' ? 'account' : null;
      if (!purpose)
        throw new EdgeError(
          'VALIDATION_FAILED',
          'purpose: console or account (where the sign-in returns to).',
        );
      const key = source(req);
      const until = limiter.blockedUntil(key);
      if (until) throw new EdgeError('RATE_LIMITED', undefined, { until });
      limiter.recordFailure(key);
      const secure = req.secure;
      const started = await deps.sso.start({
        slug: slugOf(req),
        purpose: purpose satisfies SsoPurpose,
        returnPath: req.query.return,
        binding: readCookies(req.headers.cookie).get(bindingCookieName(secure)),
        source: key,
      });
      // Lax, not Strict: it must come back on the top-level GET that follows the IdP's POST.
      res.cookie(bindingCookieName(secure), started.binding, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        maxAge: 10 * 60_000,
      });
      noStore(res);
      res.redirect(303, started.redirectUrl);
    }),
  );

  for (const protocol of ['saml', 'wsfed'] as const)
    router.get(
      `/:slug/${protocol}/metadata`,
      wrap(async (req, res) => {
        const xml = await deps.sso.metadata(slugOf(req), protocol);
        res.setHeader('Content-Type', 'application/samlmetadata+xml; charset=utf-8');
        if (req.query.download !== undefined)
          res.setHeader(
            'Content-Disposition',
            `attachment; filename="${slugOf(req)}-${protocol}-metadata.xml"`,
          );
        res.send(xml);
      }),
    );

  const answer = (protocol: SsoProtocolName) =>
    wrap(async (req, res) => {
      const requestId = await deps.sso.answer({
        slug: slugOf(req),
        protocol,
        answer: {
          body: (req.body ?? {}) as Record<string, unknown>,
          query: { ...(req.query as Record<string, unknown>) },
          url: `${req.protocol}://${req.headers.host}${req.originalUrl}`,
        },
        source: source(req),
      });
      noStore(res);
      res.redirect(303, finishUrl(slugOf(req), requestId));
    });
  router.post('/:slug/saml/acs', form, answer('saml'));
  router.post('/:slug/wsfed', form, answer('wsfed'));
  router.get('/:slug/oidc/callback', answer('oidc'));

  router.get(
    '/:slug/sso/finish',
    wrap((req, res) => {
      const secure = req.secure;
      const finished = deps.sso.finish({
        slug: slugOf(req),
        requestId: req.query.request,
        binding: readCookies(req.headers.cookie).get(bindingCookieName(secure)),
        source: source(req),
      });
      // The console's cookie exactly as its sign-in sets it (api/api-router.ts: Strict; the console
      // page reads its session by fetch). The account cookie as the account page sets it (Lax: the
      // page itself is the next top-level GET of this cross-site redirect chain). Session cookies
      // both (no Max-Age): the server ends them.
      if (finished.purpose === 'console')
        res.cookie(consoleCookieName(secure), finished.token, {
          httpOnly: true,
          sameSite: 'strict',
          secure,
          path: '/',
        });
      else setAccountCookie(res, finished.token, secure);
      noStore(res);
      res.redirect(303, finished.returnPath);
    }),
  );

  router.post(
    '/:slug/logout',
    form,
    wrap(async (req, res) => {
      const secure = req.secure;
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== `${req.protocol}://${req.headers.host}`)
        throw new EdgeError('CSRF_INVALID', 'The request comes from another site (Origin); it was refused.');
      const purpose =
        (req.query.purpose ?? (req.body as Record<string, unknown> | undefined)?.purpose) === 'console'
          ? 'console'
          : 'account';
      const sessions = purpose === 'console' ? deps.consoleSessions : deps.accountSessions;
      const cookieName = purpose === 'console' ? consoleCookieName(secure) : accountCookieName(secure);
      const token = readCookies(req.headers.cookie).get(cookieName);
      const back = purpose === 'console' ? '/admin/' : ACCOUNT_SIGN_IN_PATH;
      if (purpose === 'console')
        res.clearCookie(cookieName, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
      else clearAccountCookie(res, secure);
      noStore(res);
      let session;
      try {
        session = token === undefined ? null : sessions.verify(token);
      } catch {
        session = null;
      }
      if (!session) return res.redirect(303, back);
      const idpUrl = await deps.sso.logout({
        slug: slugOf(req),
        sessionId: session.id,
        sessions,
        userId: session.userId,
        source: source(req),
      });
      res.redirect(303, idpUrl ?? back);
    }),
  );

  router.get(
    '/:slug/saml/slo',
    wrap(async (req, res) => {
      const enterprise = deps.sso.enterprise(slugOf(req));
      const settings = deps.sso.settings(enterprise.id);
      if (settings?.protocol !== 'saml') throw new EdgeError('SSO_NOT_CONFIGURED');
      const context = await deps.sso.context(enterprise, settings);
      const originalQuery = req.originalUrl.split('?')[1] ?? '';
      const message = await new SamlProtocol().logoutMessage(
        context,
        { ...(req.query as Record<string, unknown>) },
        originalQuery,
      );
      noStore(res);
      if (message.kind === 'response') return res.redirect(303, ACCOUNT_SIGN_IN_PATH);
      deps.sso.endSessionsOf(enterprise.id, message.subject, message.sessionIndex);
      res.redirect(303, await message.reply());
    }),
  );

  // Public, like the sign-in pages that show it: which enterprises sign in through their IdP.
  router.get('/sign-in-options', (_req, res) => {
    noStore(res);
    res.json({ items: deps.signInOptions() });
  });

  router.get('/account-session', (req, res) => {
    noStore(res);
    const signedIn = accountSessionOf(req, deps.accountSessions, deps.users);
    if (!signedIn) {
      res.status(httpStatusOf('UNAUTHENTICATED')).json({ error: new EdgeError('UNAUTHENTICATED').toBody() });
      return;
    }
    const { user } = signedIn;
    res.json({
      audience: 'account',
      user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role },
    });
  });

  return router;
}
