import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from './temp-dir.ts';

type TempDir = ReturnType<typeof tempDir>;

const run = promisify(execFile);

export const SLAPD_SUFFIX = 'dc=example,dc=com';
export const SLAPD_ROOT_DN = `cn=admin,${SLAPD_SUFFIX}`;
export const SLAPD_ROOT_PASSWORD = 'slapd-test-secret';

/** An LDIF value line: base64 (`::`) when it is not a SAFE-STRING of RFC 2849 (UTF-8, leading space…). */
function ldifLine(name: string, value: string): string {
  const codes = [...value].map((ch) => ch.codePointAt(0)!);
  const safe =
    codes.every((c) => c > 0 && c < 128 && c !== 10 && c !== 13) &&
    !/^[ :<]/.test(value) &&
    !value.endsWith(' ');
  return safe ? `${name}: ${value}` : `${name}:: ${Buffer.from(value, 'utf8').toString('base64')}`;
}

/** One LDIF entry; attribute values are lists for multi-valued ones. */
export function ldifEntry(dn: string, attributes: Record<string, string | string[]>): string {
  const lines = [ldifLine('dn', dn)];
  for (const [name, value] of Object.entries(attributes))
    for (const v of Array.isArray(value) ? value : [value]) lines.push(ldifLine(name, v));
  return `${lines.join('\n')}\n`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir, timeout: 20_000 });
}

/** A CA key and certificate, and a server certificate it issued for 127.0.0.1 / localhost. */
async function makeCa(dir: string, name: string, server: boolean): Promise<void> {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl(dir, [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    `${name}-ca.key`,
    '-out',
    `${name}-ca.pem`,
    '-days',
    '2',
    '-subj',
    `/CN=${name} test CA`,
  ]);
  if (!server) return;
  writeFileSync(
    join(dir, 'server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(dir, ['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    `${name}-ca.pem`,
    '-CAkey',
    `${name}-ca.key`,
    '-CAcreateserial',
    '-out',
    'server.pem',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  ]);
}

/**
 * Debian's slapd (OpenLDAP) in a private temp folder: a slapd.conf with the mdb backend, a test CA
 * and a server certificate made with openssl, LDAPS (and plain LDAP for StartTLS) on free
 * 127.0.0.1 ports, the data loaded with slapadd before it starts. stop() ends it and removes the
 * folder; the process is also killed if the test process exits first.
 */
export class Slapd {
  readonly #dir: TempDir;
  readonly #process: ChildProcess;
  readonly ldapsUrl: string;
  readonly ldapUrl: string;
  /** PEM of the CA that issued the server certificate. */
  readonly caPem: string;
  /** PEM of another CA (that did not). */
  readonly otherCaPem: string;
  #log = '';

  private constructor(dir: TempDir, child: ChildProcess, ports: { ldaps: number; ldap: number }) {
    this.#dir = dir;
    this.#process = child;
    this.ldapsUrl = `ldaps://127.0.0.1:${ports.ldaps}`;
    this.ldapUrl = `ldap://127.0.0.1:${ports.ldap}`;
    this.caPem = readFileSync(join(dir.path, 'test-ca.pem'), 'utf8');
    this.otherCaPem = readFileSync(join(dir.path, 'other-ca.pem'), 'utf8');
    child.stderr?.on('data', (d: Buffer) => (this.#log = (this.#log + d.toString()).slice(-20_000)));
  }

  get dir(): string {
    return this.#dir.path;
  }

  get log(): string {
    return this.#log;
  }

  /** `ldif`: the entries below the suffix (the suffix entry itself is added here). */
  static async start(ldif: string, timeoutMs = 15_000): Promise<Slapd> {
    const dir = tempDir('slapd-');
    try {
      await makeCa(dir.path, 'test', true);
      await makeCa(dir.path, 'other', false);
      mkdirSync(join(dir.path, 'db'));
      const conf = join(dir.path, 'slapd.conf');
      writeFileSync(
        conf,
        [
          'include /etc/ldap/schema/core.schema',
          'include /etc/ldap/schema/cosine.schema',
          'include /etc/ldap/schema/inetorgperson.schema',
          'include /etc/ldap/schema/nis.schema',
          `pidfile ${join(dir.path, 'slapd.pid')}`,
          'modulepath /usr/lib/ldap',
          'moduleload back_mdb',
          `TLSCACertificateFile ${join(dir.path, 'test-ca.pem')}`,
          `TLSCertificateFile ${join(dir.path, 'server.pem')}`,
          `TLSCertificateKeyFile ${join(dir.path, 'server.key')}`,
          'database mdb',
          `suffix "${SLAPD_SUFFIX}"`,
          `rootdn "${SLAPD_ROOT_DN}"`,
          `rootpw ${SLAPD_ROOT_PASSWORD}`,
          `directory ${join(dir.path, 'db')}`,
          'maxsize 33554432',
          '',
        ].join('\n'),
      );
      const data = join(dir.path, 'data.ldif');
      writeFileSync(
        data,
        `${ldifEntry(SLAPD_SUFFIX, { objectClass: ['top', 'dcObject', 'organization'], dc: 'example', o: 'Example' })}\n${ldif}`,
      );
      await run('slapadd', ['-f', conf, '-l', data], { timeout: 20_000 });
      const ports = { ldaps: await freePort(), ldap: await freePort() };
      const child = spawn(
        'slapd',
        ['-f', conf, '-h', `ldaps://127.0.0.1:${ports.ldaps}/ ldap://127.0.0.1:${ports.ldap}/`, '-d', '0'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const slapd = new Slapd(dir, child, ports);
      const kill = () => child.kill('SIGKILL');
      process.once('exit', kill);
      child.once('exit', () => process.off('exit', kill));
      await slapd.#waitForPort(ports.ldaps, timeoutMs);
      return slapd;
    } catch (error) {
      dir.remove();
      throw error;
    }
  }

  async #waitForPort(port: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#process.exitCode !== null) throw new Error(`slapd exited: ${this.#log}`);
      const ok = await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (ok) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`slapd did not listen on ${port} within ${timeoutMs} ms: ${this.#log}`);
  }

  /** Applies an LDIF change (changetype: modify / add / delete) with ldapmodify over LDAPS as the root DN. */
  async modify(ldif: string): Promise<void> {
    const file = join(this.#dir.path, `change-${Date.now()}.ldif`);
    writeFileSync(file, ldif);
    await run(
      'ldapmodify',
      ['-H', this.ldapsUrl, '-x', '-D', SLAPD_ROOT_DN, '-w', SLAPD_ROOT_PASSWORD, '-f', file],
      {
        timeout: 15_000,
        env: {
          ...process.env,
          LDAPTLS_CACERT: join(this.#dir.path, 'test-ca.pem'),
          LDAPTLS_REQCERT: 'demand',
        },
      },
    );
  }

  async stop(): Promise<void> {
    if (this.#process.exitCode === null && this.#process.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.#process.once('exit', () => resolve()));
      this.#process.kill('SIGTERM');
      const timer = setTimeout(() => this.#process.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    this.#dir.remove();
  }
}
