import assert from 'node:assert/strict';
import { FailedAttempts } from '../../../simulator/src/device-login/failed-attempts.ts';

describe('FailedAttempts (sign-in rate limit)', () => {
  let now: number;
  let failures: FailedAttempts;

  beforeEach(() => {
    now = 1_000_000;
    failures = new FailedAttempts({ maxFailures: 3, windowMs: 60_000, now: () => now });
  });

  it('locks a client out after too many failures, for the window, then lets it try again', () => {
    failures.recordFailure('a');
    failures.recordFailure('a');
    assert.equal(failures.retryAfterMs('a'), 0);
    failures.recordFailure('a');
    assert.equal(failures.retryAfterMs('a'), 60_000);
    now += 59_000;
    assert.equal(failures.retryAfterMs('a'), 1_000);
    now += 1_000;
    assert.equal(failures.retryAfterMs('a'), 0);
    failures.recordFailure('a');
    assert.equal(failures.retryAfterMs('a'), 0, 'a new window starts from zero');
  });

  it('counts clients separately', () => {
    for (let i = 0; i < 3; i++) failures.recordFailure('a');
    assert.ok(failures.retryAfterMs('a') > 0);
    assert.equal(failures.retryAfterMs('b'), 0);
  });

  it('forgets failures spread wider than the window', () => {
    failures.recordFailure('a');
    failures.recordFailure('a');
    now += 61_000;
    failures.recordFailure('a');
    assert.equal(failures.retryAfterMs('a'), 0);
  });

  it('forgets a client’s failures after a success', () => {
    failures.recordFailure('a');
    failures.recordFailure('a');
    failures.recordSuccess('a');
    failures.recordFailure('a');
    assert.equal(failures.retryAfterMs('a'), 0);
  });

  it('remembers a bounded number of clients', () => {
    const small = new FailedAttempts({ maxFailures: 1, maxClients: 2, now: () => now });
    small.recordFailure('a');
    small.recordFailure('b');
    small.recordFailure('c');
    assert.equal(small.retryAfterMs('a'), 0, 'the oldest client was forgotten');
    assert.ok(small.retryAfterMs('c') > 0);
  });
});
