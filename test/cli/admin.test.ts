import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../edge-service/src/db/database.ts';
import { PolicyService } from '../../edge-service/src/policies/policy-service.ts';
import { PolicyWatcher } from '../../edge-service/src/policies/policy-watcher.ts';
import type { VersionedPolicy } from '../../edge-service/src/policies/policy-schema.ts';
import { PasswordHasher } from '../../edge-service/src/auth/password-hasher.ts';
import { SqliteDeviceRepository } from '../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqlitePolicyRepository } from '../../edge-service/src/storage/sqlite-policy-repository.ts';
import { SqliteUserRepository } from '../../edge-service/src/storage/sqlite-user-repository.ts';
import { runCli } from '../helpers/cli-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** The real CLI as an operator runs it, with `input` on its standard input. */
const admin = (args: string[], options: { input?: string | Buffer; env?: NodeJS.ProcessEnv } = {}) =>
  runCli(['admin', ...args], options);

describe('cli/admin', function () {
  this.timeout(120_000);
  const dir = tempDir('admin-cli-');
  const data = ['--data', dir.path];
  after(() => dir.remove());

  it('prints its usage for help (0) and for a bad command (2)', async () => {
    const help = await admin(['help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /user set-password --email E --password-stdin/);
    const bad = await admin([...data, 'user', 'frob']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command "user frob"/);
    assert.equal((await admin([...data, 'user', 'add', '--email', 'x@y.test'])).code, 2, '--name missing');
    assert.equal(
      (await admin([...data, 'user', 'add', '--email', 'x@y.test', '--name', 'X', '--bogus'])).code,
      2,
    );
  });

  it('refuses with 1 while there is no enterprise, then works with the only one', async () => {
    const none = await admin([...data, 'user', 'list']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /enterprise add NAME/);
    const created = await admin([...data, 'enterprise', 'add', 'Acme Corp']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /identifier acme-corp/);
    assert.equal((await admin([...data, 'enterprise', 'add', 'Acme Corp'])).code, 1);
  });

  it('adds users with a password from stdin only, enforcing the policy; lists them', async () => {
    const ok = await admin(
      [
        ...data,
        'user',
        'add',
        '--email',
        'ann@acme.test',
        '--name',
        'Ann Lee',
        '--role',
        'admin',
        '--password-stdin',
      ],
      { input: 'Blue-Harbour-41\n' },
    );
    assert.equal(ok.code, 0, ok.stderr);
    const weak = await admin(
      [...data, 'user', 'add', '--email', 'bob@acme.test', '--name', 'Bob', '--password-stdin'],
      {
        input: 'password',
      },
    );
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /Not a common or previously breached password/);
    assert.ok(
      !weak.stderr.includes('password\n') && !weak.stdout.includes('password'),
      'the password is not echoed',
    );
    for (const input of ['', '\n', Buffer.from([0xff, 0xfe, 0x41, 0x42]), 'x'.repeat(1 << 20)]) {
      const bad = await admin(
        [...data, 'user', 'add', '--email', 'bob@acme.test', '--name', 'Bob', '--password-stdin'],
        {
          input,
        },
      );
      assert.equal(bad.code, 1, bad.stderr);
    }
    const sso = await admin([
      ...data,
      'user',
      'add',
      '--email',
      'sso@acme.test',
      '--name',
      'SSO Person',
      '--no-builtin-password',
      '--no-2fa',
      '--language',
      'fr',
    ]);
    assert.equal(sso.code, 0, sso.stderr);
    assert.equal(
      (
        await admin([
          ...data,
          'user',
          'add',
          '--email',
          'z@acme.test',
          '--name',
          'Z',
          '--no-builtin-password',
          '--password-stdin',
        ])
      ).code,
      2,
    );
    const list = await admin([...data, 'user', 'list', '--json']);
    const users = JSON.parse(list.stdout) as {
      email: string;
      role: string;
      hasPassword: boolean;
      language: string;
    }[];
    assert.deepEqual(
      users.map((u) => [u.email, u.role, u.hasPassword, u.language]),
      [
        ['ann@acme.test', 'admin', true, 'en'],
        ['sso@acme.test', 'user', false, 'fr'],
      ],
    );
    const db = openDatabase(join(dir.path, 'edge.db'));
    try {
      const row = db.prepare("SELECT password_hash FROM users WHERE email = 'ann@acme.test'").get() as {
        password_hash: string;
      };
      assert.match(row.password_hash, /^\$argon2id\$/);
      assert.equal(await new PasswordHasher().verify(row.password_hash, 'Blue-Harbour-41'), true);
    } finally {
      db.close();
    }
  });

  it('adds the vendor-side roles, refuses unknown roles (2) and 2FA exclusion for console roles (1)', async () => {
    const add = (email: string, ...extra: string[]) =>
      admin([...data, 'user', 'add', '--email', email, '--name', 'Vendor', ...extra]);
    const agent = await add('agent@vendor.test', '--role', 'support-agent');
    assert.equal(agent.code, 0, agent.stderr);
    assert.match(agent.stdout, /created support-agent agent@vendor\.test/);
    assert.equal((await add('odd@vendor.test', '--role', 'root')).code, 2);
    const excluded = await add('reseller@vendor.test', '--role', 'reseller-admin', '--no-2fa');
    assert.equal(excluded.code, 1);
    assert.match(excluded.stderr, /TWO_FACTOR_REQUIRED_FOR_ADMINS/);
  });

  it('sets a password, unlocks, and lists locked users', async () => {
    const set = await admin(
      [...data, 'user', 'set-password', '--email', 'ANN@acme.test', '--password-stdin', '--must-change'],
      {
        input: 'Fresh-Lantern-77\r\n',
      },
    );
    assert.equal(set.code, 0, set.stderr);
    assert.equal(
      (await admin([...data, 'user', 'set-password', '--email', 'ann@acme.test'])).code,
      2,
      'stdin only',
    );
    assert.equal(
      (
        await admin([...data, 'user', 'set-password', '--email', 'sso@acme.test', '--password-stdin'], {
          input: 'Fresh-Lantern-77',
        })
      ).code,
      1,
    );
    const db = openDatabase(join(dir.path, 'edge.db'));
    const users = new SqliteUserRepository(db);
    const ann = db.prepare("SELECT id FROM users WHERE email = 'ann@acme.test'").get() as { id: string };
    assert.equal(users.get(ann.id)?.mustChangePassword, true);
    users.recordFailure(ann.id, new Date(), { maxAttempts: 1, lockUntil: new Date(Date.now() + 3_600_000) });
    db.close();
    const locked = await admin([...data, 'user', 'list', '--locked']);
    assert.match(locked.stdout, /^ann@acme\.test\tAnn Lee\tadmin\tLocked until /m);
    assert.doesNotMatch(locked.stdout, /sso@acme/);
    assert.equal((await admin([...data, 'user', 'unlock', '--email', 'ann@acme.test'])).code, 0);
    assert.match((await admin([...data, 'user', 'list', '--locked'])).stdout, /no locked users/);
    assert.equal((await admin([...data, 'user', 'unlock', '--email', 'nobody@acme.test'])).code, 1);
  });

  it('sets the policy while an edge has the database open, and the edge notices within a poll', async () => {
    // This process plays the running edge: its own connection, a PolicyService and a PolicyWatcher.
    const db = openDatabase(join(dir.path, 'edge.db'));
    const repository = new SqlitePolicyRepository(db);
    const service = new PolicyService({ repository });
    const watcher = new PolicyWatcher({ service, repository, intervalMs: 50 });
    const seen: VersionedPolicy[] = [];
    service.on('changed', (_id, policy) => seen.push(policy));
    watcher.start();
    try {
      const set = await admin([
        ...data,
        'policy',
        'set',
        'twoFactor=mandatory',
        'lockoutAttempts=4',
        'emailToFax.trustedDomains=a.test,b.test',
      ]);
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stdout, /twoFactor: optional -> mandatory/);
      assert.match(set.stdout, /now version 1/);
      const deadline = Date.now() + 3000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.length, 1, 'the edge was told');
      assert.equal(seen[0]!.document.lockoutAttempts, 4);
      assert.deepEqual(seen[0]!.document.emailToFax.trustedDomains, ['a.test', 'b.test']);
    } finally {
      watcher.stop();
      db.close();
    }
    const bad = await admin([...data, 'policy', 'set', 'lockoutAttempts=0']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /lockoutAttempts/);
    assert.match((await admin([...data, 'policy', 'set', 'nope=1'])).stderr, /nope: unknown policy key/);
    const shown = await admin([...data, 'policy', 'show', '--json']);
    const policy = JSON.parse(shown.stdout) as { version: number; document: { twoFactor: string } };
    assert.deepEqual([policy.version, policy.document.twoFactor], [1, 'mandatory']);
    assert.match(
      (await admin([...data, 'policy', 'show'])).stdout,
      /^emailToFax\.trustedDomains=a\.test,b\.test$/m,
    );
  });

  it('invites a user: the mail waits in the queue for the edge, and its link opens the account page', async () => {
    const own = tempDir('admin-invite-');
    try {
      const d = ['--data', own.path];
      assert.equal((await admin([...d, 'enterprise', 'add', 'Invite Co'])).code, 0);
      assert.equal(
        (await admin([...d, 'user', 'add', '--email', 'new@invite.test', '--name', 'Nia'])).code,
        0,
      );
      const sso = await admin([
        ...d,
        'user',
        'add',
        '--email',
        'sso@invite.test',
        '--name',
        'S',
        '--no-builtin-password',
      ]);
      assert.equal(sso.code, 0);
      const refused = await admin([...d, 'user', 'invite', '--email', 'sso@invite.test']);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /BUILTIN_PASSWORD_DISABLED/);
      const invited = await admin([
        ...d,
        'user',
        'invite',
        '--email',
        'new@invite.test',
        '--origin',
        'http://edge.test:8080',
      ]);
      assert.equal(invited.code, 0, invited.stderr);
      assert.match(invited.stdout, /invitation for new@invite.test queued/);
      const db = openDatabase(join(own.path, 'edge.db'));
      try {
        const rows = db
          .prepare("SELECT kind, recipient, content FROM mail_queue WHERE state = 'queued'")
          .all() as {
          kind: string;
          recipient: string;
          content: string;
        }[];
        // A welcome mail for each new user (policy welcomeEmail, on by default), then the invitation.
        assert.deepEqual(
          rows.map((r) => [r.kind, r.recipient]),
          [
            ['welcome', 'new@invite.test'],
            ['welcome', 'sso@invite.test'],
            ['invitation', 'new@invite.test'],
          ],
        );
        assert.match(rows[2]!.content, /http:\/\/edge\.test:8080\/account\/invite#token=[\w-]{20,}/);
      } finally {
        db.close();
      }
      assert.doesNotMatch(invited.stdout + invited.stderr, /token=/, 'the CLI prints no link');
    } finally {
      own.remove();
    }
  });

  it('lists and revokes devices; needs --enterprise once there are two enterprises', async () => {
    const db = openDatabase(join(dir.path, 'edge.db'));
    const enterpriseId = (db.prepare('SELECT id FROM enterprises').get() as { id: string }).id;
    const device = new SqliteDeviceRepository(db).create({
      enterpriseId,
      name: 'Lobby MFP',
      authMode: 'user-prompt',
      sharedUserId: null,
      scannerUrl: null,
      faxUrl: null,
      tokenHash: 'h1',
    });
    db.close();
    const list = await admin([...data, 'device', 'list', '--json']);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { id: string }[]).map((d) => d.id),
      [device.id],
    );
    const revoked = await admin([...data, 'device', 'revoke', device.id]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await admin([...data, 'device', 'revoke', device.id])).code, 1, 'already revoked');
    assert.equal((await admin([...data, 'device', 'revoke', 'no-such-id'])).code, 1);
    assert.match((await admin([...data, 'device', 'list'])).stdout, /Lobby MFP\tuser-prompt\trevoked /);
    assert.equal((await admin([...data, 'enterprise', 'add', 'Beta'])).code, 0);
    const ambiguous = await admin([...data, 'user', 'list']);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /--enterprise NAME/);
    assert.equal((await admin([...data, '--enterprise', 'beta', 'user', 'list'])).code, 0, 'by identifier');
    const env = await admin(['--enterprise', 'Acme Corp', 'user', 'list'], {
      env: { MFP_EDGE_DATA: dir.path },
    });
    assert.match(env.stdout, /ann@acme\.test/);
  });
});

describe('cli/admin audit verify', function () {
  this.timeout(120_000);
  const dir = tempDir('admin-audit-');
  const data = ['--data', dir.path];
  after(() => dir.remove());
  const file = () => join(dir.path, 'edge.db');

  it('records the CLI changes as cli:<os user> and verifies the chain (exit 0 with the count)', async () => {
    assert.equal((await admin([...data, 'enterprise', 'add', 'Acme'])).code, 0);
    assert.equal((await admin([...data, 'user', 'add', '--email', 'a@acme.test', '--name', 'A'])).code, 0);
    assert.equal((await admin([...data, 'user', 'unlock', '--email', 'a@acme.test'])).code, 0);
    assert.equal((await admin([...data, 'policy', 'set', 'lockoutAttempts=4'])).code, 0);
    const db = openDatabase(file());
    const rows = db.prepare('SELECT actor, action FROM audit_log ORDER BY seq').all() as {
      actor: string;
      action: string;
    }[];
    db.close();
    assert.deepEqual(
      rows.map((r) => r.action),
      ['enterprise.create', 'user.create', 'user.unlock', 'policy.update'],
    );
    for (const row of rows) assert.match(row.actor, /^cli:\S+$/);
    const verify = await admin([...data, 'audit', 'verify']);
    assert.equal(verify.code, 0, verify.stderr);
    assert.match(verify.stdout, /intact: 4 entries/);
  });

  it('fails (exit 1, naming the entry) after a row was edited by someone who dropped the trigger', async () => {
    const db = openDatabase(file());
    assert.throws(
      () => db.prepare("UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2").run(),
      /append-only/,
    );
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare("UPDATE audit_log SET actor = 'cli:mallory' WHERE seq = 2").run();
    db.close();
    const verify = await admin([...data, 'audit', 'verify']);
    assert.equal(verify.code, 1);
    assert.match(verify.stderr, /broken at entry 2: .*edited.*AUDIT_CHAIN_BROKEN/);
  });

  it('fails after a row was deleted (the chain has a hole)', async () => {
    const db = openDatabase(file());
    db.prepare(
      'UPDATE audit_log SET actor = (SELECT actor FROM audit_log WHERE seq = 1) WHERE seq = 2',
    ).run();
    assert.throws(() => db.prepare('DELETE FROM audit_log WHERE seq = 3').run(), /append-only/);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    db.close();
    const verify = await admin([...data, 'audit', 'verify']);
    assert.equal(verify.code, 1);
    assert.match(verify.stderr, /broken at entry 3: entry 3 is missing/);
  });
});
