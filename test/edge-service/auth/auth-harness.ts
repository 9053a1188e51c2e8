import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AccountLinks } from '../../../edge-service/src/auth/account-links.ts';
import { AuthEvents, type AuthEventMap } from '../../../edge-service/src/auth/auth-events.ts';
import { SignInRateLimits } from '../../../edge-service/src/auth/lockout.ts';
import { PanelSessions } from '../../../edge-service/src/auth/panel-sessions.ts';
import { PasswordChanger } from '../../../edge-service/src/auth/password-changer.ts';
import { PasswordHasher } from '../../../edge-service/src/auth/password-hasher.ts';
import { SecretBox } from '../../../edge-service/src/auth/secret-box.ts';
import { SessionTokens } from '../../../edge-service/src/auth/session-tokens.ts';
import { SignInService, type SignInContext } from '../../../edge-service/src/auth/sign-in-service.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import type { NewUser } from '../../../edge-service/src/domain/user.ts';
import { PolicyService } from '../../../edge-service/src/policies/policy-service.ts';
import {
  SqliteAccountLinkRepository,
  SqlitePanelSessionRepository,
} from '../../../edge-service/src/storage/sqlite-auth-records.ts';
import {
  SqliteDeviceRepository,
  SqliteDirectoryRepository,
} from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqlitePolicyRepository } from '../../../edge-service/src/storage/sqlite-policy-repository.ts';
import { SqliteUserRepository } from '../../../edge-service/src/storage/sqlite-user-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { Writable } from 'node:stream';
import { createLogger } from '../../../edge-service/src/logger.ts';

/** A clock tests move by hand. */
export class FakeClock {
  ms: number;
  constructor(iso = '2026-03-02T09:00:00.000Z') {
    this.ms = Date.parse(iso);
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** The whole people path on a temporary database, with a fake clock and recorded events. */
export class AuthHarness {
  readonly dir = tempDir('auth-test-');
  readonly clock = new FakeClock();
  readonly db: Db;
  readonly masterKey = randomBytes(32);
  readonly users: SqliteUserRepository;
  readonly devices: SqliteDeviceRepository;
  readonly directory: SqliteDirectoryRepository;
  readonly policies: PolicyService;
  readonly hasher = new PasswordHasher();
  readonly box = new SecretBox(this.masterKey);
  readonly tokens: SessionTokens;
  readonly sessions: PanelSessions;
  readonly events = new AuthEvents();
  readonly passwords: PasswordChanger;
  readonly links: AccountLinks;
  readonly signIn: SignInService;
  readonly enterpriseId: string;
  readonly deviceId: string;
  readonly otherDeviceId: string;
  readonly seen: { name: keyof AuthEventMap; userId: string }[] = [];
  /** Everything the services logged, as JSON lines. */
  log = '';

  constructor(options: { limits?: { perDevice?: number; perSource?: number } } = {}) {
    this.db = openDatabase(join(this.dir.path, 'edge.db'));
    this.users = new SqliteUserRepository(this.db);
    this.devices = new SqliteDeviceRepository(this.db);
    this.directory = new SqliteDirectoryRepository(this.db);
    this.policies = new PolicyService({
      repository: new SqlitePolicyRepository(this.db, { now: this.clock.now }),
    });
    this.tokens = new SessionTokens({ masterKey: this.masterKey, now: this.clock.now });
    this.sessions = new PanelSessions({
      repository: new SqlitePanelSessionRepository(this.db),
      tokens: this.tokens,
      now: this.clock.now,
    });
    this.passwords = new PasswordChanger({
      users: this.users,
      hasher: this.hasher,
      policies: this.policies,
      events: this.events,
      now: this.clock.now,
    });
    this.links = new AccountLinks({
      links: new SqliteAccountLinkRepository(this.db),
      users: this.users,
      policies: this.policies,
      passwords: this.passwords,
      now: this.clock.now,
    });
    this.signIn = new SignInService({
      users: this.users,
      devices: this.devices,
      directory: this.directory,
      policies: this.policies,
      hasher: this.hasher,
      passwords: this.passwords,
      secretBox: this.box,
      sessions: this.sessions,
      events: this.events,
      limits: new SignInRateLimits({ ...options.limits, now: this.clock.now }),
      now: this.clock.now,
      logger: createLogger({
        level: 'debug',
        destination: new Writable({
          write: (chunk: Buffer, _encoding, done) => {
            this.log += chunk.toString();
            done();
          },
        }),
      }),
    });
    for (const name of [
      'password-changed',
      'two-factor-enabled',
      'two-factor-disabled',
      'account-locked',
      'recovery-code-used',
    ] as const) {
      this.events.on(name, (event: { userId: string }) => this.seen.push({ name, userId: event.userId }));
    }
    this.enterpriseId = this.directory.createEnterprise('Acme Corp').id;
    const device = (name: string) =>
      this.devices.create({
        enterpriseId: this.enterpriseId,
        name,
        authMode: 'user-prompt',
        sharedUserId: null,
        scannerUrl: null,
        faxUrl: null,
        tokenHash: randomBytes(8).toString('hex'),
      }).id;
    this.deviceId = device('Panel A');
    this.otherDeviceId = device('Panel B');
  }

  context(source = '192.0.2.10', deviceId = this.deviceId): SignInContext {
    return { deviceId, source };
  }

  /** A user with a password set directly (no policy check), changed "now". */
  async user(email: string, password: string | null, settings: Partial<NewUser> = {}) {
    const user = this.users.create({
      enterpriseId: this.enterpriseId,
      email,
      displayName: email,
      ...settings,
    });
    if (password !== null) {
      this.users.setPasswordHash(user.id, await this.hasher.hash(password), this.clock.now(), {
        mustChange: settings.mustChangePassword === true,
      });
    }
    return this.users.get(user.id)!;
  }

  close(): void {
    this.db.close();
    this.dir.remove();
  }
}
