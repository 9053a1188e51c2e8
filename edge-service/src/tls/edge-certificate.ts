import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { writeDurably } from '../fs/durable-write.ts';

/** Where a generated certificate lives, inside the data folder. */
export const GENERATED_CERT_FILE = join('tls', 'edge-cert.pem');
export const GENERATED_KEY_FILE = join('tls', 'edge-key.pem');
/** A generated certificate is renewed this long before it ends (it lives two years). */
const RENEW_BEFORE_MS = 30 * 86_400_000;
const LIFETIME_MS = 2 * 365 * 86_400_000;

export interface EdgeCertificate {
  cert: string;
  key: string;
  /** SHA-256 of the DER certificate, as `AB:CD:…` (what a browser shows and a panel can pin). */
  fingerprint256: string;
  source: 'files' | 'generated' | 'generated-earlier';
  certFile: string;
}

/** True for addresses only this machine can reach: the edge may speak plain HTTP there. */
export function isLoopbackHost(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1';
}

/**
 * The certificate the edge serves HTTPS and WSS with: the given files; else, when it listens beyond
 * loopback, one generated on first start in the data folder (kept, so panels that trust its
 * fingerprint keep trusting it); else none (plain HTTP on loopback).
 */
export async function loadEdgeCertificate(options: {
  host: string;
  dataDir: string;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  now?: Date;
}): Promise<EdgeCertificate | null> {
  const { certFile, keyFile } = options;
  if (certFile || keyFile) {
    if (!certFile || !keyFile) throw new Error('--tls-cert and --tls-key go together: give both files');
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    return { ...checked(cert, key, certFile), source: 'files', certFile };
  }
  if (isLoopbackHost(options.host)) return null;
  const now = options.now ?? new Date();
  const generatedCert = join(options.dataDir, GENERATED_CERT_FILE);
  const generatedKey = join(options.dataDir, GENERATED_KEY_FILE);
  const existing = await Promise.all([readFile(generatedCert, 'utf8'), readFile(generatedKey, 'utf8')]).catch(
    () => null,
  );
  if (existing) {
    const loaded = checked(existing[0], existing[1], generatedCert);
    const endsAt = Date.parse(new X509Certificate(existing[0]).validTo);
    if (endsAt - now.getTime() > RENEW_BEFORE_MS)
      return { ...loaded, source: 'generated-earlier', certFile: generatedCert };
  }
  const made = await generate([{ name: 'commonName', value: `mfp-edge ${hostname()}` }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + LIFETIME_MS),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: subjectNames(options.host) },
    ],
  });
  await mkdir(join(options.dataDir, 'tls'), { recursive: true, mode: 0o700 });
  // The key first, each through a temporary file: a crash leaves the old pair or a whole new one.
  await writeDurably(generatedKey, made.private, { mode: 0o600, temp: `${generatedKey}.${process.pid}.tmp` });
  await writeDurably(generatedCert, made.cert, { mode: 0o644, temp: `${generatedCert}.${process.pid}.tmp` });
  return { ...checked(made.cert, made.private, generatedCert), source: 'generated', certFile: generatedCert };
}

function checked(cert: string, key: string, certFile: string): Omit<EdgeCertificate, 'source' | 'certFile'> {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) throw new Error('the key does not match');
  } catch (error) {
    throw new Error(`TLS certificate ${certFile} cannot be used: ${(error as Error).message}`);
  }
  return { cert, key, fingerprint256: x509.fingerprint256 };
}

/** The names panels may reach the edge by: the listening host, this machine's names and addresses. */
function subjectNames(host: string): { type: 2 | 7; value?: string; ip?: string }[] {
  const names = new Map<string, { type: 2 | 7; value?: string; ip?: string }>();
  const add = (name: string) => {
    if (!name || name === '0.0.0.0' || name === '::') return;
    names.set(name, isIP(name) ? { type: 7, ip: name } : { type: 2, value: name });
  };
  add(host.replace(/^\[|\]$/g, ''));
  add('localhost');
  add(hostname());
  for (const addresses of Object.values(networkInterfaces()))
    for (const address of addresses ?? []) if (!address.address.startsWith('fe80')) add(address.address);
  return [...names.values()];
}
