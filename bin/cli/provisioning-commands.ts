import { readFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import type { AdminIo } from './admin-command.ts';
import { SecretBox } from '../../edge-service/src/auth/secret-box.ts';
import { loadSecretKey } from '../../edge-service/src/auth/secret-key.ts';
import type { SqliteAuditLog } from '../../edge-service/src/audit/sqlite-audit-log.ts';
import type { Db } from '../../edge-service/src/db/database.ts';
import type { EnterpriseRecord } from '../../edge-service/src/domain/device.ts';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { loadConfig } from '../../edge-service/src/config.ts';
import { createLogger } from '../../edge-service/src/logger.ts';
import { createMail } from '../../edge-service/src/mail/mail-setup.ts';
import type { PolicyService } from '../../edge-service/src/policies/policy-service.ts';
import {
  ATTRIBUTE_KEYS,
  LdapSyncSettingsStore,
} from '../../edge-service/src/provisioning/ldap/ldap-sync-settings.ts';
import { LdapSync, type SyncReport } from '../../edge-service/src/provisioning/ldap/ldap-sync.ts';
import { ProvisionedPeople } from '../../edge-service/src/provisioning/provisioned-people.ts';
import { ProvisioningStore } from '../../edge-service/src/provisioning/provisioning-store.ts';
import { ScimTokens } from '../../edge-service/src/provisioning/scim/scim-tokens.ts';
import { SqlitePanelSessionRepository } from '../../edge-service/src/storage/sqlite-auth-records.ts';
import {
  SqliteApiTokenRepository,
  SqliteConsoleSessionRepository,
} from '../../edge-service/src/storage/sqlite-console-records.ts';
import type { SqliteDirectoryRepository } from '../../edge-service/src/storage/sqlite-device-repository.ts';
import type { SqliteUserRepository } from '../../edge-service/src/storage/sqlite-user-repository.ts';

export const PROVISIONING_USAGE = `  scim token create [--name N]   a bearer token for the identity provider (shown once)
  scim token list [--json]
  scim token revoke ID
  directory set --url ldaps://HOST[:PORT] --bind-dn DN --password-stdin --base-dn DN [--filter F]
                [--ca-file F] [--map KEY=ATTR...] [--admin-group DN] [--start-tls] [--no-tls-verify]
                [--manage-existing] [--max-disable-share 0.1] [--interval-minutes 60]
                KEY: ${ATTRIBUTE_KEYS.join(', ')} (country from c, not co)
  directory show [--json]
  directory sync [--json] [--force]   created, updated, disabled and failed counts; --force lets it
                                      disable more than the set share of the users
`;

interface ProvisioningContext {
  db: Db;
  dataDir: string;
  io: AdminIo;
  directory: SqliteDirectoryRepository;
  users: SqliteUserRepository;
  policies: PolicyService;
  audit: SqliteAuditLog;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

interface Command<C> {
  options: ParseArgsConfig['options'];
  run: (context: C, values: Values, positionals: string[]) => Promise<void> | void;
}

export interface ProvisioningHelpers<C extends ProvisioningContext> {
  enterprise: (c: C) => EnterpriseRecord;
  readSecret: (c: C) => Promise<string>;
  usage: (message: string) => Error;
  actor: string;
}

const SILENT = createLogger({ level: 'silent' });

/** `scim token …` and `directory …` of `mfp-edge admin` (DESIGN.md §11: "directory" is the LDAP sync here). */
export function provisioningCommands<C extends ProvisioningContext>(
  h: ProvisioningHelpers<C>,
): Record<string, Command<C>> {
  const str = (v: Values, name: string): string | undefined =>
    typeof v[name] === 'string' ? (v[name] as string) : undefined;

  const ldapSync = async (c: C) => {
    const secret = await loadSecretKey(c.dataDir, c.io.env);
    const box = new SecretBox(secret.key);
    const settings = new LdapSyncSettingsStore(c.db, box);
    const store = new ProvisioningStore(c.db);
    const { config } = loadConfig({}, c.io.env);
    const notifier = createMail({ config, db: c.db, dataDir: c.dataDir, logger: SILENT }).notifier;
    const panel = new SqlitePanelSessionRepository(c.db);
    const consoleSessions = new SqliteConsoleSessionRepository(c.db);
    const apiTokens = new SqliteApiTokenRepository(c.db);
    const people = new ProvisionedPeople({
      users: c.users,
      store,
      policies: c.policies,
      notifier,
      audit: c.audit,
      // Through the tables: a running edge's session keeper ends the panels at its next check.
      endSessions: (userId, reason) => {
        const at = new Date();
        panel.revoke({ userId }, reason, at);
        consoleSessions.revoke({ userId }, reason, at);
        if (reason === 'user-disabled') apiTokens.revoke({ userId }, at);
      },
    });
    return {
      settings,
      sync: new LdapSync({
        db: c.db,
        settings,
        store,
        people,
        users: c.users,
        directory: c.directory,
        audit: c.audit,
      }),
    };
  };

  const printReport = (c: C, e: EnterpriseRecord, r: SyncReport, json: boolean) => {
    if (json) {
      c.io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return;
    }
    const n = r.counts;
    c.io.stdout.write(
      `directory sync of "${e.name}": ${r.outcome}; ${r.entries} entries; created ${n.created}, updated ${n.updated}, enabled ${n.enabled}, disabled ${n.disabled}, failed ${n.failed}\n`,
    );
    for (const f of r.failed)
      c.io.stdout.write(`  failed ${f.dn}${f.retried ? ' (again)' : ''}: ${f.reason}\n`);
    for (const x of r.recovered) c.io.stdout.write(`  succeeded after failing last time: ${x.dn}\n`);
    if (!r.tlsVerify) c.io.stdout.write('  warning: certificate validation is off\n');
  };

  return {
    'scim token': {
      options: { name: { type: 'string' }, json: { type: 'boolean', default: false } },
      run(c, values, positionals) {
        const [verb, ...rest] = positionals;
        const e = h.enterprise(c);
        const tokens = new ScimTokens(c.db);
        if (verb === 'create') {
          const name = str(values, 'name')?.trim() ?? 'SCIM';
          if (!name || name.length > 100 || rest.length > 0)
            throw h.usage('scim token create [--name N] (1–100 characters)');
          const { token, record } = tokens.create(e.id, name, h.actor);
          c.audit.record({
            enterpriseId: e.id,
            actor: h.actor,
            action: 'scim-token.create',
            target: record.id,
            details: { name },
          });
          c.io.stdout.write(
            `SCIM token "${name}" (id ${record.id}) for "${e.name}": paste it into the identity provider now, it is not shown again:\n${token}\nSCIM base URL: <edge origin>/scim/v2/${e.slug}/\n`,
          );
          return;
        }
        if (verb === 'revoke') {
          const [id, ...extra] = rest;
          if (!id || extra.length > 0) throw h.usage('scim token revoke ID');
          const record = tokens.revoke(e.id, id);
          c.audit.record({
            enterpriseId: e.id,
            actor: h.actor,
            action: 'scim-token.revoke',
            target: id,
            details: { name: record.name },
          });
          c.io.stdout.write(
            `SCIM token "${record.name}" (${id}) revoked: the identity provider's next request is refused\n`,
          );
          return;
        }
        if (verb === 'list') {
          const list = tokens.list(e.id);
          if (values.json) c.io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          else
            for (const t of list)
              c.io.stdout.write(
                `${t.id}\t${t.name}\t${t.revokedAt ? `revoked ${t.revokedAt}` : 'active'}\tlast used ${t.lastUsedAt ?? 'never'}\n`,
              );
          return;
        }
        throw h.usage('scim token create|list|revoke');
      },
    },

    'directory set': {
      options: {
        url: { type: 'string' },
        'bind-dn': { type: 'string' },
        'password-stdin': { type: 'boolean', default: false },
        'base-dn': { type: 'string' },
        filter: { type: 'string' },
        'ca-file': { type: 'string' },
        map: { type: 'string', multiple: true },
        'admin-group': { type: 'string' },
        'start-tls': { type: 'boolean', default: false },
        'no-tls-verify': { type: 'boolean', default: false },
        'manage-existing': { type: 'boolean', default: false },
        'max-disable-share': { type: 'string' },
        'interval-minutes': { type: 'string' },
      },
      async run(c, values) {
        for (const name of ['url', 'bind-dn', 'base-dn'])
          if (!str(values, name)) throw h.usage(`--${name} is required`);
        const e = h.enterprise(c);
        const map: Record<string, string | null> = {};
        for (const pair of (values.map as string[] | undefined) ?? []) {
          const m = /^([A-Za-z]+)=(.*)$/.exec(pair);
          if (!m || !(ATTRIBUTE_KEYS as readonly string[]).includes(m[1]!))
            throw h.usage(`--map ${pair}: KEY=ATTR with KEY one of ${ATTRIBUTE_KEYS.join(', ')}`);
          map[m[1]!] = m[2]! === '' ? null : m[2]!;
        }
        let ca: string | null = null;
        const caFile = str(values, 'ca-file');
        if (caFile) {
          try {
            ca = readFileSync(caFile, 'utf8');
          } catch (error) {
            throw new EdgeError(
              'VALIDATION_FAILED',
              `--ca-file ${caFile} cannot be read: ${(error as Error).message}`,
            );
          }
          if (!ca.includes('-----BEGIN CERTIFICATE-----'))
            throw new EdgeError('VALIDATION_FAILED', `--ca-file ${caFile} holds no PEM certificate.`);
        }
        const number = (name: string) => {
          const v = str(values, name);
          if (v === undefined) return undefined;
          const n = Number(v);
          if (!Number.isFinite(n)) throw h.usage(`--${name} must be a number`);
          return n;
        };
        const { settings } = await ldapSync(c);
        const existing = settings.get(e.id);
        if (!values['password-stdin'] && !existing)
          throw h.usage('--password-stdin is required: the bind password is read from standard input');
        const password = values['password-stdin'] ? await h.readSecret(c) : undefined;
        const input = {
          url: str(values, 'url'),
          startTls: values['start-tls'] === true,
          bindDn: str(values, 'bind-dn'),
          baseDn: str(values, 'base-dn'),
          ...(str(values, 'filter') !== undefined ? { filter: str(values, 'filter') } : {}),
          caCertificates: ca,
          tlsVerify: values['no-tls-verify'] !== true,
          map: { ...existing?.settings.map, ...map },
          adminGroup: str(values, 'admin-group') ?? null,
          manageExisting: values['manage-existing'] === true,
          ...(number('max-disable-share') !== undefined
            ? { maxDisableShare: number('max-disable-share') }
            : {}),
          ...(number('interval-minutes') !== undefined
            ? { intervalMinutes: number('interval-minutes') }
            : {}),
        };
        const stored = settings.set(e.id, input, password, h.actor);
        c.audit.record({
          enterpriseId: e.id,
          actor: h.actor,
          action: 'ldap-sync.configure',
          target: null,
          details: {
            ...stored.settings,
            caCertificates: ca !== null,
            passwordChanged: password !== undefined,
          },
        });
        c.io.stdout.write(
          `directory sync of "${e.name}" set: ${stored.settings.url}, base ${stored.settings.baseDn}, filter ${stored.settings.filter}\n`,
        );
        if (!stored.settings.tlsVerify)
          c.io.stderr.write(
            'warning: certificate validation is off: anyone on the network path can pose as the directory and read the bind password\n',
          );
      },
    },

    'directory show': {
      options: { json: { type: 'boolean', default: false } },
      async run(c, values) {
        const e = h.enterprise(c);
        const { settings, sync } = await ldapSync(c);
        const stored = settings.get(e.id);
        if (!stored) throw new EdgeError('LDAP_SYNC_NOT_CONFIGURED');
        const last = sync.lastReport(e.id);
        if (values.json) {
          c.io.stdout.write(`${JSON.stringify({ ...stored, lastRun: last }, null, 2)}\n`);
          return;
        }
        for (const [k, v] of Object.entries(stored.settings))
          c.io.stdout.write(
            `${k}=${k === 'caCertificates' ? (v ? '(PEM)' : 'null') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}\n`,
          );
        if (last) printReport(c, e, last, false);
      },
    },

    'directory sync': {
      options: { json: { type: 'boolean', default: false }, force: { type: 'boolean', default: false } },
      async run(c, values) {
        const e = h.enterprise(c);
        const { sync } = await ldapSync(c);
        const report = await sync.run(e, { trigger: 'cli', actor: h.actor, force: values.force === true });
        printReport(c, e, report, values.json === true);
        if (report.outcome !== 'completed')
          throw new EdgeError(
            (report.errorCode ?? 'LDAP_SEARCH_FAILED') as 'LDAP_SEARCH_FAILED',
            report.message ?? 'The sync did not complete.',
          );
      },
    },
  };
}
