import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import {
  ApiClient,
  createAccount,
  ensureEnterprise,
  startApiEdge,
  type ApiEdge,
} from '../../helpers/api-client.ts';
import { runCli } from '../../helpers/cli-process.ts';
import { ldifEntry, Slapd, SLAPD_ROOT_DN, SLAPD_ROOT_PASSWORD, SLAPD_SUFFIX } from '../../helpers/slapd.ts';

const PEOPLE = `ou=People,${SLAPD_SUFFIX}`;
/** An OU whose name holds a comma: the DN escapes it (slapd answers it as \2C). */
const SALES = `ou=Sales\\, Paris,${PEOPLE}`;
const ADMINS = `cn=printer-admins,ou=Groups,${SLAPD_SUFFIX}`;

const person = (uid: string, ou: string, attrs: Record<string, string>) =>
  ldifEntry(`uid=${uid},${ou}`, {
    // extensibleObject: inetOrgPerson has neither c nor co; a directory adds them like this.
    objectClass: ['inetOrgPerson', 'extensibleObject'],
    uid,
    sn: uid,
    ...attrs,
  });

const DIRECTORY = [
  ldifEntry(PEOPLE, { objectClass: 'organizationalUnit', ou: 'People' }),
  ldifEntry(SALES, { objectClass: 'organizationalUnit', ou: 'Sales, Paris' }),
  ldifEntry(`ou=Groups,${SLAPD_SUFFIX}`, { objectClass: 'organizationalUnit', ou: 'Groups' }),
  person('renee', SALES, {
    cn: 'Renée Lefèvre',
    mail: 'renee@example.com',
    c: 'FR',
    co: 'France',
    preferredLanguage: 'fr',
  }),
  person('jurgen', PEOPLE, {
    cn: 'Jürgen Groß',
    mail: 'jurgen@example.com',
    c: 'DE',
    co: 'Germany',
    preferredLanguage: 'de-DE',
  }),
  person('zoe', PEOPLE, {
    cn: 'Zoë Ødegård',
    mail: 'zoe@example.com',
    c: 'NO',
    co: 'Norway',
    preferredLanguage: 'en',
  }),
  person('ana', SALES, { cn: 'Ana López', mail: 'ana@example.com', c: 'ES', co: 'Spain' }),
  person('omar', PEOPLE, { cn: 'Omar Haddad', mail: 'omar@example.com', c: 'MA' }),
  person('li', PEOPLE, { cn: 'Li Wei', mail: 'li@example.com', c: 'CN' }),
  // No mail yet: fails on the first run, mended before the second.
  person('broken', PEOPLE, { cn: 'Bob Broken', c: 'GB' }),
  ldifEntry(ADMINS, { objectClass: 'groupOfNames', cn: 'printer-admins', member: `uid=zoe,${PEOPLE}` }),
].join('\n');

/** `mfp-edge admin …` to its end, `input` on its standard input. */
const admin = (args: string[], input = '') => runCli(['admin', ...args], { input });

describe('LDAP(S) directory sync against slapd', function () {
  this.timeout(60_000);
  let slapd: Slapd;
  let api: ApiEdge;
  let acme: EnterpriseRecord;
  let client: ApiClient;
  let caFile: string;

  const settings = (extra: Record<string, unknown> = {}) => ({
    url: slapd.ldapsUrl,
    bindDn: SLAPD_ROOT_DN,
    baseDn: PEOPLE,
    filter: '(objectClass=inetOrgPerson)',
    caCertificates: slapd.caPem,
    adminGroup: ADMINS,
    intervalMinutes: 0,
    ...extra,
  });
  const user = (email: string) => api.edge.repositories.users.findByEmail(acme.id, email);
  const link = (id: string) => api.edge.provisioning.people.link(id);

  before(async () => {
    slapd = await Slapd.start(DIRECTORY);
    api = await startApiEdge();
    acme = ensureEnterprise(api.edge, 'Acme', 'acme');
    const owner = await createAccount(api.edge, { enterprise: acme, email: 'owner@acme.test' });
    await createAccount(api.edge, { enterprise: acme, email: 'local@acme.test', role: 'user' });
    client = new ApiClient(api.url);
    client.bearer = api.edge.api.tokens.create(owner.user.id, 't', new Date(Date.now() + 86_400_000)).token;
    caFile = join(slapd.dir, 'test-ca.pem');
    writeFileSync(join(slapd.dir, 'not-a-ca.txt'), 'hello');
  });
  after(async () => {
    await api?.stop();
    await slapd?.stop();
  });

  it('refuses a server certificate from another CA, and the system CAs', async () => {
    for (const ca of [slapd.otherCaPem, null]) {
      const set = await client.request('PUT', '/enterprises/acme/ldap-sync', {
        ...settings({ caCertificates: ca }),
        password: SLAPD_ROOT_PASSWORD,
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const run = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
      assert.equal(run.status, 200, JSON.stringify(run.body));
      assert.equal(run.body.outcome, 'failed');
      assert.equal(run.body.errorCode, 'LDAP_CERTIFICATE_INVALID');
      assert.equal(run.body.counts.created, 0);
    }
    const clear = await client.request('PUT', '/enterprises/acme/ldap-sync', {
      ...settings(),
      url: slapd.ldapUrl,
    });
    assert.equal(clear.status, 400, 'plain ldap:// without StartTLS is refused');
  });

  it('first sync (CLI, LDAPS with --ca-file) creates the users with the right attributes', async () => {
    const set = await admin(
      [
        '--data',
        api.dataDir,
        'directory',
        'set',
        '--url',
        slapd.ldapsUrl,
        '--bind-dn',
        SLAPD_ROOT_DN,
        '--password-stdin',
        '--base-dn',
        PEOPLE,
        '--filter',
        '(objectClass=inetOrgPerson)',
        '--ca-file',
        caFile,
        '--admin-group',
        ADMINS,
        '--map',
        'language=preferredLanguage',
        '--interval-minutes',
        '0',
      ],
      `${SLAPD_ROOT_PASSWORD}\n`,
    );
    assert.equal(set.code, 0, set.stderr);
    const bad = await admin([
      '--data',
      api.dataDir,
      'directory',
      'set',
      '--url',
      slapd.ldapsUrl,
      '--bind-dn',
      SLAPD_ROOT_DN,
      '--base-dn',
      PEOPLE,
      '--ca-file',
      join(slapd.dir, 'not-a-ca.txt'),
    ]);
    assert.equal(bad.code, 1, 'a CA file without a certificate');
    const sync = await admin(['--data', api.dataDir, 'directory', 'sync', '--json']);
    assert.equal(sync.code, 0, sync.stderr);
    const report = JSON.parse(sync.stdout);
    assert.equal(report.outcome, 'completed');
    assert.deepEqual(report.counts, { created: 6, updated: 0, enabled: 0, disabled: 0, failed: 1 });
    assert.equal(report.failed[0].dn, `uid=broken,${PEOPLE}`);
    assert.match(report.failed[0].reason, /no mail/);

    const renee = user('renee@example.com')!;
    assert.equal(renee.displayName, 'Renée Lefèvre');
    assert.equal(renee.language, 'fr');
    assert.equal(renee.role, 'user');
    const reneeLink = link(renee.id)!;
    assert.equal(reneeLink.country, 'FR', 'country from c, not co');
    assert.equal(reneeLink.provisionedBy, 'ldap');
    assert.equal(reneeLink.ldapDn, `uid=renee,${SALES}`, 'the escaped comma survives');
    assert.match(reneeLink.ldapUid!, /^[0-9a-f-]{36}$/);
    assert.equal(user('jurgen@example.com')!.language, 'de');
    assert.equal(user('zoe@example.com')!.role, 'admin', 'member of the admin group');
    assert.equal(user('zoe@example.com')!.displayName, 'Zoë Ødegård');
    assert.equal(user('local@acme.test')!.disabledAt, null, 'a user the sync did not create is left alone');
  });

  it('a second run after changes updates and disables exactly the changed ones, retries the failed entry, ends sessions', async () => {
    await slapd.modify(
      [
        `dn: uid=jurgen,${PEOPLE}`,
        'changetype: modify',
        'replace: cn',
        `cn:: ${Buffer.from('Jürgen Groß-Meier').toString('base64')}`,
        '',
        `dn: uid=ana,${SALES}`,
        'changetype: delete',
        '',
        `dn: uid=broken,${PEOPLE}`,
        'changetype: modify',
        'add: mail',
        'mail: bob@example.com',
        '',
      ].join('\n'),
    );
    const ana = user('ana@example.com')!;
    const device = api.edge.repositories.devices.create({
      enterpriseId: acme.id,
      name: 'Desk',
      authMode: 'user-prompt',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'h-desk',
    });
    const session = await api.edge.people.sessions.create({
      userId: ana.id,
      deviceId: device.id,
      enterpriseId: acme.id,
    });
    const ended: string[] = [];
    api.edge.people.sessions.on('revoked', (s) => ended.push(...s.map((r) => r.id)));

    const run = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const r = run.body;
    assert.equal(r.outcome, 'completed');
    assert.deepEqual(r.counts, { created: 1, updated: 1, enabled: 0, disabled: 1, failed: 0 });
    assert.deepEqual(
      r.updated.map((u: { email: string; changes: string[] }) => [u.email, u.changes]),
      [['jurgen@example.com', ['displayName']]],
    );
    assert.deepEqual(
      r.disabled.map((u: { email: string }) => u.email),
      ['ana@example.com'],
    );
    assert.deepEqual(
      r.created.map((u: { email: string }) => u.email),
      ['bob@example.com'],
    );
    assert.deepEqual(
      r.recovered.map((u: { dn: string }) => u.dn),
      [`uid=broken,${PEOPLE}`],
      'the failed entry, retried',
    );
    assert.equal(user('jurgen@example.com')!.displayName, 'Jürgen Groß-Meier');
    assert.notEqual(api.edge.repositories.users.get(ana.id)!.disabledAt, null);
    assert.deepEqual(ended, [session.sessionId], 'the panel session ended at once');
    const last = await client.request('GET', '/enterprises/acme/ldap-sync');
    assert.equal(last.body.lastRun.id, r.id);
    assert.equal('password' in last.body.settings, false);
    const audit = api.edge.audit.list(
      { enterpriseId: acme.id, action: 'ldap-sync.run' },
      { offset: 0, limit: 10 },
    );
    assert.ok(audit.items.some((e) => (e.details as { counts?: { created: number } }).counts?.created === 6));
  });

  it('stops a run whose filter would disable most users, and --force overrides', async () => {
    const set = await client.request(
      'PUT',
      '/enterprises/acme/ldap-sync',
      settings({ filter: '(uid=renee)' }),
    );
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const sync = await admin(['--data', api.dataDir, 'directory', 'sync']);
    assert.equal(sync.code, 1);
    assert.match(sync.stderr, /LDAP_MASS_DISABLE_STOPPED/);
    assert.match(sync.stdout, /stopped/);
    for (const email of [
      'jurgen@example.com',
      'zoe@example.com',
      'omar@example.com',
      'li@example.com',
      'bob@example.com',
    ])
      assert.equal(user(email)!.disabledAt, null, `${email} stays enabled`);
    const forced = await admin(['--data', api.dataDir, 'directory', 'sync', '--json', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(forced.stdout).counts.disabled, 5, 'told to, it disables them');
    const back = await client.request('PUT', '/enterprises/acme/ldap-sync', settings());
    assert.equal(back.status, 200);
    const normal = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(normal.body.outcome, 'completed');
    assert.equal(normal.body.counts.disabled, 0);
    assert.equal(normal.body.counts.enabled, 5, 'back in the filter, enabled again');
  });

  it('StartTLS works with the CA; validation off is warned about and audited', async () => {
    const tls = await client.request(
      'PUT',
      '/enterprises/acme/ldap-sync',
      settings({ url: slapd.ldapUrl, startTls: true }),
    );
    assert.equal(tls.status, 200, JSON.stringify(tls.body));
    const run = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(run.body.outcome, 'completed', JSON.stringify(run.body));
    const off = await client.request(
      'PUT',
      '/enterprises/acme/ldap-sync',
      settings({ caCertificates: null, tlsVerify: false }),
    );
    assert.equal(off.status, 200);
    assert.match(off.body.warnings[0], /validation is off/);
    const unchecked = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(unchecked.body.outcome, 'completed');
    assert.equal(unchecked.body.tlsVerify, false);
    const audit = api.edge.audit.list(
      { enterpriseId: acme.id, action: 'ldap-sync.configure' },
      { offset: 0, limit: 20 },
    );
    assert.ok(audit.items.some((e) => (e.details as { tlsVerify?: boolean }).tlsVerify === false));
  });

  it('runs on its schedule when due, and not before', async () => {
    const set = await client.request('PUT', '/enterprises/acme/ldap-sync', settings({ intervalMinutes: 30 }));
    assert.equal(set.status, 200);
    const before = api.edge.provisioning.ldap.lastReport(acme.id)!;
    await api.edge.provisioning.scheduler.tick(new Date(Date.parse(before.startedAt) + 10 * 60_000));
    assert.equal(api.edge.provisioning.ldap.lastReport(acme.id)!.id, before.id, 'not due yet');
    await api.edge.provisioning.scheduler.tick(new Date(Date.parse(before.startedAt) + 31 * 60_000));
    const scheduled = api.edge.provisioning.ldap.lastReport(acme.id)!;
    assert.equal(scheduled.trigger, 'schedule');
    assert.equal(scheduled.outcome, 'completed');
  });

  it("leaves a hand-made user with an entry's email alone unless told, and reports why", async () => {
    await slapd.modify(
      [
        `dn: uid=kim,${PEOPLE}`,
        'changetype: add',
        'objectClass: inetOrgPerson',
        'uid: kim',
        'sn: kim',
        'cn: Kim',
        'mail: local@acme.test',
        '',
      ].join('\n'),
    );
    const run = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(run.body.counts.failed, 1);
    assert.match(run.body.failed[0].reason, /did not create/);
    assert.equal(link(user('local@acme.test')!.id).provisionedBy, null);
    const again = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(again.body.failed[0].retried, true, 'tried again, and said so');
  });

  it('runs one sync at a time across processes (LDAP_SYNC_RUNNING while another holds it)', async () => {
    const store = api.edge.provisioning.ldap.settings;
    assert.ok(store.acquireLease(acme.id, new Date(), new Date(Date.now() + 60_000)), 'as the CLI would');
    const refused = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'LDAP_SYNC_RUNNING');
    store.releaseLease(acme.id);
    const run = await client.request('POST', '/enterprises/acme/ldap-sync/run', {});
    assert.equal(run.status, 200);
  });
});
