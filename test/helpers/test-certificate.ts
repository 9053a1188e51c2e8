import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';

/** A throw-away self-signed RSA key and certificate, made by openssl as an IdP's would be. */
export interface TestCertificate {
  /** The private key, PEM. */
  key: string;
  /** The certificate, PEM. */
  pem: string;
  /** The certificate's base64 DER alone, as IdP metadata carries it. */
  body: string;
  /** openssl's own line for its SHA-256 fingerprint ("SHA256 Fingerprint=AB:CD:…"): an independent view. */
  opensslSha256: string;
}

export function testCertificate(commonName = 'idp.test', days = 2): TestCertificate {
  const dir = tempDir('test-cert-');
  try {
    const keyFile = join(dir.path, 'k.pem');
    const certFile = join(dir.path, 'c.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        String(days),
        '-subj',
        `/CN=${commonName}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    const pem = readFileSync(certFile, 'utf8');
    const opensslSha256 = execFileSync(
      'openssl',
      ['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile],
      {
        encoding: 'utf8',
      },
    ).trim();
    return {
      key: readFileSync(keyFile, 'utf8'),
      pem,
      body: pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s/g, ''),
      opensslSha256,
    };
  } finally {
    dir.remove();
  }
}
