import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

const UNIT = new URL('../../deploy/mfp-edge.service', import.meta.url).pathname;
const run = promisify(execFile);

/** `Key=value` lines of the unit, every value of a repeated key. */
function directives(text: string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match) map.set(match[1]!, [...(map.get(match[1]!) ?? []), match[2]!]);
  }
  return map;
}

describe('deploy/mfp-edge.service', function () {
  this.timeout(30_000);
  const unit = directives(readFileSync(UNIT, 'utf8'));

  it('passes systemd-analyze verify without a single warning', async () => {
    // Unknown or misspelt keys are only warnings (exit 0): the output must be empty too.
    const { stdout, stderr } = await run('systemd-analyze', ['verify', UNIT]);
    assert.equal(`${stdout}${stderr}`.trim(), '');
  });

  it('rates as well sandboxed by systemd-analyze security (exposure ≤ 2.0 of 10)', async () => {
    const { stdout, stderr } = await run('systemd-analyze', ['security', '--offline=yes', UNIT]);
    const match = /Overall exposure level for \S+: ([\d.]+)/.exec(`${stdout}${stderr}`);
    assert.ok(match, `no exposure level in:\n${stdout}${stderr}`);
    assert.ok(Number(match[1]) <= 2, `exposure ${match[1]}`);
  });

  it('runs as a dedicated user with no privileges, the system read-only but its state folder', () => {
    assert.deepEqual(unit.get('User'), ['mfp-edge']);
    assert.deepEqual(unit.get('NoNewPrivileges'), ['yes']);
    assert.deepEqual(unit.get('ProtectSystem'), ['strict']);
    assert.deepEqual(unit.get('StateDirectory'), ['mfp-edge']);
    assert.deepEqual(unit.get('CapabilityBoundingSet'), ['']);
  });

  it('starts the edge with the malloc settings npm start uses', () => {
    const start = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts
      .start as string;
    const environment = (unit.get('Environment') ?? []).join(' ');
    for (const setting of start.match(/MALLOC_\w+=\d+/g) ?? [])
      assert.ok(environment.includes(setting), setting);
    assert.match(unit.get('ExecStart')?.[0] ?? '', /bin\/mfp-edge\.js start --no-simulator$/);
  });
});
