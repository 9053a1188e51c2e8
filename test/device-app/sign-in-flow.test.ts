import assert from 'node:assert/strict';
import { viewForStep, canSubmitPassword, safeQrPng } from '../../device-app/src/sign-in-flow.ts';
import type { PasswordRuleView, SessionView } from '../../protocol/index.ts';

const base = { stepToken: 'st-1', expiresAt: '2026-12-03T14:05:00Z' };
const session: SessionView = {
  sessionToken: 'sess',
  user: { displayName: 'Ada Lovelace', email: 'ada@demo.example' },
  expiresAt: '2026-12-03T14:01:00Z',
};
const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('panel sign-in steps', () => {
  it('opens the screen of each step', () => {
    assert.deepEqual(viewForStep({ step: 'totp', ...base }), {
      view: { kind: 'totp', stepToken: 'st-1', message: '' },
      session: null,
    });
    const rules: PasswordRuleView[] = [{ rule: 'min-length', ok: false, message: 'At least 8 characters' }];
    assert.deepEqual(viewForStep({ step: 'change-password', ...base, reason: 'expired', rules }).view, {
      kind: 'change-password',
      stepToken: 'st-1',
      reason: 'expired',
      rules,
      message: '',
    });
    const enrol = viewForStep({
      step: 'enrol-2fa',
      ...base,
      secret: 'JBSWY3DPEHPK3PXP',
      otpauthUri: 'otpauth://totp/x',
      qrPng: PNG,
    });
    assert.deepEqual(enrol.view, {
      kind: 'enrol-2fa',
      stepToken: 'st-1',
      secret: 'JBSWY3DPEHPK3PXP',
      qrPng: PNG,
      message: '',
    });
  });

  it('goes home when done, through the recovery codes when there are some', () => {
    assert.deepEqual(viewForStep({ step: 'done', session }), { view: null, session });
    assert.deepEqual(viewForStep({ step: 'done', session, recoveryCodes: [] }), { view: null, session });
    assert.deepEqual(viewForStep({ step: 'done', session, recoveryCodes: ['AAAA-BBBB'] }), {
      view: { kind: 'recovery-codes', codes: ['AAAA-BBBB'] },
      session,
    });
  });

  it('shows only a PNG data URL as the QR code', () => {
    assert.equal(safeQrPng(PNG), PNG);
    assert.equal(safeQrPng('javascript:alert(1)'), null);
    assert.equal(safeQrPng('data:image/svg+xml;base64,PHN2Zz4='), null);
    assert.equal(safeQrPng('https://evil.example/qr.png'), null);
  });

  it('lets a new password go once no rule fails and both fields agree', () => {
    const ok: PasswordRuleView = { rule: 'min-length', ok: true, message: '' };
    const later: PasswordRuleView = { rule: 'history', ok: null, message: '' };
    const bad: PasswordRuleView = { rule: 'digits', ok: false, message: '' };
    assert.equal(canSubmitPassword([ok, later], 'secret-pw', 'secret-pw'), true);
    assert.equal(canSubmitPassword([ok, bad], 'secret-pw', 'secret-pw'), false);
    assert.equal(canSubmitPassword([ok], 'secret-pw', 'secret-pX'), false);
    assert.equal(canSubmitPassword([], '', ''), false);
  });
});
