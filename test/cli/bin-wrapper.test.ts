import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/temp-dir.ts';

const BIN = new URL('../../bin/mfp-edge', import.meta.url).pathname;
const run = promisify(execFile);

describe('bin/mfp-edge (the command every start goes through)', () => {
  let temp: ReturnType<typeof tempDir>;
  let env: NodeJS.ProcessEnv;
  before(() => {
    temp = tempDir('bin-wrapper-');
    // A `node` first on PATH that reports what it was started with, instead of running the edge.
    const fake = join(temp.path, 'node');
    writeFileSync(
      fake,
      '#!/bin/sh\necho "args=$*"\necho "arena=$MALLOC_ARENA_MAX mmap=$MALLOC_MMAP_THRESHOLD_"\n',
    );
    chmodSync(fake, 0o755);
    env = { ...process.env, PATH: `${temp.path}:${process.env.PATH}` };
    delete env.MALLOC_ARENA_MAX;
    delete env.MALLOC_MMAP_THRESHOLD_;
  });
  after(() => temp.remove());

  it('runs bin/mfp-edge.js with the malloc settings and the arguments as given', async () => {
    const { stdout } = await run(BIN, ['start', '--port', '9000', 'two words'], { env });
    const [args, malloc] = stdout.trim().split('\n');
    assert.equal(
      args,
      `args=${join(import.meta.dirname, '../../bin/mfp-edge.js')} start --port 9000 two words`,
    );
    assert.equal(malloc, 'arena=2 mmap=131072');
  });

  it('keeps settings already in the environment', async () => {
    const { stdout } = await run(BIN, ['help'], { env: { ...env, MALLOC_ARENA_MAX: '8' } });
    assert.match(stdout, /arena=8 mmap=131072/);
  });
});
