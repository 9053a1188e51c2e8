import assert from 'node:assert/strict';
import { SinglePass } from '../../../edge-service/src/services/single-pass.ts';

describe('SinglePass', () => {
  it('shares the pass in progress, never rejects, and runs again afterwards', async () => {
    let runs = 0;
    let fail = true;
    const errors: unknown[] = [];
    const pass = new SinglePass(
      async () => {
        runs++;
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (fail) throw new Error('disk gone');
        return 7;
      },
      (error) => {
        errors.push(error);
        return -1;
      },
    );
    const [a, b] = await Promise.all([pass.run(), pass.run()]);
    assert.deepEqual([a, b, runs], [-1, -1, 1]);
    assert.match(String(errors[0]), /disk gone/);
    fail = false;
    const next = pass.run();
    await pass.settled();
    assert.equal(await next, 7);
    assert.equal(runs, 2);
    await pass.settled();
  });
});
