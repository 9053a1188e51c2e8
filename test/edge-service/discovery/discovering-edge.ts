/**
 * Run inside an AvahiNamespace (never directly): the edge's discovery, reporting every change of
 * its device list as a `devices` message, and whether each device's URLs answer (`probe`).
 */
import { onParentGone, sendMessage } from '../../helpers/avahi-namespace.ts';
import { BonjourDeviceDiscovery } from '../../../edge-service/src/discovery/bonjour-device-discovery.ts';
import type { DiscoveredDevice } from '../../../edge-service/src/discovery/device-discovery.ts';
import { EsclScanner } from '../../../edge-service/src/drivers/escl/escl-scanner.ts';
import { IppFaxLine } from '../../../edge-service/src/drivers/ipp/ipp-fax-line.ts';

const discovery = new BonjourDeviceDiscovery({ interface: '127.0.0.1', requeryMs: 1000 });
const events: string[] = [];
const probed = new Set<string>();

async function probe(device: DiscoveredDevice): Promise<void> {
  const key = `${device.scannerUrl} ${device.faxUrl}`;
  if (probed.has(key) || !device.scannerUrl || !device.faxUrl) return;
  probed.add(key);
  const attempt = async (run: () => Promise<{ makeAndModel: string }>) => {
    try {
      return (await run()).makeAndModel;
    } catch (error) {
      return `error: ${error instanceof Error ? error.message : String(error)}`;
    }
  };
  const quick = { requestMs: 2000, readMs: 2000 };
  sendMessage('probe', {
    id: device.id,
    scanner: await attempt(() =>
      new EsclScanner({ baseUrl: device.scannerUrl!, timeouts: quick }).capabilities(),
    ),
    fax: await attempt(() =>
      new IppFaxLine({ url: device.faxUrl!, timeouts: { requestMs: 2000 } }).capabilities(),
    ),
  });
}

const report = (event: string) => (device: DiscoveredDevice) => {
  events.push(`${event} ${device.name}`);
  sendMessage('devices', { events: [...events], devices: discovery.list() });
  void probe(device);
};
discovery.on('up', report('up'));
discovery.on('update', report('update'));
discovery.on('down', report('down'));
await discovery.start();
sendMessage('started');
onParentGone(() => discovery.stop());
