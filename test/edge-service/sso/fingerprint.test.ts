import assert from 'node:assert/strict';
import {
  certificateFingerprint,
  certificatePem,
  fingerprintMatches,
  sanitizeFingerprint,
} from '../../../edge-service/src/sso/fingerprint.ts';
import { PolicyDocumentSchema } from '../../../edge-service/src/policies/policy-schema.ts';
import { testCertificate } from '../../helpers/test-certificate.ts';

const SHA256 = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('sso fingerprints', () => {
  it('sanitises what people paste: colons, spaces, invisible characters, case', () => {
    const colons = SHA256.toUpperCase().match(/../g)!.join(':');
    assert.equal(sanitizeFingerprint(colons), SHA256);
    assert.equal(sanitizeFingerprint(SHA256.match(/..../g)!.join(' ')), SHA256);
    assert.equal(sanitizeFingerprint(`\u200b${SHA256.slice(0, 10)}\u00a0${SHA256.slice(10)}\ufeff`), SHA256);
    assert.equal(sanitizeFingerprint(`\u200e${colons}\u200f\n`), SHA256);
    assert.equal(sanitizeFingerprint(`SHA256 Fingerprint=${colons}`), SHA256);
    // AD FS thumbprints are SHA-1.
    assert.equal(
      sanitizeFingerprint('0A 1B 2C 3D 4E 5F 60 71 82 93 A4 B5 C6 D7 E8 F9 0A 1B 2C 3D'),
      '0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d',
    );
  });

  it('refuses what is not a fingerprint', () => {
    for (const bad of [
      '',
      'zz',
      SHA256.slice(2),
      `${SHA256}00`,
      SHA256.replace('a', 'g'),
      'not a fingerprint',
    ])
      assert.equal(sanitizeFingerprint(bad), null, bad);
  });

  it('matches a certificate by its SHA-256 or SHA-1 fingerprint, whatever the pasted form', () => {
    const { pem, opensslSha256 } = testCertificate();
    const fromOpenssl = sanitizeFingerprint(opensslSha256)!;
    assert.equal(fromOpenssl, certificateFingerprint(pem, 'sha256'));
    assert.ok(fingerprintMatches(pem, fromOpenssl));
    assert.ok(fingerprintMatches(pem, certificateFingerprint(pem, 'sha1')));
    assert.ok(!fingerprintMatches(pem, SHA256));
    // The body alone (as in metadata) is the same certificate.
    const body = pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, '');
    assert.equal(certificatePem(body), certificatePem(pem));
    assert.throws(() => certificatePem('bm90IGEgY2VydA=='));
    // The policy keeps the sanitised form.
    const policy = PolicyDocumentSchema.parse({
      sso: {
        protocol: 'saml',
        idpEntityId: 'https://idp.test/',
        entryPoint: 'https://idp.test/sso',
        idpCertificate: body,
        idpCertificateFingerprint: `\u200b${opensslSha256.split('=')[1]!.trim()}`,
      },
    });
    assert.equal(policy.sso!.idpCertificateFingerprint, fromOpenssl);
    assert.equal(policy.sso!.idpCertificate, certificatePem(pem));
    assert.throws(() =>
      PolicyDocumentSchema.parse({
        sso: { protocol: 'saml', metadataXml: '<x/>', idpCertificateFingerprint: 'abc' },
      }),
    );
  });
});
