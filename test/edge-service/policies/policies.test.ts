import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { parsePolicyAssignments, policyKeys } from '../../../edge-service/src/policies/policy-assignments.ts';
import { DEFAULT_POLICY, type VersionedPolicy } from '../../../edge-service/src/policies/policy-schema.ts';
import { PolicyService } from '../../../edge-service/src/policies/policy-service.ts';
import { PolicyWatcher } from '../../../edge-service/src/policies/policy-watcher.ts';
import { SqliteDirectoryRepository } from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqlitePolicyRepository } from '../../../edge-service/src/storage/sqlite-policy-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('policies', () => {
  it('has exactly the DESIGN.md §11 keys with the §4 defaults', () => {
    assert.deepEqual(Object.keys(DEFAULT_POLICY), [
      'passwordMinLength',
      'passwordComplexity',
      'passwordHistory',
      'passwordExpiryDays',
      'passwordExpiryReminderDays',
      'twoFactor',
      'lockoutAttempts',
      'lockoutAutoUnlockMinutes',
      'invitationValidityDays',
      'resetLinkValidityHours',
      'restrictedAccess',
      'panelInactivitySeconds',
      'welcomeEmail',
      'faxReceipts',
      'faxInternational',
      'faxBlockedCountries',
      'faxBlockPremium',
      'emailToFax',
      'securityContact',
      'privacyContact',
      'sso',
    ]);
    assert.deepEqual(Object.keys(DEFAULT_POLICY.passwordComplexity), [
      'classesRequired',
      'minLower',
      'minUpper',
      'minDigits',
      'minSymbols',
    ]);
    assert.deepEqual(DEFAULT_POLICY.emailToFax, {
      enabled: false,
      ipAllowList: [],
      spfCheck: false,
      trustedDomains: [],
      faxDomain: null,
      body: 'cover-page',
      devices: [],
      maxMessageMb: 20,
      maxPages: 50,
      maxRecipients: 20,
    });
    const d = DEFAULT_POLICY;
    assert.deepEqual(
      [d.passwordMinLength, d.passwordHistory, d.passwordExpiryDays, d.twoFactor, d.lockoutAttempts],
      [8, 0, 0, 'optional', 6],
    );
    assert.deepEqual(
      [
        d.lockoutAutoUnlockMinutes,
        d.invitationValidityDays,
        d.resetLinkValidityHours,
        d.panelInactivitySeconds,
      ],
      [30, 7, 24, 60],
    );
    assert.deepEqual(
      [d.welcomeEmail, d.restrictedAccess, d.faxBlockPremium, d.sso],
      [true, false, true, null],
    );
  });

  describe('KEY=VALUE assignments', () => {
    it('reads dotted keys, comma lists, booleans, numbers and null', () => {
      assert.deepEqual(
        parsePolicyAssignments([
          'twoFactor=mandatory',
          'lockoutAttempts=6',
          'emailToFax.enabled=true',
          'emailToFax.trustedDomains=a.test, b.test',
          'faxBlockedCountries=',
          'sso=null',
        ]),
        {
          twoFactor: 'mandatory',
          lockoutAttempts: 6,
          emailToFax: { enabled: true, trustedDomains: ['a.test', 'b.test'] },
          faxBlockedCountries: [],
          sso: null,
        },
      );
      assert.ok(policyKeys().includes('passwordComplexity.minDigits'));
    });

    for (const [assignment, pattern] of [
      ['nope=1', /^nope: unknown policy key/],
      ['emailToFax.nope=1', /^emailToFax\.nope: unknown policy key/],
      ['lockoutAttempts=six', /^lockoutAttempts: "six" is not a number/],
      ['welcomeEmail=maybe', /^welcomeEmail: "maybe" is not true or false/],
      ['emailToFax=true', /^emailToFax: is a group of settings/],
      ['lockoutAttempts', /expected KEY=VALUE/],
      ['=3', /expected KEY=VALUE/],
    ] as const) {
      it(`refuses ${JSON.stringify(assignment)} with POLICY_INVALID naming the key`, () => {
        assert.throws(
          () => parsePolicyAssignments([assignment]),
          (e: Error & { code: string }) => {
            assert.equal(e.code, 'POLICY_INVALID');
            assert.match(e.message, pattern);
            return true;
          },
        );
      });
    }
  });

  describe('service, repository and watcher', () => {
    let dir: ReturnType<typeof tempDir>;
    let db: Db;
    let service: PolicyService;
    let repository: SqlitePolicyRepository;
    let enterpriseId: string;
    beforeEach(() => {
      dir = tempDir();
      db = openDatabase(join(dir.path, 'edge.db'));
      enterpriseId = new SqliteDirectoryRepository(db).createEnterprise('Acme').id;
      repository = new SqlitePolicyRepository(db);
      service = new PolicyService({ repository });
    });
    afterEach(() => {
      db.close();
      dir.remove();
    });

    it('starts at the defaults (version 0); each change bumps the version, is recorded and announced', () => {
      assert.equal(service.get(enterpriseId).version, 0);
      const seen: [string, number][] = [];
      service.on('changed', (id, policy) => seen.push([id, policy.version]));
      const v1 = service.update(
        enterpriseId,
        { twoFactor: 'mandatory', emailToFax: { spfCheck: true } },
        'cli:test',
      );
      assert.equal(v1.version, 1);
      assert.equal(v1.document.emailToFax.spfCheck, true);
      assert.equal(v1.document.emailToFax.enabled, false, 'nested objects merge');
      const v2 = service.update(enterpriseId, { lockoutAttempts: 3 }, 'admin:u1');
      assert.equal(v2.version, 2);
      assert.equal(service.get(enterpriseId).document.twoFactor, 'mandatory');
      assert.equal(
        service.update(enterpriseId, { lockoutAttempts: 3 }, 'x').version,
        2,
        'no change, no version',
      );
      assert.deepEqual(seen, [
        [enterpriseId, 1],
        [enterpriseId, 2],
      ]);
      const history = repository.history(enterpriseId);
      assert.deepEqual(
        history.map((h) => [h.version, h.actor, h.changes]),
        [
          [2, 'admin:u1', [{ key: 'lockoutAttempts', from: 6, to: 3 }]],
          [
            1,
            'cli:test',
            [
              { key: 'twoFactor', from: 'optional', to: 'mandatory' },
              { key: 'emailToFax.spfCheck', from: false, to: true },
            ],
          ],
        ],
      );
    });

    it('validates every write with the whole schema and keeps the old document on failure', () => {
      for (const patch of [
        { passwordMinLength: 7 },
        { passwordHistory: 25 },
        { lockoutAttempts: 0 },
        { twoFactor: 'always' },
        { emailToFax: { enabled: true } },
        { emailToFax: { ipAllowList: ['10.0.0.0/8', 'not-an-ip'] } },
        { passwordExpiryDays: 30, passwordExpiryReminderDays: 30 },
        { sso: { protocol: 'oidc' } },
        { passwordComplexity: { classesRequired: 5 } },
        { extra: true },
      ]) {
        assert.throws(
          () => service.update(enterpriseId, patch, 'x'),
          { code: 'POLICY_INVALID' },
          JSON.stringify(patch),
        );
      }
      assert.throws(() => service.update(enterpriseId, { emailToFax: { ipAllowList: ['nope'] } }, 'x'), {
        message: /emailToFax\.ipAllowList\.0: an IPv4 or IPv6 address/,
      });
      assert.throws(() => service.update(enterpriseId, { extra: true }, 'x'), {
        message: /unknown policy key extra/,
      });
      assert.equal(service.get(enterpriseId).version, 0);
      assert.throws(() => service.update('no-such', { lockoutAttempts: 3 }, 'x'), {
        code: 'ENTERPRISE_NOT_FOUND',
      });
      const ok = service.update(
        enterpriseId,
        {
          emailToFax: {
            enabled: true,
            faxDomain: 'Fax.Acme.test',
            ipAllowList: ['192.0.2.0/24', '2001:db8::1'],
          },
          sso: { protocol: 'oidc', issuer: 'https://idp.acme.test', clientId: 'edge' },
          faxBlockedCountries: ['fr', 'DE'],
        },
        'x',
      );
      assert.equal(ok.document.emailToFax.faxDomain, 'fax.acme.test');
      assert.deepEqual(ok.document.faxBlockedCountries, ['FR', 'DE']);
      assert.equal(ok.document.sso?.emailClaim, 'email');
    });

    it('a watcher announces changes another connection committed, once, within a poll', async () => {
      const watcher = new PolicyWatcher({ service, repository, intervalMs: 20 });
      const seen: VersionedPolicy[] = [];
      service.on('changed', (_id, policy) => seen.push(policy));
      watcher.start();
      try {
        // A second connection to the same file stands in for the admin CLI's process.
        const other = openDatabase(join(dir.path, 'edge.db'));
        new PolicyService({ repository: new SqlitePolicyRepository(other) }).update(
          enterpriseId,
          { panelInactivitySeconds: 120 },
          'cli:other',
        );
        other.close();
        const deadline = Date.now() + 2000;
        while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        assert.equal(seen.length, 1);
        assert.equal(seen[0]!.version, 1);
        assert.equal(seen[0]!.document.panelInactivitySeconds, 120);
        // Our own change is announced by update() and not a second time by the watcher.
        service.update(enterpriseId, { panelInactivitySeconds: 90 }, 'here');
        watcher.poll();
        await new Promise((r) => setTimeout(r, 60));
        assert.deepEqual(
          seen.map((p) => p.version),
          [1, 2],
        );
      } finally {
        watcher.stop();
      }
    });
  });
});
