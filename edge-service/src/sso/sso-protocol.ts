import type { PolicyDocument } from '../policies/policy-schema.ts';
import type { IdpMetadata } from './idp-metadata.ts';

/**
 * The one interface each company sign-in protocol implements (SAML 2.0, WS-Federation, OpenID
 * Connect). The protocol-neutral part — the `/auth/<slug>/` routes, the stored requests that make
 * a response usable once, matching the IdP's email to a user, auditing, starting the web session —
 * lives beside it in edge-service/src/sso/ and calls these methods; a protocol never touches users,
 * sessions or the database.
 */

export type SsoProtocolName = 'saml' | 'wsfed' | 'oidc';

/** The enterprise's `sso` policy (never null when a protocol is asked). */
export type SsoSettings = NonNullable<PolicyDocument['sso']>;

/** What a protocol needs to know about the enterprise it acts for. */
export interface SsoContext {
  settings: SsoSettings;
  /**
   * SAML / WS-Fed: the IdP as resolved by the neutral layer from `settings` (metadata XML, or the
   * metadata URL fetched and cached, or idpEntityId / entryPoint / idpCertificate), certificates
   * already pinned to `idpCertificateFingerprint` when set. Null for OIDC.
   */
  idp: IdpMetadata | null;
  /** OIDC client secret, opened from the secret box (null when none is set). */
  clientSecret: string | null;
  /** `<edge origin>/auth/<slug>`: every URL we give the IdP starts with it. */
  baseUrl: string;
  /** Our entity ID / audience / client redirect base: `<edge origin>/auth/<slug>/<protocol>`. */
  entityId: string;
  now: () => Date;
  /** Largest accepted difference between our clock and the IdP's, in seconds. */
  clockSkewSeconds: number;
}

/** A sign-in request we sent, as the neutral layer stored it (single use, expiring). */
export interface SsoPendingRequest {
  /** SAML AuthnRequest ID / WS-Fed wctx / OIDC state: what the IdP echoes back. */
  id: string;
  /** OIDC only: the nonce and PKCE verifier given to `begin`. */
  nonce: string | null;
  codeVerifier: string | null;
  createdAt: string;
}

export interface SsoBeginResult {
  /** Where the browser goes (303) to sign in at the IdP. */
  redirectUrl: string;
}

/** Who the IdP says signed in. */
export interface SsoIdentity {
  /** The value of `settings.emailClaim` (not yet matched to a user: the neutral layer does that). */
  email: string;
  /** The IdP's stable subject (SAML NameID, OIDC sub, WS-Fed name identifier). */
  subject: string;
  /** For single logout where the IdP offers it (SAML SessionIndex, OIDC id_token). */
  logoutHint: string | null;
}

export interface SsoProtocol {
  readonly name: SsoProtocolName;
  /**
   * The redirect to the IdP for a new request. `request.id` is fresh random, already stored by the
   * caller, and must come back in the response (InResponseTo / wctx / state).
   */
  begin(context: SsoContext, request: SsoPendingRequest): Promise<SsoBeginResult>;
  /**
   * Checks the IdP's answer — the POST body (SAML, WS-Fed) or the callback URL's query (OIDC) —
   * and returns the request id it answers. Must refuse (throw EdgeError with an SSO_* code) an
   * unsigned or wrongly signed answer, a wrong audience or issuer, a time outside the skew, a
   * wrapped signature. `find` looks up the stored request by id and returns null for an unknown,
   * used or expired one (the neutral layer marks it used once this returns).
   */
  complete(
    context: SsoContext,
    answer: { body: Record<string, unknown>; query: Record<string, unknown>; url: string },
    find: (requestId: string) => SsoPendingRequest | null,
  ): Promise<{ requestId: string; identity: SsoIdentity }>;
  /** Our service-provider metadata (SAML, WS-Fed), null for OIDC. */
  metadata(context: SsoContext): string | null;
  /** The IdP's single-logout redirect, or null when it offers none. */
  logoutUrl(
    context: SsoContext,
    identity: Pick<SsoIdentity, 'subject' | 'logoutHint'>,
  ): Promise<string | null>;
}
