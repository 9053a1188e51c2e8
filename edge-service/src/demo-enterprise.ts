import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EdgeService } from './edge-service.ts';
import { hashDeviceToken, newDeviceToken } from './services/device-credentials.ts';

export const DEMO_ENTERPRISE = 'Demo Enterprise';
/** DESIGN.md §11: the demo enterprise's slug. */
export const DEMO_SLUG = 'demo';
export const DEMO_DEVICE = 'Virtual MFP (simulator)';
export const DEMO_SHARED_USER = { email: 'front-desk@demo.example', displayName: 'Front desk' };

/**
 * Ensures the demo enterprise with its shared account and one device, paired in shared-account mode,
 * pointing at the given device (the simulator). The demo device's credential is kept in a 0600 file
 * in the data folder, as a real device keeps its own; the database holds only its hash.
 */
export async function ensureDemoEnterprise(
  edge: EdgeService,
  deviceUrls: { scannerUrl: string; faxUrl: string },
): Promise<{ deviceId: string; panelUrl: string }> {
  const { devices, directory } = edge.repositories;
  const enterprise =
    directory.findEnterpriseByName(DEMO_ENTERPRISE) ?? directory.createEnterprise(DEMO_ENTERPRISE, DEMO_SLUG);
  const user =
    directory.findUserByEmail(enterprise.id, DEMO_SHARED_USER.email) ??
    directory.createUser({ enterpriseId: enterprise.id, ...DEMO_SHARED_USER });
  const tokenFile = join(edge.dataDir, 'demo-device.token');
  let token = await readFile(tokenFile, 'utf8').then(
    (t) => t.trim(),
    () => null,
  );
  let device = devices.findByName(enterprise.id, DEMO_DEVICE);
  if (!device || !token || devices.findByTokenHash(hashDeviceToken(token))?.id !== device.id) {
    token = newDeviceToken();
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    if (device) devices.setTokenHash(device.id, hashDeviceToken(token));
    else {
      device = devices.create({
        enterpriseId: enterprise.id,
        name: DEMO_DEVICE,
        authMode: 'shared-account',
        sharedUserId: user.id,
        ...deviceUrls,
        tokenHash: hashDeviceToken(token),
      });
    }
  }
  devices.setUrls(device.id, deviceUrls);
  // The credential travels in the fragment: browsers never send it to a server or put it in logs.
  return { deviceId: device.id, panelUrl: `${edge.url}/panel/#device-token=${token}` };
}
