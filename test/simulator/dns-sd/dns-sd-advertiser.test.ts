import assert from 'node:assert/strict';
import { AvahiNamespace, NamespacedScript, waitUntil } from '../../helpers/avahi-namespace.ts';
import { dnsSdServices } from '../../../simulator/src/dns-sd/dns-sd-services.ts';
import { simulatorAdvertisement } from '../../../simulator/src/dns-sd/simulator-advertisement.ts';
import { DEFAULT_IDENTITY } from '../../../simulator/src/scanner/escl-capabilities.ts';
import { PRINTER_UUID } from '../../../simulator/src/fax/ipp-attributes.ts';

interface BrowsedService {
  name: string;
  type: string;
  host: string;
  address: string;
  port: number;
  txt: Record<string, string>;
}

/** `=` (resolved) lines of `avahi-browse -p`: fields separated by `;`, names with `\DDD` escapes. */
function parseAvahiBrowse(output: string): BrowsedService[] {
  const unescape = (text: string) =>
    text.replace(/\\(\d{3})/g, (_, code: string) => String.fromCharCode(Number(code)));
  return output
    .split('\n')
    .filter((line) => line.startsWith('='))
    .map((line) => {
      const fields = line.split(';');
      const txt: Record<string, string> = {};
      for (const match of (fields.slice(9).join(';') ?? '').matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
        const entry = match[1]!;
        const equals = entry.indexOf('=');
        txt[entry.slice(0, equals)] = entry.slice(equals + 1);
      }
      return {
        name: unescape(fields[3] ?? ''),
        type: fields[4] ?? '',
        host: fields[6] ?? '',
        address: fields[7] ?? '',
        port: Number(fields[8]),
        txt,
      };
    });
}

describe('simulator DNS-SD advertising', () => {
  describe('the TXT records (no network)', () => {
    const advertisement = simulatorAdvertisement({
      scanner: DEFAULT_IDENTITY,
      address: '192.168.1.20',
      port: 8090,
      machineName: 'Lab_PC.example.org',
    });
    const [uscan, ipp] = dnsSdServices(advertisement);

    it('names the host and instance uniquely per machine and port', () => {
      assert.equal(advertisement.hostName, 'lab-pc-mfp-sim.local');
      assert.equal(advertisement.instanceName, 'mfp-edge Virtual MFP [lab-pc-8090]');
      assert.equal(advertisement.baseUrl, 'http://192.168.1.20:8090');
    });

    it('advertises the eSCL scanner as Mopria clients expect', () => {
      assert.equal(uscan!.type, 'uscan');
      assert.equal(uscan!.port, 8090);
      assert.deepEqual(uscan!.txt, {
        txtvers: '1',
        vers: '2.63',
        rs: 'eSCL',
        ty: 'mfp-edge Virtual MFP',
        uuid: DEFAULT_IDENTITY.uuid,
        adminurl: 'http://192.168.1.20:8090/',
        representation: 'http://192.168.1.20:8090/eSCL/icon.png',
        note: 'Simulator',
        pdl: 'image/jpeg,image/png,application/pdf',
        cs: 'color,grayscale,binary',
        is: 'platen,adf',
        duplex: 'T',
      });
    });

    it('advertises FaxOut under rfo, with no print path', () => {
      assert.equal(ipp!.type, 'ipp');
      assert.equal(ipp!.txt.rfo, 'ipp/faxout');
      assert.equal(ipp!.txt.rp, undefined);
      assert.equal(ipp!.txt.UUID, PRINTER_UUID.replace('urn:uuid:', ''));
      assert.equal(ipp!.txt.Fax, 'T');
      assert.match(ipp!.txt.pdl!, /application\/pdf/);
      assert.equal(ipp!.txt.kind, 'document');
    });
  });

  describe('seen by avahi in a private network namespace', function () {
    this.timeout(60_000);
    const namespace = new AvahiNamespace();
    let simulator: NamespacedScript;
    let port = 0;

    before(async () => {
      await namespace.start();
      simulator = new NamespacedScript(
        namespace,
        'simulator',
        'test/simulator/dns-sd/advertising-simulator.ts',
      );
      port = Number((await simulator.message('ready', 30_000)).port);
    });

    after(async () => {
      await simulator?.stop();
      await namespace.stop();
    });

    async function browse(
      type: string,
      expect: (services: BrowsedService[]) => boolean,
    ): Promise<BrowsedService[]> {
      let services: BrowsedService[] = [];
      let last = '';
      await waitUntil(
        async () => {
          const result = await namespace.run('avahi-browse', ['-rtp', type], 10_000);
          last = result.stdout + result.stderr;
          services = parseAvahiBrowse(result.stdout);
          return expect(services);
        },
        20_000,
        `avahi-browse ${type}`,
        () => `${last}\n${namespace.log()}`,
      );
      return services;
    }

    it('_uscan._tcp resolves to the simulator with the eSCL TXT', async () => {
      const [service] = await browse('_uscan._tcp', (s) => s.length > 0);
      assert.match(service!.name, /^mfp-edge Virtual MFP \[.+-\d+\]$/);
      assert.equal(service!.address, '127.0.0.1');
      assert.equal(service!.port, port);
      assert.match(service!.host, /-mfp-sim\.local$/);
      assert.equal(service!.txt.rs, 'eSCL');
      assert.equal(service!.txt.uuid, DEFAULT_IDENTITY.uuid);
      assert.equal(service!.txt.ty, 'mfp-edge Virtual MFP');
      assert.equal(service!.txt.representation, `http://127.0.0.1:${port}/eSCL/icon.png`);
      assert.equal(service!.txt.duplex, 'T');
    });

    it('_ipp._tcp resolves to the simulator with rfo=ipp/faxout', async () => {
      const [service] = await browse('_ipp._tcp', (s) => s.length > 0);
      assert.equal(service!.address, '127.0.0.1');
      assert.equal(service!.port, port);
      assert.equal(service!.txt.rfo, 'ipp/faxout');
      assert.equal(service!.txt.UUID, PRINTER_UUID.replace('urn:uuid:', ''));
      // The advertised path really is the FaxOut service.
      const url = `http://${service!.address}:${service!.port}/${service!.txt.rfo}`;
      assert.equal(url, `http://127.0.0.1:${port}/ipp/faxout`);
    });

    it('says goodbye on stop(): avahi drops the services', async () => {
      await simulator.stop();
      await browse('_uscan._tcp', (s) => s.length === 0);
      await browse('_ipp._tcp', (s) => s.length === 0);
    });
  });
});
