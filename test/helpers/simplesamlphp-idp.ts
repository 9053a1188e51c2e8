import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from './temp-dir.ts';
import { testCertificate } from './test-certificate.ts';

/**
 * Debian's simplesamlphp on PHP's own server (shared/peers/README.md): a real SAML 2.0 IdP and,
 * through its `adfs` module, a real WS-Federation IdP, on 127.0.0.1 at a free port, with an
 * exampleauth:UserPass source, a key and certificate made by openssl for this run, and the
 * service providers it trusts (settable after start: metadata files are read per request).
 * stop() ends PHP and removes the folder.
 */

export interface IdpUser {
  username: string;
  password: string;
  /** The `mail` attribute (an IdP user without one is a test of SSO_EMAIL_MISSING). */
  mail?: string;
  attributes?: Record<string, string[]>;
}

export interface SamlSp {
  entityId: string;
  acsUrl: string;
  sloUrl?: string;
}

export interface WsfedSp {
  /** The realm (wtrealm): the SP's entity ID. */
  realm: string;
  /** Where the IdP posts the token (prp). */
  replyUrl: string;
}

export interface SimpleSamlIdpOptions {
  users: IdpUser[];
  saml?: SamlSp[];
  wsfed?: WsfedSp[];
  /** Which parts the IdP signs (both by default). */
  signAssertion?: boolean;
  signResponse?: boolean;
  /**
   * The host name in the IdP's URLs (PHP listens on 127.0.0.1 either way). `localhost` makes the
   * IdP another site than an edge on 127.0.0.1 for the browser, as a real IdP is (SameSite).
   */
  hostName?: '127.0.0.1' | 'localhost';
}

const php = (value: unknown): string => {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(php).join(', ')}]`;
  return `[${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${php(k)} => ${php(v)}`)
    .join(', ')}]`;
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class SimpleSamlIdp {
  readonly #options: SimpleSamlIdpOptions;
  #dir: { path: string; remove: () => void } | null = null;
  #process: ChildProcess | null = null;
  #output = '';
  port = 0;

  constructor(options: SimpleSamlIdpOptions) {
    this.#options = options;
  }

  get baseUrl(): string {
    return `http://${this.#options.hostName ?? '127.0.0.1'}:${this.port}/simplesaml`;
  }
  /** The SAML IdP's entity ID and metadata URL. */
  get entityId(): string {
    return `${this.baseUrl}/saml2/idp/metadata.php`;
  }
  get metadataUrl(): string {
    return this.entityId;
  }
  /** The WS-Fed IdP's metadata (its entity ID is `wsfedEntityId`). */
  get wsfedMetadataUrl(): string {
    return `${this.baseUrl}/module.php/adfs/idp/metadata.php`;
  }
  get wsfedEntityId(): string {
    return 'urn:mfp-edge:test-adfs-idp';
  }
  /** The IdP's signing key and certificate (PEM): tests sign crafted responses with them. */
  get privateKey(): string {
    return readFileSync(join(this.#path, 'cert', 'idp.key'), 'utf8');
  }
  get certificate(): string {
    return readFileSync(join(this.#path, 'cert', 'idp.crt'), 'utf8');
  }
  /** What PHP wrote (for a failing test's message). */
  get output(): string {
    return this.#output;
  }

  get #path(): string {
    if (!this.#dir) throw new Error('simplesamlphp is not started');
    return this.#dir.path;
  }

  async start(): Promise<void> {
    this.#dir = tempDir('mfp-edge-simplesaml-');
    try {
      await this.#start();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  async #start(): Promise<void> {
    const root = this.#path;
    for (const sub of ['config', 'metadata', 'cert', 'tmp', 'log', 'docroot', 'sessions'])
      mkdirSync(join(root, sub));
    symlinkSync('/usr/share/simplesamlphp/www', join(root, 'docroot', 'simplesaml'));
    const idpKey = testCertificate('simplesamlphp test IdP', 7);
    writeFileSync(join(root, 'cert', 'idp.key'), idpKey.key);
    writeFileSync(join(root, 'cert', 'idp.crt'), idpKey.pem);
    this.port = await freePort();
    writeFileSync(
      join(root, 'config', 'config.php'),
      `<?php
$config = [
  'baseurlpath' => ${php(`${this.baseUrl}/`)},
  'certdir' => ${php(join(root, 'cert'))},
  'loggingdir' => ${php(join(root, 'log'))},
  'datadir' => ${php(join(root, 'tmp'))},
  'tempdir' => ${php(join(root, 'tmp'))},
  'metadatadir' => ${php(join(root, 'metadata'))},
  'secretsalt' => ${php(`salt-${process.pid}-${Date.now()}`)},
  'auth.adminpassword' => ${php(`admin-${Date.now()}`)},
  'admin.protectindexpage' => false,
  'admin.protectmetadata' => false,
  'technicalcontact_name' => 'Test',
  'technicalcontact_email' => 'test@example.com',
  'timezone' => 'UTC',
  'logging.level' => SimpleSAML\\Logger::WARNING,
  'logging.handler' => 'file',
  'logging.logfile' => 'simplesamlphp.log',
  // ReturnTo URLs (IdP-initiated logout) on loopback, whatever the port.
  'trusted.url.regex' => true,
  'trusted.url.domains' => ['(127\\\\.0\\\\.0\\\\.1|localhost)(:[0-9]+)?'],
  'enable.saml20-idp' => true,
  'enable.adfs-idp' => true,
  'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true, 'adfs' => true, 'admin' => false],
  'session.cookie.secure' => false,
  'session.cookie.samesite' => null,
  'session.phpsession.savepath' => ${php(join(root, 'sessions'))},
  'store.type' => 'phpsession',
  'metadata.sources' => [['type' => 'flatfile']],
  'language.available' => ['en'],
];
`,
    );
    writeFileSync(
      join(root, 'config', 'authsources.php'),
      `<?php
$config = [
  'admin' => ['core:AdminPassword'],
  'example-userpass' => ${php({
    0: 'exampleauth:UserPass',
    ...Object.fromEntries(
      this.#options.users.map((u) => [
        `${u.username}:${u.password}`,
        { uid: [u.username], ...(u.mail ? { mail: [u.mail] } : {}), ...u.attributes },
      ]),
    ),
  })},
];
`,
    );
    writeFileSync(
      join(root, 'metadata', 'saml20-idp-hosted.php'),
      `<?php
$metadata['__DYNAMIC:1__'] = [
  'host' => '__DEFAULT__',
  'privatekey' => 'idp.key',
  'certificate' => 'idp.crt',
  'auth' => 'example-userpass',
  'sign.assertion' => ${php(this.#options.signAssertion ?? true)},
  'sign.response' => ${php(this.#options.signResponse ?? true)},
  'sign.logout' => true,
  'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
];
`,
    );
    writeFileSync(
      join(root, 'metadata', 'adfs-idp-hosted.php'),
      `<?php
$metadata[${php(this.wsfedEntityId)}] = [
  'host' => '__DEFAULT__',
  'privatekey' => 'idp.key',
  'certificate' => 'idp.crt',
  'auth' => 'example-userpass',
];
`,
    );
    this.setSamlSps(this.#options.saml ?? []);
    this.setWsfedSps(this.#options.wsfed ?? []);
    this.#process = spawn('php', ['-S', `127.0.0.1:${this.port}`, '-t', join(root, 'docroot')], {
      env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: join(root, 'config') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#process.stdout!.on(
      'data',
      (d: Buffer) => (this.#output = (this.#output + d.toString()).slice(-20_000)),
    );
    this.#process.stderr!.on(
      'data',
      (d: Buffer) => (this.#output = (this.#output + d.toString()).slice(-20_000)),
    );
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (this.#process.exitCode !== null) throw new Error(`php -S exited: ${this.#output}`);
      try {
        const answer = await fetch(this.metadataUrl, { signal: AbortSignal.timeout(2000) });
        const text = await answer.text();
        if (answer.ok && text.includes('IDPSSODescriptor')) return;
        if (Date.now() > deadline)
          throw new Error(`simplesamlphp metadata: HTTP ${answer.status} ${text.slice(0, 500)}`);
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`simplesamlphp did not start: ${(error as Error).message}\n${this.#output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The SAML service providers it trusts (replaces the list). */
  setSamlSps(sps: SamlSp[]): void {
    const entries = sps
      .map(
        (sp) => `$metadata[${php(sp.entityId)}] = [
  'AssertionConsumerService' => [['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', 'Location' => ${php(sp.acsUrl)}]],
  ${sp.sloUrl ? `'SingleLogoutService' => [['Binding' => 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', 'Location' => ${php(sp.sloUrl)}]],` : ''}
  'simplesaml.nameidattribute' => 'uid',
  'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:basic',
];`,
      )
      .join('\n');
    writeFileSync(join(this.#path, 'metadata', 'saml20-sp-remote.php'), `<?php\n${entries}\n`);
  }

  /** The WS-Fed relying parties it trusts (replaces the list). */
  setWsfedSps(sps: WsfedSp[]): void {
    const entries = sps
      .map(
        (sp) => `$metadata[${php(sp.realm)}] = [
  'prp' => ${php(sp.replyUrl)},
  'simplesaml.nameidattribute' => 'uid',
  'authproc' => [50 => ['class' => 'core:AttributeLimit', 'uid', 'mail']],
];`,
      )
      .join('\n');
    writeFileSync(join(this.#path, 'metadata', 'adfs-sp-remote.php'), `<?php\n${entries}\n`);
  }

  async stop(): Promise<void> {
    const child = this.#process;
    this.#process = null;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    this.#dir?.remove();
    this.#dir = null;
  }
}
