import assert from 'node:assert/strict';
import {
  checkTotp,
  newTotpSecret,
  totpCode,
  totpStep,
  totpUri,
} from '../../../edge-service/src/auth/totp.ts';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCodes,
} from '../../../edge-service/src/auth/recovery-codes.ts';

/** RFC 6238 Appendix B, SHA-1 column: 8 digits, the 20-byte ASCII secret "12345678901234567890". */
const RFC6238_SHA1: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];
const RFC_SECRET = new TextEncoder().encode('12345678901234567890');

describe('auth/totp', () => {
  it("matches RFC 6238's published SHA-1 vectors (raw secret and its Base32 form)", async () => {
    // RFC 4648 Base32 of the ASCII secret (what an otpauth:// URI would carry).
    const asBase32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    for (const [seconds, expected] of RFC6238_SHA1) {
      const at = new Date(seconds * 1000);
      assert.equal(await totpCode(RFC_SECRET, at, 8), expected, `T = ${seconds}`);
      assert.equal(await totpCode(asBase32, at, 8), expected);
      const check = await checkTotp(asBase32, expected, { at, lastStep: null, digits: 8 });
      assert.deepEqual(check, { ok: true, step: Math.floor(seconds / 30) });
      // The 6-digit code is the last 6 digits of the same HOTP value (RFC 4226 §5.3).
      assert.equal(await totpCode(asBase32, at), expected.slice(2));
    }
  });

  it('accepts ±1 step, not ±2, and returns the step it matched (fake clock)', async () => {
    const secret = newTotpSecret();
    const now = new Date(1_700_000_015_000);
    const step = totpStep(now);
    for (const offset of [-1, 0, 1]) {
      const code = await totpCode(secret, new Date(now.getTime() + offset * 30_000));
      assert.deepEqual(await checkTotp(secret, code, { at: now, lastStep: null }), {
        ok: true,
        step: step + offset,
      });
    }
    for (const offset of [-2, 2]) {
      const code = await totpCode(secret, new Date(now.getTime() + offset * 30_000));
      assert.deepEqual(await checkTotp(secret, code, { at: now, lastStep: null }), {
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('refuses a code whose step is not after the last one used (single use)', async () => {
    const secret = newTotpSecret();
    const now = new Date(1_700_000_000_000);
    const code = await totpCode(secret, now);
    const first = await checkTotp(secret, code, { at: now, lastStep: null });
    assert.ok(first.ok);
    assert.deepEqual(await checkTotp(secret, code, { at: now, lastStep: first.step }), {
      ok: false,
      reason: 'replayed',
    });
    const previous = await totpCode(secret, new Date(now.getTime() - 30_000));
    assert.deepEqual(await checkTotp(secret, previous, { at: now, lastStep: first.step }), {
      ok: false,
      reason: 'replayed',
    });
    const next = new Date(now.getTime() + 30_000);
    assert.ok((await checkTotp(secret, await totpCode(secret, next), { at: next, lastStep: first.step })).ok);
  });

  it('takes "123 456" as typed; refuses empty, long, non-digit and control-character input', async () => {
    const secret = newTotpSecret();
    const now = new Date(1_700_000_000_000);
    const code = await totpCode(secret, now);
    assert.ok(
      (await checkTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`, { at: now, lastStep: null })).ok,
    );
    for (const bad of [
      '',
      '12345',
      '1234567',
      'abcdef',
      `${code}\u0000`,
      '１２３４５６',
      '9'.repeat(1 << 20),
    ]) {
      assert.deepEqual(await checkTotp(secret, bad, { at: now, lastStep: null }), {
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('makes secrets of 160 bits and otpauth URIs with issuer and label', () => {
    const secret = newTotpSecret();
    assert.match(secret, /^[A-Z2-7]{32}$/, '20 bytes of Base32, unpadded');
    const uri = new URL(totpUri({ issuer: 'Acme & Co', email: 'ann@acme.test', secret }));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Acme & Co:ann@acme.test');
    assert.equal(uri.searchParams.get('secret'), secret);
    assert.equal(uri.searchParams.get('issuer'), 'Acme & Co');
    assert.equal(uri.searchParams.get('digits') ?? '6', '6');
    assert.equal(uri.searchParams.get('period') ?? '30', '30');
  });
});

describe('auth/recovery-codes', () => {
  it('makes 10 distinct 80-bit codes, hashed per user, tolerant of case and hyphens', () => {
    const codes = newRecoveryCodes();
    assert.equal(codes.length, 10);
    assert.equal(new Set(codes).size, 10);
    for (const code of codes) {
      assert.match(code, /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      assert.ok(looksLikeRecoveryCode(code.toLowerCase().replace(/-/g, ' ')));
    }
    const [code] = codes as [string];
    assert.equal(hashRecoveryCode('u1', code), hashRecoveryCode('u1', code.toLowerCase().replace(/-/g, '')));
    assert.notEqual(hashRecoveryCode('u1', code), hashRecoveryCode('u2', code));
    assert.ok(!looksLikeRecoveryCode('123456'));
  });
});
