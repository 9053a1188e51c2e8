import {
  SAML,
  SamlStatusError,
  ValidateInResponseTo,
  type CacheProvider,
  type Profile,
} from '@node-saml/node-saml';
import { EdgeError } from '../edge-error.ts';
import type { ErrorCode } from '../../../protocol/index.ts';
import type { SsoContext, SsoIdentity, SsoPendingRequest, SsoProtocol } from './sso-protocol.ts';
import { SSO_REQUEST_TTL_MS } from './sso-requests.ts';

const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';
/** A SAMLResponse is a few KiB; an IdP's with many attributes tens of KiB. Beyond: not an IdP's. */
const MAX_RESPONSE_CHARS = 512 * 1024;

/** What a SAML single logout needs of the sign-in (kept as SsoIdentity.logoutHint). */
interface SamlLogoutHint {
  nameID: string;
  nameIDFormat: string;
  sessionIndex?: string;
  nameQualifier?: string;
  spNameQualifier?: string;
}

/** node-saml's errors are plain Errors: their messages, mapped to our stable codes. */
const ERROR_MAP: [RegExp, ErrorCode][] = [
  [/InResponseTo|SubjectInResponseTo/i, 'SSO_REQUEST_UNKNOWN'],
  [/signature|Cannot obtain assertion|multiple assertions/i, 'SSO_SIGNATURE_INVALID'],
  [/not yet valid|expired|too old/i, 'SSO_RESPONSE_EXPIRED'],
  [/audience/i, 'SSO_AUDIENCE_MISMATCH'],
  [/issuer/i, 'SSO_ISSUER_MISMATCH'],
  [/subject confirmation/i, 'SSO_RESPONSE_EXPIRED'],
];

export function samlError(error: unknown): EdgeError {
  if (error instanceof EdgeError) return error;
  if (error instanceof SamlStatusError)
    return new EdgeError('SSO_IDP_ERROR', `The identity provider did not sign you in (${error.message}).`);
  const message = error instanceof Error ? error.message : String(error);
  const code = ERROR_MAP.find(([pattern]) => pattern.test(message))?.[1] ?? 'SSO_RESPONSE_INVALID';
  return new EdgeError(code, undefined, { cause: error });
}

const first = (value: unknown): string | null => {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
};

/**
 * SAML 2.0 Web Browser SSO with @node-saml/node-saml: AuthnRequest by HTTP-Redirect, Response by
 * HTTP-POST at our ACS. The IdP must sign the Response or the Assertion (node-saml refuses one
 * that is neither, takes the assertion only from the signed XML, and refuses more than one
 * assertion: signature wrapping); the audience must be our entity ID, the Issuer the IdP's, the
 * times within the skew, InResponseTo one of our stored requests and RelayState that same id.
 */
export class SamlProtocol implements SsoProtocol {
  readonly name = 'saml' as const;

  #saml(
    context: SsoContext,
    options: { id?: string; find?: (id: string) => SsoPendingRequest | null } = {},
  ): SAML {
    const idp = context.idp;
    const cache: CacheProvider = {
      // Requests are stored by the neutral layer before begin(); node-saml only asks about them.
      saveAsync: () => Promise.resolve(null),
      getAsync: (id) => Promise.resolve(options.find?.(id)?.createdAt ?? null),
      // A refused answer does not use up the request (no one can spoil another's sign-in).
      removeAsync: () => Promise.resolve(null),
    };
    return new SAML({
      // The constructor wants a certificate even where none is used (SP metadata).
      idpCert: idp && idp.certificates.length > 0 ? idp.certificates : 'none',
      issuer: context.entityId,
      audience: context.entityId,
      callbackUrl: `${context.baseUrl}/saml/acs`,
      logoutCallbackUrl: `${context.baseUrl}/saml/slo`,
      ...(idp?.ssoUrl ? { entryPoint: idp.ssoUrl } : {}),
      ...(idp?.sloUrl ? { logoutUrl: idp.sloUrl } : {}),
      ...(idp ? { idpIssuer: idp.entityId } : {}),
      wantAssertionsSigned: false,
      wantAuthnResponseSigned: false,
      acceptedClockSkewMs: context.clockSkewSeconds * 1000,
      validateInResponseTo: options.find ? ValidateInResponseTo.always : ValidateInResponseTo.never,
      requestIdExpirationPeriodMs: SSO_REQUEST_TTL_MS,
      cacheProvider: cache,
      ...(options.id ? { generateUniqueId: () => options.id! } : {}),
      // No NameIDPolicy nor RequestedAuthnContext: the IdP picks its NameID and its own MFA.
      identifierFormat: null,
      disableRequestedAuthnContext: true,
      signatureAlgorithm: 'sha256',
      digestAlgorithm: 'sha256',
    });
  }

  #idp(context: SsoContext) {
    if (!context.idp?.ssoUrl)
      throw new EdgeError(
        'SSO_METADATA_INVALID',
        "The identity provider's metadata names no SAML sign-in URL.",
      );
    return context.idp;
  }

  async begin(context: SsoContext, request: SsoPendingRequest): Promise<{ redirectUrl: string }> {
    this.#idp(context);
    const url = await this.#saml(context, { id: request.id }).getAuthorizeUrlAsync(request.id, undefined, {});
    return { redirectUrl: url };
  }

  async complete(
    context: SsoContext,
    answer: { body: Record<string, unknown>; query: Record<string, unknown>; url: string },
    find: (requestId: string) => SsoPendingRequest | null,
  ): Promise<{ requestId: string; identity: SsoIdentity }> {
    this.#idp(context);
    const response = answer.body.SAMLResponse;
    const relayState = answer.body.RelayState;
    if (typeof response !== 'string' || response.length === 0 || response.length > MAX_RESPONSE_CHARS)
      throw new EdgeError('SSO_RESPONSE_INVALID', 'The POST carries no SAMLResponse (or one far too large).');
    if (!/^[A-Za-z0-9+/=\s]+$/.test(response)) throw new EdgeError('SSO_RESPONSE_INVALID');
    let profile: Profile | null;
    try {
      ({ profile } = await this.#saml(context, { find }).validatePostResponseAsync({
        SAMLResponse: response,
        ...(typeof relayState === 'string' ? { RelayState: relayState } : {}),
      }));
    } catch (error) {
      throw samlError(error);
    }
    if (!profile) throw new EdgeError('SSO_RESPONSE_INVALID', 'The SAML message is not a sign-in response.');
    // node-saml checks the Issuer of logout messages only: the assertion's is ours to check.
    if (profile.issuer !== context.idp!.entityId) throw new EdgeError('SSO_ISSUER_MISMATCH');
    const requestId = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : null;
    if (requestId === null || find(requestId) === null) throw new EdgeError('SSO_REQUEST_UNKNOWN');
    if (relayState !== requestId) throw new EdgeError('SSO_STATE_INVALID');
    const claim = context.settings.emailClaim;
    const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
    const email =
      first((profile as Record<string, unknown>)[claim]) ??
      first(attributes[claim]) ??
      (profile.nameIDFormat === EMAIL_FORMAT ? first(profile.nameID) : null);
    if (email === null) throw new EdgeError('SSO_EMAIL_MISSING');
    const hint: SamlLogoutHint = {
      nameID: profile.nameID,
      nameIDFormat: profile.nameIDFormat,
      ...(profile.sessionIndex ? { sessionIndex: profile.sessionIndex } : {}),
      ...(profile.nameQualifier ? { nameQualifier: profile.nameQualifier } : {}),
      ...(profile.spNameQualifier ? { spNameQualifier: profile.spNameQualifier } : {}),
    };
    return { requestId, identity: { email, subject: profile.nameID, logoutHint: JSON.stringify(hint) } };
  }

  metadata(context: SsoContext): string {
    return this.#saml(context).generateServiceProviderMetadata(null, null);
  }

  async logoutUrl(
    context: SsoContext,
    identity: Pick<SsoIdentity, 'subject' | 'logoutHint'>,
  ): Promise<string | null> {
    if (!context.idp?.sloUrl || identity.logoutHint === null) return null;
    const hint = JSON.parse(identity.logoutHint) as SamlLogoutHint;
    const profile = { issuer: context.idp.entityId, ...hint } as Profile;
    return this.#saml(context).getLogoutUrlAsync(profile, '', {});
  }

  /**
   * A message at our SLO URL (HTTP-Redirect, signed by the IdP in its query): the IdP's answer to
   * our logout (→ `{ kind: 'response' }`), or an IdP-initiated logout of a subject (→ the IdP's URL
   * with our LogoutResponse, once the caller ended that subject's sessions).
   */
  async logoutMessage(
    context: SsoContext,
    query: Record<string, unknown>,
    originalQuery: string,
  ): Promise<{ kind: 'response' } | { kind: 'request'; subject: string; reply: () => Promise<string> }> {
    this.#idp(context);
    const saml = this.#saml(context);
    let result: { profile: Profile | null; loggedOut: boolean };
    try {
      result = await saml.validateRedirectAsync(query as never, originalQuery);
    } catch (error) {
      throw samlError(error);
    }
    if (!result.profile) return { kind: 'response' };
    const profile = result.profile;
    const relay = typeof query.RelayState === 'string' ? query.RelayState : '';
    return {
      kind: 'request',
      subject: profile.nameID,
      reply: () => saml.getLogoutResponseUrlAsync(profile, relay, {}, true),
    };
  }
}
