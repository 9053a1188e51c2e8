import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { accountSessionOf, type AccountSignedIn } from '../account/account-cookie.ts';
import { AccountError } from '../account/account-errors.ts';
import { refusalPage, type PageContext } from '../account/account-pages.ts';
import { ACCOUNT_CSP } from '../account/account-routes.ts';
import { ACCOUNT_SIGN_IN_PATH } from '../account/account-session.ts';
import { fromThisSite } from '../account/same-site.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { DeviceAuthorizations } from '../auth/device-authorizations.ts';
import type { PhoneSignIn } from '../auth/phone-sign-in.ts';
import type {
  DeviceRecord,
  DeviceRepository,
  DirectoryRepository,
  EnterpriseRecord,
} from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import { pageSecurityHeaders } from '../http/browser-assets.ts';
import type { Logger } from '../logger.ts';
import { hashDeviceToken } from '../services/device-credentials.ts';
import { confirmPage, decidedPage, enterCodePage, PHONE_PAGE_BASE, phoneRefusal } from './phone-pages.ts';

/** RFC 8628 §3.4 grant type. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The phone's page for a code: `<origin>/auth/<slug>/device?user_code=WDJB-MJHT` (RFC 8628 verification_uri_complete). */
export function verificationUris(origin: string, slug: string, userCode: string) {
  const base = `${origin.replace(/\/+$/, '')}/auth/${encodeURIComponent(slug)}/device`;
  return {
    verificationUri: base,
    verificationUriComplete: `${base}?user_code=${encodeURIComponent(userCode)}`,
  };
}

export interface PhoneRoutesDeps {
  authorizations: DeviceAuthorizations;
  phoneSignIn: PhoneSignIn;
  accountSessions: ConsoleSessions;
  users: Pick<UserRepository, 'get'>;
  devices: Pick<DeviceRepository, 'findByTokenHash' | 'get'>;
  directory: Pick<DirectoryRepository, 'findEnterpriseBySlug' | 'getEnterprise'>;
  publicOrigin: string | (() => string);
  extraOrigins?: readonly string[];
  logger: Logger;
  now?: () => Date;
}

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
  }
}

/**
 * Mount at /auth. The phone's page (`GET/POST /<slug>/device`): not signed in → the account
 * page's sign-in, back here after; signed in → the printer's name and the code, Confirm / Deny
 * (POST with the account session's CSRF token). And RFC 8628's endpoints for device-flow clients
 * (`POST /<slug>/device_authorization`, `POST /<slug>/token`), restricted to this edge's own
 * user-prompt panels: the client authenticates with its device credential (client_id = device id,
 * client_secret = device token, RFC 6749 §2.3.1, Basic or form), and the token granted is that
 * panel's session for the person who confirmed — exactly what a password typed at that panel
 * would give, nothing more (no API access, no other device). A general OAuth client would need
 * client registration, scopes and consent this edge does not have, so none is accepted.
 */
export function createPhoneRoutes(deps: PhoneRoutesDeps): Router {
  const now = deps.now ?? (() => new Date());
  const log = deps.logger.child({ module: 'phone-sign-in' });
  const router = express.Router({ strict: true });
  const form = express.urlencoded({ extended: false, limit: '8kb', parameterLimit: 10 });
  const origin = () => (typeof deps.publicOrigin === 'function' ? deps.publicOrigin() : deps.publicOrigin);
  const origins = () => new Set([origin(), ...(deps.extraOrigins ?? [])].map((o) => new URL(o).origin));
  const source = (req: Request): string => req.socket.remoteAddress ?? 'unknown';
  const ctx = (who: AccountSignedIn | null): PageContext => ({
    base: PHONE_PAGE_BASE,
    csrfToken: who?.csrfToken ?? '',
  });
  const enterprise = (slug: unknown): EnterpriseRecord => {
    const found = typeof slug === 'string' ? deps.directory.findEnterpriseBySlug(slug) : null;
    if (!found) throw new EdgeError('ENTERPRISE_NOT_FOUND');
    return found;
  };
  const html = pageSecurityHeaders(ACCOUNT_CSP, 'no-store');

  const refuse = (res: Response, who: AccountSignedIn | null, error: unknown) => {
    const e = AccountError.from(error);
    if (e.code === 'INTERNAL') throw error;
    if (e.retryAt)
      res.setHeader(
        'Retry-After',
        String(Math.max(1, Math.ceil((e.retryAt.getTime() - now().getTime()) / 1000))),
      );
    res
      .status(e.status)
      .type('html')
      .send(refusalPage(ctx(who), phoneRefusal(e.code, e.message)));
  };

  router.get('/:slug/device', html, (req, res) => {
    const who = accountSessionOf(req, deps.accountSessions, deps.users, now);
    if (!who) {
      // The whole URL (code included) comes back after the sign-in; safeReturnPath checks it there.
      return res.redirect(303, `${ACCOUNT_SIGN_IN_PATH}?return=${encodeURIComponent(req.originalUrl)}`);
    }
    try {
      const company = enterprise(req.params.slug);
      const action = `/auth/${company.slug}/device`;
      const code = req.query.user_code;
      if (code === undefined || code === '')
        return res.type('html').send(enterCodePage(ctx(who), { action }));
      if (typeof code !== 'string') throw new AccountError('INVALID_BODY');
      const { device, authorization } = deps.authorizations.inspect(code, who.user, source(req));
      if (company.id !== device.enterpriseId) throw new EdgeError('PHONE_CODE_OTHER_ENTERPRISE');
      res.type('html').send(
        confirmPage(ctx(who), {
          action,
          userCode: code.trim().toUpperCase(),
          deviceName: device.name,
          enterprise: company.name,
          panelAddress: authorization.source,
          person: { displayName: who.user.displayName.trim() || who.user.email, email: who.user.email },
        }),
      );
    } catch (error) {
      refuse(res, who, error);
    }
  });

  router.post('/:slug/device', html, form, (req, res) => {
    const who = accountSessionOf(req, deps.accountSessions, deps.users, now);
    try {
      if (!fromThisSite(req, origins())) throw new AccountError('ORIGIN_INVALID');
      if (!who) throw new AccountError('CSRF_INVALID');
      const f = (req.body ?? {}) as Record<string, unknown>;
      if (!deps.accountSessions.checkCsrf(who.sessionId, f._csrf)) throw new AccountError('CSRF_INVALID');
      const decision = f.decision === 'approve' ? 'approve' : f.decision === 'deny' ? 'deny' : null;
      if (!decision || typeof f.user_code !== 'string') throw new AccountError('INVALID_BODY');
      const company = enterprise(req.params.slug);
      if (company.id !== who.user.enterpriseId) {
        // Audited as a refusal by inspect (the device is of another enterprise than the person).
        deps.authorizations.inspect(f.user_code, who.user, source(req));
        throw new EdgeError('PHONE_CODE_OTHER_ENTERPRISE');
      }
      const { device } = deps.authorizations.decide(f.user_code, who.user, decision, source(req));
      log.info({ userId: who.user.id, deviceId: device.id, decision }, 'phone sign-in decided');
      res
        .type('html')
        .send(decidedPage(ctx(who), { approved: decision === 'approve', deviceName: device.name }));
    } catch (error) {
      refuse(res, who, error);
    }
  });

  // ----- RFC 8628 for device-flow clients (our panels' credentials only) -----------------------------
  const client = (req: Request, slug: unknown): DeviceRecord => {
    const f = (req.body ?? {}) as Record<string, unknown>;
    let id = typeof f.client_id === 'string' ? f.client_id : undefined;
    let secret = typeof f.client_secret === 'string' ? f.client_secret : undefined;
    const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(req.get('authorization') ?? '');
    if (basic) {
      const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        id = decodeURIComponent(decoded.slice(0, colon));
        secret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    const device =
      secret && secret.length <= 256 ? deps.devices.findByTokenHash(hashDeviceToken(secret)) : null;
    if (!device || device.id !== id || device.revokedAt !== null)
      throw new OAuthError(
        'invalid_client',
        401,
        'Authenticate with the device id and its device credential.',
      );
    const company = typeof slug === 'string' ? deps.directory.findEnterpriseBySlug(slug) : null;
    if (!company || company.id !== device.enterpriseId)
      throw new OAuthError('invalid_client', 401, 'This device is not one of this enterprise.');
    if (device.authMode !== 'user-prompt')
      throw new OAuthError(
        'unauthorized_client',
        400,
        'Only user-prompt devices sign people in with a phone.',
      );
    return device;
  };
  const oauth =
    (handler: (req: Request, res: Response) => Promise<void> | void) =>
    async (req: Request, res: Response) => {
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Pragma', 'no-cache');
      try {
        if (!req.is('application/x-www-form-urlencoded'))
          throw new OAuthError('invalid_request', 400, 'Send application/x-www-form-urlencoded.');
        await handler(req, res);
      } catch (error) {
        if (error instanceof OAuthError) {
          if (error.status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="mfp-edge"');
          res.status(error.status).json({ error: error.error, error_description: error.description });
          return;
        }
        if (error instanceof EdgeError && error.code === 'RATE_LIMITED') {
          res.status(429).json({ error: 'slow_down', error_description: error.message });
          return;
        }
        if (error instanceof EdgeError && error.code !== 'INTERNAL') {
          res.status(400).json({ error: 'invalid_request', error_description: error.message });
          return;
        }
        log.error({ err: error }, 'device authorization endpoint failed');
        res.status(500).json({ error: 'server_error' });
      }
    };

  // A body the parser refuses is an OAuth error too (JSON), not the phone's HTML refusal page.
  const oauthForm = (req: Request, res: Response, next: NextFunction) =>
    form(req, res, (error?: unknown) => {
      if (!error) return next();
      res.setHeader('Cache-Control', 'no-store');
      res.status(400).json({ error: 'invalid_request', error_description: 'The body is not a valid form.' });
    });

  router.post(
    '/:slug/device_authorization',
    oauthForm,
    oauth((req, res) => {
      const device = client(req, req.params.slug);
      const company = deps.directory.getEnterprise(device.enterpriseId)!;
      const begun = deps.authorizations.begin(device, source(req));
      const uris = verificationUris(origin(), company.slug, begun.userCode);
      res.json({
        device_code: begun.deviceCode,
        user_code: begun.userCode,
        verification_uri: uris.verificationUri,
        verification_uri_complete: uris.verificationUriComplete,
        expires_in: Math.round((begun.expiresAt.getTime() - now().getTime()) / 1000),
        interval: begun.interval,
      });
    }),
  );

  router.post(
    '/:slug/token',
    oauthForm,
    oauth(async (req, res) => {
      const device = client(req, req.params.slug);
      const f = (req.body ?? {}) as Record<string, unknown>;
      if (f.grant_type !== DEVICE_CODE_GRANT)
        throw new OAuthError('unsupported_grant_type', 400, `Only ${DEVICE_CODE_GRANT} is granted here.`);
      if (typeof f.device_code !== 'string')
        throw new OAuthError('invalid_request', 400, 'device_code is missing.');
      let outcome;
      try {
        outcome = deps.authorizations.poll(f.device_code, device.id);
      } catch (error) {
        // Unknown, another client's, or already used: RFC 6749 §5.2 invalid_grant.
        if (error instanceof EdgeError && error.code === 'PHONE_CODE_INVALID')
          throw new OAuthError('invalid_grant', 400, 'The device code is unknown or was already used.');
        if (
          error instanceof EdgeError &&
          (error.code === 'ACCOUNT_DISABLED' || error.code === 'ACCOUNT_LOCKED')
        )
          throw new OAuthError('access_denied', 400, error.message);
        throw error;
      }
      if (!outcome.ok) {
        res.status(400).json({ error: outcome.error, interval: outcome.interval });
        return;
      }
      const session = await deps.phoneSignIn.started(outcome.user, device.id, source(req));
      res.json({
        access_token: session.token,
        token_type: 'Bearer',
        expires_in: Math.max(1, Math.round((session.expiresAt.getTime() - now().getTime()) / 1000)),
      });
    }),
  );

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    refuse(res, null, error);
  });

  return router;
}
