import assert from 'node:assert/strict';
import { AvahiNamespace, NamespacedScript } from '../../helpers/avahi-namespace.ts';
import type { DiscoveredDevice } from '../../../edge-service/src/discovery/device-discovery.ts';

const OTHER_UUID = '4509a320-00a0-008f-00b6-002507510eca';

function devicesOf(message: Record<string, unknown>): DiscoveredDevice[] {
  return message.devices as DiscoveredDevice[];
}

// Everything here runs inside a private network namespace: the mocha process never sends mDNS.
describe('BonjourDeviceDiscovery in a private network namespace', function () {
  this.timeout(60_000);
  const namespace = new AvahiNamespace();
  let simulator: NamespacedScript;
  let discovery: NamespacedScript;
  let port = 0;

  before(async () => {
    await namespace.start();
    simulator = new NamespacedScript(
      namespace,
      'simulator',
      'test/simulator/dns-sd/advertising-simulator.ts',
    );
    port = Number((await simulator.message('ready', 30_000)).port);
    // A second MFP, published by avahi itself, on another address of the loopback network; its
    // eSCL and FaxOut are on different ports and share one UUID, as on a real device.
    namespace.spawnInside('publish-address', 'avahi-publish', ['-a', '-R', 'other-mfp.local', '127.0.0.2']);
    namespace.spawnInside('publish-uscan', 'avahi-publish', [
      '-s',
      '-H',
      'other-mfp.local',
      'Other MFP',
      '_uscan._tcp',
      '8080',
      'rs=/eSCL/',
      `uuid=${OTHER_UUID}`,
      'ty=Other Brand MFP 4000',
    ]);
    namespace.spawnInside('publish-ipp', 'avahi-publish', [
      '-s',
      '-H',
      'other-mfp.local',
      'Other MFP',
      '_ipp._tcp',
      '631',
      'rp=ipp/print',
      'rfo=ipp/faxout',
      `UUID=${OTHER_UUID.toUpperCase()}`,
      'ty=Other Brand MFP 4000',
    ]);
    // A printer without fax: nothing to offer the admin.
    namespace.spawnInside('publish-printer', 'avahi-publish', [
      '-s',
      'Plain Printer',
      '_ipp._tcp',
      '6310',
      'rp=ipp/print',
      'ty=Plain Printer',
    ]);
    discovery = new NamespacedScript(
      namespace,
      'discovery',
      'test/edge-service/discovery/discovering-edge.ts',
    );
    await discovery.message('started', 30_000);
  });

  after(async () => {
    await discovery?.stop();
    await simulator?.stop();
    await namespace.stop();
  });

  const complete = (device: DiscoveredDevice | undefined) =>
    device !== undefined && device.scannerUrl !== undefined && device.faxUrl !== undefined;

  it('finds the simulator and the avahi-published MFP, each with its scanner and fax URLs', async () => {
    const message = await discovery.message('devices', 20_000, (m) => {
      const devices = devicesOf(m);
      return (
        complete(devices.find((d) => d.host === '127.0.0.1')) &&
        complete(devices.find((d) => d.host === '127.0.0.2'))
      );
    });
    const devices = devicesOf(message);
    assert.equal(devices.length, 2, JSON.stringify(devices));
    const sim = devices.find((d) => d.host === '127.0.0.1')!;
    assert.equal(sim.name, 'mfp-edge Virtual MFP');
    assert.equal(sim.scannerUrl, `http://127.0.0.1:${port}/eSCL`);
    assert.equal(sim.faxUrl, `ipp://127.0.0.1:${port}/ipp/faxout`);
    assert.equal(sim.adminUrl, `http://127.0.0.1:${port}/`);
    assert.equal(sim.uuids.length, 2, 'the scanner and FaxOut UUIDs, merged by host');
    assert.match(sim.hostName, /-mfp-sim\.local$/);

    const other = devices.find((d) => d.host === '127.0.0.2')!;
    assert.deepEqual(other, {
      id: OTHER_UUID,
      name: 'Other Brand MFP 4000',
      host: '127.0.0.2',
      hostName: 'other-mfp.local',
      uuids: [OTHER_UUID],
      scannerUrl: 'http://127.0.0.2:8080/eSCL',
      faxUrl: 'ipp://127.0.0.2:631/ipp/faxout',
    });
  });

  it("the simulator's discovered URLs answer the edge's eSCL and IPP clients", async () => {
    const probe = await discovery.message('probe', 20_000, (m) => !String(m.scanner).startsWith('error'));
    assert.equal(probe.scanner, 'mfp-edge Virtual MFP');
    assert.equal(probe.fax, 'mfp-edge Virtual MFP');
  });

  it('drops the simulator when it stops advertising', async () => {
    await simulator.stop();
    const message = await discovery.message('devices', 20_000, (m) =>
      (m.events as string[]).includes('down mfp-edge Virtual MFP'),
    );
    assert.deepEqual(
      devicesOf(message).map((d) => d.host),
      ['127.0.0.2'],
    );
  });
});
