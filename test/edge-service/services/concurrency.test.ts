import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Limiter, KeyedMutex } from '../../../edge-service/src/services/concurrency.ts';

describe('concurrency primitives', () => {
  it('Limiter never runs more than its limit, even when tasks arrive as others finish', async () => {
    const limiter = new Limiter(2);
    let active = 0;
    let peak = 0;
    const task = async (ms: number) => {
      active++;
      peak = Math.max(peak, active);
      await sleep(ms);
      active--;
    };
    const runs: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) runs.push(limiter.run(() => task(5)));
    // Newcomers arriving exactly while slots are handed over.
    await sleep(6);
    for (let i = 0; i < 6; i++) runs.push(limiter.run(() => task(1)));
    await Promise.all(runs);
    assert.equal(peak, 2);
  });

  it('KeyedMutex runs holders of one key in order and other keys in parallel', async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    const job = (name: string, ms: number) => async () => {
      order.push(`${name}+`);
      await sleep(ms);
      order.push(`${name}-`);
    };
    await Promise.all([
      mutex.lock('a', job('a1', 10)),
      mutex.lock('a', job('a2', 1)),
      mutex.lock('b', job('b1', 1)),
    ]);
    assert.ok(order.indexOf('a1-') < order.indexOf('a2+'));
    assert.ok(order.indexOf('b1+') < order.indexOf('a1-'));
  });

  it('KeyedMutex lets a waiter give up at once without blocking those behind it', async () => {
    const mutex = new KeyedMutex();
    let releaseFirst!: () => void;
    const first = mutex.lock('dev', () => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const abort = new AbortController();
    const second = mutex.lock('dev', async () => 'ran', abort.signal);
    let thirdRan = false;
    const third = mutex.lock('dev', async () => {
      thirdRan = true;
    });
    abort.abort(new Error('cancelled'));
    await assert.rejects(second, /cancelled/);
    assert.equal(thirdRan, false, 'the third still waits for the first');
    releaseFirst();
    await first;
    await third;
    assert.equal(thirdRan, true);
  });
});
