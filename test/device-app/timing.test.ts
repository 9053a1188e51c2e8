import assert from 'node:assert/strict';
import { throttle, debounce, type Timers } from '../../device-app/src/timing.ts';

describe('panel timing helpers', () => {
  it('throttles activity to one call per interval, unless forced', () => {
    let t = 1000;
    let calls = 0;
    const activity = throttle(
      () => calls++,
      5000,
      () => t,
    );
    assert.equal(activity.call(), true);
    t += 100;
    assert.equal(activity.call(), false);
    t += 4800;
    assert.equal(activity.call(), false);
    t += 100;
    assert.equal(activity.call(), true);
    t += 10;
    assert.equal(activity.call(true), true, 'a touch on the countdown always goes');
    activity.reset();
    assert.equal(activity.call(), true, 'a new session starts afresh');
    assert.equal(calls, 4);
  });

  it('debounces to the last value once typing pauses', () => {
    const pending = new Map<number, () => void>();
    let next = 0;
    const timers: Timers = {
      set: (fn) => {
        pending.set(++next, fn);
        return next;
      },
      clear: (handle) => pending.delete(handle as number),
    };
    const seen: string[] = [];
    const check = debounce((candidate: string) => seen.push(candidate), 250, timers);
    check('a');
    check('ab');
    check('abc');
    assert.equal(pending.size, 1);
    for (const [handle, fn] of [...pending]) {
      pending.delete(handle);
      fn();
    }
    assert.deepEqual(seen, ['abc']);
    check('abcd');
    check.cancel();
    assert.equal(pending.size, 0);
  });
});
