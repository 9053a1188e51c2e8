import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startFaxTestServer, type FaxTestServer } from './fax-test-server.ts';
import { makeG4Pdf } from './g4-fixtures.ts';

const run = promisify(execFile);
const TESTS = '/usr/share/cups/ipptool';

/** CUPS's ipptool (cups-ipp-utils) as a real, independent IPP client of the FaxOut printer. */
describe('simulator/fax with ipptool (cups-ipp-utils)', function () {
  this.timeout(30_000);
  let server: FaxTestServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fax-ipptool-'));
    writeFileSync(join(dir, 'fax.pdf'), await makeG4Pdf(2));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    server = await startFaxTestServer();
  });
  afterEach(async () => {
    await server.close();
  });

  async function ipptool(args: string[]): Promise<string> {
    try {
      const { stdout } = await run('ipptool', args, { timeout: 20_000 });
      return stdout;
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      assert.fail(`ipptool failed:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
  }

  it('passes get-printer-attributes.test', async () => {
    const out = await ipptool(['-tv', server.ippUrl, join(TESTS, 'get-printer-attributes.test')]);
    assert.match(out, /\[PASS\]/);
    assert.doesNotMatch(out, /\[FAIL\]/);
  });

  for (const file of [
    'get-printer-description-attributes.test',
    'get-job-template-attributes.test',
    'identify-printer.test',
    'identify-printer-display.test',
    'identify-printer-multiple.test',
    'get-jobs.test',
    'get-completed-jobs.test',
  ]) {
    it(`passes ${file}`, async () => {
      const out = await ipptool(['-t', server.ippUrl, join(TESTS, file)]);
      assert.match(out, /\[PASS\]/);
      assert.doesNotMatch(out, /\[FAIL\]/, out);
    });
  }

  it('Identify-Printer reaches the modem with its actions and message', async () => {
    await ipptool(['-t', server.ippUrl, join(TESTS, 'identify-printer-multiple.test')]);
    assert.deepEqual([...(server.modem.lastIdentify?.actions ?? [])].sort(), ['display', 'sound']);
    assert.equal(typeof server.modem.lastIdentify?.message, 'string');
  });

  it('ipp-1.1.test: every envelope, Get-Printer-Attributes and Get-Jobs check passes', async () => {
    // The rest of ipp-1.1.test prints without destination-uris, which a FaxOut printer refuses.
    let out = '';
    try {
      await run(
        'ipptool',
        ['-t', '-I', '-f', join(dir, 'fax.pdf'), server.ippUrl, join(TESTS, 'ipp-1.1.test')],
        {
          timeout: 20_000,
        },
      );
    } catch (error) {
      out = (error as { stdout?: string }).stdout ?? '';
    }
    const passed = (title: RegExp): boolean =>
      out.split('\n').some((line) => title.test(line) && line.includes('[PASS]'));
    for (const title of [
      /4\.1\.1: Bad request-id value 0/,
      /4\.1\.4: No Operation Attributes/,
      /4\.1\.4: attributes-charset /,
      /4\.1\.4: attributes-natural-language /,
      /4\.1\.8: Unsupported IPP version 0\.0/,
      /4\.2: No printer-uri operation attribute/,
      /4\.2\.5: Get-Printer-Attributes Operation \(default\)/,
      /4\.2\.6: Get-Jobs Operation \(my-jobs different user\)/,
    ]) {
      assert.ok(passed(title), `${title.source} did not pass:\n${out}`);
    }
    assert.match(out, /4\.2\.1: Print-Job Operation\s+\[FAIL\]/);
  });

  it('passes fax-job.test (Create-Job with a tel: and an ipp: destination, then Send-Document)', async () => {
    const out = await ipptool([
      '-tv',
      '-f',
      join(dir, 'fax.pdf'),
      server.ippUrl,
      join(TESTS, 'fax-job.test'),
    ]);
    assert.equal(out.match(/\[PASS\]/g)?.length, 2, out);
    const deadline = Date.now() + 10_000;
    while (server.remotes.list().length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      server.remotes.list().map((f) => [f.to, f.pages, f.status]),
      [['4055551212', 2, 'received']],
    );
  });
});
