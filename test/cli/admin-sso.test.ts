import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EdgeService } from '../../edge-service/src/edge-service.ts';
import { createLogger } from '../../edge-service/src/logger.ts';
import { runCli } from '../helpers/cli-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { testCertificate } from '../helpers/test-certificate.ts';

/** `mfp-edge admin …` to its end, `input` on its standard input. */
const admin = (args: string[], input = '') => runCli(['admin', ...args], { input });

describe('cli/admin sso', function () {
  this.timeout(120_000);
  const dir = tempDir('admin-sso-cli-');
  const data = ['--data', join(dir.path, 'data')];
  let edge: EdgeService | null = null;
  let metadataFile: string;
  after(async () => {
    await edge?.stop();
    dir.remove();
  });

  before(() => {
    const cert = testCertificate().body;
    metadataFile = join(dir.path, 'idp.xml');
    writeFileSync(
      metadataFile,
      `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.acme.test/saml"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>${cert}</X509Certificate></X509Data></KeyInfo></KeyDescriptor><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.acme.test/sso"/></IDPSSODescriptor></EntityDescriptor>`,
    );
  });

  it('sets SAML from a metadata file while the edge runs, and the edge uses it at once', async () => {
    assert.equal((await admin([...data, 'enterprise', 'add', 'Acme'])).code, 0);
    edge = new EdgeService({
      logger: createLogger({ level: 'silent' }),
      config: { port: 0, dataDir: join(dir.path, 'data') },
    });
    await edge.start();
    const slug = edge.repositories.directory.listEnterprises()[0]!.slug;
    assert.equal(
      (await fetch(`${edge.url}/auth/${slug}/sso/start?purpose=account`, { redirect: 'manual' })).status,
      404,
    );

    const set = await admin([...data, 'sso', 'set', '--protocol', 'saml', '--metadata-file', metadataFile]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /idp\.entityId=https:\/\/idp\.acme\.test\/saml/);
    assert.match(set.stdout, /warning: No administrator keeps a built-in password/);
    const start = await fetch(`${edge.url}/auth/${slug}/sso/start?purpose=account`, { redirect: 'manual' });
    assert.equal(start.status, 303);
    assert.match(start.headers.get('location')!, /^https:\/\/idp\.acme\.test\/sso\?SAMLRequest=/);

    const shown = await admin([...data, 'sso', 'show', '--json']);
    assert.equal(shown.code, 0);
    const view = JSON.parse(shown.stdout) as {
      settings: { protocol: string };
      serviceProvider: { entityId: string };
    };
    assert.equal(view.settings.protocol, 'saml');
    assert.match(view.serviceProvider.entityId, new RegExp(`/auth/${slug}/saml$`));
  });

  it('takes an OIDC client secret from standard input only, and never shows it', async () => {
    const secret = 'very-secret-client-secret-4711';
    const set = await admin(
      [
        ...data,
        'sso',
        'set',
        '--protocol',
        'oidc',
        '--issuer',
        'https://login.acme.test/',
        '--client-id',
        'mfp-edge',
        '--client-secret-stdin',
        '--email-claim',
        'upn',
      ],
      `${secret}\n`,
    );
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /clientSecret=\(set\)/);
    const shown = await admin([...data, 'sso', 'show', '--json']);
    assert.ok(!shown.stdout.includes(secret));
    assert.equal((JSON.parse(shown.stdout) as { clientSecretSet: boolean }).clientSecretSet, true);
    assert.ok(!readFileSync(join(dir.path, 'data', 'edge.db')).includes(secret), 'sealed at rest');
    assert.equal(
      edge!.sso.service.settings(edge!.repositories.directory.listEnterprises()[0]!.id)?.emailClaim,
      'upn',
    );
  });

  it('answers 2 for usage and 1 for refused settings', async () => {
    assert.equal((await admin([...data, 'sso', 'set'])).code, 2);
    assert.equal((await admin([...data, 'sso', 'set', '--protocol', 'kerberos'])).code, 2);
    assert.equal((await admin([...data, 'sso', 'set', '--protocol', 'saml', '--client-secret'])).code, 2);
    writeFileSync(join(dir.path, 'bad.xml'), '<EntityDescriptor entityID="x"/>');
    const bad = await admin([
      ...data,
      'sso',
      'set',
      '--protocol',
      'saml',
      '--metadata-file',
      join(dir.path, 'bad.xml'),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /SSO_METADATA_INVALID/);
    const none = await admin([...data, 'sso', 'set', '--protocol', 'saml']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /POLICY_INVALID/);
    assert.equal((await admin([...data, 'sso', 'clear'])).code, 0);
    assert.match((await admin([...data, 'sso', 'show'])).stdout, /off/);
    assert.equal((await admin([...data, 'sso', 'clear'])).code, 1);
  });
});
