import assert from 'node:assert/strict';
import { SenderPolicy } from '../../../edge-service/src/email-intake/sender-policy.ts';
import { SmtpReply } from '../../../edge-service/src/email-intake/smtp-reply.ts';
import type { SpfResult } from '../../../edge-service/src/email-intake/spf-check.ts';
import type { UserAccount } from '../../../edge-service/src/domain/user.ts';
import {
  PolicyDocumentSchema,
  type PolicyDocument,
} from '../../../edge-service/src/policies/policy-schema.ts';
import { policyWarnings } from '../../../edge-service/src/policies/policy-warnings.ts';

const enterprise = { id: 'e1', name: 'Acme', slug: 'acme' };

function policyWith(emailToFax: Record<string, unknown>): PolicyDocument {
  return PolicyDocumentSchema.parse({ emailToFax: { faxDomain: 'fax.acme.test', ...emailToFax } });
}

const person = (over: Partial<UserAccount> = {}) =>
  ({
    id: 'u1',
    enterpriseId: 'e1',
    email: 'ann@acme.test',
    displayName: 'Ann',
    disabledAt: null,
    deletedAt: null,
    faxEnabled: true,
    ...over,
  }) as UserAccount;

function senders(options: { spf?: SpfResult; user?: UserAccount | null; policy?: PolicyDocument }) {
  const asked: string[] = [];
  const policy = new SenderPolicy({
    directory: { listEnterprises: () => [enterprise] },
    policies: {
      get: () => ({
        enterpriseId: 'e1',
        version: 1,
        document: options.policy ?? policyWith({ enabled: true }),
        updatedAt: null,
        updatedBy: null,
      }),
    },
    users: {
      findByEmail: (_e, email) => (options.user && options.user.email === email ? options.user : null),
      get: (id) => (options.user && options.user.id === id ? options.user : null),
    },
    spf: async ({ sender }) => {
      asked.push(sender);
      return options.spf ?? 'pass';
    },
    defaultCountry: 'US',
  });
  return { policy, asked };
}

async function refusal(promise: Promise<unknown>): Promise<SmtpReply> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SmtpReply, String(error));
    return error;
  }
  assert.fail('expected a refusal');
}

describe('email-to-fax: who may send (sender-policy)', () => {
  const admit = (s: SenderPolicy, policy: PolicyDocument, over: Record<string, unknown> = {}) =>
    s.admit({
      enterprise,
      policy,
      ip: '::ffff:192.0.2.10',
      helo: 'mx.acme.test',
      mailFrom: 'ann@acme.test',
      authUserId: null,
      ...over,
    });

  it('finds the enterprise by its fax domain, any case; another domain is 550 5.1.2', () => {
    const { policy } = senders({});
    assert.equal(policy.enterpriseOf('FAX.acme.test').enterprise.id, 'e1');
    assert.throws(
      () => policy.enterpriseOf('fax.other.test'),
      (e: SmtpReply) => e.enhanced === '5.1.2',
    );
  });

  it('refuses in order: disabled, then the allow-list, then SPF, then the sender', async () => {
    const { policy } = senders({ spf: 'fail' });
    const off = policyWith({ enabled: false, ipAllowList: ['10.0.0.0/8'], spfCheck: true });
    assert.equal((await refusal(admit(policy, off))).code, 'EMAIL_TO_FAX_DISABLED');
    const listed = policyWith({ enabled: true, ipAllowList: ['10.0.0.0/8'], spfCheck: true });
    assert.equal((await refusal(admit(policy, listed))).code, 'EMAIL_TO_FAX_ADDRESS_REFUSED');
    const spf = policyWith({ enabled: true, ipAllowList: ['192.0.2.0/24'], spfCheck: true });
    assert.equal((await refusal(admit(policy, spf))).responseCode, 550);
    const noSpf = policyWith({ enabled: true, ipAllowList: ['192.0.2.10'] });
    assert.equal((await refusal(admit(policy, noSpf))).code, 'EMAIL_TO_FAX_SENDER_REFUSED');
  });

  it('maps SPF results: pass on; fail, softfail, neutral, none 550 5.7.23; temperror 451 4.4.3; permerror 5.7.24', async () => {
    const document = policyWith({ enabled: true, spfCheck: true, trustedDomains: ['acme.test'] });
    const expected: Record<SpfResult, string | null> = {
      pass: null,
      fail: '550 5.7.23',
      softfail: '550 5.7.23',
      neutral: '550 5.7.23',
      none: '550 5.7.23',
      temperror: '451 4.4.3',
      permerror: '550 5.7.24',
    };
    for (const [result, reply] of Object.entries(expected)) {
      const { policy } = senders({ spf: result as SpfResult });
      if (reply === null) assert.equal((await admit(policy, document)).sender.kind, 'trusted-domain');
      else {
        const r = await refusal(admit(policy, document));
        assert.equal(`${r.responseCode} ${r.enhanced}`, reply, result);
      }
    }
  });

  it('a person signed in with SMTP AUTH skips SPF and sends as themself; a disabled fax service is refused', async () => {
    const user = person();
    const { policy, asked } = senders({ spf: 'fail', user });
    const admitted = await admit(policy, policyWith({ enabled: true, spfCheck: true }), { authUserId: 'u1' });
    assert.equal(admitted.sender.kind, 'user');
    assert.deepEqual(asked, []);
    const off = senders({ user: person({ faxEnabled: false }) }).policy;
    assert.equal(
      (await refusal(admit(off, policyWith({ enabled: true })))).code,
      'EMAIL_TO_FAX_SENDER_REFUSED',
    );
  });

  it('numbers: 553 5.1.3 for what is not one, 550 for a destination rule, E.164 otherwise', () => {
    const { policy } = senders({});
    const document = PolicyDocumentSchema.parse({ faxBlockPremium: true, faxInternational: false });
    assert.equal(policy.recipient('(212) 555-0100', document), '+12125550100');
    assert.throws(
      () => policy.recipient('sales', document),
      (e: SmtpReply) => e.enhanced === '5.1.3',
    );
    assert.throws(
      () => policy.recipient('19005550123', document),
      (e: SmtpReply) => e.responseCode === 550,
    );
    assert.throws(() => policy.recipient('+33142685300', document), /International faxing/);
  });

  it('warns when enabled without an allow-list or SPF check, and only then', () => {
    assert.equal(policyWarnings(policyWith({ enabled: true })).length, 1);
    assert.deepEqual(policyWarnings(policyWith({ enabled: true, spfCheck: true })), []);
    assert.deepEqual(policyWarnings(policyWith({ enabled: true, ipAllowList: ['10.0.0.1'] })), []);
    assert.deepEqual(policyWarnings(policyWith({ enabled: false })), []);
  });
});
