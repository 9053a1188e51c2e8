import type { ConsoleSessions } from '../auth/console-sessions.ts';
import type { AuditTrail } from '../domain/audit.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../domain/device.ts';
import { isLocked, type UserAccount, type UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { safeReturnPath } from '../account/account-session.ts';
import { fetchIdpMetadata, parseIdpMetadata, pinCertificates, type IdpMetadata } from './idp-metadata.ts';
import type { SsoSecrets, SsoSessionLinks } from './sso-records.ts';
import { newBrowserBinding, isBrowserBinding, type SsoPurpose, type SsoRequests } from './sso-requests.ts';
import type { SsoContext, SsoIdentity, SsoProtocol, SsoProtocolName, SsoSettings } from './sso-protocol.ts';

/** The implementations registered by the composition (saml here; oidc and wsfed from their files). */
export type SsoProtocols = Partial<Record<SsoProtocolName, SsoProtocol>>;

/** The IdP's clock may differ from ours by this much (SAML NotBefore / NotOnOrAfter, OIDC iat). */
export const SSO_CLOCK_SKEW_SECONDS = 180;
/** Metadata fetched from a URL is used for this long before it is fetched again. */
const METADATA_TTL_MS = 10 * 60_000;

export interface SsoServiceDeps {
  requests: SsoRequests;
  secrets: SsoSecrets;
  links: SsoSessionLinks;
  protocols: SsoProtocols;
  policies: Pick<PolicyService, 'get'>;
  directory: Pick<DirectoryRepository, 'findEnterpriseBySlug' | 'getEnterprise'>;
  users: Pick<UserRepository, 'findByEmail' | 'get' | 'recordSignIn'>;
  consoleSessions: ConsoleSessions;
  accountSessions: ConsoleSessions;
  audit: AuditTrail;
  /** `<scheme>://<host>[:port]` people reach the edge at. */
  publicOrigin: () => string;
  logger?: Logger;
  now?: () => Date;
  fetchMetadata?: (url: string) => Promise<string>;
}

export interface SsoFinished {
  purpose: SsoPurpose;
  token: string;
  returnPath: string;
  user: UserAccount;
}

/**
 * The protocol-neutral company sign-in (DESIGN.md §11): a start stores a single-use request bound
 * to the browser and sends it to the IdP through the enterprise's protocol; the IdP's answer is
 * checked by the protocol and recorded against its request (a second answer is a replay); the
 * browser that started it then gets its session — the IdP's email matched, case-insensitively, to
 * a usable account of THAT enterprise. The IdP's own sign-in (its MFA included) stands in for our
 * TOTP. Every refusal has its SSO_* code and an audit entry.
 */
export class SsoService {
  readonly #d: SsoServiceDeps;
  readonly #now: () => Date;
  readonly #metadata = new Map<string, { at: number; xml: string }>();

  constructor(deps: SsoServiceDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  enterprise(slug: string): EnterpriseRecord {
    const enterprise = /^[a-z0-9-]{2,63}$/.test(slug) ? this.#d.directory.findEnterpriseBySlug(slug) : null;
    if (!enterprise) throw new EdgeError('ENTERPRISE_NOT_FOUND');
    return enterprise;
  }

  settings(enterpriseId: string): SsoSettings | null {
    return this.#d.policies.get(enterpriseId).document.sso;
  }

  baseUrl(enterprise: EnterpriseRecord): string {
    return `${new URL(this.#d.publicOrigin()).origin}/auth/${enterprise.slug}`;
  }

  /** The protocol set for the enterprise; SSO_NOT_CONFIGURED without one (or when asked for another). */
  #protocol(
    enterprise: EnterpriseRecord,
    wanted?: SsoProtocolName,
  ): { settings: SsoSettings; protocol: SsoProtocol } {
    const settings = this.settings(enterprise.id);
    if (!settings || (wanted !== undefined && settings.protocol !== wanted))
      throw new EdgeError(
        'SSO_NOT_CONFIGURED',
        wanted && settings ? `This enterprise signs in with ${settings.protocol}, not ${wanted}.` : undefined,
      );
    const protocol = this.#d.protocols[settings.protocol];
    if (!protocol)
      throw new EdgeError('SSO_NOT_CONFIGURED', `This edge has no ${settings.protocol} sign-in built in.`);
    return { settings, protocol };
  }

  /** The IdP described by the settings (metadata XML, URL, or the explicit fields). */
  async idp(settings: SsoSettings): Promise<IdpMetadata | null> {
    if (settings.protocol === 'oidc') return null;
    let metadata: IdpMetadata;
    if (settings.metadataXml !== null) metadata = parseIdpMetadata(settings.metadataXml);
    else if (settings.metadataUrl !== null)
      metadata = parseIdpMetadata(await this.#fetch(settings.metadataUrl));
    else
      metadata = {
        entityId: settings.idpEntityId!,
        ssoUrl: settings.protocol === 'saml' ? settings.entryPoint : null,
        wsfedUrl: settings.protocol === 'wsfed' ? settings.entryPoint : null,
        sloUrl: settings.logoutUrl,
        certificates: [settings.idpCertificate!],
      };
    // Explicit fields win over the metadata's (an admin correcting one thing).
    if (settings.logoutUrl !== null) metadata = { ...metadata, sloUrl: settings.logoutUrl };
    return pinCertificates(metadata, settings.idpCertificateFingerprint);
  }

  async #fetch(url: string): Promise<string> {
    const cached = this.#metadata.get(url);
    const now = this.#now().getTime();
    if (cached && now - cached.at < METADATA_TTL_MS) return cached.xml;
    try {
      const xml = await (this.#d.fetchMetadata ?? fetchIdpMetadata)(url);
      parseIdpMetadata(xml);
      this.#metadata.set(url, { at: now, xml });
      return xml;
    } catch (error) {
      // An IdP whose metadata URL is down for a moment still signs people in with what we had.
      if (cached) {
        this.#d.logger?.warn({ url, err: error }, 'SSO metadata refresh failed; using the last copy');
        return cached.xml;
      }
      throw error;
    }
  }

  async context(enterprise: EnterpriseRecord, settings: SsoSettings): Promise<SsoContext> {
    const baseUrl = this.baseUrl(enterprise);
    return {
      settings,
      idp: await this.idp(settings),
      clientSecret: settings.protocol === 'oidc' ? this.#d.secrets.get(enterprise.id) : null,
      baseUrl,
      entityId: `${baseUrl}/${settings.protocol}`,
      now: this.#now,
      clockSkewSeconds: SSO_CLOCK_SKEW_SECONDS,
    };
  }

  /** A new request and the IdP's URL for it. The browser binding is kept when the browser has one. */
  async start(input: {
    slug: string;
    purpose: SsoPurpose;
    returnPath: unknown;
    binding: string | undefined;
    source: string;
    nonce?: string;
    codeVerifier?: string;
  }): Promise<{ redirectUrl: string; binding: string }> {
    const enterprise = this.enterprise(input.slug);
    const { settings, protocol } = this.#protocol(enterprise);
    const binding = isBrowserBinding(input.binding) ? input.binding : newBrowserBinding();
    const context = await this.context(enterprise, settings);
    const oidc = protocol.name === 'oidc';
    const request = this.#d.requests.create({
      enterpriseId: enterprise.id,
      protocol: protocol.name,
      purpose: input.purpose,
      returnPath: safeReturnPath(input.returnPath, input.purpose === 'console' ? '/admin/' : '/account/'),
      browserBinding: binding,
      nonce: oidc ? (input.nonce ?? randomToken()) : null,
      codeVerifier: oidc ? (input.codeVerifier ?? randomToken()) : null,
    });
    const { redirectUrl } = await protocol.begin(context, request);
    return { redirectUrl, binding };
  }

  /**
   * The IdP's answer at our ACS / wsfed / callback URL, checked by the protocol and recorded
   * against its request. Returns the request id for the browser to finish with.
   */
  async answer(input: {
    slug: string;
    protocol: SsoProtocolName;
    answer: { body: Record<string, unknown>; query: Record<string, unknown>; url: string };
    source: string;
  }): Promise<string> {
    const enterprise = this.enterprise(input.slug);
    try {
      const { settings, protocol } = this.#protocol(enterprise, input.protocol);
      const context = await this.context(enterprise, settings);
      const { requestId, identity } = await protocol.complete(context, input.answer, (id) =>
        this.#d.requests.pending(id, enterprise.id, protocol.name),
      );
      const request = this.#d.requests.pending(requestId, enterprise.id, protocol.name);
      if (!request) throw new EdgeError('SSO_REQUEST_UNKNOWN');
      this.#d.requests.answer(requestId, identity);
      return requestId;
    } catch (error) {
      this.#refused(enterprise, input.protocol, error, input.source, {});
      throw error;
    }
  }

  /** The browser that started the request gets its session (console or account). */
  finish(input: {
    slug: string;
    requestId: unknown;
    binding: string | undefined;
    source: string;
  }): SsoFinished {
    const enterprise = this.enterprise(input.slug);
    const protocolName = this.settings(enterprise.id)?.protocol ?? 'saml';
    let email: string | undefined;
    let user: UserAccount | null = null;
    try {
      const request = this.#d.requests.take(String(input.requestId ?? ''), enterprise.id, input.binding);
      const identity = request.identity!;
      email = identity.email;
      user = this.#match(enterprise, identity);
      if (request.purpose === 'console' && user.role === 'user')
        throw new EdgeError('SSO_CONSOLE_NOT_ALLOWED');
      const sessions = request.purpose === 'console' ? this.#d.consoleSessions : this.#d.accountSessions;
      const session = sessions.create(user.id, input.source);
      this.#d.links.record(
        {
          sessionId: session.sessionId,
          enterpriseId: enterprise.id,
          protocol: request.protocol,
          subject: identity.subject,
          logoutHint: identity.logoutHint,
        },
        this.#now(),
      );
      this.#d.users.recordSignIn?.(user.id, this.#now());
      this.#d.audit.record({
        enterpriseId: enterprise.id,
        actor: `user:${user.id}`,
        action: 'auth.sign-in',
        target: user.id,
        details: { channel: request.purpose, via: 'sso', protocol: request.protocol },
        source: input.source,
      });
      return { purpose: request.purpose, token: session.token, returnPath: request.returnPath, user };
    } catch (error) {
      this.#refused(enterprise, protocolName, error, input.source, {
        ...(email !== undefined ? { email: email.slice(0, 254) } : {}),
        ...(user ? { userId: user.id } : {}),
      });
      throw error;
    }
  }

  /** The usable account of this enterprise with the IdP's email; refusals name why. */
  #match(enterprise: EnterpriseRecord, identity: SsoIdentity): UserAccount {
    const email = identity.email.trim();
    if (email === '' || email.length > 254 || !email.includes('@')) throw new EdgeError('SSO_EMAIL_MISSING');
    // users.email is COLLATE NOCASE: the match is case-insensitive.
    const user = this.#d.users.findByEmail(enterprise.id, email);
    if (!user || user.deletedAt !== null) throw new EdgeError('SSO_USER_UNKNOWN');
    if (user.disabledAt !== null) throw new EdgeError('ACCOUNT_DISABLED');
    if (isLocked(user, this.#now())) throw new EdgeError('ACCOUNT_LOCKED');
    return user;
  }

  #refused(
    enterprise: EnterpriseRecord,
    protocol: SsoProtocolName,
    error: unknown,
    source: string,
    extra: { email?: string; userId?: string },
  ): void {
    const code = error instanceof EdgeError ? error.code : 'INTERNAL';
    if (!(error instanceof EdgeError)) this.#d.logger?.error({ err: error }, 'SSO sign-in failed');
    try {
      this.#d.audit.record({
        enterpriseId: enterprise.id,
        actor: extra.userId ? `user:${extra.userId}` : 'anonymous',
        action: 'auth.sign-in-failed',
        target: extra.userId ?? null,
        details: { channel: 'sso', protocol, code, ...(extra.email ? { email: extra.email } : {}) },
        source,
      });
    } catch (auditError) {
      this.#d.logger?.error({ err: auditError }, 'SSO refusal could not be audited');
    }
  }

  /** Our service-provider metadata for the enterprise's protocol (SAML, WS-Fed). */
  async metadata(slug: string, protocolName: SsoProtocolName): Promise<string> {
    const enterprise = this.enterprise(slug);
    const { settings, protocol } = this.#protocol(enterprise, protocolName);
    const xml = protocol.metadata(await this.#spContext(enterprise, settings));
    if (xml === null)
      throw new EdgeError('SSO_NOT_CONFIGURED', `${protocolName} has no service-provider metadata.`);
    return xml;
  }

  // SP metadata does not need the IdP: it is downloadable before the IdP is reachable.
  async #spContext(enterprise: EnterpriseRecord, settings: SsoSettings): Promise<SsoContext> {
    try {
      return await this.context(enterprise, settings);
    } catch {
      const baseUrl = this.baseUrl(enterprise);
      return {
        settings,
        idp: null,
        clientSecret: null,
        baseUrl,
        entityId: `${baseUrl}/${settings.protocol}`,
        now: this.#now,
        clockSkewSeconds: SSO_CLOCK_SKEW_SECONDS,
      };
    }
  }

  /**
   * Signs a web session out here and answers where the browser goes next: the IdP's single logout
   * when the session came from it and the IdP offers one, else null.
   */
  async logout(input: {
    slug: string;
    sessionId: string;
    sessions: ConsoleSessions;
    userId: string;
    source: string;
  }): Promise<string | null> {
    const enterprise = this.enterprise(input.slug);
    const link = this.#d.links.get(input.sessionId);
    input.sessions.revoke({ sessionId: input.sessionId }, 'sign-out');
    this.#d.audit.record({
      enterpriseId: enterprise.id,
      actor: `user:${input.userId}`,
      action: 'auth.sign-out',
      target: input.userId,
      details: {
        channel: input.sessions.audience,
        via: link ? 'sso' : 'password',
        ...(link ? { protocol: link.protocol } : {}),
      },
      source: input.source,
    });
    if (!link || link.enterpriseId !== enterprise.id) return null;
    const settings = this.settings(enterprise.id);
    const protocol =
      settings && settings.protocol === link.protocol ? this.#d.protocols[link.protocol] : undefined;
    if (!settings || !protocol) return null;
    try {
      return await protocol.logoutUrl(await this.context(enterprise, settings), {
        subject: link.subject,
        logoutHint: link.logoutHint,
      });
    } catch (error) {
      this.#d.logger?.warn({ err: error }, 'SSO single logout unavailable; signed out here only');
      return null;
    }
  }

  /** IdP-initiated logout for a subject: ends every web session that came from it. */
  endSessionsOf(enterpriseId: string, subject: string, reason = 'idp-logout'): number {
    let ended = 0;
    for (const sessionId of this.#d.links.sessionsOf(enterpriseId, subject)) {
      ended += this.#d.consoleSessions.revoke({ sessionId }, reason);
      ended += this.#d.accountSessions.revoke({ sessionId }, reason);
    }
    return ended;
  }
}

function randomToken(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
}
