import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PasswordChanger } from '../../edge-service/src/auth/password-changer.ts';
import { PasswordHasher } from '../../edge-service/src/auth/password-hasher.ts';
import { enforcePassword, PasswordPolicyError } from '../../edge-service/src/auth/password-rules.ts';
import { openDatabase, type Db } from '../../edge-service/src/db/database.ts';
import type { EnterpriseRecord } from '../../edge-service/src/domain/device.ts';
import {
  isLocked,
  USER_ROLES,
  type UserAccount,
  type UserLanguage,
  type UserRole,
} from '../../edge-service/src/domain/user.ts';
import { EdgeError } from '../../edge-service/src/edge-error.ts';
import { parsePolicyAssignments } from '../../edge-service/src/policies/policy-assignments.ts';
import { PolicyService } from '../../edge-service/src/policies/policy-service.ts';
import {
  SqliteAccountLinkRepository,
  SqlitePanelSessionRepository,
} from '../../edge-service/src/storage/sqlite-auth-records.ts';
import { AccountLinks } from '../../edge-service/src/auth/account-links.ts';
import { inviteUser } from '../../edge-service/src/account/account-invitations.ts';
import { loadConfig } from '../../edge-service/src/config.ts';
import { createMail } from '../../edge-service/src/mail/mail-setup.ts';
import type { Notifier } from '../../edge-service/src/mail/notifier.ts';
import { createLogger } from '../../edge-service/src/logger.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqlitePolicyRepository } from '../../edge-service/src/storage/sqlite-policy-repository.ts';
import { SqliteUserRepository } from '../../edge-service/src/storage/sqlite-user-repository.ts';
import { SqliteAuditLog } from '../../edge-service/src/audit/sqlite-audit-log.ts';
import { ssoCommands } from './sso-commands.ts';

export const ADMIN_USAGE = `Usage: mfp-edge admin [--data DIR] [--enterprise NAME] COMMAND
  enterprise add NAME
  user add --email E --name "N" [--role admin|user|support-agent|reseller-admin] [--language en|fr|de] [--password-stdin]
           [--must-change] [--never-expires] [--no-builtin-password] [--no-2fa]
  user set-password --email E --password-stdin [--must-change]
  user unlock --email E
  user invite --email E [--origin URL]   mail an invitation link to the account page
  user list [--locked] [--json]
  policy show [--json]
  policy set KEY=VALUE...     e.g. twoFactor=mandatory emailToFax.trustedDomains=a.test,b.test
  device list [--json]
  device revoke ID
  audit verify                walk the audit log's hash chain (exit 1 at the first broken entry)
  sso set --protocol saml|wsfed|oidc [--metadata-file F | --metadata-url U]
          [--issuer URL --client-id ID --client-secret-stdin] [--email-claim NAME]
          [--entity-id ID --entry-point URL --certificate-file F] [--fingerprint HEX] [--logout-url URL]
  sso show [--json] [--origin URL]
  sso clear                   company sign-in off (and the client secret forgotten)
--data DIR: the edge's data folder (default ./data, or MFP_EDGE_DATA). --enterprise NAME (or its
identifier) may be left out while there is one enterprise. Passwords are read from standard input
only (--password-stdin), never from arguments. Exit status: 0 done, 1 refused, 2 usage.
`;

/** The actor recorded for changes made here (policy versions, audit entries): cli:<os user>. */
export const ACTOR = `cli:${osUser()}`;

function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return process.env.USER ?? 'unknown';
  }
}
/** The most standard input read for a password: far beyond any password, small enough to refuse a stray file. */
export const MAX_STDIN = 64 * 1024;

export interface AdminIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: { write: (text: string) => unknown };
  stderr: { write: (text: string) => unknown };
  env: NodeJS.ProcessEnv;
}

export class UsageError extends Error {}

const GLOBAL_OPTIONS = {
  data: { type: 'string' },
  enterprise: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export interface Context {
  db: Db;
  dataDir: string;
  io: AdminIo;
  enterpriseName: string | undefined;
  directory: SqliteDirectoryRepository;
  users: SqliteUserRepository;
  devices: SqliteDeviceRepository;
  policies: PolicyService;
  hasher: PasswordHasher;
  audit: SqliteAuditLog;
}

/**
 * `mfp-edge admin`: what an operator scripts. It opens the edge's own database (WAL, busy timeout),
 * so it works while the edge runs; a running edge notices policy changes within a poll
 * (PolicyWatcher) and refuses revoked devices and sessions at their next check.
 */
export async function adminCommand(argv: string[], io: AdminIo = process): Promise<number> {
  let db: Db | undefined;
  if (argv.length === 0 || ['help', '--help', '-h'].includes(argv[0]!)) {
    (argv.length === 0 ? io.stderr : io.stdout).write(ADMIN_USAGE);
    return argv.length === 0 ? 2 : 0;
  }
  try {
    const {
      values: global,
      positionals,
      tokens,
    } = parseArgs({
      args: argv,
      options: GLOBAL_OPTIONS,
      allowPositionals: true,
      strict: false,
      tokens: true,
    });
    // The command starts at its first word; options before it are the global ones.
    const first = tokens.find((t) => t.kind === 'positional');
    if (!first || positionals.length < 2)
      throw new UsageError(positionals.length === 0 ? 'no command' : 'incomplete command');
    const rest = argv.slice(first.index);
    const [group, action] = rest as [string, string];
    const handler = COMMANDS[`${group} ${action}`];
    if (!handler) throw new UsageError(`unknown command "${group} ${action}"`);
    const parsed = parseArgs({
      args: rest.slice(2),
      options: { ...GLOBAL_OPTIONS, ...handler.options },
      allowPositionals: true,
      strict: true,
    });
    const dataDir = resolve(
      (typeof parsed.values.data === 'string' ? parsed.values.data : undefined) ??
        (typeof global.data === 'string' ? global.data : undefined) ??
        (io.env.MFP_EDGE_DATA || './data'),
    );
    const enterpriseName =
      (typeof parsed.values.enterprise === 'string' ? parsed.values.enterprise : undefined) ??
      (typeof global.enterprise === 'string' ? global.enterprise : undefined);
    db = openDatabase(join(dataDir, 'edge.db'));
    const audit = new SqliteAuditLog(db);
    const context: Context = {
      db,
      dataDir,
      io,
      enterpriseName,
      directory: new SqliteDirectoryRepository(db),
      users: new SqliteUserRepository(db),
      devices: new SqliteDeviceRepository(db),
      // Policy changes from here are audited like the console's (PolicyService records them).
      policies: new PolicyService({ repository: new SqlitePolicyRepository(db), audit }),
      hasher: new PasswordHasher(),
      audit,
    };
    await handler.run(
      context,
      parsed.values as Record<string, string | boolean | undefined>,
      parsed.positionals,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`mfp-edge admin: ${(error as Error).message}\n\n${ADMIN_USAGE}`);
      return 2;
    }
    if (error instanceof EdgeError) {
      io.stderr.write(`mfp-edge admin: ${error.message} (${error.code})\n`);
      return 1;
    }
    throw error;
  } finally {
    db?.close();
  }
}

export type Values = Record<string, string | boolean | undefined>;

const SILENT_LOGGER = createLogger({ level: 'silent' });

/** Mail from the CLI is only queued in the database: the running edge (or the next one started) sends it. */
function queuedMail(c: Context): Notifier {
  const { config } = loadConfig({}, c.io.env);
  return createMail({ config, db: c.db, dataDir: c.dataDir, logger: SILENT_LOGGER }).notifier;
}

/** The address people reach the edge at (links in mail): `--origin`, else the edge's configured one. */
export function publicOrigin(c: Context, given: string | undefined): string {
  const { config } = loadConfig({}, c.io.env);
  const origin = (given ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(origin)) throw new UsageError('--origin must be http(s)://host[:port]');
  return origin;
}

export interface Command {
  options: ParseArgsConfig['options'];
  run: (context: Context, values: Values, positionals: string[]) => Promise<void> | void;
}

const str = (values: Values, name: string): string | undefined =>
  typeof values[name] === 'string' ? (values[name] as string) : undefined;

function required(values: Values, name: string): string {
  const value = str(values, name)?.trim();
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

const EMAIL = /^[^\s@\p{Cc}]{1,64}@[^\s@\p{Cc}]+\.[^\s@\p{Cc}]+$/u;

function email(values: Values): string {
  const value = required(values, 'email');
  if (value.length > 254 || !EMAIL.test(value))
    throw new UsageError(`--email "${value}" is not an email address`);
  return value;
}

export function enterprise(c: Context): EnterpriseRecord {
  if (c.enterpriseName !== undefined) {
    const found =
      c.directory.findEnterpriseByName(c.enterpriseName) ??
      c.directory.findEnterpriseBySlug(c.enterpriseName);
    if (!found) throw new EdgeError('ENTERPRISE_NOT_FOUND', `No enterprise named "${c.enterpriseName}".`);
    return found;
  }
  const all = c.directory.listEnterprises();
  if (all.length === 1) return all[0]!;
  throw new EdgeError(
    'ENTERPRISE_NOT_FOUND',
    all.length === 0
      ? 'There is no enterprise yet: create one with "mfp-edge admin enterprise add NAME".'
      : `There are ${all.length} enterprises: pass --enterprise NAME (${all.map((e) => `"${e.name}"`).join(', ')}).`,
  );
}

function user(c: Context, values: Values): UserAccount {
  const e = enterprise(c);
  const address = email(values);
  const found = c.users.findByEmail(e.id, address);
  if (!found) throw new EdgeError('USER_NOT_FOUND', `No user ${address} in "${e.name}".`);
  return found;
}

/** The password from standard input: one trailing line break removed, UTF-8 required. */
async function readPassword(io: AdminIo): Promise<string> {
  if (io.stdin.isTTY) {
    throw new UsageError(
      '--password-stdin reads the password from standard input: pipe it in (e.g. printf %s "$PW" | …)',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of io.stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_STDIN)
      throw new EdgeError('PASSWORD_POLICY', 'The standard input is far longer than any password.');
    chunks.push(buffer);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new EdgeError('PASSWORD_POLICY', 'The password on standard input is not UTF-8 text.');
  }
  text = text.replace(/\r?\n$/, '');
  if (text === '') throw new EdgeError('PASSWORD_POLICY', 'No password on standard input.');
  return text;
}

function printPolicyError(error: unknown): never {
  if (error instanceof PasswordPolicyError) {
    throw new EdgeError(
      'PASSWORD_POLICY',
      `The password does not meet the enterprise's rules:\n${error.failed.map((r) => `  - ${r.message}`).join('\n')}`,
    );
  }
  throw error;
}

function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([k, v]) => flatten(v, `${prefix}${k}.`));
  }
  return [[prefix.slice(0, -1), value]];
}

const show = (value: unknown): string =>
  Array.isArray(value) ? value.join(',') : value === null ? 'null' : String(value);

function userStatus(u: UserAccount, now: Date): string {
  const tags: string[] = [];
  if (u.disabledAt) tags.push('Disabled');
  if (isLocked(u, now)) tags.push(u.lockedUntil ? `Locked until ${u.lockedUntil}` : 'Locked');
  if (u.totpSecret) tags.push('2FA');
  if (u.twoFactorExcluded) tags.push('2FA excluded');
  if (u.builtinPasswordDisabled) tags.push('no built-in password');
  else if (!u.passwordHash) tags.push('no password yet');
  if (u.mustChangePassword) tags.push('must change password');
  if (u.passwordNeverExpires) tags.push('password never expires');
  return tags.join(', ');
}

const COMMANDS: Record<string, Command> = {
  'enterprise add': {
    options: {},
    run(c, _values, positionals) {
      const name = positionals.join(' ').trim();
      if (name === '' || name.length > 200) throw new UsageError('enterprise add NAME (1–200 characters)');
      const created = c.directory.createEnterprise(name);
      c.audit.record({
        enterpriseId: created.id,
        actor: ACTOR,
        action: 'enterprise.create',
        target: created.id,
        details: { name: created.name, slug: created.slug },
      });
      c.io.stdout.write(
        `created enterprise "${created.name}" (identifier ${created.slug}, id ${created.id})\n`,
      );
    },
  },

  'user add': {
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string', default: 'user' },
      language: { type: 'string', default: 'en' },
      'password-stdin': { type: 'boolean', default: false },
      'must-change': { type: 'boolean', default: false },
      'never-expires': { type: 'boolean', default: false },
      'no-builtin-password': { type: 'boolean', default: false },
      'no-2fa': { type: 'boolean', default: false },
    },
    async run(c, values) {
      const address = email(values);
      const name = required(values, 'name');
      const role = str(values, 'role')!;
      const language = str(values, 'language')!;
      if (!(USER_ROLES as readonly string[]).includes(role))
        throw new UsageError(`--role must be one of ${USER_ROLES.join(', ')}`);
      if (!['en', 'fr', 'de'].includes(language)) throw new UsageError('--language must be en, fr or de');
      // Everyone who may use the console (admins and the vendor-side roles) uses 2FA there.
      if (role !== 'user' && values['no-2fa'])
        throw new EdgeError(
          'TWO_FACTOR_REQUIRED_FOR_ADMINS',
          'Administrators must use two-factor authentication: --no-2fa is for people signing in at printers only.',
        );
      if (values['no-builtin-password'] && values['password-stdin'])
        throw new UsageError('--no-builtin-password and --password-stdin exclude each other');
      const e = enterprise(c);
      if (c.users.findByEmail(e.id, address))
        throw new EdgeError('USER_EXISTS', `${address} already exists in "${e.name}".`);
      let hash: string | undefined;
      if (values['password-stdin']) {
        const password = await readPassword(c.io);
        await enforcePassword(password, c.policies.get(e.id).document, {
          email: address,
          hasher: c.hasher,
        }).catch(printPolicyError);
        hash = await c.hasher.hash(password);
      }
      // One transaction: a user never exists half-made (without the password asked for).
      const created = c.db
        .transaction(() => {
          const u = c.users.create({
            enterpriseId: e.id,
            email: address,
            displayName: name,
            role: role as UserRole,
            language: language as UserLanguage,
            mustChangePassword: values['must-change'] === true,
            passwordNeverExpires: values['never-expires'] === true,
            builtinPasswordDisabled: values['no-builtin-password'] === true,
            twoFactorExcluded: values['no-2fa'] === true,
          });
          if (hash)
            c.users.setPasswordHash(u.id, hash, new Date(), { mustChange: values['must-change'] === true });
          return u;
        })
        .immediate();
      c.audit.record({
        enterpriseId: e.id,
        actor: ACTOR,
        action: 'user.create',
        target: created.id,
        details: { email: created.email, role: created.role, initialPassword: hash !== undefined },
      });
      c.io.stdout.write(`created ${created.role} ${created.email} in "${e.name}" (id ${created.id})\n`);
      if (c.policies.get(e.id).document.welcomeEmail) {
        queuedMail(c).welcome({
          to: created.email,
          name: created.displayName,
          language: created.language,
          timeZone: created.timeZone,
          enterpriseName: e.name,
        });
        c.io.stdout.write(`welcome mail queued (policy welcomeEmail)\n`);
      }
    },
  },

  'user set-password': {
    options: {
      email: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      'must-change': { type: 'boolean', default: false },
    },
    async run(c, values) {
      if (!values['password-stdin'])
        throw new UsageError('--password-stdin is required: the password is read from standard input');
      const u = user(c, values);
      const password = await readPassword(c.io);
      const changer = new PasswordChanger({ users: c.users, hasher: c.hasher, policies: c.policies });
      await changer
        .change(u, password, { by: ACTOR, mustChange: values['must-change'] === true })
        .catch(printPolicyError);
      // Whoever was signed in with the old password is signed out.
      const ended = new SqlitePanelSessionRepository(c.db).revoke(
        { userId: u.id },
        'password-changed',
        new Date(),
      );
      c.audit.record({
        enterpriseId: u.enterpriseId,
        actor: ACTOR,
        action: 'user.password-set',
        target: u.id,
        details: { email: u.email, mustChange: values['must-change'] === true },
      });
      c.io.stdout.write(
        `password of ${u.email} set${values['must-change'] ? ' (to be changed at next sign-in)' : ''}` +
          `${ended.length > 0 ? `; ${ended.length} panel session(s) signed out` : ''}\n`,
      );
    },
  },

  'user invite': {
    options: {
      email: { type: 'string' },
      origin: { type: 'string' },
    },
    run(c, values) {
      const u = user(c, values);
      if (u.builtinPasswordDisabled)
        throw new EdgeError(
          'BUILTIN_PASSWORD_DISABLED',
          `${u.email} signs in only through the company sign-in or the printer's own: there is no password to set.`,
        );
      const origin = publicOrigin(c, str(values, 'origin'));
      const notifier = queuedMail(c);
      const passwords = new PasswordChanger({ users: c.users, hasher: c.hasher, policies: c.policies });
      const links = new AccountLinks({
        links: new SqliteAccountLinkRepository(c.db),
        users: c.users,
        policies: c.policies,
        passwords,
      });
      const { expiresAt } = inviteUser(
        { links, users: c.users, directory: c.directory, notifier, publicOrigin: origin },
        u.id,
      );
      c.audit.record({
        enterpriseId: u.enterpriseId,
        actor: ACTOR,
        action: 'user.invite',
        target: u.id,
        details: { email: u.email },
      });
      c.io.stdout.write(`invitation for ${u.email} queued (valid until ${expiresAt.toISOString()})\n`);
    },
  },

  'user unlock': {
    options: { email: { type: 'string' } },
    run(c, values) {
      const u = user(c, values);
      c.users.resetFailures(u.id);
      c.audit.record({
        enterpriseId: u.enterpriseId,
        actor: ACTOR,
        action: 'user.unlock',
        target: u.id,
        details: { email: u.email, wasLocked: isLocked(u, new Date()) },
      });
      c.io.stdout.write(`${u.email} unlocked${isLocked(u, new Date()) ? '' : ' (it was not locked)'}\n`);
    },
  },

  'user list': {
    options: { locked: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    run(c, values) {
      const e = enterprise(c);
      const now = new Date();
      const list = c.users.list(e.id, values.locked ? { lockedAt: now } : {});
      if (values.json) {
        const rows = list.map((u) => ({
          id: u.id,
          email: u.email,
          name: u.displayName,
          role: u.role,
          language: u.language,
          locked: isLocked(u, now),
          lockedUntil: isLocked(u, now) ? u.lockedUntil : null,
          disabled: u.disabledAt !== null,
          twoFactor: u.totpSecret !== null,
          twoFactorExcluded: u.twoFactorExcluded,
          builtinPasswordDisabled: u.builtinPasswordDisabled,
          hasPassword: u.passwordHash !== null,
          mustChangePassword: u.mustChangePassword,
          passwordNeverExpires: u.passwordNeverExpires,
          passwordChangedAt: u.passwordChangedAt,
        }));
        c.io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const u of list)
        c.io.stdout.write(`${u.email}\t${u.displayName}\t${u.role}\t${userStatus(u, now)}\n`);
      if (list.length === 0) c.io.stdout.write(values.locked ? 'no locked users\n' : 'no users\n');
    },
  },

  'policy show': {
    options: { json: { type: 'boolean', default: false } },
    run(c, values) {
      const e = enterprise(c);
      const policy = c.policies.get(e.id);
      if (values.json) {
        c.io.stdout.write(`${JSON.stringify({ enterprise: e.name, ...policy }, null, 2)}\n`);
        return;
      }
      c.io.stdout.write(
        `# policy of "${e.name}", version ${policy.version}${policy.updatedAt ? ` (${policy.updatedAt} by ${policy.updatedBy})` : ' (defaults)'}\n`,
      );
      for (const [key, value] of flatten(policy.document)) c.io.stdout.write(`${key}=${show(value)}\n`);
    },
  },

  'policy set': {
    options: {},
    run(c, _values, positionals) {
      if (positionals.length === 0) throw new UsageError('policy set KEY=VALUE...');
      const e = enterprise(c);
      const before = c.policies.get(e.id);
      const after = c.policies.update(e.id, parsePolicyAssignments(positionals), ACTOR);
      if (after.version === before.version) {
        c.io.stdout.write(`policy of "${e.name}" unchanged (version ${after.version})\n`);
        return;
      }
      const changed = new Map(flatten(after.document));
      for (const [key, value] of flatten(before.document)) {
        if (JSON.stringify(value) !== JSON.stringify(changed.get(key)))
          c.io.stdout.write(`${key}: ${show(value)} -> ${show(changed.get(key))}\n`);
      }
      c.io.stdout.write(`policy of "${e.name}" is now version ${after.version}\n`);
    },
  },

  'device list': {
    options: { json: { type: 'boolean', default: false } },
    run(c, values) {
      const e =
        c.enterpriseName !== undefined || c.directory.listEnterprises().length <= 1 ? enterprise(c) : null;
      const list = c.devices.list().filter((d) => e === null || d.enterpriseId === e.id);
      if (values.json) {
        c.io.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      for (const d of list)
        c.io.stdout.write(
          `${d.id}\t${d.name}\t${d.authMode}\t${d.revokedAt ? `revoked ${d.revokedAt}` : 'paired'}\n`,
        );
      if (list.length === 0) c.io.stdout.write('no devices\n');
    },
  },

  'device revoke': {
    options: {},
    run(c, _values, positionals) {
      const [id, ...extra] = positionals;
      if (!id || extra.length > 0) throw new UsageError('device revoke ID');
      const device = c.devices.get(id);
      if (!device)
        throw new EdgeError(
          'DEVICE_NOT_FOUND',
          `No device with id ${id} (see "mfp-edge admin device list").`,
        );
      if (c.enterpriseName !== undefined && device.enterpriseId !== enterprise(c).id)
        throw new EdgeError('DEVICE_NOT_FOUND', `Device ${id} is not in "${c.enterpriseName}".`);
      if (!c.devices.revoke(id))
        throw new EdgeError('DEVICE_UNAUTHORIZED', `Device "${device.name}" is already revoked.`);
      const ended = new SqlitePanelSessionRepository(c.db).revoke(
        { deviceId: id },
        'device-revoked',
        new Date(),
      );
      c.audit.record({
        enterpriseId: device.enterpriseId,
        actor: ACTOR,
        action: 'device.revoke',
        target: id,
        details: { name: device.name },
      });
      c.io.stdout.write(
        `revoked device "${device.name}" (${id}): its credential no longer works${ended.length > 0 ? `; ${ended.length} panel session(s) ended` : ''}\n`,
      );
    },
  },

  'audit verify': {
    options: {},
    run(c) {
      const result = c.audit.verify();
      if (result.ok) {
        c.io.stdout.write(`audit log intact: ${result.count} entries, hash chain verified\n`);
        return;
      }
      throw new EdgeError(
        'AUDIT_CHAIN_BROKEN',
        `audit log broken at entry ${result.seq}: ${result.reason}; the ${result.count} entries before it are intact`,
      );
    },
  },
  ...ssoCommands,
};
