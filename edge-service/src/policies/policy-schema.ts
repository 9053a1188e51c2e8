import { z } from 'zod';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../auth/password-rules.ts';

/**
 * The enterprise policy document (DESIGN.md §11: these keys are the contract of the API and the
 * CLI; §4: defaults and ranges). Strict: an unknown key is an error, not silently kept. Every
 * field has a default, so `{}` parses to the document of a new enterprise.
 */

const count = (max: number) => z.number().int().min(0).max(max).default(0);

const PasswordComplexity = z
  .strictObject({
    /** How many of lower-case, upper-case, digit, symbol must appear. */
    classesRequired: z.number().int().min(0).max(4).default(0),
    minLower: count(MAX_PASSWORD_LENGTH),
    minUpper: count(MAX_PASSWORD_LENGTH),
    minDigits: count(MAX_PASSWORD_LENGTH),
    minSymbols: count(MAX_PASSWORD_LENGTH),
  })
  .refine((c) => c.minLower + c.minUpper + c.minDigits + c.minSymbols <= MAX_PASSWORD_LENGTH, {
    message: `the minimums add up to more than the longest password (${MAX_PASSWORD_LENGTH})`,
  });

const Contact = z
  .strictObject({
    name: z.string().max(200).default(''),
    email: z.union([z.literal(''), z.email().max(254)]).default(''),
    phone: z.string().max(40).default(''),
  })
  .default({ name: '', email: '', phone: '' });

const DomainName = z
  .string()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    'a domain name such as example.com',
  )
  .transform((d) => d.toLowerCase());

/** An IPv4 or IPv6 address, optionally with a CIDR prefix. */
const IpRange = z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()], {
  error: 'an IPv4 or IPv6 address or range such as 192.0.2.10 or 10.0.0.0/8',
});

/** Email-to-fax limits: generous for office use, small enough that one message cannot fill the edge. */
export const EMAIL_TO_FAX_LIMITS = {
  maxMessageMb: { default: 20, max: 100 },
  maxPages: { default: 50, max: 500 },
  maxRecipients: { default: 20, max: 100 },
} as const;

const EmailToFax = z
  .strictObject({
    enabled: z.boolean().default(false),
    ipAllowList: z.array(IpRange).max(100).default([]),
    spfCheck: z.boolean().default(false),
    trustedDomains: z.array(DomainName).max(100).default([]),
    /** Recipients are `<number>@<faxDomain>`; null until set. */
    faxDomain: DomainName.nullable().default(null),
    /** The message's text: on the cover page (its note), as the fax's first page, or left out. */
    body: z.enum(['cover-page', 'first-page', 'ignore']).default('cover-page'),
    /** Device ids that send email faxes; empty: any paired device of the enterprise with a fax line. */
    devices: z.array(z.string().min(1).max(100)).max(100).default([]),
    /** Largest message accepted (SMTP SIZE), in megabytes. */
    maxMessageMb: z
      .number()
      .int()
      .min(1)
      .max(EMAIL_TO_FAX_LIMITS.maxMessageMb.max)
      .default(EMAIL_TO_FAX_LIMITS.maxMessageMb.default),
    /** Most fax pages one message may make (cover page included). */
    maxPages: z
      .number()
      .int()
      .min(1)
      .max(EMAIL_TO_FAX_LIMITS.maxPages.max)
      .default(EMAIL_TO_FAX_LIMITS.maxPages.default),
    /** Most fax numbers one message may address. */
    maxRecipients: z
      .number()
      .int()
      .min(1)
      .max(EMAIL_TO_FAX_LIMITS.maxRecipients.max)
      .default(EMAIL_TO_FAX_LIMITS.maxRecipients.default),
  })
  .default(() => ({
    enabled: false,
    ipAllowList: [],
    spfCheck: false,
    trustedDomains: [],
    faxDomain: null,
    body: 'cover-page' as const,
    devices: [],
    maxMessageMb: EMAIL_TO_FAX_LIMITS.maxMessageMb.default,
    maxPages: EMAIL_TO_FAX_LIMITS.maxPages.default,
    maxRecipients: EMAIL_TO_FAX_LIMITS.maxRecipients.default,
  }))
  .refine((e) => !e.enabled || e.faxDomain !== null, {
    message: 'emailToFax.faxDomain must be set before email-to-fax is enabled',
    path: ['faxDomain'],
  });

/**
 * Company sign-in. Only the settings live here; a client secret is a secret and is kept encrypted
 * outside the document (secret box), never in it.
 */
const Sso = z
  .strictObject({
    protocol: z.enum(['saml', 'wsfed', 'oidc']),
    metadataUrl: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    /** SAML / WS-Federation metadata XML, when given as a file rather than a URL. */
    metadataXml: z.string().max(1_000_000).nullable().default(null),
    issuer: z
      .url({ protocol: /^https?$/ })
      .nullable()
      .default(null),
    clientId: z.string().min(1).max(255).nullable().default(null),
    emailClaim: z.string().min(1).max(100).default('email'),
  })
  .superRefine((s, ctx) => {
    if (s.protocol === 'oidc' && (s.issuer === null || s.clientId === null))
      ctx.addIssue({ code: 'custom', message: 'OIDC needs sso.issuer and sso.clientId', path: ['issuer'] });
    if (s.protocol !== 'oidc' && s.metadataUrl === null && s.metadataXml === null)
      ctx.addIssue({
        code: 'custom',
        message: `${s.protocol} needs sso.metadataUrl or sso.metadataXml`,
        path: ['metadataUrl'],
      });
  });

export const PolicyDocumentSchema = z
  .strictObject({
    passwordMinLength: z.number().int().min(MIN_PASSWORD_LENGTH).max(MAX_PASSWORD_LENGTH).default(8),
    passwordComplexity: PasswordComplexity.default({
      classesRequired: 0,
      minLower: 0,
      minUpper: 0,
      minDigits: 0,
      minSymbols: 0,
    }),
    /** Past passwords that cannot be reused (the current one included). */
    passwordHistory: z.number().int().min(0).max(24).default(0),
    /** 0: passwords never expire. */
    passwordExpiryDays: z.number().int().min(0).max(3650).default(0),
    /** Days before expiry the reminder email goes; 0: none. */
    passwordExpiryReminderDays: z.number().int().min(0).max(365).default(0),
    twoFactor: z.enum(['optional', 'mandatory']).default('optional'),
    lockoutAttempts: z.number().int().min(1).max(100).default(6),
    /** 0: a locked account stays locked until an administrator unlocks it. */
    lockoutAutoUnlockMinutes: z.number().int().min(0).max(10_080).default(30),
    invitationValidityDays: z.number().int().min(1).max(90).default(7),
    resetLinkValidityHours: z.number().int().min(1).max(168).default(24),
    /** Vendor support agents and reseller admins lose all access to the enterprise's data. */
    restrictedAccess: z.boolean().default(false),
    /** Never signs out during a running send. */
    panelInactivitySeconds: z.number().int().min(15).max(3600).default(60),
    welcomeEmail: z.boolean().default(true),
    /** A receipt email to the sender when a fax ends. */
    faxReceipts: z.boolean().default(true),
    faxInternational: z.boolean().default(true),
    /** ISO 3166-1 alpha-2 codes no fax may go to. */
    faxBlockedCountries: z
      .array(
        z
          .string()
          .regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as FR')
          .transform((c) => c.toUpperCase()),
      )
      .max(250)
      .default([]),
    /** Premium-rate numbers are blocked unless the enterprise allows them. */
    faxBlockPremium: z.boolean().default(true),
    emailToFax: EmailToFax,
    securityContact: Contact,
    privacyContact: Contact,
    sso: Sso.nullable().default(null),
  })
  .refine((p) => p.passwordExpiryDays === 0 || p.passwordExpiryReminderDays < p.passwordExpiryDays, {
    message: 'passwordExpiryReminderDays must be fewer than passwordExpiryDays',
    path: ['passwordExpiryReminderDays'],
  });

export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;

/** The policy of an enterprise that never changed it. */
export const DEFAULT_POLICY: PolicyDocument = Object.freeze(PolicyDocumentSchema.parse({}));

/** A policy document with its version (0: the defaults, never stored) and when it changed. */
export interface VersionedPolicy {
  enterpriseId: string;
  version: number;
  document: PolicyDocument;
  updatedAt: string | null;
  updatedBy: string | null;
}
