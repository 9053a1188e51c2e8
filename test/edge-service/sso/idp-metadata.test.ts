import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkMetadataUrl,
  fetchIdpMetadata,
  parseIdpMetadata,
  pinCertificates,
} from '../../../edge-service/src/sso/idp-metadata.ts';
import { certificateFingerprint } from '../../../edge-service/src/sso/fingerprint.ts';
import { testCertificate } from '../../helpers/test-certificate.ts';

const certificateBody = (): string => testCertificate().body;

const samlMetadata = (cert: string) => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://127.0.0.1:9/simplesaml/saml2/idp/metadata.php">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      ${cert.match(/.{1,64}/g)!.join('\n      ')}
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:9/simplesaml/saml2/idp/SingleLogoutService.php"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="http://127.0.0.1:9/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:9/simplesaml/saml2/idp/SSOService.php"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

const wsfedMetadata = (
  cert: string,
) => `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="urn:idp:adfs">
  <RoleDescriptor xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706" xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <fed:PassiveRequestorEndpoint><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>https://adfs.test/adfs/ls/</Address></EndpointReference></fed:PassiveRequestorEndpoint>
  </RoleDescriptor>
</EntityDescriptor>`;

describe('sso IdP metadata', () => {
  const cert = certificateBody();

  it('reads a SAML IdP: entity ID, redirect SSO and SLO endpoints, signing certificates only', () => {
    const md = parseIdpMetadata(samlMetadata(cert));
    assert.equal(md.entityId, 'http://127.0.0.1:9/simplesaml/saml2/idp/metadata.php');
    assert.equal(md.ssoUrl, 'http://127.0.0.1:9/simplesaml/saml2/idp/SSOService.php');
    assert.equal(md.sloUrl, 'http://127.0.0.1:9/simplesaml/saml2/idp/SingleLogoutService.php');
    assert.equal(md.wsfedUrl, null);
    assert.equal(md.certificates.length, 1);
    assert.match(md.certificates[0]!, /^-----BEGIN CERTIFICATE-----\n/);
  });

  it('reads a WS-Federation STS inside an EntitiesDescriptor', () => {
    const md = parseIdpMetadata(
      `<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata">${wsfedMetadata(cert)}</EntitiesDescriptor>`,
    );
    assert.equal(md.entityId, 'urn:idp:adfs');
    assert.equal(md.wsfedUrl, 'https://adfs.test/adfs/ls/');
    assert.equal(md.ssoUrl, null);
    assert.equal(md.certificates.length, 1);
  });

  it('refuses what describes no usable IdP, with SSO_METADATA_INVALID naming why', () => {
    const cases: [string, RegExp][] = [
      ['', /empty/],
      ['<not xml', /well-formed|no EntityDescriptor/],
      ['<!DOCTYPE x [<!ENTITY a "b">]><EntityDescriptor entityID="x"/>', /DOCTYPE/],
      ['<EntityDescriptor entityID="x"><SPSSODescriptor/></EntityDescriptor>', /no identity provider/],
      [
        samlMetadata(cert)
          .replace(/<md:KeyDescriptor use="signing">[\s\S]*?<\/md:KeyDescriptor>/, '')
          .replace(/<md:KeyDescriptor use="encryption">[\s\S]*?<\/md:KeyDescriptor>/, ''),
        /no signing certificate/,
      ],
      [samlMetadata('bm90IGEgY2VydA=='), /not a valid X.509/],
      [
        samlMetadata(cert).replace(
          /Location="http:\/\/127.0.0.1:9\/simplesaml\/saml2\/idp\/SSOService.php"/,
          'Location="javascript:alert(1)"',
        ),
        /not an http/,
      ],
    ];
    for (const [xml, why] of cases)
      assert.throws(
        () => parseIdpMetadata(xml),
        (e: { code?: string; message: string }) => e.code === 'SSO_METADATA_INVALID' && why.test(e.message),
        xml.slice(0, 40),
      );
  });

  it('pins the certificate to a fingerprint', () => {
    const md = parseIdpMetadata(samlMetadata(cert));
    assert.deepEqual(
      pinCertificates(md, certificateFingerprint(cert, 'sha256')).certificates,
      md.certificates,
    );
    assert.throws(() => pinCertificates(md, 'ab'.repeat(32)), { code: 'SSO_CERTIFICATE_MISMATCH' });
  });

  describe('from a URL', () => {
    let server: Server;
    let base: string;
    before(async () => {
      server = createServer((req, res) => {
        if (req.url === '/md') return res.end(samlMetadata(cert));
        if (req.url === '/redirect') return res.writeHead(302, { location: '/md' }).end();
        if (req.url === '/away') return res.writeHead(302, { location: 'http://example.com/md' }).end();
        if (req.url === '/huge') return res.end('x'.repeat(2_000_000));
        if (req.url === '/slow') return setTimeout(() => res.end('late'), 2000);
        res.writeHead(404).end();
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });

    it('fetches over loopback http, following a redirect', async () => {
      assert.equal(
        parseIdpMetadata(await fetchIdpMetadata(`${base}/redirect`)).entityId,
        'http://127.0.0.1:9/simplesaml/saml2/idp/metadata.php',
      );
    });

    it('refuses plain http elsewhere, redirects away, 404s, huge and slow answers', async () => {
      assert.throws(() => checkMetadataUrl('http://idp.example.com/md'), { code: 'SSO_METADATA_INVALID' });
      assert.throws(() => checkMetadataUrl('file:///etc/passwd'), { code: 'SSO_METADATA_INVALID' });
      await assert.rejects(fetchIdpMetadata(`${base}/away`), { code: 'SSO_METADATA_INVALID' });
      await assert.rejects(fetchIdpMetadata(`${base}/nothing`), {
        code: 'SSO_METADATA_UNAVAILABLE',
        message: /HTTP 404/,
      });
      await assert.rejects(fetchIdpMetadata(`${base}/huge`), {
        code: 'SSO_METADATA_UNAVAILABLE',
        message: /larger/,
      });
      await assert.rejects(fetchIdpMetadata(`${base}/slow`, { timeoutMs: 200 }), {
        code: 'SSO_METADATA_UNAVAILABLE',
        message: /in time/,
      });
    });
  });
});
