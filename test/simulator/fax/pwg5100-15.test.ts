import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startFaxTestServer, type FaxTestServer } from './fax-test-server.ts';
import { makeG4Pdf } from './g4-fixtures.ts';

const run = promisify(execFile);
/** Where test/setup/fetch-pwg-ipptool-tests.sh puts PWG's tests (override with PWG_IPPTOOL_TESTS). */
const PWG_TESTS = resolve(process.env.PWG_IPPTOOL_TESTS ?? '.tmp/ippsample');
const FAXOUT_TEST = join(PWG_TESTS, 'pwg5100.15.test');

/**
 * PWG's FaxOut conformance test (pwg5100.15.test from Debian's ippsample-data), run by CUPS's
 * ipptool against the simulator's /ipp/faxout. The copy is patched where the test itself is wrong
 * or asks what a fax modem must not do: see README.md, "PWG 5100.15 conformance".
 */
describe('simulator/fax conformance: PWG 5100.15 (ipptool pwg5100.15.test)', function () {
  this.timeout(60_000);
  let server: FaxTestServer;
  let dir: string;

  before(async function () {
    if (!existsSync(FAXOUT_TEST)) {
      assert.fail(
        `PWG's ipptool tests are missing (${FAXOUT_TEST}). Fetch them with ` +
          `"test/setup/fetch-pwg-ipptool-tests.sh ${PWG_TESTS}" (apt-get download ippsample-data).`,
      );
    }
    dir = mkdtempSync(join(tmpdir(), 'pwg5100-15-'));
    writeFileSync(join(dir, 'fax.pdf'), await makeG4Pdf(2));
    server = await startFaxTestServer();
  });
  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function ipptool(args: string[]): Promise<{ ok: boolean; out: string }> {
    try {
      const { stdout } = await run('ipptool', args, { timeout: 50_000 });
      return { ok: true, out: stdout };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return { ok: false, out: `${e.stdout ?? ''}\n${e.stderr ?? ''}` };
    }
  }

  it('passes, dialling a number with and without a pre-dial string', async () => {
    const { ok, out } = await ipptool([
      '-t',
      '-d',
      'DESTINATION_URI_TO_DIAL=tel:+15551212',
      '-d',
      'PRE_DIAL_STRING=9',
      '-f',
      join(dir, 'fax.pdf'),
      server.ippUrl,
      FAXOUT_TEST,
    ]);
    assert.ok(ok, out);
    assert.doesNotMatch(out, /\[FAIL\]/, out);
    // The attribute test, three jobs (create-job, destination-uri, pre-dial-string) and the job checks.
    assert.equal(out.match(/\[PASS\]/g)?.length, 9, out);
    assert.match(out, /Required Operations and Attributes\s+\[PASS\]/);
    assert.match(out, /IPP Job Description\/Status Attributes required for IPP Faxout Servic\w*\s+\[PASS\]/);

    // The remote machines really received the three faxes, two pages each.
    const deadline = Date.now() + 20_000;
    while (server.remotes.list().length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(
      server.remotes
        .list()
        .map((f) => [f.to, f.pages, f.status])
        .sort(),
      [
        ['+15551212', 2, 'received'],
        ['+15551212', 2, 'received'],
        ['915551212', 2, 'received'],
      ],
    );
  });
});
