/*
 * Every policy key of DESIGN.md §4/§11 as the settings page shows it: its label, its control, the
 * range and default, and what it does, explained in place. Paths are dotted for nested keys.
 */

export type PolicyControl =
  | { kind: 'number'; min: number; max: number }
  | { kind: 'boolean' }
  | { kind: 'choice'; options: readonly (readonly [string, string])[] }
  | { kind: 'list'; placeholder: string }
  | { kind: 'text'; type?: string; maxlength: number }
  | { kind: 'optional-text'; maxlength: number };

export interface PolicyField {
  path: string;
  label: string;
  control: PolicyControl;
  help: string;
}

export interface PolicySection {
  title: string;
  fields: PolicyField[];
}

const n = (min: number, max: number): PolicyControl => ({ kind: 'number', min, max });
const yes: PolicyControl = { kind: 'boolean' };

/** A contact person's name, email and phone (the officers of §11), the help on the name only. */
const contactFields = (key: string, who: string, help: string): PolicyField[] => [
  { path: `${key}.name`, label: `${who} name`, control: { kind: 'text', maxlength: 200 }, help },
  {
    path: `${key}.email`,
    label: `${who} email`,
    control: { kind: 'text', type: 'email', maxlength: 254 },
    help: '',
  },
  {
    path: `${key}.phone`,
    label: `${who} phone`,
    control: { kind: 'text', type: 'tel', maxlength: 40 },
    help: '',
  },
];

export const POLICY_SECTIONS: PolicySection[] = [
  {
    title: 'Passwords',
    fields: [
      {
        path: 'passwordMinLength',
        label: 'Minimum password length',
        control: n(8, 128),
        help: 'For users and administrators. Default 8, never below 8.',
      },
      {
        path: 'passwordComplexity.classesRequired',
        label: 'Character classes required',
        control: n(0, 4),
        help: 'How many of lower-case, upper-case, digits and symbols a password must use. 0 (default): off.',
      },
      {
        path: 'passwordComplexity.minLower',
        label: 'Minimum lower-case letters',
        control: n(0, 128),
        help: 'Default 0.',
      },
      {
        path: 'passwordComplexity.minUpper',
        label: 'Minimum upper-case letters',
        control: n(0, 128),
        help: 'Default 0.',
      },
      {
        path: 'passwordComplexity.minDigits',
        label: 'Minimum digits',
        control: n(0, 128),
        help: 'Default 0.',
      },
      {
        path: 'passwordComplexity.minSymbols',
        label: 'Minimum symbols',
        control: n(0, 128),
        help: 'Default 0.',
      },
      {
        path: 'passwordHistory',
        label: 'Password history',
        control: n(0, 24),
        help: 'How many past passwords cannot be used again. 0 to 24, default 0.',
      },
      {
        path: 'passwordExpiryDays',
        label: 'Password expiry (days)',
        control: n(0, 3650),
        help: 'Passwords must be changed after this many days; 0 (default): never. Users marked "password never expires" are exempt.',
      },
      {
        path: 'passwordExpiryReminderDays',
        label: 'Expiry reminder (days before)',
        control: n(0, 365),
        help: 'An email this many days before a password expires; 0 (default): none. Fewer than the expiry days.',
      },
    ],
  },
  {
    title: 'Sign-in and two-factor authentication',
    fields: [
      {
        path: 'twoFactor',
        label: 'Two-factor authentication',
        control: {
          kind: 'choice',
          options: [
            ['optional', 'Optional'],
            ['mandatory', 'Mandatory'],
          ],
        },
        help: 'Mandatory makes every user enrol an authenticator app (TOTP) after their next successful sign-in; users excluded one by one keep signing in without it. Administrators always use it. Default: optional.',
      },
      {
        path: 'lockoutAttempts',
        label: 'Failed attempts before lock',
        control: n(1, 100),
        help: 'The account locks after this many failed sign-ins in a row. Default 6.',
      },
      {
        path: 'lockoutAutoUnlockMinutes',
        label: 'Automatic unlock (minutes)',
        control: n(0, 10080),
        help: 'A locked account unlocks by itself after this long; 0: only an administrator unlocks it. Default 30.',
      },
      {
        path: 'panelInactivitySeconds',
        label: 'Panel inactivity timeout (seconds)',
        control: n(15, 3600),
        help: 'A person at the printer is signed out after this long without a touch, never during a running send. Default 60.',
      },
      {
        path: 'invitationValidityDays',
        label: 'Invitation link validity (days)',
        control: n(1, 90),
        help: 'How long an invitation email link works. Default 7.',
      },
      {
        path: 'resetLinkValidityHours',
        label: 'Password reset link validity (hours)',
        control: n(1, 168),
        help: 'How long a password reset link works. Default 24.',
      },
    ],
  },
  {
    title: 'Email',
    fields: [
      {
        path: 'welcomeEmail',
        label: 'Welcome email',
        control: yes,
        help: 'New users get a welcome email. Default on.',
      },
      {
        path: 'faxReceipts',
        label: 'Fax receipts',
        control: yes,
        help: 'The sender gets an email when a fax is delivered or fails. Default on.',
      },
    ],
  },
  {
    title: 'Fax',
    fields: [
      {
        path: 'faxInternational',
        label: 'International faxes',
        control: yes,
        help: 'Allow faxes to numbers outside the country of the printer. Default on.',
      },
      {
        path: 'faxBlockPremium',
        label: 'Block premium-rate numbers',
        control: yes,
        help: 'Refuse faxes to premium-rate numbers. Default on.',
      },
      {
        path: 'faxBlockedCountries',
        label: 'Blocked countries',
        control: { kind: 'list', placeholder: 'e.g. KP, IR' },
        help: 'Two-letter country codes no fax may go to, separated by commas. Default: none.',
      },
    ],
  },
  {
    title: 'Email to fax',
    fields: [
      {
        path: 'emailToFax.enabled',
        label: 'Email-to-fax',
        control: yes,
        help: 'Accept emails to <number>@<fax domain> and fax them. Off for new enterprises; needs the fax domain.',
      },
      {
        path: 'emailToFax.faxDomain',
        label: 'Fax domain',
        control: { kind: 'optional-text', maxlength: 253 },
        help: 'Recipients are <number>@this domain, e.g. fax.example.com.',
      },
      {
        path: 'emailToFax.ipAllowList',
        label: 'Sending server allow-list',
        control: { kind: 'list', placeholder: '192.0.2.10, 10.0.0.0/8' },
        help: 'Addresses or ranges of the mail servers email faxes are accepted from, separated by commas. Empty: any address (turn on the SPF check then).',
      },
      {
        path: 'emailToFax.spfCheck',
        label: 'SPF check',
        control: yes,
        help: "Refuse mail whose sender's domain does not authorise the sending server (SPF). Default off.",
      },
      {
        path: 'emailToFax.trustedDomains',
        label: 'Trusted sender domains',
        control: { kind: 'list', placeholder: 'example.com, example.org' },
        help: 'People of these domains may fax by email without an account, with the enterprise defaults. Registered users always may. Separated by commas.',
      },
      {
        path: 'emailToFax.body',
        label: 'Message text',
        control: {
          kind: 'choice',
          options: [
            ['cover-page', 'On the cover page'],
            ['first-page', 'As the first page'],
            ['ignore', 'Left out'],
          ],
        },
        help: 'What the text of the email becomes. Default: on the cover page.',
      },
      {
        path: 'emailToFax.devices',
        label: 'Sending devices',
        control: { kind: 'list', placeholder: 'device ids' },
        help: 'Devices (ids) whose fax line sends email faxes; an idle online one is chosen. Empty: any paired device with a fax line.',
      },
      {
        path: 'emailToFax.maxMessageMb',
        label: 'Largest message (MB)',
        control: n(1, 100),
        help: 'Larger messages are refused while they arrive. Default: 20.',
      },
      {
        path: 'emailToFax.maxPages',
        label: 'Most pages',
        control: n(1, 500),
        help: 'Pages one email fax may have, its cover page included. Default: 50.',
      },
      {
        path: 'emailToFax.maxRecipients',
        label: 'Most numbers per message',
        control: n(1, 100),
        help: 'Fax numbers one email may address. Default: 20.',
      },
    ],
  },
  {
    title: 'Security and privacy officers',
    fields: [
      ...contactFields(
        'securityContact',
        'Security officer',
        'Who to contact about security (contact only, no authority in the console).',
      ),
      ...contactFields(
        'privacyContact',
        'Privacy officer',
        'Who to contact about personal data (contact only, no authority in the console).',
      ),
    ],
  },
];

/** Reads a dotted path of a document. */
export function readPath(doc: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
      doc,
    );
}

/** Writes a dotted path into `doc`, making the objects on the way. */
export function writePath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = doc;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]!] = value;
}
