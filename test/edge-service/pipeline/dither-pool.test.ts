import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  ditherOffThread,
  ditherPoolThreads,
  setDitherPoolSize,
  stopDitherPool,
} from '../../../edge-service/src/pipeline/dither-pool.ts';
import { ditherPhoto } from '../../../edge-service/src/pipeline/halftone.ts';

const execFileAsync = promisify(execFile);

function photoLike(width: number, height: number, phase: number): Uint8Array {
  return new Uint8Array(width * height).map((_, i) => {
    const x = i % width;
    const y = Math.floor(i / width);
    return Math.round(127 + 120 * Math.sin((x + phase * 13) / 40) * Math.cos(y / 30));
  });
}

describe('pipeline/dither-pool', function () {
  this.timeout(30_000);

  afterEach(async () => {
    await stopDitherPool();
    setDitherPoolSize(2);
  });

  it('gives exactly what ditherPhoto gives in-thread, and leaves the caller its pixels', async () => {
    const grey = photoLike(1728, 300, 0);
    const before = Buffer.from(grey);
    const pixels = await ditherOffThread(grey, 1728, 300);
    assert.deepEqual(pixels, ditherPhoto(grey, 1728, 300));
    assert.equal(grey.length, 1728 * 300, 'not transferred away');
    assert.deepEqual(Buffer.from(grey), before, 'not changed');
  });

  it('runs more pages than threads, each answer going to its own page, on at most the pool size', async () => {
    setDitherPoolSize(2);
    const inputs = [0, 1, 2, 3, 4, 5].map((phase) => photoLike(400, 120, phase));
    const running = inputs.map((grey) => ditherOffThread(grey, 400, 120));
    assert.ok(ditherPoolThreads() <= 2, `${ditherPoolThreads()} threads`);
    const results = await Promise.all(running);
    results.forEach((pixels, i) => assert.deepEqual(pixels, ditherPhoto(inputs[i] as Uint8Array, 400, 120)));
    assert.equal(ditherPoolThreads(), 2);
  });

  it('does not block the event loop: a callback queued after the request runs before the answer', async () => {
    const events: string[] = [];
    const answer = ditherOffThread(photoLike(1728, 2000, 1), 1728, 2000).then(() => events.push('dithered'));
    setImmediate(() => events.push('event loop turned'));
    await answer;
    assert.deepEqual(events, ['event loop turned', 'dithered']);
  });

  it('holds a process open while a page is on a thread, and not once the pool is idle', async () => {
    // If busy threads were unref'd, the child would exit before printing; if idle ones were not, never.
    const pool = new URL('../../../edge-service/src/pipeline/dither-pool.ts', import.meta.url).href;
    const script = `import(${JSON.stringify(pool)}).then(async ({ ditherOffThread }) => {
      const pixels = await ditherOffThread(new Uint8Array(1728 * 500).fill(100), 1728, 500);
      console.log('dithered', pixels.length);
    });`;
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '-e', script], {
      timeout: 20_000,
    });
    assert.equal(stdout.trim(), `dithered ${1728 * 500}`);
  });

  it('threads started ahead of work (startDitherPool) do not hold a process open, used or not', async () => {
    const pool = new URL('../../../edge-service/src/pipeline/dither-pool.ts', import.meta.url).href;
    const script = `import(${JSON.stringify(pool)}).then(async ({ startDitherPool, setDitherPoolSize, ditherPoolThreads, ditherOffThread }) => {
      setDitherPoolSize(3);
      startDitherPool();
      await ditherOffThread(new Uint8Array(1728 * 50).fill(100), 1728, 50);
      console.log('threads', ditherPoolThreads());
    });`;
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '-e', script], {
      timeout: 20_000,
    });
    assert.equal(stdout.trim(), 'threads 3');
  });

  it('starts fresh threads after a stop', async () => {
    await ditherOffThread(photoLike(100, 100, 2), 100, 100);
    assert.equal(ditherPoolThreads(), 1);
    await stopDitherPool();
    assert.equal(ditherPoolThreads(), 0);
    assert.deepEqual(
      await ditherOffThread(photoLike(100, 100, 3), 100, 100),
      ditherPhoto(photoLike(100, 100, 3), 100, 100),
    );
  });
});
