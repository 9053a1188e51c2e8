import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { parseIdpMetadata, type IdpMetadata } from '../../../edge-service/src/sso/idp-metadata.ts';
import type { SsoContext, SsoPendingRequest } from '../../../edge-service/src/sso/sso-protocol.ts';
import { wsfedProtocol } from '../../../edge-service/src/sso/wsfed-protocol.ts';
import { signInAtAdfs } from '../../helpers/adfs-sign-in.ts';
import { SimpleSamlIdp } from '../../helpers/simplesamlphp-idp.ts';

/**
 * WS-Federation against the real simplesamlphp `adfs` IdP (SAML 1.1 assertions in a WS-Trust
 * RequestSecurityTokenResponse, as AD FS sends them): sign-in, and every refusal, each built from a
 * real signed answer of that IdP.
 */

const BASE_URL = 'http://127.0.0.1:9/auth/acme';
const REALM = `${BASE_URL}/wsfed`;
const OTHER_REALM = 'http://127.0.0.1:9/auth/other/wsfed';

const SIG_RE = /<ds:Signature[\s\S]*<\/ds:Signature>/;
const ASSERTION_RE = /<saml:Assertion[\s\S]*<\/saml:Assertion>/;

async function expectCode(promise: Promise<unknown>, code: string): Promise<EdgeError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof EdgeError, `expected an EdgeError, got ${String(error)}`);
    assert.equal(error.code, code, `${error.code}: ${error.message}`);
    if (process.env.SHOW_REFUSALS) console.log(`      → ${error.message}`);
    return error;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}

/** Signs the (unsigned) assertion of `wresult` with `privateKey`, enveloped, as the IdP does. */
function resign(
  wresult: string,
  privateKey: string,
  algorithms: { signature: string; digest: string } = {
    signature: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    digest: 'http://www.w3.org/2001/04/xmlenc#sha256',
  },
): string {
  const signer = new SignedXml({
    privateKey,
    idAttribute: 'AssertionID',
    signatureAlgorithm: algorithms.signature,
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: algorithms.digest,
  });
  signer.computeSignature(wresult.replace(SIG_RE, ''), {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='Assertion']", action: 'append' },
  });
  return signer.getSignedXml();
}

/** A SAML 2.0 token in a WS-Trust 1.3 response, as AD FS sends when the RP asks for SAML 2.0. */
function saml2Response(
  privateKey: string,
  claims: { issuer: string; audience: string; email: string; recipient: string; lifetimeSeconds?: number },
): string {
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const until = iso(now + (claims.lifetimeSeconds ?? 300) * 1000);
  const id = `_${randomUUID()}`;
  const assertion =
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(now)}">` +
    `<saml:Issuer>${claims.issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID>alice-sub</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${claims.recipient}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(now - 30_000)}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${claims.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AttributeStatement><saml:Attribute Name="http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"><saml:AttributeValue>${claims.email}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` +
    `</saml:Assertion>`;
  const unsigned =
    `<t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust">` +
    `<t:RequestedSecurityToken>${assertion}</t:RequestedSecurityToken></t:RequestSecurityTokenResponse>`;
  const signer = new SignedXml({
    privateKey,
    idAttribute: 'ID',
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: "//*[local-name(.)='Assertion']",
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  // SAML 2.0 puts the signature right after the Issuer.
  signer.computeSignature(unsigned, {
    prefix: 'ds',
    location: { reference: "//*[local-name(.)='Issuer']", action: 'after' },
  });
  return signer.getSignedXml();
}

describe('WS-Federation protocol against the real simplesamlphp adfs IdP', function () {
  this.timeout(60000);
  let idp: SimpleSamlIdp;
  let passiveUrl: string;
  let metadata: IdpMetadata;

  function contextFor(overrides: Partial<SsoContext> = {}): SsoContext {
    return {
      settings: {
        protocol: 'wsfed',
        metadataUrl: idp.wsfedMetadataUrl,
        metadataXml: null,
        issuer: null,
        clientId: null,
        emailClaim: 'email',
        idpEntityId: null,
        entryPoint: null,
        logoutUrl: null,
        idpCertificate: null,
        idpCertificateFingerprint: null,
      },
      idp: metadata,
      clientSecret: null,
      baseUrl: BASE_URL,
      entityId: REALM,
      now: () => new Date(),
      clockSkewSeconds: 60,
      ...overrides,
    };
  }

  function newRequest(): SsoPendingRequest {
    return { id: randomUUID(), nonce: null, codeVerifier: null, createdAt: new Date().toISOString() };
  }

  function findOnce(request: SsoPendingRequest) {
    let used = false;
    return (id: string) => {
      if (id !== request.id || used) return null;
      used = true;
      return request;
    };
  }

  /** Begins a request, signs in at the IdP as `user`; the form fields it posts back. */
  async function signIn(user = 'alice', realm = REALM) {
    const request = newRequest();
    const { redirectUrl } = await wsfedProtocol.begin({ ...contextFor(), entityId: realm }, request);
    const { action, fields } = await signInAtAdfs(redirectUrl, user, `${user}-password`);
    return { request, action, fields };
  }

  const complete = (fields: Record<string, string>, request: SsoPendingRequest, context = contextFor()) =>
    wsfedProtocol.complete(context, { body: fields, query: {}, url: '/auth/acme/wsfed' }, findOnce(request));

  before(async () => {
    idp = new SimpleSamlIdp({
      users: [
        { username: 'alice', password: 'alice-password', mail: 'Alice@Example.com' },
        { username: 'nomail', password: 'nomail-password' },
        { username: 'mallory', password: 'mallory-password', mail: 'alice@example.com.evil.test' },
      ],
      wsfed: [
        { realm: REALM, replyUrl: REALM },
        { realm: OTHER_REALM, replyUrl: OTHER_REALM },
      ],
    });
    await idp.start();
    passiveUrl = `${idp.baseUrl}/module.php/adfs/idp/prp.php`;
    metadata = parseIdpMetadata(await (await fetch(idp.wsfedMetadataUrl)).text());
  });

  after(async () => {
    await idp?.stop();
  });

  it('reads the IdP metadata: entity, passive endpoint, signing certificate', () => {
    assert.equal(metadata.entityId, idp.wsfedEntityId);
    assert.equal(metadata.wsfedUrl, passiveUrl);
    assert.equal(metadata.certificates.length, 1);
  });

  it('begins at the passive endpoint with wa, wtrealm, wctx and wreply', async () => {
    const request = newRequest();
    const url = new URL((await wsfedProtocol.begin(contextFor(), request)).redirectUrl);
    assert.equal(url.origin + url.pathname, passiveUrl);
    assert.equal(url.searchParams.get('wa'), 'wsignin1.0');
    assert.equal(url.searchParams.get('wtrealm'), REALM);
    assert.equal(url.searchParams.get('wctx'), request.id);
    assert.equal(url.searchParams.get('wreply'), `${BASE_URL}/wsfed`);
  });

  it('signs in: the IdP posts a signed SAML 1.1 token to wreply, and its email and name are read', async () => {
    const { request, action, fields } = await signIn();
    assert.equal(action, `${BASE_URL}/wsfed`);
    assert.equal(fields.wa, 'wsignin1.0');
    assert.match(fields.wresult!, /MajorVersion="1"/);
    const result = await complete(fields, request);
    assert.equal(result.requestId, request.id);
    assert.deepEqual(result.identity, { email: 'Alice@Example.com', subject: 'alice', logoutHint: null });
  });

  it('reads the email claim named in settings.emailClaim exactly', async () => {
    const { request, fields } = await signIn();
    const context = contextFor();
    context.settings = { ...context.settings, emailClaim: 'mail' };
    assert.equal((await complete(fields, request, context)).identity.email, 'Alice@Example.com');
  });

  it('reads the signed value, not a comment-split text node (the 2018 SAML comment attack)', async () => {
    const { request, fields } = await signIn('mallory');
    // Exclusive c14n drops comments, so the signature still holds after this.
    const wresult = fields.wresult!.replace(
      'alice@example.com.evil.test',
      'alice@example.com<!---->.evil.test',
    );
    const result = await complete({ ...fields, wresult }, request);
    assert.equal(result.identity.email, 'alice@example.com.evil.test');
  });

  it('offers our SP metadata: ApplicationServiceType with the passive requestor endpoint', () => {
    const xml = wsfedProtocol.metadata(contextFor())!;
    const doc = new DOMParser().parseFromString(xml, 'text/xml');
    const root = doc.documentElement!;
    assert.equal(root.getAttribute('entityID'), REALM);
    const role = root
      .getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:metadata', 'RoleDescriptor')
      .item(0)!;
    assert.equal(role.getAttribute('xsi:type'), 'fed:ApplicationServiceType');
    const passive = role.getElementsByTagNameNS(
      'http://docs.oasis-open.org/wsfed/federation/200706',
      'PassiveRequestorEndpoint',
    );
    assert.equal(passive.item(0)?.textContent?.trim(), `${BASE_URL}/wsfed`);
  });

  it('logs out with wa=wsignout1.0 at the passive endpoint', async () => {
    const url = new URL(
      (await wsfedProtocol.logoutUrl(contextFor(), { subject: 'alice', logoutHint: null }))!,
    );
    assert.equal(url.origin + url.pathname, passiveUrl);
    assert.equal(url.searchParams.get('wa'), 'wsignout1.0');
    assert.equal(url.searchParams.get('wtrealm'), REALM);
  });

  describe('a SAML 2.0 token (AD FS / Entra ID with the SAML 2.0 token type)', () => {
    const token = (overrides: Partial<Parameters<typeof saml2Response>[1]> = {}) =>
      saml2Response(idp.privateKey, {
        issuer: idp.wsfedEntityId,
        audience: REALM,
        email: 'alice@example.com',
        recipient: `${BASE_URL}/wsfed`,
        ...overrides,
      });

    it('is accepted when signed by the IdP key for our realm', async () => {
      const request = newRequest();
      const result = await complete({ wa: 'wsignin1.0', wresult: token(), wctx: request.id }, request);
      assert.deepEqual(result.identity, {
        email: 'alice@example.com',
        subject: 'alice-sub',
        logoutHint: null,
      });
    });

    it('is refused for another audience, issuer or recipient, or once expired', async () => {
      const cases: Array<[Partial<Parameters<typeof saml2Response>[1]>, string]> = [
        [{ audience: OTHER_REALM }, 'SSO_AUDIENCE_MISMATCH'],
        [{ issuer: 'http://sts.other.example/adfs' }, 'SSO_ISSUER_MISMATCH'],
        [{ recipient: 'http://127.0.0.1:9/auth/other/wsfed' }, 'SSO_AUDIENCE_MISMATCH'],
        [{ lifetimeSeconds: -120 }, 'SSO_RESPONSE_EXPIRED'],
      ];
      for (const [overrides, code] of cases) {
        const request = newRequest();
        await expectCode(
          complete({ wa: 'wsignin1.0', wresult: token(overrides), wctx: request.id }, request),
          code,
        );
      }
    });
  });

  it('signs in with the IdP set by hand (entity ID, sign-in URL, certificate), no metadata', async () => {
    const manual = contextFor({
      idp: {
        entityId: idp.wsfedEntityId,
        ssoUrl: null,
        sloUrl: null,
        wsfedUrl: passiveUrl,
        certificates: [idp.certificate],
      },
    });
    const request = newRequest();
    const { redirectUrl } = await wsfedProtocol.begin(manual, request);
    const { fields } = await signInAtAdfs(redirectUrl, 'alice', 'alice-password');
    assert.equal((await complete(fields, request, manual)).identity.email, 'Alice@Example.com');
  });

  it('refuses to begin at an IdP whose metadata has no WS-Fed endpoint (a SAML-only IdP)', async () => {
    await expectCode(
      wsfedProtocol.begin(
        contextFor({ idp: { ...metadata, wsfedUrl: null, ssoUrl: 'http://127.0.0.1:9/saml' } }),
        newRequest(),
      ),
      'SSO_METADATA_INVALID',
    );
  });

  describe('refusals', () => {
    it('an unknown wctx', async () => {
      const { fields } = await signIn();
      await expectCode(complete(fields, newRequest()), 'SSO_REQUEST_UNKNOWN');
    });

    it('a replayed answer (its wctx already used)', async () => {
      const { request, fields } = await signIn();
      const find = findOnce(request);
      const answer = { body: fields, query: {}, url: '' };
      await wsfedProtocol.complete(contextFor(), answer, find);
      await expectCode(wsfedProtocol.complete(contextFor(), answer, find), 'SSO_REQUEST_UNKNOWN');
    });

    it('a forged wctx', async () => {
      const { request, fields } = await signIn();
      await expectCode(complete({ ...fields, wctx: 'forged' }, request), 'SSO_REQUEST_UNKNOWN');
    });

    it('a used token presented again with another stored request (wctx is not signed)', async () => {
      const first = await signIn();
      await complete(first.fields, first.request);
      const second = newRequest();
      await expectCode(complete({ ...first.fields, wctx: second.id }, second), 'SSO_REQUEST_USED');
    });

    it('an unsigned answer', async () => {
      const { request, fields } = await signIn();
      await expectCode(
        complete({ ...fields, wresult: fields.wresult!.replace(SIG_RE, '') }, request),
        'SSO_SIGNATURE_INVALID',
      );
    });

    it('an answer signed by another key', async () => {
      const { request, fields } = await signIn();
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const forged = resign(fields.wresult!, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      await expectCode(complete({ ...fields, wresult: forged }, request), 'SSO_SIGNATURE_INVALID');
    });

    it('a signed answer changed afterwards', async () => {
      const { request, fields } = await signIn();
      const wresult = fields.wresult!.replace('Alice@Example.com', 'boss@example.com');
      await expectCode(complete({ ...fields, wresult }, request), 'SSO_SIGNATURE_INVALID');
    });

    it('(control) the same answer re-signed by the IdP key with SHA-256 is accepted', async () => {
      const { request, fields } = await signIn();
      const resigned = resign(fields.wresult!, idp.privateKey);
      assert.equal(
        (await complete({ ...fields, wresult: resigned }, request)).identity.email,
        'Alice@Example.com',
      );
    });

    it('an answer signed with SHA-1 (by the IdP key)', async () => {
      const { request, fields } = await signIn();
      const sha1 = resign(fields.wresult!, idp.privateKey, {
        signature: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
        digest: 'http://www.w3.org/2000/09/xmldsig#sha1',
      });
      await expectCode(complete({ ...fields, wresult: sha1 }, request), 'SSO_SIGNATURE_INVALID');
    });

    it('an expired answer (our clock past NotOnOrAfter plus the skew)', async () => {
      const { request, fields } = await signIn();
      const later = contextFor({ now: () => new Date(Date.now() + (300 + 60 + 5) * 1000) });
      await expectCode(complete(fields, request, later), 'SSO_RESPONSE_EXPIRED');
    });

    it('a not-yet-valid answer (our clock before NotBefore minus the skew)', async () => {
      const { request, fields } = await signIn();
      const earlier = contextFor({ now: () => new Date(Date.now() - (30 + 60 + 30) * 1000) });
      await expectCode(complete(fields, request, earlier), 'SSO_RESPONSE_EXPIRED');
    });

    it('an answer for another realm (audience)', async () => {
      const { request, fields } = await signIn('alice', OTHER_REALM);
      await expectCode(complete(fields, request), 'SSO_AUDIENCE_MISMATCH');
    });

    it('an answer from another issuer than the metadata names', async () => {
      const { request, fields } = await signIn();
      await expectCode(
        complete(
          fields,
          request,
          contextFor({ idp: { ...metadata, entityId: 'http://sts.other.example/adfs' } }),
        ),
        'SSO_ISSUER_MISMATCH',
      );
    });

    it('a missing email claim', async () => {
      const { request, fields } = await signIn('nomail');
      await expectCode(complete(fields, request), 'SSO_EMAIL_MISSING');
    });

    describe('signature wrapping', () => {
      /** A copy of the signed assertion saying someone else, unsigned, with its own ID. */
      function evilTwin(assertion: string, id = `evil-${randomUUID()}`): string {
        return assertion
          .replace(SIG_RE, '')
          .replace(/AssertionID="[^"]+"/, `AssertionID="${id}"`)
          .replaceAll('Alice@Example.com', 'admin@example.com');
      }

      it('a second, unsigned assertion beside the signed one', async () => {
        const { request, fields } = await signIn();
        const signed = ASSERTION_RE.exec(fields.wresult!)![0];
        const wresult = fields.wresult!.replace(signed, `${evilTwin(signed)}${signed}`);
        await expectCode(complete({ ...fields, wresult }, request), 'SSO_SIGNATURE_WRAPPED');
      });

      it('the signed assertion moved out of the token, an unsigned one in its place', async () => {
        const { request, fields } = await signIn();
        const signed = ASSERTION_RE.exec(fields.wresult!)![0];
        const wresult = fields
          .wresult!.replace(signed, evilTwin(signed))
          .replace(
            '</wsa:EndpointReference>',
            `</wsa:EndpointReference><x:Hidden xmlns:x="urn:x">${signed}</x:Hidden>`,
          );
        await expectCode(complete({ ...fields, wresult }, request), 'SSO_SIGNATURE_WRAPPED');
      });

      it('the signature moved into the unsigned assertion, still naming the hidden signed one', async () => {
        const { request, fields } = await signIn();
        const signed = ASSERTION_RE.exec(fields.wresult!)![0];
        const signature = SIG_RE.exec(signed)![0];
        const evil = evilTwin(signed).replace('</saml:Assertion>', `${signature}</saml:Assertion>`);
        const wresult = fields
          .wresult!.replace(signed, evil)
          .replace(
            '</wsa:EndpointReference>',
            `</wsa:EndpointReference><x:Hidden xmlns:x="urn:x">${signed.replace(SIG_RE, '')}</x:Hidden>`,
          );
        await expectCode(complete({ ...fields, wresult }, request), 'SSO_SIGNATURE_WRAPPED');
      });

      it('an unsigned assertion with the signed one’s ID, carrying its signature', async () => {
        const { request, fields } = await signIn();
        const signed = ASSERTION_RE.exec(fields.wresult!)![0];
        const id = /AssertionID="([^"]+)"/.exec(signed)![1]!;
        const signature = SIG_RE.exec(signed)![0];
        const evil = evilTwin(signed, id).replace('</saml:Assertion>', `${signature}</saml:Assertion>`);
        const wresult = fields
          .wresult!.replace(signed, evil)
          .replace(
            '</wsa:EndpointReference>',
            `</wsa:EndpointReference><x:Hidden xmlns:x="urn:x">${signed.replace(SIG_RE, '')}</x:Hidden>`,
          );
        await expectCode(complete({ ...fields, wresult }, request), 'SSO_SIGNATURE_WRAPPED');
      });

      it('a second signature elsewhere in the answer', async () => {
        const { request, fields } = await signIn();
        const signature = SIG_RE.exec(fields.wresult!)![0];
        const wresult = fields.wresult!.replace(
          '</wsa:EndpointReference>',
          `</wsa:EndpointReference>${signature}`,
        );
        await expectCode(complete({ ...fields, wresult }, request), 'SSO_SIGNATURE_WRAPPED');
      });
    });

    it('a DOCTYPE (entity expansion)', async () => {
      const { request, fields } = await signIn();
      const wresult = fields.wresult!.replace(
        '<?xml version="1.0"?>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>',
      );
      await expectCode(complete({ ...fields, wresult }, request), 'SSO_RESPONSE_INVALID');
    });

    it('not XML, or no wresult', async () => {
      const { request, fields } = await signIn();
      await expectCode(complete({ ...fields, wresult: '<a><b></a>' }, request), 'SSO_RESPONSE_INVALID');
      const again = await signIn();
      await expectCode(
        complete({ wa: 'wsignin1.0', wctx: again.request.id }, again.request),
        'SSO_RESPONSE_INVALID',
      );
    });
  });
});
