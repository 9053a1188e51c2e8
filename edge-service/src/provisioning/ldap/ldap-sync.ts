import { randomUUID } from 'node:crypto';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import type { Db } from '../../db/database.ts';
import type { AuditTrail } from '../../domain/audit.ts';
import type { DirectoryRepository, EnterpriseRecord } from '../../domain/device.ts';
import { USER_LANGUAGES, type UserAccount, type UserLanguage } from '../../domain/user.ts';
import { EdgeError } from '../../edge-error.ts';
import type { Logger } from '../../logger.ts';
import type { SqliteUserRepository } from '../../storage/sqlite-user-repository.ts';
import type { ProvisionedPeople, ProvisionedPerson } from '../provisioned-people.ts';
import type { ProvisioningStore } from '../provisioning-store.ts';
import { dnKey, normalizeDn } from './distinguished-name.ts';
import type { LdapSyncSettings, LdapSyncSettingsStore } from './ldap-sync-settings.ts';

export interface SyncItem {
  dn: string;
  email: string | null;
}

export interface SyncReport {
  id: string;
  enterpriseId: string;
  trigger: 'schedule' | 'manual' | 'cli';
  startedAt: string;
  finishedAt: string;
  /** completed; stopped: the mass-disable guard held it before any change; failed: no connection, bind or search. */
  outcome: 'completed' | 'stopped' | 'failed';
  message: string | null;
  errorCode: string | null;
  entries: number;
  created: SyncItem[];
  updated: (SyncItem & { changes: string[] })[];
  enabled: SyncItem[];
  disabled: SyncItem[];
  /** `retried`: it had failed in the previous run too. */
  failed: (SyncItem & { reason: string; retried: boolean })[];
  /** Entries that failed in the previous run and succeeded in this one. */
  recovered: SyncItem[];
  counts: { created: number; updated: number; enabled: number; disabled: number; failed: number };
  tlsVerify: boolean;
}

export interface LdapSyncDeps {
  db: Db;
  settings: LdapSyncSettingsStore;
  store: ProvisioningStore;
  people: ProvisionedPeople;
  users: SqliteUserRepository;
  directory: Pick<DirectoryRepository, 'getEnterprise'>;
  audit: AuditTrail;
  logger?: Logger;
  now?: () => Date;
}

const TLS_ERRORS = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_SIGNATURE_FAILURE',
]);

/** Longer than any run (connect 10 s, search 60 s, the writes); a crashed run's lease runs out. */
const LEASE_MS = 15 * 60_000;

const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

function first(entry: Entry, attribute: string | null): string | undefined {
  if (!attribute) return undefined;
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined) return undefined;
  const raw = entry[key];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (value === undefined) return undefined;
  const text = Buffer.isBuffer(value) ? value.toString('hex') : String(value);
  return text.trim() === '' ? undefined : text.trim();
}

function all(entry: Entry, attribute: string): string[] {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
  if (key === undefined) return [];
  const raw = entry[key];
  return (Array.isArray(raw) ? raw : [raw]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v)));
}

/**
 * One directory sync run per call: bind (LDAPS or StartTLS, the certificate checked unless
 * switched off), search, then a plan — who is created, updated, re-enabled, disabled — checked
 * against the mass-disable guard before anything is written. It only disables users it created
 * (provisioned_by 'ldap'), takes over hand-made ones only with manageExisting, tries the entries
 * that failed last time first, and keeps a report of each run (ldap_sync_runs) and of what failed
 * (ldap_sync_failures), audited as `ldap-sync.run`.
 */
export class LdapSync {
  readonly #d: LdapSyncDeps;
  readonly #now: () => Date;
  readonly #running = new Set<string>();

  constructor(deps: LdapSyncDeps) {
    this.#d = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  get settings(): LdapSyncSettingsStore {
    return this.#d.settings;
  }

  isRunning(enterpriseId: string): boolean {
    return this.#running.has(enterpriseId);
  }

  lastReport(enterpriseId: string): SyncReport | null {
    const row = this.#d.db
      .prepare(
        'SELECT report FROM ldap_sync_runs WHERE enterprise_id = ? ORDER BY started_at DESC, rowid DESC LIMIT 1',
      )
      .get(enterpriseId) as { report: string } | undefined;
    return row ? (JSON.parse(row.report) as SyncReport) : null;
  }

  async run(
    enterprise: EnterpriseRecord,
    options: { trigger: SyncReport['trigger']; actor: string; force?: boolean },
  ): Promise<SyncReport> {
    const stored = this.#d.settings.get(enterprise.id);
    if (!stored) throw new EdgeError('LDAP_SYNC_NOT_CONFIGURED');
    const startedAt = this.#now();
    if (
      this.#running.has(enterprise.id) ||
      !this.#d.settings.acquireLease(enterprise.id, startedAt, new Date(startedAt.getTime() + LEASE_MS))
    )
      throw new EdgeError('LDAP_SYNC_RUNNING');
    this.#running.add(enterprise.id);
    const report: SyncReport = {
      id: randomUUID(),
      enterpriseId: enterprise.id,
      trigger: options.trigger,
      startedAt: startedAt.toISOString(),
      finishedAt: '',
      outcome: 'completed',
      message: null,
      errorCode: null,
      entries: 0,
      created: [],
      updated: [],
      enabled: [],
      disabled: [],
      failed: [],
      recovered: [],
      counts: { created: 0, updated: 0, enabled: 0, disabled: 0, failed: 0 },
      tlsVerify: stored.settings.tlsVerify,
    };
    try {
      const { entries, admins } = await this.#read(enterprise.id, stored.settings);
      report.entries = entries.length;
      this.#apply(enterprise, stored.settings, entries, admins, report, options);
    } catch (error) {
      if (!(error instanceof EdgeError)) throw error;
      report.outcome = report.outcome === 'stopped' ? 'stopped' : 'failed';
      report.errorCode = error.code;
      report.message = error.message;
    } finally {
      this.#running.delete(enterprise.id);
      this.#d.settings.releaseLease(enterprise.id);
    }
    report.finishedAt = this.#now().toISOString();
    report.counts = {
      created: report.created.length,
      updated: report.updated.length,
      enabled: report.enabled.length,
      disabled: report.disabled.length,
      failed: report.failed.length,
    };
    this.#d.db
      .prepare(
        'INSERT INTO ldap_sync_runs (id, enterprise_id, started_at, finished_at, trigger, outcome, report) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(
        report.id,
        enterprise.id,
        report.startedAt,
        report.finishedAt,
        report.trigger,
        report.outcome,
        JSON.stringify(report),
      );
    this.#d.audit.record({
      enterpriseId: enterprise.id,
      actor: options.actor,
      action: 'ldap-sync.run',
      target: report.id,
      details: {
        trigger: report.trigger,
        outcome: report.outcome,
        errorCode: report.errorCode,
        message: report.message,
        counts: report.counts,
        forced: options.force === true,
        tlsVerify: report.tlsVerify,
        // The reasons are the point of the entry; capped so one broken directory cannot bloat the log.
        failed: report.failed.slice(0, 50).map((f) => ({ dn: f.dn, reason: f.reason })),
      },
    });
    this.#d.logger?.info(
      { enterprise: enterprise.slug, outcome: report.outcome, counts: report.counts },
      'directory sync finished',
    );
    return report;
  }

  /** Connects, binds, searches; the connection ends before anything is written. */
  async #read(enterpriseId: string, s: LdapSyncSettings): Promise<{ entries: Entry[]; admins: Set<string> }> {
    const tlsOptions = {
      rejectUnauthorized: s.tlsVerify,
      ...(s.caCertificates ? { ca: s.caCertificates } : {}),
      minVersion: 'TLSv1.2' as const,
    };
    // Fresh copies each time: ldapts writes the socket into the options object it is given.
    const client = new Client({
      url: s.url,
      connectTimeout: 10_000,
      timeout: 60_000,
      ...(s.startTls ? {} : { tlsOptions: { ...tlsOptions } }),
    });
    try {
      try {
        if (s.startTls) await client.startTLS({ ...tlsOptions });
        await client.bind(s.bindDn, this.#d.settings.password(enterpriseId));
      } catch (error) {
        throw this.#connectionError(error, s);
      }
      const attributes = [
        ...new Set(
          [
            s.map.email,
            s.map.displayName,
            'cn',
            s.map.language,
            s.map.timeZone,
            s.map.country,
            s.map.uid,
          ].filter((a): a is string => a !== null),
        ),
      ];
      let entries: Entry[];
      try {
        ({ searchEntries: entries } = await client.search(s.baseDn, {
          scope: 'sub',
          filter: s.filter,
          attributes,
          paged: { pageSize: 500 },
          explicitBufferAttributes: s.map.uid.toLowerCase() === 'objectguid' ? ['objectGUID'] : [],
        }));
      } catch (error) {
        throw new EdgeError(
          'LDAP_SEARCH_FAILED',
          `The directory refused the search under ${s.baseDn} with ${s.filter}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      const admins = new Set<string>();
      if (s.adminGroup) {
        try {
          const { searchEntries } = await client.search(s.adminGroup, {
            scope: 'base',
            attributes: ['member', 'uniqueMember'],
          });
          for (const g of searchEntries)
            for (const m of [...all(g, 'member'), ...all(g, 'uniqueMember')]) {
              try {
                admins.add(dnKey(m.replace(/#'[01]*'B$/, '')));
              } catch {
                // a member value that is no DN gives no one the admin role
              }
            }
        } catch (error) {
          throw new EdgeError(
            'LDAP_SEARCH_FAILED',
            `The admin group ${s.adminGroup} could not be read: ${(error as Error).message}`,
            { cause: error },
          );
        }
      }
      return { entries, admins };
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }

  #connectionError(error: unknown, s: LdapSyncSettings): EdgeError {
    if (error instanceof EdgeError) return error;
    if (error instanceof InvalidCredentialsError)
      return new EdgeError(
        'LDAP_BIND_FAILED',
        `The directory refused the bind as ${s.bindDn}: check the bind DN and password.`,
      );
    const code = (error as { code?: string }).code ?? '';
    if (TLS_ERRORS.has(code) || /certificate|self[- ]signed/i.test((error as Error).message ?? ''))
      return new EdgeError(
        'LDAP_CERTIFICATE_INVALID',
        `The certificate of ${s.url} was refused (${code || (error as Error).message}): give the CA that issued it with --ca-file, or check the host name.`,
        { cause: error },
      );
    return new EdgeError(
      'LDAP_CONNECT_FAILED',
      `${s.url} could not be reached: ${(error as Error).message || code}.`,
      { cause: error },
    );
  }

  #person(entry: Entry, s: LdapSyncSettings, admins: Set<string>, dn: string): ProvisionedPerson {
    const email = first(entry, s.map.email);
    if (!email) throw new Error(`no ${s.map.email} (the email attribute)`);
    if (email.length > 254 || !EMAIL.test(email))
      throw new Error(`${s.map.email} "${email}" is not an email address`);
    // Many OpenLDAP directories carry only cn: it stands in for a missing displayName.
    const displayName = first(entry, s.map.displayName) ?? first(entry, 'cn') ?? email.split('@')[0]!;
    if (displayName.length > 200) throw new Error(`${s.map.displayName} is longer than 200 characters`);
    const lang = first(entry, s.map.language)
      ?.split(/[-_,;]/)[0]
      ?.toLowerCase();
    const tz = first(entry, s.map.timeZone);
    if (tz !== undefined) {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
      } catch {
        throw new Error(`${s.map.timeZone} "${tz}" is not an IANA time zone such as Europe/Paris`);
      }
    }
    const country = first(entry, s.map.country);
    if (country !== undefined && !/^[A-Za-z]{2}$/.test(country))
      throw new Error(
        `${s.map.country} "${country}" is not an ISO 3166 two-letter code (map country to c, not co)`,
      );
    return {
      email,
      displayName,
      language: (USER_LANGUAGES as readonly string[]).includes(lang ?? '')
        ? (lang as UserLanguage)
        : undefined,
      timeZone: tz,
      country: country?.toUpperCase() ?? null,
      role: s.adminGroup ? (admins.has(dnKey(dn)) ? 'admin' : 'user') : undefined,
      ldapDn: dn,
      ldapUid: first(entry, s.map.uid) ?? null,
    };
  }

  #apply(
    enterprise: EnterpriseRecord,
    s: LdapSyncSettings,
    entries: Entry[],
    admins: Set<string>,
    report: SyncReport,
    options: { actor: string; force?: boolean },
  ): void {
    const { store, users, people } = this.#d;
    const previousFailures = new Map(
      (
        this.#d.db
          .prepare('SELECT dn, attempts FROM ldap_sync_failures WHERE enterprise_id = ?')
          .all(enterprise.id) as {
          dn: string;
          attempts: number;
        }[]
      ).map((r) => [dnKey(r.dn), r.attempts]),
    );
    const managed = store.listBySource(enterprise.id, 'ldap');
    const byUid = new Map(managed.filter((l) => l.ldapUid).map((l) => [l.ldapUid!, l.userId]));
    const byDn = new Map(managed.filter((l) => l.ldapDn).map((l) => [dnKey(l.ldapDn!), l.userId]));
    // Entries that failed last time first: a directory too big to finish still gets them in.
    const ordered = entries
      .map((entry) => {
        let dn: string;
        try {
          dn = normalizeDn(entry.dn);
        } catch {
          dn = entry.dn;
        }
        return { entry, dn };
      })
      .sort(
        (a, b) => Number(previousFailures.has(safeKey(b.dn))) - Number(previousFailures.has(safeKey(a.dn))),
      );

    type Plan =
      | { kind: 'create'; dn: string; person: ProvisionedPerson }
      | { kind: 'update'; dn: string; person: ProvisionedPerson; user: UserAccount };
    const plans: Plan[] = [];
    const seen = new Set<string>();
    for (const { entry, dn } of ordered) {
      try {
        normalizeDn(entry.dn); // a DN we cannot parse is a failed entry, with the reason
        const person = this.#person(entry, s, admins, dn);
        const id = (person.ldapUid && byUid.get(person.ldapUid)) || byDn.get(dnKey(dn));
        let user = id ? users.get(id) : null;
        if (!user) {
          const sameEmail = users.findByEmail(enterprise.id, person.email);
          if (sameEmail) {
            const link = store.link(sameEmail.id)!;
            if (link.provisionedBy === 'ldap' && !seen.has(sameEmail.id)) user = sameEmail;
            else if (
              link.provisionedBy === null &&
              s.manageExisting &&
              (sameEmail.role === 'admin' || sameEmail.role === 'user')
            )
              user = sameEmail;
            else
              throw new Error(
                seen.has(sameEmail.id)
                  ? `${person.email} is the email of another entry too`
                  : `${person.email} belongs to a user the sync did not create (turn on manageExisting to take them over)`,
              );
          }
        }
        if (user) {
          if (seen.has(user.id)) throw new Error(`${person.email}: another entry already matched this user`);
          seen.add(user.id);
          plans.push({ kind: 'update', dn, person, user });
        } else plans.push({ kind: 'create', dn, person });
      } catch (error) {
        report.failed.push({
          dn,
          email: first(entry, s.map.email) ?? null,
          reason: (error as Error).message,
          retried: previousFailures.has(safeKey(dn)),
        });
      }
    }
    const failedDns = new Set(report.failed.map((f) => safeKey(f.dn)));
    const toDisable = managed
      .map((l) => ({ link: l, user: users.get(l.userId)! }))
      .filter(
        ({ link, user }) =>
          !seen.has(user.id) &&
          user.disabledAt === null &&
          !(link.ldapDn && failedDns.has(safeKey(link.ldapDn))),
      );
    const active = managed.filter((l) => users.get(l.userId)?.disabledAt === null).length;
    // At least one may go (a person leaving a small team), unless the share is 0: never without force.
    const allowed = s.maxDisableShare === 0 ? 0 : Math.max(1, Math.floor(active * s.maxDisableShare));
    if (toDisable.length > allowed && !options.force) {
      report.outcome = 'stopped';
      throw new EdgeError(
        'LDAP_MASS_DISABLE_STOPPED',
        `The sync stopped before changing anything: it would disable ${toDisable.length} of ${active} directory users, more than ${Math.round(s.maxDisableShare * 100)}% (${allowed}). Check the base DN and the filter ${s.filter}; if it is right, run it again with --force.`,
      );
    }

    for (const plan of plans) {
      try {
        if (plan.kind === 'create') {
          const created = people.create(enterprise, 'ldap', plan.person, { actor: options.actor });
          report.created.push({ dn: plan.dn, email: created.email });
        } else {
          const wasHandMade = store.link(plan.user.id)!.provisionedBy === null;
          if (wasHandMade) store.setLink(plan.user.id, { provisionedBy: 'ldap' });
          const changes = people.update(plan.user, 'ldap', plan.person, { actor: options.actor });
          if (changes.length > 0 || wasHandMade)
            report.updated.push({
              dn: plan.dn,
              email: plan.person.email,
              changes: [...(wasHandMade ? ['provisionedBy'] : []), ...changes.map((c) => c.key)],
            });
          if (people.setActive(users.get(plan.user.id)!, true, 'ldap', { actor: options.actor }))
            report.enabled.push({ dn: plan.dn, email: plan.person.email });
        }
        if (previousFailures.has(safeKey(plan.dn)))
          report.recovered.push({ dn: plan.dn, email: plan.person.email });
      } catch (error) {
        const reason =
          error instanceof EdgeError ? `${error.message} (${error.code})` : (error as Error).message;
        report.failed.push({
          dn: plan.dn,
          email: plan.person.email,
          reason,
          retried: previousFailures.has(safeKey(plan.dn)),
        });
      }
    }
    for (const { link, user } of toDisable) {
      try {
        people.setActive(user, false, 'ldap', { actor: options.actor });
        report.disabled.push({ dn: link.ldapDn ?? '', email: user.email });
      } catch (error) {
        report.failed.push({
          dn: link.ldapDn ?? '',
          email: user.email,
          reason: (error as Error).message,
          retried: false,
        });
      }
    }
    // The failures of this run replace the last run's: a success removes its row.
    const at = this.#now().toISOString();
    this.#d.db
      .transaction(() => {
        this.#d.db.prepare('DELETE FROM ldap_sync_failures WHERE enterprise_id = ?').run(enterprise.id);
        const insert = this.#d.db.prepare(
          'INSERT OR REPLACE INTO ldap_sync_failures (enterprise_id, dn, reason, failed_at, attempts) VALUES (?, ?, ?, ?, ?)',
        );
        for (const f of report.failed)
          insert.run(enterprise.id, f.dn, f.reason, at, (previousFailures.get(safeKey(f.dn)) ?? 0) + 1);
      })
      .immediate();
  }
}

function safeKey(dn: string): string {
  try {
    return dnKey(dn);
  } catch {
    return dn.toLowerCase();
  }
}
