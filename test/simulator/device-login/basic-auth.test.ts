import assert from 'node:assert/strict';
import { credentialsMatch, parseBasicAuth } from '../../../simulator/src/device-login/basic-auth.ts';

const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

describe('HTTP Basic credentials', () => {
  it('parses user and password, keeping colons in the password', () => {
    assert.deepEqual(parseBasicAuth(basic('admin:pa:ss wörd')), {
      username: 'admin',
      password: 'pa:ss wörd',
    });
    assert.deepEqual(parseBasicAuth(`basic ${Buffer.from('admin:').toString('base64')}`), {
      username: 'admin',
      password: '',
    });
  });

  it('rejects missing, other-scheme and malformed headers', () => {
    assert.equal(parseBasicAuth(undefined), null);
    assert.equal(parseBasicAuth('Bearer abc'), null);
    assert.equal(parseBasicAuth(basic('no-colon')), null);
    assert.equal(parseBasicAuth('Basic !!!'), null);
  });

  it('matches only the exact user and password', () => {
    const expected = { username: 'admin', password: 'secret' };
    assert.equal(credentialsMatch({ username: 'admin', password: 'secret' }, expected), true);
    assert.equal(credentialsMatch({ username: 'admin', password: 'secret ' }, expected), false);
    assert.equal(credentialsMatch({ username: 'admin', password: 'Secret' }, expected), false);
    assert.equal(credentialsMatch({ username: 'Admin', password: 'secret' }, expected), false);
    assert.equal(credentialsMatch({ username: 'admin', password: '' }, expected), false);
  });
});
