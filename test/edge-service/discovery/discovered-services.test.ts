import assert from 'node:assert/strict';
import {
  mergeServices,
  preferredHost,
  type ResolvedService,
} from '../../../edge-service/src/discovery/discovered-services.ts';

function service(overrides: Partial<ResolvedService>): ResolvedService {
  return {
    type: 'uscan',
    name: 'HP Color LaserJet MFP M479fdw [A1B2C3]',
    hostName: 'NPIA1B2C3.local',
    port: 8080,
    addresses: ['192.168.1.20'],
    txt: {},
    ...overrides,
  };
}

describe('discovered services → candidate devices', () => {
  it('builds the eSCL and FaxOut URLs from rs and rfo, whatever their slashes', () => {
    const [device] = mergeServices([
      service({ txt: { rs: '/eSCL/', uuid: 'ABC', ty: 'HP Color LaserJet MFP M479fdw' } }),
      service({ type: 'ipp', port: 631, txt: { rp: 'ipp/print', rfo: '/ipp/faxout', UUID: 'urn:uuid:abc' } }),
    ]);
    assert.deepEqual(device, {
      id: 'abc',
      name: 'HP Color LaserJet MFP M479fdw',
      host: '192.168.1.20',
      hostName: 'NPIA1B2C3.local',
      uuids: ['abc'],
      scannerUrl: 'http://192.168.1.20:8080/eSCL',
      faxUrl: 'ipp://192.168.1.20:631/ipp/faxout',
    });
  });

  it('defaults rs to eSCL, and uses https/ipps for the TLS services', () => {
    const [device] = mergeServices([
      service({ type: 'uscans', port: 443 }),
      service({ type: 'ipps', port: 443, txt: { rfo: 'ipp/faxout' } }),
    ]);
    assert.equal(device!.scannerUrl, 'https://192.168.1.20:443/eSCL');
    assert.equal(device!.faxUrl, 'ipps://192.168.1.20:443/ipp/faxout');
  });

  it('prefers the plain-HTTP service when both are advertised', () => {
    const [device] = mergeServices([service({ type: 'uscans', port: 443 }), service({ port: 80 })]);
    assert.equal(device!.scannerUrl, 'http://192.168.1.20:80/eSCL');
  });

  it('ignores IPP printers without FaxOut', () => {
    assert.deepEqual(mergeServices([service({ type: 'ipp', port: 631, txt: { rp: 'ipp/print' } })]), []);
  });

  it('merges by UUID across addresses, keeps different hosts apart', () => {
    const devices = mergeServices([
      service({ addresses: ['10.0.0.5'], txt: { uuid: 'u-1' } }),
      service({ type: 'ipp', addresses: ['10.0.0.6'], port: 631, txt: { rfo: 'ipp/faxout', UUID: 'U-1' } }),
      service({ name: 'Brother MFC-L2750DW', hostName: 'BRN1.local', addresses: ['10.0.0.9'], txt: {} }),
    ]);
    assert.equal(devices.length, 2);
    const merged = devices.find((d) => d.uuids.includes('u-1'))!;
    assert.equal(merged.scannerUrl, 'http://10.0.0.5:8080/eSCL');
    assert.equal(merged.faxUrl, 'ipp://10.0.0.6:631/ipp/faxout');
    const brother = devices.find((d) => d.host === '10.0.0.9')!;
    assert.equal(brother.id, 'host:10.0.0.9');
    assert.equal(brother.name, 'Brother MFC-L2750DW');
  });

  it('joins two partial devices when a later service links them', () => {
    const devices = mergeServices([
      service({ addresses: ['10.0.0.5'], txt: { uuid: 'u-1' } }),
      service({ type: 'ipp', addresses: ['10.0.0.6'], port: 631, txt: { rfo: 'ipp/faxout' } }),
      service({ type: 'uscans', addresses: ['10.0.0.6'], port: 443, txt: { uuid: 'u-1' } }),
    ]);
    assert.equal(devices.length, 1);
  });

  it('picks an IPv4 address, else a routable IPv6 in brackets, else the answer source, else the host name', () => {
    assert.equal(preferredHost(service({ addresses: ['fe80::1', '2001:db8::5', '10.1.1.1'] })), '10.1.1.1');
    assert.equal(preferredHost(service({ addresses: ['fe80::1', '2001:db8::5'] })), '2001:db8::5');
    assert.equal(preferredHost(service({ addresses: [], sourceAddress: '10.2.2.2' })), '10.2.2.2');
    assert.equal(preferredHost(service({ addresses: [] })), 'NPIA1B2C3.local');
    const [v6] = mergeServices([service({ addresses: ['2001:db8::5'] })]);
    assert.equal(v6!.scannerUrl, 'http://[2001:db8::5]:8080/eSCL');
  });
});
