import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretBox } from '../../../edge-service/src/auth/secret-box.ts';
import { deriveKey, loadSecretKey, parseSecretKey } from '../../../edge-service/src/auth/secret-key.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

describe('auth/secret-box and secret-key', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips, with a fresh nonce each time and a versioned format', () => {
    const a = box.seal('JBSWY3DPEHPK3PXPJBSWY3DP', 'totp:u1');
    const b = box.seal('JBSWY3DPEHPK3PXPJBSWY3DP', 'totp:u1');
    assert.match(a, /^sb1\.[A-Za-z0-9_-]+$/);
    assert.notEqual(a, b);
    assert.ok(!a.includes('JBSWY3DP'));
    assert.equal(box.openText(a, 'totp:u1'), 'JBSWY3DPEHPK3PXPJBSWY3DP');
  });

  it('refuses tampered, truncated, foreign-format, other-context and other-key boxes with SECRET_INVALID', () => {
    const sealed = box.seal('secret', 'totp:u1');
    const raw = Buffer.from(sealed.slice(4), 'base64url');
    raw[raw.length - 1]! ^= 1;
    const tampered = `sb1.${raw.toString('base64url')}`;
    for (const [bad, context, other] of [
      [tampered, 'totp:u1', box],
      ['sb1.AAAA', 'totp:u1', box],
      ['sb9.' + sealed.slice(4), 'totp:u1', box],
      ['', 'totp:u1', box],
      [sealed, 'totp:u2', box],
      [sealed, 'totp:u1', new SecretBox(randomBytes(32))],
    ] as const) {
      assert.throws(
        () => other.open(bad, context),
        (e: Error & { code?: string }) => {
          assert.equal(e.code, 'SECRET_INVALID');
          assert.ok(!e.message.includes('secret\u0000'));
          return true;
        },
      );
    }
  });

  it('parses 32-byte keys from hex or base64 and refuses others', () => {
    const key = randomBytes(32);
    assert.deepEqual(parseSecretKey(key.toString('hex')), key);
    assert.deepEqual(parseSecretKey(key.toString('base64')), key);
    assert.deepEqual(parseSecretKey(`${key.toString('base64url')}\n`), key);
    for (const bad of ['', 'abc', randomBytes(16).toString('hex'), randomBytes(33).toString('base64')])
      assert.throws(() => parseSecretKey(bad), { code: 'SECRET_KEY_INVALID' });
    assert.throws(() => new SecretBox(randomBytes(16)), { code: 'SECRET_KEY_INVALID' });
  });

  it('creates data/secret.key 0600 once, reuses it, and prefers MFP_EDGE_SECRET_KEY', async () => {
    const dir = tempDir();
    try {
      const [first, second] = await Promise.all([loadSecretKey(dir.path, {}), loadSecretKey(dir.path, {})]);
      assert.deepEqual(first.key, second.key, 'two processes starting at once agree');
      assert.equal(statSync(join(dir.path, 'secret.key')).mode & 0o777, 0o600);
      const again = await loadSecretKey(dir.path, {});
      assert.equal(again.source, 'file');
      assert.deepEqual(again.key, first.key);
      const env = randomBytes(32);
      const fromEnv = await loadSecretKey(dir.path, { MFP_EDGE_SECRET_KEY: env.toString('hex') });
      assert.equal(fromEnv.source, 'env');
      assert.deepEqual(fromEnv.key, env);
      writeFileSync(join(dir.path, 'secret.key'), 'garbage\n');
      await assert.rejects(loadSecretKey(dir.path, {}), { code: 'SECRET_KEY_INVALID' });
    } finally {
      dir.remove();
    }
  });

  it('derives independent keys per purpose', () => {
    const master = randomBytes(32);
    assert.notDeepEqual(deriveKey(master, 'a'), deriveKey(master, 'b'));
    assert.deepEqual(deriveKey(master, 'a'), deriveKey(master, 'a'));
  });
});
