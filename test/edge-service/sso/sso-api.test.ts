import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createAccount,
  ensureEnterprise,
  sessionClient,
  startApiEdge,
  type ApiEdge,
} from '../../helpers/api-client.ts';
import { testCertificate } from '../../helpers/test-certificate.ts';

function idpMetadata(): { xml: string; sha256Colons: string } {
  const { body: cert, opensslSha256: fp } = testCertificate();
  return {
    xml: `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.acme.test/saml"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.acme.test/sso"/></IDPSSODescriptor></EntityDescriptor>`,
    sha256Colons: fp.split('=')[1]!.trim(),
  };
}

describe('sso: the API (GET/PUT/DELETE /enterprises/{enterprise}/sso)', function () {
  this.timeout(30_000);
  let api: ApiEdge;
  const md = idpMetadata();

  before(async () => {
    api = await startApiEdge();
  });
  after(async () => api?.stop());

  it('sets SAML from pasted XML with a pasted fingerprint, shows the SP URLs, warns, audits', async () => {
    const enterprise = ensureEnterprise(api.edge, 'Acme', 'acme');
    // An admin without 2FA: nobody keeps a way in if the IdP fails.
    const admin = await createAccount(api.edge, { enterprise, email: 'admin@acme.test', totp: false });
    const client = sessionClient(api.edge, admin);
    const empty = await client.request('GET', '/enterprises/acme/sso');
    assert.equal(empty.status, 200);
    assert.equal(empty.body.configured, false);

    const put = await client.request('PUT', '/enterprises/acme/sso', {
      protocol: 'saml',
      metadataXml: md.xml,
      idpCertificateFingerprint: `\u200b${md.sha256Colons.toLowerCase()} `,
      emailClaim: 'mail',
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.configured, true);
    assert.equal(put.body.serviceProvider.entityId, `${api.url}/auth/acme/saml`);
    assert.equal(put.body.serviceProvider.metadataUrl, `${api.url}/auth/acme/saml/metadata`);
    assert.equal(put.body.serviceProvider.acsUrl, `${api.url}/auth/acme/saml/acs`);
    assert.equal(put.body.identityProvider.entityId, 'https://idp.acme.test/saml');
    assert.equal(
      put.body.identityProvider.certificateFingerprints[0],
      md.sha256Colons.replace(/:/g, '').toLowerCase(),
    );
    assert.match(put.body.warnings.join(' '), /No administrator keeps a built-in password with two-factor/);
    const policy = api.edge.people.policies.get(enterprise.id);
    assert.equal(
      policy.document.sso?.idpCertificateFingerprint,
      md.sha256Colons.replace(/:/g, '').toLowerCase(),
    );
    const { items } = api.edge.audit.list(
      { enterpriseId: enterprise.id, action: 'policy.update' },
      { offset: 0, limit: 50 },
    );
    assert.ok(items.length >= 1);

    const options = await fetch(`${api.url}/auth/sign-in-options`);
    assert.deepEqual(((await options.json()) as { items: unknown[] }).items, [
      {
        enterprise: { name: 'Acme', slug: 'acme' },
        protocol: 'saml',
        startUrl: '/auth/acme/sso/start?purpose=console',
      },
    ]);
  });

  it('refuses a wrong fingerprint and broken metadata with their codes', async () => {
    const admin = api.edge.people.users.findByEmail(
      ensureEnterprise(api.edge, 'Acme', 'acme').id,
      'admin@acme.test',
    )!;
    const client = sessionClient(api.edge, { user: admin });
    const wrong = await client.request('PUT', '/enterprises/acme/sso', {
      protocol: 'saml',
      metadataXml: md.xml,
      idpCertificateFingerprint: 'ab'.repeat(32),
    });
    // The policy accepts it (a fingerprint is well-formed); the IdP cannot be used: a warning, not a refusal.
    assert.equal(wrong.status, 200);
    assert.match(wrong.body.warnings.join(' '), /fingerprint/);
    const broken = await client.request('PUT', '/enterprises/acme/sso', {
      protocol: 'saml',
      metadataXml: '<EntityDescriptor entityID="x"/>',
    });
    assert.equal(broken.status, 400);
    assert.equal(broken.body.error.code, 'SSO_METADATA_INVALID');
    const garbage = await client.request('PUT', '/enterprises/acme/sso', {
      protocol: 'saml',
      metadataXml: md.xml,
      idpCertificateFingerprint: 'not hex',
    });
    assert.equal(garbage.body.error.code, 'POLICY_INVALID');
  });

  it('keeps the OIDC client secret write-only and sealed; DELETE turns it all off', async () => {
    const enterprise = ensureEnterprise(api.edge, 'Acme', 'acme');
    const admin = api.edge.people.users.findByEmail(enterprise.id, 'admin@acme.test')!;
    const client = sessionClient(api.edge, { user: admin });
    const secret = 'oidc-client-secret-0123456789';
    const put = await client.request('PUT', '/enterprises/acme/sso', {
      protocol: 'oidc',
      issuer: 'https://login.acme.test/',
      clientId: 'edge',
      clientSecret: secret,
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    assert.equal(put.body.clientSecretSet, true);
    assert.ok(!JSON.stringify(put.body).includes(secret));
    assert.equal(put.body.serviceProvider.acsUrl, `${api.url}/auth/acme/oidc/callback`);
    assert.ok(!readFileSync(join(api.dataDir, 'edge.db')).includes(secret));
    // A PUT without the secret keeps it.
    const again = await client.request('PUT', '/enterprises/acme/sso', {
      protocol: 'oidc',
      issuer: 'https://login.acme.test/',
      clientId: 'edge2',
    });
    assert.equal(again.body.clientSecretSet, true);
    const audit = api.edge.audit.list(
      { enterpriseId: enterprise.id, action: 'sso.client-secret-set' },
      { offset: 0, limit: 5 },
    );
    assert.equal(audit.items.length, 1);
    assert.ok(!JSON.stringify(audit.items).includes(secret));

    const off = await client.request('DELETE', '/enterprises/acme/sso');
    assert.equal(off.status, 204);
    assert.equal(api.edge.people.policies.get(enterprise.id).document.sso, null);
    const after = await client.request('GET', '/enterprises/acme/sso');
    assert.deepEqual([after.body.configured, after.body.clientSecretSet], [false, false]);
    assert.equal(
      (await client.request('DELETE', '/enterprises/acme/sso')).body.error.code,
      'SSO_NOT_CONFIGURED',
    );
  });

  it('refuses people who are not administrators', async () => {
    const enterprise = ensureEnterprise(api.edge, 'Acme', 'acme');
    const user = await createAccount(api.edge, {
      enterprise,
      email: 'u@acme.test',
      role: 'user',
      totp: false,
    });
    const client = sessionClient(api.edge, user);
    assert.equal((await client.request('GET', '/enterprises/acme/sso')).status, 403);
    assert.equal(
      (await client.request('PUT', '/enterprises/acme/sso', { protocol: 'saml', metadataXml: md.xml }))
        .status,
      403,
    );
  });
});
