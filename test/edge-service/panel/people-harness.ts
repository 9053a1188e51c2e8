import { Readable } from 'node:stream';
import { adminCommand } from '../../../bin/cli/admin-command.ts';
import { EdgeService } from '../../../edge-service/src/edge-service.ts';
import type { DeviceIdentity, DevicePerson } from '../../../edge-service/src/domain/device-identity.ts';
import type { AuthMode } from '../../../protocol/index.ts';
import type { NewUser } from '../../../edge-service/src/domain/user.ts';
import type { OutgoingMessage } from '../../../edge-service/src/mail/mail-transport.ts';
import type { PanelClock } from '../../../edge-service/src/panel/panel-clock.ts';
import type { DeviceDrivers } from '../../../edge-service/src/services/device-drivers.ts';
import { hashDeviceToken, newDeviceToken } from '../../../edge-service/src/services/device-credentials.ts';
import { PanelClient } from '../../helpers/panel-client.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { captureLogs } from '../mail/log-capture.ts';
import { FakeScanner, ScriptedFaxLine } from '../services/fake-drivers.ts';

/** Timers that run only when the test moves the clock. */
export class ManualClock implements PanelClock {
  ms = Date.now();
  readonly #timers = new Map<number, { at: number; run: () => void }>();
  #next = 1;
  now = (): number => this.ms;
  setTimeout = (run: () => void, ms: number): unknown => {
    const id = this.#next++;
    this.#timers.set(id, { at: this.ms + ms, run });
    return id;
  };
  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };
  /** Moves time on, running each timer that falls due at its moment. */
  tick(ms: number): void {
    const end = this.ms + ms;
    for (;;) {
      const due = [...this.#timers.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.#timers.delete(due[0]);
      this.ms = due[1].at;
      due[1].run();
    }
    this.ms = end;
  }
}

/** The MFP's own sign-in as a driver would report it; tests sign people in and out. */
export class FakeIdentity implements DeviceIdentity {
  person: DevicePerson | null = null;
  readonly #listeners = new Set<(person: DevicePerson | null) => void>();
  watches = 0;
  async current(): Promise<DevicePerson | null> {
    return this.person;
  }
  watch(onChange: (person: DevicePerson | null) => void): () => void {
    this.watches++;
    this.#listeners.add(onChange);
    queueMicrotask(() => onChange(this.person));
    return () => this.#listeners.delete(onChange);
  }
  set(person: DevicePerson | null): void {
    this.person = person;
    for (const listener of this.#listeners) listener(person);
  }
}

export const PASSWORD = 'Kestrel-Harbour-2931';
export const NEW_PASSWORD = 'Granite-Lantern-7408';
/** What the device admin credential would be (the fake driver is handed it; no log may show it). */
export const DEVICE_ADMIN_PASSWORD = 'dev-admin-Qm7vT2pX9w';

export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A real edge (SQLite, WebSocket, people services) with fake device drivers, a manual panel clock and recorded mail. */
export class PeopleEdge {
  readonly dir = tempDir('people-edge-');
  readonly clock = new ManualClock();
  readonly logs = captureLogs();
  readonly mails: OutgoingMessage[] = [];
  readonly scanner = new FakeScanner();
  readonly faxLine = new ScriptedFaxLine();
  readonly identity = new FakeIdentity();
  /** Devices that have an identity driver (device-login devices not listed have none). */
  readonly identityDevices = new Set<string>();
  readonly clients: PanelClient[] = [];
  readonly edge: EdgeService;
  enterpriseId = '';
  wsUrl = '';

  constructor(options: { sessionCheckMs?: number } = {}) {
    const drivers: DeviceDrivers = {
      scanner: () => this.scanner,
      faxLine: () => this.faxLine,
      identity: (device) => (this.identityDevices.has(device.id) ? this.identity : null),
    };
    this.edge = new EdgeService({
      config: { port: 0, smtpIntakePort: 'off', dataDir: this.dir.path, faxPollMs: 50, faxRetryAttempts: 1 },
      drivers,
      logger: this.logs.logger,
      clock: this.clock,
      sessionCheckMs: options.sessionCheckMs ?? 100,
      mailTransport: {
        description: 'test',
        send: async (message) => {
          this.mails.push(message);
        },
        close: () => undefined,
      },
    });
  }

  async start(): Promise<this> {
    await this.edge.start();
    this.enterpriseId = this.edge.repositories.directory.createEnterprise('Acme Corp', 'acme').id;
    this.wsUrl = `${this.edge.url.replace(/^http/, 'ws')}/ws`;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.close();
    await this.edge.stop();
    this.dir.remove();
  }

  /** A paired device; returns its id and credential. */
  device(authMode: AuthMode, options: { identity?: boolean; sharedUserId?: string } = {}) {
    const token = newDeviceToken();
    const device = this.edge.repositories.devices.create({
      enterpriseId: this.enterpriseId,
      name: `${authMode} panel ${Math.random().toString(36).slice(2, 6)}`,
      authMode,
      sharedUserId: options.sharedUserId ?? null,
      scannerUrl: 'http://scanner.invalid/eSCL',
      faxUrl: 'ipp://fax.invalid/ipp/faxout',
      tokenHash: hashDeviceToken(token),
    });
    if (options.identity ?? authMode === 'device-login') this.identityDevices.add(device.id);
    return { id: device.id, token };
  }

  async user(input: Omit<NewUser, 'enterpriseId'>, password: string | null = PASSWORD) {
    const { users } = this.edge.people;
    const user = users.create({ enterpriseId: this.enterpriseId, ...input });
    if (password !== null)
      users.setPasswordHash(user.id, await this.edge.people.hasher.hash(password), new Date(), {
        mustChange: input.mustChangePassword === true,
      });
    return users.get(user.id)!;
  }

  async connect(token: string, extra: Record<string, unknown> = {}) {
    const client = await PanelClient.connect(this.wsUrl);
    this.clients.push(client);
    const hello = await client.request('hello', {
      protocolVersions: [1],
      deviceToken: token,
      app: { name: 'test', version: '1' },
      ...extra,
    } as never);
    return { client, hello };
  }

  /** Signs in a user without 2FA or password change; returns the done step. */
  async signIn(client: PanelClient, email: string, password = PASSWORD) {
    const step = await client.request('auth.password', { email, password });
    if (step.step !== 'done') throw new Error(`expected done, got ${step.step}`);
    return step;
  }

  /** `mfp-edge admin` against this edge's data folder, over its own database connection (as the CLI process). */
  async admin(args: string[], stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await adminCommand(['--data', this.dir.path, ...args], {
      stdin: Readable.from(stdin === '' ? [] : [Buffer.from(stdin)]),
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
    });
    return { code, stdout, stderr };
  }

  mailsTo(email: string, kind?: RegExp): OutgoingMessage[] {
    return this.mails.filter(
      (m) =>
        JSON.stringify(m.options.to).toLowerCase().includes(email.toLowerCase()) &&
        (kind === undefined || kind.test(String(m.options.subject))),
    );
  }
}
