import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.ts';
// @ts-expect-error -- a plain JavaScript module of the bin (no types)
import { distIsCurrent, sourceFiles, sourceStamp } from '../../bin/dist-stamp.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');

/*
 * The compiled build (`npm run build`, npm install's prepare) that bin/mfp-edge.js runs while it is
 * current: built here into a folder of its own (dist/ may be in use by other tests' edges).
 */
describe('the compiled build (bin/build-dist.js)', function () {
  this.timeout(120_000);
  const out = tempDir('mfp-dist-');
  after(() => out.remove());

  it('compiles every module, mirrors every other file, and records the sources it was built from', async () => {
    const { stdout } = await run(process.execPath, [
      join(ROOT, 'bin/build-dist.js'),
      '--out',
      join(out.path, 'dist'),
    ]);
    assert.match(stdout, /dist\/: \d+ modules compiled, \d+ files mirrored/);
    const dist = join(out.path, 'dist');
    const files = sourceFiles() as string[];
    for (const file of files) {
      assert.ok(existsSync(join(dist, file)), `${file} is mirrored`);
      if (file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith('device-app/'))
        assert.ok(existsSync(join(dist, file.replace(/\.ts$/, '.js'))), `${file} is compiled`);
    }
    const main = readFileSync(join(dist, 'bin/cli/main.js'), 'utf8');
    assert.doesNotMatch(main, /from ['"]\.{1,2}\/[^'"]+\.ts['"]/, 'imports name the compiled modules');
    assert.equal(readFileSync(join(dist, '.source-stamp'), 'utf8'), sourceStamp());
    assert.equal(distIsCurrent(dist), true);
    assert.equal(distIsCurrent(join(out.path, 'nowhere')), false);
  });

  it('runs without tsx: the CLI answers from the compiled modules', async () => {
    const dist = join(out.path, 'dist');
    const script = `const { main } = await import(${JSON.stringify(join(dist, 'bin/cli/main.js'))}); process.exitCode = await main(['help']);`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
    assert.match(stdout, /mfp-edge — fax and scan at the office printer/);
  });
});
