import * as client from 'openid-client';
import { EdgeError } from '../edge-error.ts';
import type { ErrorCode } from '../../../protocol/index.ts';
import type {
  SsoBeginResult,
  SsoContext,
  SsoIdentity,
  SsoPendingRequest,
  SsoProtocol,
} from './sso-protocol.ts';

/**
 * OpenID Connect (authorization code flow with PKCE S256) through openid-client 6. The provider's
 * discovery document is fetched once per issuer and cached; every call builds a fresh
 * Configuration from it so the clock (context.now) and skew of that call apply.
 */

/** A discovery document older than this is fetched again (key rotation, moved endpoints). */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
/** Seconds any one request to the provider may take (discovery, token, userinfo, JWKS). */
const PROVIDER_TIMEOUT_SECONDS = 10;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

interface CachedDiscovery {
  server: client.ServerMetadata;
  fetchedAt: number;
  /** Shared across the per-call Configurations so the provider's keys are not fetched each time. */
  jwks: Parameters<typeof client.setJwksCache>[1] | undefined;
}

const discoveryCache = new Map<string, CachedDiscovery>();
const pendingDiscovery = new Map<string, Promise<CachedDiscovery>>();

/** Forgets every cached discovery document (tests, or after an admin changes the issuer). */
export function clearOidcDiscoveryCache(): void {
  discoveryCache.clear();
}

/**
 * Plain http is allowed only to this machine (a test provider on loopback); any other issuer must
 * be https, so tokens and the client secret never cross a network in clear.
 */
export function issuerUrl(issuer: string | null): { url: URL; insecure: boolean } {
  if (issuer === null) throw new EdgeError('SSO_DISCOVERY_FAILED', 'OpenID Connect needs sso.issuer.');
  let url: URL;
  try {
    url = new URL(issuer);
  } catch (cause) {
    throw new EdgeError('SSO_DISCOVERY_FAILED', `sso.issuer is not a URL: ${issuer}`, { cause });
  }
  if (url.protocol === 'https:') return { url, insecure: false };
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return { url, insecure: true };
  throw new EdgeError('SSO_INSECURE_ISSUER');
}

async function discover(issuer: string): Promise<CachedDiscovery> {
  const cached = discoveryCache.get(issuer);
  if (cached !== undefined && Date.now() - cached.fetchedAt < DISCOVERY_TTL_MS) return cached;
  const running = pendingDiscovery.get(issuer);
  if (running !== undefined) return running;
  const { url, insecure } = issuerUrl(issuer);
  const fetching = (async () => {
    try {
      // The client id given here is a placeholder: only the server metadata is kept.
      const config = await client.discovery(url, 'discovery', undefined, undefined, {
        timeout: PROVIDER_TIMEOUT_SECONDS,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      });
      const entry: CachedDiscovery = {
        server: { ...config.serverMetadata() },
        fetchedAt: Date.now(),
        jwks: undefined,
      };
      discoveryCache.set(issuer, entry);
      return entry;
    } catch (cause) {
      throw new EdgeError(
        'SSO_DISCOVERY_FAILED',
        `The OpenID Connect discovery document of ${issuer} could not be read: ${describe(cause)}`,
        { cause },
      );
    } finally {
      pendingDiscovery.delete(issuer);
    }
  })();
  pendingDiscovery.set(issuer, fetching);
  return fetching;
}

/** client_secret_basic unless the provider advertises only client_secret_post (RFC 8414 default). */
function clientAuthFor(server: client.ServerMetadata, secret: string): client.ClientAuth {
  const methods = server.token_endpoint_auth_methods_supported;
  if (methods === undefined || methods.includes('client_secret_basic'))
    return client.ClientSecretBasic(secret);
  if (methods.includes('client_secret_post')) return client.ClientSecretPost(secret);
  throw new EdgeError(
    'SSO_DISCOVERY_FAILED',
    `The provider accepts neither client_secret_basic nor client_secret_post at its token endpoint (it offers ${methods.join(', ')}).`,
  );
}

async function configurationFor(
  context: SsoContext,
  withSecret: boolean,
): Promise<{ config: client.Configuration; entry: CachedDiscovery }> {
  const { settings } = context;
  const { insecure } = issuerUrl(settings.issuer);
  const entry = await discover(settings.issuer as string);
  if (settings.clientId === null)
    throw new EdgeError('INTERNAL', 'OpenID Connect needs sso.clientId (the policy schema requires it).');
  let auth: client.ClientAuth | undefined;
  if (withSecret) {
    if (context.clientSecret === null) throw new EdgeError('SSO_CLIENT_SECRET_MISSING');
    auth = clientAuthFor(entry.server, context.clientSecret);
  }
  // openid-client reads the clock itself; clockSkew shifts it to context.now (RFC: "local clock
  // offset"), clockTolerance is the accepted difference with the provider's.
  const offsetSeconds = Math.round((context.now().getTime() - Date.now()) / 1000);
  const config = new client.Configuration(
    entry.server,
    settings.clientId,
    {
      [client.clockSkew]: offsetSeconds,
      [client.clockTolerance]: context.clockSkewSeconds,
    },
    auth,
  );
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  if (insecure) client.allowInsecureRequests(config);
  // openid-client trusts an ID token from the token endpoint on TLS alone (OIDC Core 3.1.3.7 #6
  // allows it); we check its signature against the provider's keys anyway: fail closed.
  client.enableNonRepudiationChecks(config);
  if (entry.jwks !== undefined) client.setJwksCache(config, entry.jwks);
  return { config, entry };
}

function redirectUri(context: SsoContext): string {
  return `${context.baseUrl}/oidc/callback`;
}

/** The callback's query as strings only: a repeated or nested parameter is not an OIDC answer. */
function callbackUrl(context: SsoContext, query: Record<string, unknown>): URL {
  const url = new URL(redirectUri(context));
  for (const [key, value] of Object.entries(query)) {
    if (typeof value !== 'string')
      throw new EdgeError('SSO_RESPONSE_INVALID', `The callback parameter ${key} is repeated or not text.`);
    url.searchParams.set(key, value);
  }
  return url;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

/** The claim a failed openid-client / oauth4webapi check names (cause chain: ClientError → OPE). */
function failedClaim(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const claim = (current as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The messages down the cause chain: openid-client's own one is generic, its cause names the check. */
function causeMessages(error: unknown): string[] {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages;
}

/** Turns what openid-client throws during the callback into one stable SSO_* refusal. */
function refusal(error: unknown): EdgeError {
  if (error instanceof EdgeError) return error;
  const reason = describe(error);
  if (error instanceof client.AuthorizationResponseError)
    return new EdgeError(
      'SSO_IDP_ERROR',
      `The provider answered ${error.error}: ${error.error_description ?? ''}`.trim(),
      {
        cause: error,
      },
    );
  if (
    error instanceof client.WWWAuthenticateChallengeError ||
    (error instanceof client.ResponseBodyError && error.error === 'invalid_client')
  )
    return new EdgeError(
      'SSO_IDP_ERROR',
      "The provider refused this edge's client credentials (invalid_client): check the client ID and secret set for company sign-in.",
      { cause: error },
    );
  if (error instanceof client.ResponseBodyError) {
    const code: ErrorCode = error.error === 'invalid_grant' ? 'SSO_CODE_REJECTED' : 'SSO_IDP_ERROR';
    return new EdgeError(code, undefined, { cause: error });
  }
  const oauthCode = (error as { code?: unknown } | null)?.code;
  const claim = failedClaim(error);
  if (oauthCode === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED')
    return new EdgeError('SSO_RESPONSE_EXPIRED', undefined, { cause: error });
  if (
    oauthCode === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' ||
    oauthCode === 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED'
  ) {
    if (claim === 'aud' || claim === 'azp')
      return new EdgeError('SSO_AUDIENCE_MISMATCH', undefined, { cause: error });
    if (claim === 'iss') return new EdgeError('SSO_ISSUER_MISMATCH', undefined, { cause: error });
    if (claim === 'nonce') return new EdgeError('SSO_NONCE_INVALID', undefined, { cause: error });
    if (claim === 'state') return new EdgeError('SSO_REQUEST_UNKNOWN', undefined, { cause: error });
  }
  // RFC 9207: the callback's own `iss` parameter names another provider (a mix-up attack).
  if (causeMessages(error).some((m) => /"iss" \(issuer\) response parameter/.test(m)))
    return new EdgeError('SSO_ISSUER_MISMATCH', 'The sign-in answer names another identity provider (iss).', {
      cause: error,
    });
  if (oauthCode === 'OAUTH_KEY_SELECTION_FAILED' || causeMessages(error).some((m) => /signature/i.test(m)))
    return new EdgeError('SSO_SIGNATURE_INVALID', undefined, { cause: error });
  if (oauthCode === 'OAUTH_HTTP_REQUEST_FORBIDDEN' || oauthCode === 'OAUTH_REQUEST_PROTOCOL_FORBIDDEN')
    return new EdgeError('SSO_INSECURE_ISSUER', undefined, { cause: error });
  if (error instanceof TypeError || (error as { name?: unknown } | null)?.name === 'TimeoutError')
    return new EdgeError('SSO_DISCOVERY_FAILED', `The provider could not be reached: ${reason}`, {
      cause: error,
    });
  return new EdgeError('SSO_RESPONSE_INVALID', `The provider's answer was refused: ${reason}`, {
    cause: error,
  });
}

function stringClaim(claims: Record<string, unknown> | undefined, name: string): string | null {
  const value = claims?.[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export class OidcProtocol implements SsoProtocol {
  readonly name = 'oidc' as const;

  async begin(context: SsoContext, request: SsoPendingRequest): Promise<SsoBeginResult> {
    if (request.nonce === null || request.codeVerifier === null)
      throw new EdgeError('INTERNAL', 'An OpenID Connect request needs a nonce and a PKCE verifier.');
    const { config } = await configurationFor(context, false);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri(context),
      response_type: 'code',
      scope: scopeFor(context.settings.emailClaim),
      state: request.id,
      nonce: request.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
    });
    return { redirectUrl: url.href };
  }

  async complete(
    context: SsoContext,
    answer: { body: Record<string, unknown>; query: Record<string, unknown>; url: string },
    find: (requestId: string) => SsoPendingRequest | null,
  ): Promise<{ requestId: string; identity: SsoIdentity }> {
    const state = answer.query.state;
    if (typeof state !== 'string' || state === '')
      throw new EdgeError('SSO_REQUEST_UNKNOWN', 'The callback carries no state: start the sign-in again.');
    const request = find(state);
    if (request === null) throw new EdgeError('SSO_REQUEST_UNKNOWN');
    if (request.nonce === null || request.codeVerifier === null)
      throw new EdgeError('SSO_REQUEST_UNKNOWN', 'The stored request is not an OpenID Connect one.');
    const currentUrl = callbackUrl(context, answer.query);
    const { config, entry } = await configurationFor(context, true);
    let identity: SsoIdentity;
    try {
      const tokens = await client.authorizationCodeGrant(config, currentUrl, {
        expectedState: request.id,
        expectedNonce: request.nonce,
        pkceCodeVerifier: request.codeVerifier,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (claims === undefined) throw new EdgeError('SSO_RESPONSE_INVALID', 'The provider sent no ID token.');
      // oauth4webapi checks exp and nbf, and iat only against max_age: a token dated in the future
      // (a provider's clock far ahead, or a forgery made to last) is refused here.
      const nowSeconds = Math.floor(context.now().getTime() / 1000);
      if (claims.iat > nowSeconds + context.clockSkewSeconds)
        throw new EdgeError(
          'SSO_RESPONSE_EXPIRED',
          'The ID token is dated in the future: check the clocks of the edge and the identity provider.',
        );
      const emailClaim = context.settings.emailClaim;
      let source: Record<string, unknown> = claims;
      let email = stringClaim(claims, emailClaim);
      if (email === null && config.serverMetadata().userinfo_endpoint !== undefined) {
        // Providers following the core spec put scope claims at userinfo, not in the ID token.
        source = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        email = stringClaim(source, emailClaim);
      }
      if (email === null)
        throw new EdgeError(
          'SSO_EMAIL_MISSING',
          `The provider sent no "${emailClaim}" claim: ask your IT team to release it to this app (scope email), or set sso.emailClaim.`,
        );
      if (source.email_verified === false || source.email_verified === 'false')
        throw new EdgeError('SSO_EMAIL_UNVERIFIED');
      identity = { email, subject: claims.sub, logoutHint: tokens.id_token ?? null };
    } catch (error) {
      throw refusal(error);
    } finally {
      entry.jwks = client.getJwksCache(config) ?? entry.jwks;
    }
    return { requestId: request.id, identity };
  }

  metadata(): string | null {
    // OpenID Connect has no service-provider metadata: the admin registers the redirect URI.
    return null;
  }

  async logoutUrl(
    context: SsoContext,
    identity: Pick<SsoIdentity, 'subject' | 'logoutHint'>,
  ): Promise<string | null> {
    const { config } = await configurationFor(context, false);
    if (config.serverMetadata().end_session_endpoint === undefined) return null;
    const parameters: Record<string, string> = { client_id: config.clientMetadata().client_id };
    if (identity.logoutHint !== null) parameters.id_token_hint = identity.logoutHint;
    return client.buildEndSessionUrl(config, parameters).href;
  }
}

/** `email` is a standard scope; another claim name usually comes with `profile`. */
function scopeFor(emailClaim: string): string {
  return emailClaim === 'email' ? 'openid email' : 'openid email profile';
}

export const oidcProtocol = new OidcProtocol();
