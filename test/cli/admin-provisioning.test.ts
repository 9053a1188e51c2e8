import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase } from '../../edge-service/src/db/database.ts';
import { ScimTokens } from '../../edge-service/src/provisioning/scim/scim-tokens.ts';
import { runCli } from '../helpers/cli-process.ts';
import { tempDir } from '../helpers/temp-dir.ts';

/** `mfp-edge admin …` to its end, `input` on its standard input. */
const admin = (args: string[], input = '') => runCli(['admin', ...args], { input });

describe('cli/admin: scim token and directory', function () {
  this.timeout(60_000);
  const dir = tempDir('mfp-edge-cli-prov-');
  const data = ['--data', dir.path];
  after(() => dir.remove());

  it('creates a SCIM token shown once (stored hashed) and revokes it', async () => {
    assert.equal((await admin([...data, 'enterprise', 'add', 'Acme'])).code, 0);
    const made = await admin([...data, 'scim', 'token', 'create', '--name', 'Okta']);
    assert.equal(made.code, 0, made.stderr);
    const token = /^(mfps_\S+)$/m.exec(made.stdout)![1]!;
    const id = /id ([0-9a-f-]{36})/.exec(made.stdout)![1]!;
    const db = openDatabase(join(dir.path, 'edge.db'));
    try {
      const tokens = new ScimTokens(db);
      const enterpriseId = tokens.get(id)!.enterpriseId;
      assert.equal(tokens.verify(token, enterpriseId).id, id);
      const stored = db.prepare('SELECT token_hash FROM scim_tokens WHERE id = ?').get(id) as {
        token_hash: string;
      };
      assert.notEqual(stored.token_hash, token);
      assert.equal((await admin([...data, 'scim', 'token', 'revoke', id])).code, 0);
      assert.throws(() => tokens.verify(token, enterpriseId), { code: 'SCIM_TOKEN_INVALID' });
    } finally {
      db.close();
    }
    const again = await admin([...data, 'scim', 'token', 'revoke', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /SCIM_TOKEN_NOT_FOUND/);
    assert.equal((await admin([...data, 'scim', 'token', 'create', '--name', 'x'.repeat(101)])).code, 2);
    const unnamed = await admin([...data, 'scim', 'token', 'create']);
    assert.equal(unnamed.code, 0, 'the name is optional');
    assert.match(unnamed.stdout, /"SCIM"/);
  });

  it('refuses a sync before it is set (1), and a first set without the password on stdin (2)', async () => {
    const sync = await admin([...data, 'directory', 'sync', '--json']);
    assert.equal(sync.code, 1);
    assert.match(sync.stderr, /LDAP_SYNC_NOT_CONFIGURED/);
    const set = await admin([
      ...data,
      'directory',
      'set',
      '--url',
      'ldaps://dc.example',
      '--bind-dn',
      'cn=a',
      '--base-dn',
      'dc=example',
    ]);
    assert.equal(set.code, 2);
    assert.match(set.stderr, /--password-stdin/);
    const plain = await admin(
      [
        ...data,
        'directory',
        'set',
        '--url',
        'ldap://dc.example',
        '--bind-dn',
        'cn=a',
        '--base-dn',
        'dc=example',
        '--password-stdin',
      ],
      'pw\n',
    );
    assert.equal(plain.code, 1, 'plain LDAP without StartTLS');
    assert.match(plain.stderr, /in clear/);
    const badDn = await admin(
      [
        ...data,
        'directory',
        'set',
        '--url',
        'ldaps://dc.example',
        '--bind-dn',
        'cn=a,',
        '--base-dn',
        'dc=example',
        '--password-stdin',
      ],
      'pw\n',
    );
    assert.equal(badDn.code, 1);
    assert.match(badDn.stderr, /bindDn/);
  });
});
