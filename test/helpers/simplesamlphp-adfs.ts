import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CookieJar } from './cookie-jar.ts';
import { tempDir } from './temp-dir.ts';

/**
 * A real WS-Federation identity provider: Debian's simplesamlphp with its `adfs` module, served by
 * `php -S` on 127.0.0.1 and a free port (see /work/shared/peers/README.md). It issues what AD FS
 * issues on the passive profile: a WS-Trust RequestSecurityTokenResponse holding a SAML 1.1
 * assertion signed (RSA-SHA256, exclusive c14n) with its own key, POSTed to `wreply` with `wctx`.
 *
 * The sso part's simplesamlphp-idp.ts (SAML 2.0) is to absorb this one as its WS-Fed option.
 */

export interface AdfsUser {
  password: string;
  /** Attribute (claim type) → values, e.g. the AD FS email claim URI → ['a@example.com']. */
  attributes: Record<string, string[]>;
}

export interface AdfsRelyingParty {
  /** wtrealm: our entity ID. */
  realm: string;
  /** Where the token is posted when the request names no wreply. */
  replyUrl: string;
}

export interface SimpleSamlAdfsOptions {
  relyingParties: AdfsRelyingParty[];
  users: Record<string, AdfsUser>;
  /** Seconds an assertion is valid (simplesamlphp's default: 300). */
  assertionLifetimeSeconds?: number;
}

export interface SimpleSamlAdfs {
  origin: string;
  /** The IdP's entity ID (the assertions' Issuer). */
  entityId: string;
  metadataUrl: string;
  /** The passive requestor endpoint (prp.php). */
  passiveUrl: string;
  certificatePem: string;
  privateKeyPem: string;
  /** Everything php -S printed, for a failure's message. */
  log(): string;
  stop(): Promise<void>;
}

const SIMPLESAMLPHP = '/usr/share/simplesamlphp';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const php = (value: unknown): string => JSON.stringify(value).replaceAll('$', '\\$');

function phpArray(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(phpArray).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `[${Object.entries(value)
      .map(([k, v]) => `${php(k)} => ${phpArray(v)}`)
      .join(', ')}]`;
  return php(value);
}

export async function startSimpleSamlAdfs(options: SimpleSamlAdfsOptions): Promise<SimpleSamlAdfs> {
  const temp = tempDir('ssp-adfs-');
  const dir = temp.path;
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const entityId = `${origin}/adfs`;
  for (const sub of ['config', 'metadata', 'cert', 'tmp', 'log', 'sessions', 'docroot'])
    mkdirSync(path.join(dir, sub), { recursive: true });
  symlinkSync(path.join(SIMPLESAMLPHP, 'www'), path.join(dir, 'docroot', 'simplesaml'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=adfs.test',
      '-keyout',
      path.join(dir, 'cert', 'idp.key'),
      '-out',
      path.join(dir, 'cert', 'idp.crt'),
    ],
    { stdio: 'ignore', timeout: 15000 },
  );

  writeFileSync(
    path.join(dir, 'config', 'config.php'),
    `<?php
include '/etc/simplesamlphp/config.php';
$config['baseurlpath'] = ${php(`${origin}/simplesaml/`)};
$config['certdir'] = ${php(path.join(dir, 'cert'))};
$config['metadatadir'] = ${php(path.join(dir, 'metadata'))};
$config['metadata.sources'] = [['type' => 'flatfile', 'directory' => ${php(path.join(dir, 'metadata'))}]];
$config['tempdir'] = ${php(path.join(dir, 'tmp'))};
$config['loggingdir'] = ${php(path.join(dir, 'log'))};
$config['logging.handler'] = 'file';
$config['logging.level'] = SimpleSAML\\Logger::WARNING;
$config['secretsalt'] = ${php(`salt-${port}-${Date.now()}`)};
$config['auth.adminpassword'] = ${php(`admin-${Date.now()}`)};
$config['session.cookie.secure'] = false;
$config['session.phpsession.savepath'] = ${php(path.join(dir, 'sessions'))};
$config['store.type'] = 'phpsession';
$config['enable.saml20-idp'] = false;
$config['enable.adfs-idp'] = true;
$config['module.enable'] = ['exampleauth' => true, 'adfs' => true, 'core' => true, 'saml' => true, 'admin' => false];
$config['trusted.url.domains'] = ['127\\.0\\.0\\.1(:[0-9]+)?'];
$config['trusted.url.regex'] = true;
$config['production'] = false;
`,
  );
  const users: Record<string, unknown> = {};
  for (const [name, user] of Object.entries(options.users))
    users[`${name}:${user.password}`] = { uid: [name], ...user.attributes };
  writeFileSync(
    path.join(dir, 'config', 'authsources.php'),
    `<?php
$config = ['admin' => ['core:AdminPassword'], 'users' => array_merge(['exampleauth:UserPass'], ${phpArray(users)})];
`,
  );
  writeFileSync(
    path.join(dir, 'metadata', 'adfs-idp-hosted.php'),
    `<?php
$metadata[${php(entityId)}] = ${phpArray({
      host: '__DEFAULT__',
      privatekey: 'idp.key',
      certificate: 'idp.crt',
      auth: 'users',
      'assertion.lifetime': options.assertionLifetimeSeconds ?? 300,
    })};
`,
  );
  const sps = options.relyingParties
    .map(
      (rp) =>
        `$metadata[${php(rp.realm)}] = ${phpArray({ prp: rp.replyUrl, 'simplesaml.nameidattribute': 'uid' })};`,
    )
    .join('\n');
  writeFileSync(path.join(dir, 'metadata', 'adfs-sp-remote.php'), `<?php\n${sps}\n`);

  let output = '';
  const child: ChildProcess = spawn('php', ['-S', `127.0.0.1:${port}`, '-t', path.join(dir, 'docroot')], {
    env: { ...process.env, SIMPLESAMLPHP_CONFIG_DIR: path.join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const metadataUrl = `${origin}/simplesaml/module.php/adfs/idp/metadata.php`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    temp.remove();
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const response = await fetch(metadataUrl, { signal: AbortSignal.timeout(2000) });
      const body = await response.text();
      if (response.ok && body.includes('EntityDescriptor')) break;
      if (Date.now() > deadline)
        throw new Error(`metadata answered ${response.status}: ${body.slice(0, 500)}`);
    } catch (error) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`simplesamlphp did not start: ${String(error)}\n${output}`);
      }
    }
    await new Promise((r) => setTimeout(r, 150));
  }

  return {
    origin,
    entityId,
    metadataUrl,
    passiveUrl: `${origin}/simplesaml/module.php/adfs/idp/prp.php`,
    certificatePem: readFileSync(path.join(dir, 'cert', 'idp.crt'), 'utf8'),
    privateKeyPem: readFileSync(path.join(dir, 'cert', 'idp.key'), 'utf8'),
    log: () => output,
    stop,
  };
}

function decodeEntities(value: string): string {
  return value
    .replaceAll('&quot;', '"')
    .replaceAll('&#039;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

function hiddenInputs(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(match[0])?.[1];
    const value = /value="([^"]*)"/.exec(match[0])?.[1];
    if (name !== undefined && value !== undefined) fields[name] = decodeEntities(value);
  }
  return fields;
}

/**
 * Follows the browser from our sign-in URL through simplesamlphp's login form, and returns the
 * form the IdP would auto-POST to us: its action (wreply) and fields (wa, wresult, wctx).
 */
export async function signInAtAdfs(
  signInUrl: string,
  username: string,
  password: string,
): Promise<{ action: string; fields: Record<string, string> }> {
  const jar = new CookieJar();
  let url = signInUrl;
  let init: { method: string; body?: URLSearchParams } = { method: 'GET' };
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { cookie: jar.header() },
      signal: AbortSignal.timeout(10000),
    });
    jar.take(response);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url).href;
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200)
      throw new Error(`simplesamlphp answered ${response.status} at ${url}: ${html.slice(0, 800)}`);
    const fields = hiddenInputs(html);
    if (fields.wresult !== undefined) {
      const action = decodeEntities(/<form[^>]*action="([^"]+)"/.exec(html)?.[1] ?? '');
      return { action, fields };
    }
    if (!/name="password"/.test(html)) throw new Error(`no login form at ${url}: ${html.slice(0, 800)}`);
    const action = decodeEntities(/<form[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '');
    url = new URL(action === '' ? url : action, url).href;
    init = { method: 'POST', body: new URLSearchParams({ ...fields, username, password }) };
  }
  throw new Error('The sign-in at simplesamlphp did not end in a token form within 10 steps');
}
