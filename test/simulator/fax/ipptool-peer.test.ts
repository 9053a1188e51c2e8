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
