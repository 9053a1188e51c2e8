import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as client from 'openid-client';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import {
  clearOidcDiscoveryCache,
  issuerUrl,
  oidcProtocol,
} from '../../../edge-service/src/sso/oidc-protocol.ts';
import type { SsoContext, SsoPendingRequest } from '../../../edge-service/src/sso/sso-protocol.ts';
import { signInAtOidcIdp, startOidcIdp, type OidcIdp } from '../../helpers/oidc-idp.ts';

/**
 * The OpenID Connect protocol against a real provider (oidc-provider 9 on loopback): begin, the
 * provider's own login form, the callback; and every refusal through that same real flow.
 */

const BASE_URL = 'http://127.0.0.1:9/auth/acme';
const REDIRECT_URI = `${BASE_URL}/oidc/callback`;

const ACCOUNTS = {
  alice: { email: 'Alice@Example.com', email_verified: true },
  unverified: { email: 'bob@example.com', email_verified: false },
  noemail: {},
  upn: { upn: 'carol@corp.example', email_verified: true },
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<EdgeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EdgeError, `expected an EdgeError, got ${String(error)}`);
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    return error;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

describe('OIDC protocol against a real OpenID Connect provider', function () {
  this.timeout(30000);
  let idp: OidcIdp;

  function contextFor(
    overrides: Partial<SsoContext> = {},
    settings: Partial<SsoContext['settings']> = {},
  ): SsoContext {
    return {
      settings: {
        protocol: 'oidc',
        metadataUrl: null,
        metadataXml: null,
        issuer: idp.issuer,
        clientId: idp.clientId,
        emailClaim: 'email',
        idpEntityId: null,
        entryPoint: null,
        logoutUrl: null,
        idpCertificate: null,
        idpCertificateFingerprint: null,
        ...settings,
      },
      idp: null,
      clientSecret: idp.clientSecret,
      baseUrl: BASE_URL,
      entityId: `${BASE_URL}/oidc`,
      now: () => new Date(),
      clockSkewSeconds: 60,
      ...overrides,
    };
  }

  function newRequest(): SsoPendingRequest {
    return {
      id: randomUUID(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      createdAt: new Date().toISOString(),
    };
  }

  /** A request begun, signed in at the provider as `login`, and the callback's query. */
  async function signIn(login: string, context = contextFor()) {
    const request = newRequest();
    const { redirectUrl } = await oidcProtocol.begin(context, request);
    const callback = await signInAtOidcIdp(redirectUrl, login, REDIRECT_URI);
    const query = Object.fromEntries(callback.searchParams);
    return { request, query, answer: { body: {}, query, url: callback.pathname + callback.search } };
  }

  /** `find` as the neutral layer does it: the one stored request, once. */
  function findOnce(request: SsoPendingRequest) {
    let used = false;
    return (id: string) => {
      if (id !== request.id || used) return null;
      used = true;
      return request;
    };
  }

  before(async () => {
    idp = await startOidcIdp({ redirectUri: REDIRECT_URI, accounts: ACCOUNTS });
  });

  after(async () => {
    await idp?.stop();
  });

  beforeEach(() => {
    idp.tamperIdToken(null);
  });

  it('begins with PKCE S256, the state and nonce, and our redirect URI', async () => {
    const request = newRequest();
    const { redirectUrl } = await oidcProtocol.begin(contextFor(), request);
    const url = new URL(redirectUrl);
    assert.equal(url.origin, idp.issuer);
    assert.equal(url.searchParams.get('state'), request.id);
    assert.equal(url.searchParams.get('nonce'), request.nonce);
    assert.equal(url.searchParams.get('redirect_uri'), REDIRECT_URI);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(
      url.searchParams.get('code_challenge'),
      await client.calculatePKCECodeChallenge(request.codeVerifier!),
    );
    assert.equal(url.searchParams.get('client_id'), idp.clientId);
    assert.match(url.searchParams.get('scope')!, /\bopenid\b.*\bemail\b/);
  });

  it('signs in through the provider: the email (from userinfo), the subject and the ID token for logout', async () => {
    const { request, answer } = await signIn('alice');
    const result = await oidcProtocol.complete(contextFor(), answer, findOnce(request));
    assert.equal(result.requestId, request.id);
    assert.equal(result.identity.email, 'Alice@Example.com');
    assert.equal(result.identity.subject, 'alice');
    assert.ok(result.identity.logoutHint !== null && result.identity.logoutHint.split('.').length === 3);
    assert.equal(idp.tokenAuthMethodsSeen.at(-1), 'basic');
  });

  it('takes the email from the ID token when the provider puts it there', async () => {
    const other = await startOidcIdp({
      redirectUri: REDIRECT_URI,
      accounts: ACCOUNTS,
      claimsInIdToken: true,
    });
    try {
      const context = contextFor(
        { clientSecret: other.clientSecret },
        { issuer: other.issuer, clientId: other.clientId },
      );
      const request = newRequest();
      const { redirectUrl } = await oidcProtocol.begin(context, request);
      const callback = await signInAtOidcIdp(redirectUrl, 'alice', REDIRECT_URI);
      const query = Object.fromEntries(callback.searchParams);
      const result = await oidcProtocol.complete(context, { body: {}, query, url: '' }, findOnce(request));
      assert.equal(result.identity.email, 'Alice@Example.com');
    } finally {
      await other.stop();
    }
  });

  it('authenticates with client_secret_post when that is all the provider offers', async () => {
    const other = await startOidcIdp({
      redirectUri: REDIRECT_URI,
      accounts: ACCOUNTS,
      tokenEndpointAuthMethods: ['client_secret_post'],
    });
    try {
      const context = contextFor(
        { clientSecret: other.clientSecret },
        { issuer: other.issuer, clientId: other.clientId },
      );
      const request = newRequest();
      const { redirectUrl } = await oidcProtocol.begin(context, request);
      const callback = await signInAtOidcIdp(redirectUrl, 'alice', REDIRECT_URI);
      const query = Object.fromEntries(callback.searchParams);
      await oidcProtocol.complete(context, { body: {}, query, url: '' }, findOnce(request));
      assert.deepEqual(other.tokenAuthMethodsSeen, ['post']);
    } finally {
      await other.stop();
    }
  });

  it('reads another email claim when settings.emailClaim names it', async () => {
    const context = contextFor({}, { emailClaim: 'upn' });
    const { request, answer } = await signIn('upn', context);
    const result = await oidcProtocol.complete(context, answer, findOnce(request));
    assert.equal(result.identity.email, 'carol@corp.example');
  });

  it('caches the discovery document: begins while the provider is down, until the cache is cleared', async () => {
    const other = await startOidcIdp({ redirectUri: REDIRECT_URI, accounts: ACCOUNTS });
    const context = contextFor(
      { clientSecret: other.clientSecret },
      { issuer: other.issuer, clientId: other.clientId },
    );
    await oidcProtocol.begin(context, newRequest());
    await other.stop();
    const { redirectUrl } = await oidcProtocol.begin(context, newRequest());
    assert.ok(redirectUrl.startsWith(`${other.issuer}/auth?`), redirectUrl);
    clearOidcDiscoveryCache();
    await expectCode(oidcProtocol.begin(context, newRequest()), 'SSO_DISCOVERY_FAILED');
  });

  it('logs out at the end_session_endpoint with the ID token as hint', async () => {
    const url = new URL(
      (await oidcProtocol.logoutUrl(contextFor(), { subject: 'alice', logoutHint: 'a.b.c' }))!,
    );
    assert.equal(url.origin + url.pathname, `${idp.issuer}/session/end`);
    assert.equal(url.searchParams.get('id_token_hint'), 'a.b.c');
    assert.equal(url.searchParams.get('client_id'), idp.clientId);
  });

  describe('refusals', () => {
    it('an unknown state', async () => {
      const { answer } = await signIn('alice');
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, () => null),
        'SSO_REQUEST_UNKNOWN',
      );
    });

    it('a replayed state (the stored request already used)', async () => {
      const { request, answer } = await signIn('alice');
      const find = findOnce(request);
      await oidcProtocol.complete(contextFor(), answer, find);
      await expectCode(oidcProtocol.complete(contextFor(), answer, find), 'SSO_REQUEST_UNKNOWN');
    });

    it('a missing state', async () => {
      const { request, query } = await signIn('alice');
      const { state: _state, ...withoutState } = query;
      await expectCode(
        oidcProtocol.complete(contextFor(), { body: {}, query: withoutState, url: '' }, () => request),
        'SSO_REQUEST_UNKNOWN',
      );
    });

    it('a code replayed (the provider refuses it the second time)', async () => {
      const { request, answer } = await signIn('alice');
      await oidcProtocol.complete(contextFor(), answer, () => request);
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, () => request),
        'SSO_CODE_REJECTED',
      );
    });

    it('a code presented with another PKCE verifier', async () => {
      const { request, answer } = await signIn('alice');
      const stolen = { ...request, codeVerifier: client.randomPKCECodeVerifier() };
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, () => stolen),
        'SSO_CODE_REJECTED',
      );
    });

    it('a wrong nonce (the ID token was for another sign-in)', async () => {
      const { request, answer } = await signIn('alice');
      const other = { ...request, nonce: client.randomNonce() };
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, () => other),
        'SSO_NONCE_INVALID',
      );
    });

    it('an ID token for another client (audience)', async () => {
      const { request, answer } = await signIn('alice');
      idp.tamperIdToken((claims) => ({ ...claims, aud: 'another-client', azp: 'another-client' }));
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, findOnce(request)),
        'SSO_AUDIENCE_MISMATCH',
      );
    });

    it('an ID token from another issuer', async () => {
      const { request, answer } = await signIn('alice');
      idp.tamperIdToken((claims) => ({ ...claims, iss: 'https://idp.other.example' }));
      await expectCode(oidcProtocol.complete(contextFor(), answer, findOnce(request)), 'SSO_ISSUER_MISMATCH');
    });

    it('a callback naming another issuer (RFC 9207 iss, the mix-up attack)', async () => {
      const { request, query } = await signIn('alice');
      await expectCode(
        oidcProtocol.complete(
          contextFor(),
          { body: {}, query: { ...query, iss: 'https://idp.other.example' }, url: '' },
          findOnce(request),
        ),
        'SSO_ISSUER_MISMATCH',
      );
    });

    it("an ID token signed by another key under the provider's kid", async () => {
      const { request, answer } = await signIn('alice');
      idp.tamperIdToken((claims) => claims, { foreignKey: true });
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, findOnce(request)),
        'SSO_SIGNATURE_INVALID',
      );
    });

    it('an expired ID token: a provider with a short TTL and our clock beyond it', async () => {
      const short = await startOidcIdp({
        redirectUri: REDIRECT_URI,
        accounts: ACCOUNTS,
        idTokenTtlSeconds: 30,
      });
      try {
        const context = contextFor(
          { clientSecret: short.clientSecret, now: () => new Date(Date.now() + (30 + 60 + 5) * 1000) },
          { issuer: short.issuer, clientId: short.clientId },
        );
        const request = newRequest();
        const { redirectUrl } = await oidcProtocol.begin(context, request);
        const callback = await signInAtOidcIdp(redirectUrl, 'alice', REDIRECT_URI);
        const query = Object.fromEntries(callback.searchParams);
        await expectCode(
          oidcProtocol.complete(context, { body: {}, query, url: '' }, findOnce(request)),
          'SSO_RESPONSE_EXPIRED',
        );
      } finally {
        await short.stop();
      }
    });

    it('an expired ID token signed under the provider key (exp in the past)', async () => {
      const { request, answer } = await signIn('alice');
      const past = Math.floor(Date.now() / 1000) - 3600;
      idp.tamperIdToken((claims) => ({ ...claims, iat: past - 60, exp: past }));
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, findOnce(request)),
        'SSO_RESPONSE_EXPIRED',
      );
    });

    it('an ID token issued in the future (beyond the skew)', async () => {
      const { request, answer } = await signIn('alice');
      const future = Math.floor(Date.now() / 1000) + 600;
      idp.tamperIdToken((claims) => ({ ...claims, iat: future, exp: future + 3600 }));
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, findOnce(request)),
        'SSO_RESPONSE_EXPIRED',
      );
    });

    it('email_verified false', async () => {
      const { request, answer } = await signIn('unverified');
      await expectCode(
        oidcProtocol.complete(contextFor(), answer, findOnce(request)),
        'SSO_EMAIL_UNVERIFIED',
      );
    });

    it('a missing email claim', async () => {
      const { request, answer } = await signIn('noemail');
      await expectCode(oidcProtocol.complete(contextFor(), answer, findOnce(request)), 'SSO_EMAIL_MISSING');
    });

    it('the provider refusing the sign-in (error=access_denied in the callback)', async () => {
      const request = newRequest();
      const query = { error: 'access_denied', error_description: 'no', state: request.id, iss: idp.issuer };
      await expectCode(
        oidcProtocol.complete(contextFor(), { body: {}, query, url: '' }, findOnce(request)),
        'SSO_IDP_ERROR',
      );
    });

    it('a repeated callback parameter', async () => {
      const { request, query } = await signIn('alice');
      await expectCode(
        oidcProtocol.complete(
          contextFor(),
          { body: {}, query: { ...query, code: ['a', 'b'] }, url: '' },
          findOnce(request),
        ),
        'SSO_RESPONSE_INVALID',
      );
    });

    it('a wrong client secret', async () => {
      const { request, answer } = await signIn('alice');
      await expectCode(
        oidcProtocol.complete(contextFor({ clientSecret: 'wrong' }), answer, findOnce(request)),
        'SSO_IDP_ERROR',
      );
    });

    it('no client secret set', async () => {
      const { request, answer } = await signIn('alice');
      await expectCode(
        oidcProtocol.complete(contextFor({ clientSecret: null }), answer, findOnce(request)),
        'SSO_CLIENT_SECRET_MISSING',
      );
    });

    it('an issuer that cannot be reached (bounded, not cached)', async () => {
      clearOidcDiscoveryCache();
      await expectCode(
        oidcProtocol.begin(contextFor({}, { issuer: 'http://127.0.0.1:9/' }), newRequest()),
        'SSO_DISCOVERY_FAILED',
      );
    });

    it('plain http to anything but loopback', () => {
      assert.throws(() => issuerUrl('http://idp.example.com'), { code: 'SSO_INSECURE_ISSUER' });
      assert.equal(issuerUrl('http://localhost:8080').insecure, true);
      assert.equal(issuerUrl('http://[::1]:8080').insecure, true);
      assert.equal(issuerUrl('https://login.example.com/tenant/v2.0').insecure, false);
    });
  });
});
