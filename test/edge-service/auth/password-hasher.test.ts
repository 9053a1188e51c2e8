import assert from 'node:assert/strict';
import { parseOptions } from '@node-rs/argon2';
import { ARGON2_PARAMETERS, PasswordHasher } from '../../../edge-service/src/auth/password-hasher.ts';

describe('auth/password-hasher', function () {
  this.timeout(30_000);
  const hasher = new PasswordHasher();

  it('hashes with argon2id at OWASP minimum m=19 MiB, t=2, p=1 and verifies', async () => {
    const hash = await hasher.hash('correct horse battery');
    assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const options = parseOptions(hash);
    assert.equal(options.memoryCost, ARGON2_PARAMETERS.memoryCost);
    assert.equal(await hasher.verify(hash, 'correct horse battery'), true);
    assert.equal(await hasher.verify(hash, 'correct horse batterY'), false);
    assert.notEqual(await hasher.hash('correct horse battery'), hash, 'salted');
    assert.equal(hasher.needsRehash(hash), false);
  });

  it('treats NFC and NFD spellings as one password', async () => {
    const hash = await hasher.hash('caf\u00e9-au-lait');
    assert.equal(await hasher.verify(hash, 'cafe\u0301-au-lait'), true);
  });

  it('asks for a rehash of weaker or foreign hashes; a malformed hash is a wrong password', async () => {
    const weak = await new PasswordHasher({ ...ARGON2_PARAMETERS, memoryCost: 8192 }).hash('x');
    assert.equal(hasher.needsRehash(weak), true);
    assert.equal(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv'), true);
    assert.equal(await hasher.verify('not a hash', 'x'), false);
  });

  it('spends about as long on an unknown account (null hash) as on a wrong password', async () => {
    const hash = await hasher.hash('secret-password');
    await hasher.verify(null, 'warm-up'); // the dummy hash is made once
    const time = async (stored: string | null): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < 3; i++) assert.equal(await hasher.verify(stored, 'wrong-password'), false);
      return performance.now() - started;
    };
    const known = await time(hash);
    const unknown = await time(null);
    assert.ok(unknown > known * 0.5 && unknown < known * 2, `known ${known} ms, unknown ${unknown} ms`);
  });
});
