import { z } from 'zod';
import type { SecretBox } from '../../auth/secret-box.ts';
import type { Db } from '../../db/database.ts';
import { EdgeError } from '../../edge-error.ts';
import { normalizeDn } from './distinguished-name.ts';

/** The LDAP attribute each of our fields is read from (`--map KEY=ATTR`). */
export const ATTRIBUTE_KEYS = ['email', 'displayName', 'language', 'timeZone', 'country', 'uid'] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];

const Attribute = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9-]*$|^[0-9]+(?:\.[0-9]+)+$/, 'an LDAP attribute name such as mail')
  .max(100);

const Dn = z
  .string()
  .min(1)
  .max(1024)
  .transform((dn, ctx) => {
    try {
      return normalizeDn(dn);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

export const AttributeMap = z.strictObject({
  email: Attribute.default('mail'),
  displayName: Attribute.default('displayName'),
  language: Attribute.nullable().default('preferredLanguage'),
  timeZone: Attribute.nullable().default(null),
  /** ISO 3166 alpha-2 is `c` (countryName); `co` is the free-text friendlyCountryName. */
  country: Attribute.nullable().default('c'),
  /** A stable id that survives renames and moves: entryUUID (OpenLDAP), objectGUID (AD). */
  uid: Attribute.default('entryUUID'),
});

/** The fields, without the checks across them (the API's body extends it with the password). */
export const LdapSyncFields = z.strictObject({
  url: z
    .string()
    .max(300)
    .regex(
      /^ldaps?:\/\/(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?\/?$/,
      'ldaps://HOST[:PORT] or ldap://HOST[:PORT] with startTls',
    ),
  /** ldap:// upgraded with StartTLS (RFC 4511 §4.14) before the bind. */
  startTls: z.boolean().default(false),
  bindDn: Dn,
  baseDn: Dn,
  filter: z
    .string()
    .min(3)
    .max(2000)
    .regex(/^\(.*\)$/s, 'an LDAP filter in parentheses')
    .default('(objectClass=inetOrgPerson)'),
  /** PEM of the CA(s) the server's certificate must chain to; null: the system's. */
  caCertificates: z.string().max(200_000).nullable().default(null),
  /** Certificate validation: off is possible for a lab, warned about and audited. */
  tlsVerify: z.boolean().default(true),
  map: AttributeMap.default(AttributeMap.parse({})),
  /** Members of this group (member / uniqueMember) are administrators; others users. */
  adminGroup: Dn.nullable().default(null),
  /** Also take over users made by hand whose email matches an entry (off: such an entry fails). */
  manageExisting: z.boolean().default(false),
  /** A run that would disable more than this share of the users it manages stops (force overrides). */
  maxDisableShare: z.number().min(0).max(1).default(0.1),
  /** Minutes between scheduled runs; 0: only on demand. */
  intervalMinutes: z.number().int().min(0).max(10_080).default(60),
});

export const LdapSyncDocument = LdapSyncFields.refine((d) => d.url.startsWith('ldaps://') || d.startTls, {
  message: 'a bind over plain ldap:// would send the password in clear: use ldaps:// or startTls',
  path: ['url'],
}).refine((d) => !(d.url.startsWith('ldaps://') && d.startTls), {
  message: 'startTls is for ldap:// URLs; ldaps:// is TLS from the start',
  path: ['startTls'],
});

export type LdapSyncSettings = z.output<typeof LdapSyncDocument>;

export interface StoredLdapSettings {
  settings: LdapSyncSettings;
  updatedAt: string;
  updatedBy: string;
}

const context = (enterpriseId: string) => `ldap-bind:${enterpriseId}`;

/** One LDAP sync setting per enterprise; the bind password sealed in the secret box. */
export class LdapSyncSettingsStore {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  get(enterpriseId: string): StoredLdapSettings | null {
    const row = this.#db
      .prepare('SELECT * FROM ldap_sync_settings WHERE enterprise_id = ?')
      .get(enterpriseId) as { document: string; updated_at: string; updated_by: string } | undefined;
    if (!row) return null;
    return {
      settings: LdapSyncDocument.parse(JSON.parse(row.document)),
      updatedAt: row.updated_at,
      updatedBy: row.updated_by,
    };
  }

  /** The bind password, for a run only (never logged, never answered). */
  password(enterpriseId: string): string {
    const row = this.#db
      .prepare('SELECT bind_password FROM ldap_sync_settings WHERE enterprise_id = ?')
      .get(enterpriseId) as { bind_password: string } | undefined;
    if (!row) throw new EdgeError('LDAP_SYNC_NOT_CONFIGURED');
    return this.#box.openText(row.bind_password, context(enterpriseId));
  }

  /** Stores the settings; `password` undefined keeps the stored one (LDAP_SYNC_NOT_CONFIGURED when none). */
  set(enterpriseId: string, input: unknown, password: string | undefined, by: string): StoredLdapSettings {
    const parsed = LdapSyncDocument.safeParse(input);
    if (!parsed.success)
      throw new EdgeError(
        'VALIDATION_FAILED',
        parsed.error.issues.map((i) => `${i.path.join('.') || 'settings'}: ${i.message}`).join('; '),
      );
    const at = new Date().toISOString();
    this.#db
      .transaction(() => {
        let sealed: string;
        if (password !== undefined) {
          if (password === '' || password.length > 1024)
            throw new EdgeError('VALIDATION_FAILED', 'password: 1 to 1024 characters.');
          sealed = this.#box.seal(password, context(enterpriseId));
        } else {
          const row = this.#db
            .prepare('SELECT bind_password FROM ldap_sync_settings WHERE enterprise_id = ?')
            .get(enterpriseId) as { bind_password: string } | undefined;
          if (!row)
            throw new EdgeError(
              'VALIDATION_FAILED',
              'password: the bind password is required the first time.',
            );
          sealed = row.bind_password;
        }
        this.#db
          .prepare(
            `INSERT INTO ldap_sync_settings (enterprise_id, document, bind_password, updated_at, updated_by)
             VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (enterprise_id) DO UPDATE SET document = excluded.document,
               bind_password = excluded.bind_password, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
          )
          .run(enterpriseId, JSON.stringify(parsed.data), sealed, at, by);
      })
      .immediate();
    return this.get(enterpriseId)!;
  }

  /**
   * Takes the enterprise's run lease (across processes: the edge and the CLI share the file) until
   * `until`; false while another run holds it. A crashed run's lease simply runs out.
   */
  acquireLease(enterpriseId: string, now: Date, until: Date): boolean {
    return (
      this.#db
        .prepare(
          `UPDATE ldap_sync_settings SET lease_until = ?
           WHERE enterprise_id = ? AND (lease_until IS NULL OR lease_until <= ?)`,
        )
        .run(until.toISOString(), enterpriseId, now.toISOString()).changes === 1
    );
  }

  releaseLease(enterpriseId: string): void {
    this.#db
      .prepare('UPDATE ldap_sync_settings SET lease_until = NULL WHERE enterprise_id = ?')
      .run(enterpriseId);
  }

  remove(enterpriseId: string): boolean {
    return (
      this.#db.prepare('DELETE FROM ldap_sync_settings WHERE enterprise_id = ?').run(enterpriseId).changes ===
      1
    );
  }

  /** Enterprises with a sync set up. */
  enterprises(): string[] {
    return (
      this.#db.prepare('SELECT enterprise_id FROM ldap_sync_settings').all() as { enterprise_id: string }[]
    ).map((r) => r.enterprise_id);
  }
}
