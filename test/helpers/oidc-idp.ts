import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt, type CryptoKey, type JWK } from 'jose';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { CookieJarClient, htmlForm } from './cookie-jar-client.ts';

/**
 * A real OpenID Connect provider (npm oidc-provider 9) in this process on 127.0.0.1 and a free
 * port, for the OIDC protocol's tests. Its dev interactions give a login form (any password) whose
 * login is the account id; the consent step is skipped for the one client, as a first-party app is
 * at a company IdP. `tamperIdToken` re-signs the ID token the token endpoint returns with the
 * provider's own key after changing its claims: that is how the refusal tests get a token for
 * another client, from another issuer, with another nonce or an expired one, through the real flow.
 */

export interface OidcAccount {
  /** Claims released with the `email` scope (and `profile` for any other name). */
  email?: string;
  email_verified?: boolean;
  [claim: string]: unknown;
}

export interface OidcIdpOptions {
  /** Our redirect URI, registered for the client. */
  redirectUri: string;
  /** Where the provider may send the browser after logout (registered post_logout_redirect_uri). */
  postLogoutRedirectUri?: string;
  clientId?: string;
  clientSecret?: string;
  /** Account id (the login typed on the form) → claims. */
  accounts: Record<string, OidcAccount>;
  /** ID token lifetime in seconds (default 3600). */
  idTokenTtlSeconds?: number;
  /** Token endpoint client authentication methods the provider advertises. */
  tokenEndpointAuthMethods?: Array<'client_secret_basic' | 'client_secret_post'>;
  /** Put the scope claims in the ID token too (default: only at userinfo, as the spec says). */
  claimsInIdToken?: boolean;
}

export interface OidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  provider: Provider;
  /** Every token endpoint request's client authentication method seen (basic / post). */
  tokenAuthMethodsSeen: string[];
  /**
   * Replace the claims of the next ID tokens (null: stop). The result is signed with the provider's
   * key, or with `foreignKey`: another key under the provider's kid (a forgery).
   */
  tamperIdToken(
    change: ((claims: Record<string, unknown>) => Record<string, unknown>) | null,
    options?: { foreignKey?: boolean },
  ): void;
  /** A JWT signed with the provider's signing key (same kid), for hand-made tokens. */
  sign(claims: Record<string, unknown>): Promise<string>;
  stop(): Promise<void>;
}

export async function startOidcIdp(options: OidcIdpOptions): Promise<OidcIdp> {
  const clientId = options.clientId ?? 'mfp-edge';
  const clientSecret = options.clientSecret ?? `secret-${randomUUID()}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `k-${randomUUID().slice(0, 8)}`;
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };

  // Listen first: the issuer must carry the port.
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;

  const authMethods = options.tokenEndpointAuthMethods ?? ['client_secret_basic', 'client_secret_post'];
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        post_logout_redirect_uris:
          options.postLogoutRedirectUri === undefined ? [] : [options.postLogoutRedirectUri],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        token_endpoint_auth_method: authMethods[0],
      },
    ],
    clientAuthMethods: authMethods,
    jwks: { keys: [privateJwk] },
    cookies: { keys: [randomUUID()] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'upn'] },
    conformIdTokenClaims: options.claimsInIdToken !== true,
    pkce: { required: () => true },
    ttl: {
      IdToken: options.idTokenTtlSeconds ?? 3600,
      AccessToken: 600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      DeviceCode: 600,
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      deviceFlow: { enabled: true },
    },
    async findAccount(_ctx, id) {
      const account = options.accounts[id];
      if (account === undefined) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, ...account };
        },
      };
    },
    // The one client is first-party: grant its requested scopes without a consent page.
    async loadExistingGrant(ctx) {
      const session = ctx.oidc.session;
      const oidcClient = ctx.oidc.client;
      if (session?.accountId === undefined || oidcClient === undefined) return undefined;
      const grantId = session.grantIdFor(oidcClient.clientId);
      if (grantId !== undefined) {
        const existing = await ctx.oidc.provider.Grant.find(grantId);
        if (existing !== undefined) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({
        clientId: oidcClient.clientId,
        accountId: session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      grant.addOIDCClaims(['email', 'email_verified', 'name', 'upn']);
      await grant.save();
      return grant;
    },
  };

  const provider = new Provider(issuer, configuration);
  const tokenAuthMethodsSeen: string[] = [];
  let tamper: ((claims: Record<string, unknown>) => Record<string, unknown>) | null = null;
  let tamperKey: CryptoKey = privateKey;
  const foreignKey = (await generateKeyPair('RS256')).privateKey;

  async function sign(claims: Record<string, unknown>, key: CryptoKey = privateKey): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' }).sign(key);
  }

  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    if (ctx.path === '/token' && ctx.method === 'POST')
      tokenAuthMethodsSeen.push(ctx.headers.authorization?.startsWith('Basic ') === true ? 'basic' : 'post');
    await next();
    const body = ctx.body as { id_token?: unknown } | undefined;
    if (tamper !== null && ctx.path === '/token' && body !== undefined && typeof body.id_token === 'string')
      body.id_token = await sign(tamper(decodeJwt(body.id_token) as Record<string, unknown>), tamperKey);
  });

  server.on('request', provider.callback());

  return {
    issuer,
    clientId,
    clientSecret,
    provider,
    tokenAuthMethodsSeen,
    tamperIdToken(change, tamperOptions = {}) {
      tamper = change;
      tamperKey = tamperOptions.foreignKey === true ? foreignKey : privateKey;
    },
    sign: (claims) => sign(claims),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Follows the browser's path from our authorization URL through the provider's login form to the
 * redirect back to us, and returns that callback URL (with code and state, or an error). `client`
 * keeps the cookies (pass the one that started the sign-in at the edge).
 */
export async function signInAtOidcIdp(
  authorizationUrl: string,
  login: string,
  redirectUri: string,
  client = new CookieJarClient(),
): Promise<URL> {
  let url = authorizationUrl;
  let form: Record<string, string> | undefined;
  for (let hop = 0; hop < 12; hop++) {
    if (url.startsWith(redirectUri)) return new URL(url);
    const response = await client.request(url, form === undefined ? {} : { form });
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel();
      url = new URL(location, url).href;
      form = undefined;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`The provider answered ${response.status} at ${url}: ${html.slice(0, 300)}`);
    const page = htmlForm(html);
    url = new URL(page.action, url).href;
    form = page.fields.prompt === 'login' ? { ...page.fields, login, password: 'any' } : page.fields;
  }
  throw new Error('The sign-in at the provider did not come back to the redirect URI in 12 steps');
}
