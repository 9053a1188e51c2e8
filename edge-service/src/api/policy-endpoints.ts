import { z } from 'zod';
import type { ApiTokens } from '../auth/api-tokens.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import { DEFAULT_POLICY, PolicyDocumentSchema, type VersionedPolicy } from '../policies/policy-schema.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import { policyWarnings } from '../policies/policy-warnings.ts';
import { defineEndpoint, type AnyEndpoint } from './endpoint.ts';
import {
  actorName,
  ENTERPRISE_READERS,
  ENTERPRISE_WRITERS,
  type EnterpriseAccess,
} from './enterprise-access.ts';

/** What each policy key does, for the console to show in place (DESIGN.md §4). */
export const POLICY_EXPLANATIONS: Record<keyof typeof DEFAULT_POLICY, string> = {
  passwordMinLength: 'The shortest password anyone may set (users and administrators); never below 8.',
  passwordComplexity:
    'How many of the four character classes (lower-case, upper-case, digits, symbols) a password must use, and a minimum count of each.',
  passwordHistory: 'How many past passwords cannot be used again (0–24).',
  passwordExpiryDays:
    'Days after which a password must be changed; 0: never. Users marked "password never expires" are exempt.',
  passwordExpiryReminderDays: 'How many days before expiry the reminder email goes; 0: none.',
  twoFactor:
    'optional: people may set up an authenticator app; mandatory: everyone enrols after their next sign-in (except users excluded one by one). Administrators always use 2FA at the console.',
  lockoutAttempts: 'Failed sign-ins (passwords and codes) before the account locks.',
  lockoutAutoUnlockMinutes:
    'Minutes after which a locked account unlocks itself; 0: only an administrator unlocks it.',
  invitationValidityDays: 'How long an invitation link works.',
  resetLinkValidityHours: 'How long a password reset link works.',
  restrictedAccess:
    "On: vendor support agents and reseller administrators lose all access to this enterprise's data and settings. Support can then no longer help without you.",
  panelInactivitySeconds:
    'Seconds without a touch after which a panel signs the person out (never during a running send).',
  welcomeEmail: 'Send a welcome email to people added to the enterprise.',
  faxReceipts: 'Email the sender a receipt when a fax ends.',
  faxInternational: 'Allow faxes to other countries.',
  faxBlockedCountries: 'Countries (two-letter codes) no fax may go to.',
  faxBlockPremium: 'Refuse premium-rate numbers.',
  emailToFax:
    'Faxes sent by email to <number>@<faxDomain>: on/off, allowed sending servers (IP allow-list), SPF check, trusted sender domains, what the body becomes, which devices send, and size, page and recipient limits. Turn on an allow-list or the SPF check the moment you enable it.',
  securityContact: 'Who to contact about security (a contact only: no authority in the console).',
  privacyContact: 'Who to contact about privacy (a contact only: no authority in the console).',
  sso: 'Company sign-in (SAML, WS-Federation or OpenID Connect); null: none.',
};

const PolicyView = z.object({
  version: z.number().int(),
  document: z.record(z.string(), z.unknown()),
  updatedAt: z.string().nullable(),
  updatedBy: z.string().nullable().describe("Who changed it last: a person's email, or cli:<os user>."),
  defaults: z.record(z.string(), z.unknown()),
  explanations: z.record(z.string(), z.string()),
  schema: z
    .record(z.string(), z.unknown())
    .describe('The policy document as JSON Schema: types, ranges, defaults.'),
  warnings: z
    .array(z.string())
    .describe('Allowed but unsafe settings, e.g. email-to-fax on without an allow-list or SPF check.'),
});

let policyJsonSchema: Record<string, unknown> | undefined;

export function policyEndpoints(deps: {
  policies: PolicyService;
  users: Pick<UserRepository, 'get'>;
  tokens: Pick<ApiTokens, 'get'>;
  directory: Pick<DirectoryRepository, 'listEnterprises'>;
  access: EnterpriseAccess;
}): AnyEndpoint[] {
  /** `user:<id>` / `token:<id>` as the person's email; anything else (cli:root, system) as it is. */
  const who = (actor: string | null): string | null => {
    if (actor === null) return null;
    const [kind, id] = actor.split(':', 2) as [string, string | undefined];
    const userId = kind === 'user' ? id : kind === 'token' && id ? deps.tokens.get(id)?.userId : undefined;
    return userId ? (deps.users.get(userId)?.email ?? actor) : actor;
  };
  const view = (policy: VersionedPolicy): z.input<typeof PolicyView> => ({
    version: policy.version,
    document: policy.document,
    updatedAt: policy.updatedAt,
    updatedBy: who(policy.updatedBy),
    defaults: DEFAULT_POLICY,
    explanations: POLICY_EXPLANATIONS,
    warnings: policyWarnings(policy.document),
    schema: (policyJsonSchema ??= z.toJSONSchema(PolicyDocumentSchema, {
      io: 'input',
      unrepresentable: 'any',
    }) as Record<string, unknown>),
  });

  return [
    defineEndpoint({
      method: 'get',
      path: '/enterprises',
      operationId: 'listEnterprises',
      summary: 'The enterprises you may see (vendor roles: all; restricted ones are marked).',
      tag: 'enterprises',
      access: ENTERPRISE_READERS,
      response: z.object({
        items: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            slug: z.string(),
            restricted: z.boolean().describe('True when restrictedAccess shuts you out of it.'),
          }),
        ),
      }),
      handle: (c) => ({
        items: deps.access.visible(c.actor!).map(({ enterprise, restricted }) => ({
          id: enterprise.id,
          name: enterprise.name,
          slug: enterprise.slug,
          restricted,
        })),
      }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}',
      operationId: 'getEnterprise',
      summary: 'One enterprise: its name and identifier.',
      tag: 'enterprises',
      access: ENTERPRISE_READERS,
      response: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
      handle: (c) => ({ id: c.enterprise!.id, name: c.enterprise!.name, slug: c.enterprise!.slug }),
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/policy',
      operationId: 'getPolicy',
      summary:
        "The enterprise's policy: version, document, who changed it last, defaults, explanations, schema.",
      tag: 'policy',
      access: ENTERPRISE_READERS,
      response: PolicyView,
      handle: (c) => view(deps.policies.get(c.enterprise!.id)),
    }),
    defineEndpoint({
      method: 'patch',
      path: '/enterprises/{enterprise}/policy',
      operationId: 'updatePolicy',
      summary:
        'Changes some policy keys (nested objects merge; lists replace). Connected panels get it within a second; audited with before and after.',
      tag: 'policy',
      access: ENTERPRISE_WRITERS,
      // SAML metadata XML may be up to 1 MB.
      maxBodyBytes: 2 * 1024 * 1024,
      body: z.record(z.string(), z.unknown()).describe('A partial policy document (DESIGN.md §11 keys).'),
      response: PolicyView,
      handle(c) {
        if (Object.keys(c.body).length === 0)
          throw new EdgeError('VALIDATION_FAILED', 'body: give at least one policy key to change.');
        const updated = deps.policies.update(c.enterprise!.id, c.body, actorName(c.actor!), {
          source: c.source,
        });
        return view(updated);
      },
    }),
  ];
}
