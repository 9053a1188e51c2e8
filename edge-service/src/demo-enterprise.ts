import { randomInt } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AuthMode } from '../../protocol/index.ts';
import type { EdgeService } from './edge-service.ts';
import { writeDurably } from './fs/durable-write.ts';
import { hashDeviceToken, newDeviceToken } from './services/device-credentials.ts';

export const DEMO_ENTERPRISE = 'Demo Enterprise';
/** DESIGN.md §11: the demo enterprise's slug. */
export const DEMO_SLUG = 'demo';
/** The shared-account device (its name is older than the other two: kept so existing data folders carry on). */
export const DEMO_DEVICE = 'Virtual MFP (simulator)';
export const DEMO_DEVICES: Record<AuthMode, { name: string; tokenFile: string }> = {
  'shared-account': { name: DEMO_DEVICE, tokenFile: 'demo-device.token' },
  'device-login': { name: 'Virtual MFP (simulator), device login', tokenFile: 'demo-device-login.token' },
  'user-prompt': { name: 'Virtual MFP (simulator), user prompt', tokenFile: 'demo-user-prompt.token' },
};
export const DEMO_SHARED_USER = { email: 'front-desk@demo.example', displayName: 'Front desk' };
export const DEMO_ADMIN = { email: 'admin@demo.example', displayName: 'Demo admin' };
/** The user-prompt demo person: an initial password printed on first start, to be changed at first sign-in. */
export const DEMO_PROMPT_USER = { email: 'pat.lee@demo.example', displayName: 'Pat Lee' };

/**
 * The simulator's device-login people (simulator/src/device-login/device-users.ts), as the company
 * directory spells them — copied as data, because the edge never imports the simulator (DESIGN.md
 * §9) and the device API lists no people. The device spells some emails in mixed case: matching is
 * case-insensitive. They have no built-in password (device login only), so at a user-prompt panel
 * they get the message pointing to device login.
 */
export const DEMO_DEVICE_LOGIN_PEOPLE: readonly { name: string; email: string; pin: string }[] = [
  { name: 'Alice Martin', email: 'alice.martin@demo.example', pin: '1111' },
  { name: 'Bruno Okafor', email: 'bruno.okafor@demo.example', pin: '2222' },
  { name: 'Chloé Dubois', email: 'chloe.dubois@demo.example', pin: '3333' },
  { name: 'Dmitri Ivanov', email: 'd.ivanov@demo.example', pin: '4444' },
];

export interface DemoPanel {
  mode: AuthMode;
  deviceId: string;
  panelUrl: string;
}

/** How long the simulator console frame's one-time pairing can be claimed after a start. */
export const CONSOLE_PAIRING_TTL_MS = 24 * 3_600_000;

export interface DemoEnterprise {
  /** The shared-account device (the simulator console frames its panel). */
  deviceId: string;
  panelUrl: string;
  /**
   * The simulator console frame's panel: `<edge>/panel/#pairing-code=<device code>` of a pairing of
   * the shared-account device approved at this start, claimable once (then dead: a second browser
   * gets a pairing screen). Never a standing credential: the console page is open to anyone who
   * reaches the simulator.
   */
  consolePanelUrl: string;
  panels: DemoPanel[];
  /** Set only on the start that created the account: shown once, never stored in clear. */
  adminPassword: string | null;
  promptPassword: string | null;
  /** False when the device-login device has no stored admin credential (see `deviceAdmin`). */
  deviceLoginReady: boolean;
}

export interface DemoOptions {
  /**
   * The simulator's device admin credential (`simulator.adminCredentials`), which the device-login
   * device needs to read who is signed in at the MFP, and where to store it (encrypted).
   *
   * Without `store` (a simulator running as its own process, whose credential the demo does not
   * know) the credential is not kept, and the device-login demo panel reports DEVICE_LOGIN_UNAVAILABLE.
   */
  deviceAdmin?: {
    credential: { username: string; password: string };
    store?: (deviceId: string, credential: { username: string; password: string }) => void | Promise<void>;
  };
}

/** Readable one-time passwords: 4 groups of 4 from an unambiguous alphabet (~78 bits). */
function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const group = () => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join('');
  return `${group()}-${group()}-${group()}-${group()}`;
}

/**
 * Ensures the demo enterprise (DESIGN.md §11 "Demo"): its admin, its people, and three devices on
 * the one simulator, one per auth mode. Each device's credential is kept in a 0600 file in the data
 * folder, as a real device keeps its own; the database holds only its hash. Passwords are made on
 * the first start and returned once to be printed; both must be changed at first sign-in.
 */
export async function ensureDemoEnterprise(
  edge: EdgeService,
  deviceUrls: { scannerUrl: string; faxUrl: string },
  options: DemoOptions = {},
): Promise<DemoEnterprise> {
  const { devices, directory } = edge.repositories;
  const { users, hasher } = edge.people;
  const enterprise =
    directory.findEnterpriseByName(DEMO_ENTERPRISE) ?? directory.createEnterprise(DEMO_ENTERPRISE, DEMO_SLUG);
  const shared =
    directory.findUserByEmail(enterprise.id, DEMO_SHARED_USER.email) ??
    directory.createUser({ enterpriseId: enterprise.id, ...DEMO_SHARED_USER });

  const withPassword = async (person: { email: string; displayName: string }, role: 'admin' | 'user') => {
    if (users.findByEmail(enterprise.id, person.email)) return null;
    const password = oneTimePassword();
    const hash = await hasher.hash(password);
    const created = users.create({
      enterpriseId: enterprise.id,
      ...person,
      role,
      mustChangePassword: true,
    });
    users.setPasswordHash(created.id, hash, new Date(), { mustChange: true });
    return password;
  };
  const adminPassword = await withPassword(DEMO_ADMIN, 'admin');
  const promptPassword = await withPassword(DEMO_PROMPT_USER, 'user');
  for (const person of DEMO_DEVICE_LOGIN_PEOPLE) {
    if (!users.findByEmail(enterprise.id, person.email))
      users.create({
        enterpriseId: enterprise.id,
        email: person.email,
        displayName: person.name,
        builtinPasswordDisabled: true,
      });
  }

  const panels: DemoPanel[] = [];
  for (const mode of ['shared-account', 'device-login', 'user-prompt'] as const) {
    const { name, tokenFile } = DEMO_DEVICES[mode];
    const file = join(edge.dataDir, tokenFile);
    let token = await readFile(file, 'utf8').then(
      (t) => t.trim(),
      () => null,
    );
    let device = devices.findByName(enterprise.id, name);
    if (!device || !token || devices.findByTokenHash(hashDeviceToken(token))?.id !== device.id) {
      token = newDeviceToken();
      await writeDurably(file, `${token}\n`, { mode: 0o600 });
      if (device) devices.setTokenHash(device.id, hashDeviceToken(token));
      else {
        device = devices.create({
          enterpriseId: enterprise.id,
          name,
          authMode: mode,
          sharedUserId: mode === 'shared-account' ? shared.id : null,
          ...deviceUrls,
          tokenHash: hashDeviceToken(token),
        });
      }
    }
    devices.setUrls(device.id, deviceUrls);
    // The credential travels in the fragment: browsers never send it to a server or put it in logs.
    panels.push({ mode, deviceId: device.id, panelUrl: `${edge.url}/panel/#device-token=${token}` });
  }

  const deviceLogin = panels.find((p) => p.mode === 'device-login')!;
  let deviceLoginReady = false;
  if (options.deviceAdmin?.store) {
    await options.deviceAdmin.store(deviceLogin.deviceId, options.deviceAdmin.credential);
    deviceLoginReady = true;
  }
  const main = panels[0]!;
  const consoleCode = edge.devices.pairing.createApproved(
    devices.get(main.deviceId)!,
    CONSOLE_PAIRING_TTL_MS,
  );
  return {
    deviceId: main.deviceId,
    panelUrl: main.panelUrl,
    consolePanelUrl: `${edge.url}/panel/#pairing-code=${consoleCode}`,
    panels,
    adminPassword,
    promptPassword,
    deviceLoginReady,
  };
}
