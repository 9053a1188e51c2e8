import assert from 'node:assert/strict';
import { Simulator } from '../../../simulator/src/simulator.ts';
import { createLogger as createSimLogger } from '../../../simulator/src/logger.ts';
import {
  NetworkDeviceDrivers,
  type DeviceDrivers,
} from '../../../edge-service/src/services/device-drivers.ts';
import { submitTag } from '../../../edge-service/src/services/fax-job-engine.ts';
import type { FaxLine } from '../../../edge-service/src/domain/fax-line.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { EngineHarness } from './engine-harness.ts';

interface FaxLogEntry {
  jobId: number;
  name: string;
  state: string;
  destinations: { uri: string; number: string; status: string }[];
}

/**
 * The real IPP FaxOut driver, reporting only the formats given: a modem that takes less than ours.
 * `sent` collects the format of each document handed over.
 */
function restrictedFormats(drivers: DeviceDrivers, formats: string[], sent: string[]): DeviceDrivers {
  return {
    scanner: (device) => drivers.scanner(device),
    faxLine: (device): FaxLine => {
      const line = drivers.faxLine(device);
      return {
        capabilities: async () => ({ ...(await line.capabilities()), documentFormats: formats }),
        submit: (document, destinations, options) => {
          sent.push(document.contentType);
          return line.submit(document, destinations, options);
        },
        status: (jobId) => line.status(jobId),
        cancel: (jobId) => line.cancel(jobId),
        findJobs: (name) => line.findJobs!(name),
      };
    },
  };
}

/*
 * The whole fax path on the simulator for a modem that takes only PWG raster, behind a PBX:
 * eSCL scan, G4 pages in the spool, a PWG raster document, Create-Job with the enterprise's
 * pre-dial string, and the remote machine receiving every page. (The simulator's modem always
 * offers PDF, so the restriction is made on the edge side of the real driver.)
 */
describe('fax job on the simulator: PWG raster and the pre-dial string from policy', function () {
  this.timeout(60000);
  let simulator: Simulator;
  let harness: EngineHarness;
  const sent: string[] = [];

  before(async () => {
    simulator = new Simulator({ port: 0, timeFactor: 0.01, logger: createSimLogger({ level: 'silent' }) });
    await simulator.start();
    const network = new NetworkDeviceDrivers(createLogger({ level: 'silent' }));
    harness = await new EngineHarness(restrictedFormats(network, ['image/pwg-raster'], sent), {
      pollMs: 50,
      preDialString: '0',
    }).start();
    harness.setDeviceUrls(simulator.deviceUrls);
  });

  after(async () => {
    await harness?.stop();
    await simulator?.stop();
  });

  it('delivers every page, dialling the enterprise’s pre-dial string first', async () => {
    harness.policies.setFaxPolicy(harness.device.enterpriseId, { preDialString: '9' });
    const sheets = simulator.scanner.feederContents().sheets;
    const job = harness.submit(['+12125550180']);
    const done = await harness.waitForFinal(job.id, 50000);
    assert.equal(done.state, 'delivered', JSON.stringify(done.error));
    assert.equal(done.pagesSent, sheets);
    assert.deepEqual(sent, ['image/pwg-raster']);

    const log = (await (await fetch(`${simulator.url}/sim/api/fax-log`)).json()) as FaxLogEntry[];
    const entry = log.find((e) => e.name === submitTag(job.id, 1));
    assert.ok(entry, `the modem's log: ${JSON.stringify(log)}`);
    assert.deepEqual(
      entry.destinations.map((d) => [d.uri, d.number, d.status]),
      [['tel:+12125550180', '912125550180', 'completed']],
    );

    const faxes = (await (await fetch(`${simulator.url}/sim/api/faxes`)).json()) as {
      to: string;
      pages: number;
      status: string;
    }[];
    assert.deepEqual(
      faxes.filter((f) => f.to === '912125550180').map((f) => [f.pages, f.status]),
      [[sheets, 'received']],
    );
  });
});
