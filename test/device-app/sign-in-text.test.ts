import assert from 'node:assert/strict';
import {
  errorText,
  formatLocalTime,
  refusalFor,
  endNotice,
  groupKey,
  secondsLeft,
  personRefusal,
} from '../../device-app/src/sign-in-text.ts';

describe('panel sign-in text', () => {
  const now = new Date(2026, 11, 3, 14, 0);

  it('formats until in local time, with the day when it is not today', () => {
    assert.equal(formatLocalTime(new Date(2026, 11, 3, 14, 32).toISOString(), now), '14:32');
    assert.equal(formatLocalTime(new Date(2026, 11, 3, 9, 5).toISOString(), now), '09:05');
    assert.equal(formatLocalTime(new Date(2026, 11, 4, 0, 10).toISOString(), now), '4 Dec 00:10');
    assert.equal(formatLocalTime(undefined, now), null);
    assert.equal(formatLocalTime('not a time', now), null);
  });

  it('says until when an account is locked, or that an administrator unlocks it', () => {
    const until = new Date(2026, 11, 3, 14, 32).toISOString();
    const timed = refusalFor({ code: 'ACCOUNT_LOCKED', message: 'x', until }, now)!;
    assert.equal(timed.title, 'Account locked');
    assert.match(timed.text, /^Your account is locked until 14:32 /);
    const manual = refusalFor({ code: 'ACCOUNT_LOCKED', message: 'x' }, now)!;
    assert.equal(manual.text, 'Your account is locked until an administrator unlocks it.');
  });

  it('has one screen per refusal, the same for a wrong email and a wrong password', () => {
    const rate = refusalFor(
      { code: 'RATE_LIMITED', message: 'x', until: new Date(2026, 11, 3, 14, 15).toISOString() },
      now,
    )!;
    assert.match(rate.text, /Try again at 14:15/);
    const builtin = refusalFor({ code: 'BUILTIN_PASSWORD_DISABLED', message: 'x' }, now)!;
    assert.match(builtin.text, /printer's own sign-in/);
    assert.match(builtin.text, /Sign in with your phone/);
    assert.doesNotMatch(builtin.text, /wrong/i);
    const wrong = refusalFor({ code: 'INVALID_CREDENTIALS', message: 'edge words' }, now)!;
    assert.equal(wrong.title, 'Wrong email or password');
    assert.equal(wrong.text, errorText({ code: 'INVALID_CREDENTIALS' }));
    assert.equal(refusalFor({ code: 'SIGN_IN_EXPIRED', message: 'x' }, now)!.title, 'Start again');
    assert.equal(refusalFor({ code: 'TOKEN_INVALID', message: 'x' }, now)!.title, 'Start again');
  });

  it('leaves wrong codes and refused passwords to the screen the person is on', () => {
    for (const code of ['TOTP_INVALID', 'TOTP_REPLAYED', 'PASSWORD_POLICY', 'INTERNAL'] as const)
      assert.equal(refusalFor({ code, message: 'x' }, now), null, code);
  });

  it("maps codes to the panel's words and falls back to the edge's message", () => {
    assert.match(errorText({ code: 'TOTP_REPLAYED', message: 'edge' }), /already used/);
    assert.equal(
      errorText({ code: 'SCANNER_JAM', message: 'Paper jam in the ADF.' }),
      'Paper jam in the ADF.',
    );
    assert.equal(errorText({ code: 'INTERNAL', message: '' }), 'Something went wrong. Try again.');
  });

  it('explains why a session ended', () => {
    assert.equal(endNotice('inactivity', 60), 'Signed out after 60 s without activity.');
    assert.equal(endNotice('locked', 60), 'Your account was locked.');
    assert.equal(endNotice('device-sign-out', null), 'The printer signed you out.');
    assert.equal(endNotice(undefined, null), 'You were signed out.');
  });

  it("names a refused printer sign-in, in the edge's words when it gave some", () => {
    assert.deepEqual(personRefusal('UNKNOWN_USER', 'Eve has no account in Demo'), {
      title: 'No fax account',
      message: 'Eve has no account in Demo',
    });
    assert.equal(personRefusal('ACCOUNT_DISABLED', 'x').title, 'Account disabled');
    assert.match(
      personRefusal('DEVICE_LOGIN_UNAVAILABLE', undefined).message,
      /cannot read who is signed in/,
    );
  });

  it('groups a TOTP key by four and counts seconds down', () => {
    assert.equal(groupKey('jbswy3dpehpk3pxpjbswy3dp'), 'JBSW Y3DP EHPK 3PXP JBSW Y3DP');
    assert.equal(groupKey('ABCDEF=='), 'ABCD EF');
    const t = Date.parse('2026-12-03T14:00:00Z');
    assert.equal(secondsLeft('2026-12-03T14:00:09.200Z', t), 10);
    assert.equal(secondsLeft('2026-12-03T13:59:00Z', t), 0);
    assert.equal(secondsLeft('garbage', t), 0);
  });
});
