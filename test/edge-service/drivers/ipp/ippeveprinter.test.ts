import assert from 'node:assert/strict';
import { EdgeError } from '../../../../edge-service/src/edge-error.ts';
import { groupOf, IppClient } from '../../../../edge-service/src/drivers/ipp/ipp-client.ts';
import { IppFaxLine } from '../../../../edge-service/src/drivers/ipp/ipp-fax-line.ts';
import { IppEvePrinterPeer } from './ippeveprinter-peer.ts';

// ippeveprinter (cups-ipp-utils) is an IPP server we did not write: our client must talk to it.
describe('IPP client against ippeveprinter (real peer)', function () {
  this.timeout(40_000);

  describe('a plain IPP Everywhere printer', () => {
    const peer = new IppEvePrinterPeer({ name: 'edge-test-print' });
    before(async () => {
      await peer.start();
    });
    after(async () => {
      await peer.stop();
    });

    it('answers Get-Printer-Attributes through IppClient', async () => {
      const response = await new IppClient({ url: peer.url, timeoutMs: 5000 }).call('Get-Printer-Attributes');
      assert.equal(response.status, 'successful-ok');
      const printer = groupOf(response, 'printer-attributes-tag');
      assert.equal(printer['printer-make-and-model'], 'Test Peer');
      assert.ok((printer['document-format-supported'] as string[]).includes('application/pdf'));
      assert.ok((printer['operations-supported'] as string[]).includes('Create-Job'));
      assert.ok(printer['printer-current-time'] instanceof Date);
      // ippeveprinter's clock and ours agree on the date: the month is not off by one.
      const skew = Math.abs((printer['printer-current-time'] as Date).getTime() - Date.now());
      assert.ok(skew < 24 * 3600_000, `printer-current-time ${String(printer['printer-current-time'])}`);
    });

    it('is refused as a fax line: no faxout feature', async () => {
      await assert.rejects(
        new IppFaxLine({ url: peer.url }).capabilities(),
        (e: unknown) => e instanceof EdgeError && e.code === 'FAX_UNSUPPORTED',
      );
    });

    it('reports an unknown job by status', async () => {
      await assert.rejects(
        new IppFaxLine({ url: peer.url }).status(4242),
        (e: unknown) => e instanceof EdgeError && e.code === 'JOB_NOT_FOUND',
      );
    });
  });

  describe('advertising FaxOut attributes (-a)', () => {
    const peer = new IppEvePrinterPeer({
      name: 'edge-test-fax',
      attributes: [
        'ATTR keyword ipp-features-supported faxout,ipp-everywhere',
        'ATTR uriScheme destination-uri-schemes-supported tel',
        'ATTR boolean multiple-destination-uris-supported true',
        'ATTR keyword destination-uris-supported destination-uri,pre-dial-string',
        'ATTR text printer-make-and-model "Peer FaxOut"',
        '',
      ].join('\n'),
    });
    before(async () => {
      await peer.start();
    });
    after(async () => {
      await peer.stop();
    });

    // ippeveprinter 2.4 replaces ipp-features-supported with its own ["ipp-everywhere"] whatever the
    // -a file says, so the faxout feature cannot be advertised: capabilities() must refuse it, and
    // the FaxOut attributes it does pass through must reach us.
    it('passes our FaxOut attributes through but not the faxout feature, so capabilities() refuses it', async () => {
      const response = await new IppClient({ url: peer.url }).call('Get-Printer-Attributes');
      const printer = groupOf(response, 'printer-attributes-tag');
      assert.deepEqual(printer['destination-uri-schemes-supported'], ['tel']);
      assert.equal(printer['multiple-destination-uris-supported'], true);
      assert.equal(printer['printer-make-and-model'], 'Peer FaxOut');
      assert.ok(!(printer['ipp-features-supported'] as string[]).includes('faxout'));
      await assert.rejects(
        new IppFaxLine({ url: peer.url }).capabilities(),
        (e: unknown) => e instanceof EdgeError && e.code === 'FAX_UNSUPPORTED' && /faxout/.test(e.message),
      );
    });

    it('takes Create-Job with destination-uris and Send-Document, then reports the job', async () => {
      const line = new IppFaxLine({ url: peer.url });
      const jobId = await line.submit(
        { contentType: 'image/pwg-raster', data: Buffer.from('RaS2'), pages: 1, name: 'peer.pwg' },
        ['tel:+15551234'],
      );
      assert.ok(Number.isInteger(jobId) && jobId > 0);
      const status = await line.status(jobId);
      assert.equal(status.jobId, jobId);
      assert.ok(['pending', 'processing', 'completed', 'aborted'].includes(status.state), status.state);
      if (status.state !== 'completed' && status.state !== 'aborted')
        await line.cancel(jobId).catch(() => undefined);
    });
  });
});
