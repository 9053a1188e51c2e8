import assert from 'node:assert/strict';
import {
  dnKey,
  escapeDnValue,
  isUnder,
  normalizeDn,
  parseDn,
  sameDn,
} from '../../../edge-service/src/provisioning/ldap/distinguished-name.ts';

describe('distinguished names (RFC 4514)', () => {
  it('parses escaped commas and their hex form alike', () => {
    const a = parseDn('cn=Ann,ou=Sales\\, Paris,dc=example,dc=com');
    const b = parseDn('CN=Ann, OU=Sales\\2C Paris, DC=example, DC=com');
    assert.deepEqual(a, b);
    assert.deepEqual(a[1], [{ type: 'ou', value: 'Sales, Paris' }]);
    assert.equal(
      normalizeDn('CN=Ann, OU=Sales\\2C Paris, DC=example, DC=com'),
      'cn=Ann,ou=Sales\\, Paris,dc=example,dc=com',
    );
  });

  it('reads UTF-8 as text and as hex escapes', () => {
    assert.equal(parseDn('cn=Ren\\C3\\A9e Lef\\C3\\A8vre,dc=x')[0]![0]!.value, 'Renée Lefèvre');
    assert.equal(parseDn('cn=Renée Lefèvre,dc=x')[0]![0]!.value, 'Renée Lefèvre');
    assert.equal(parseDn('cn=Zoë 😀,dc=x')[0]![0]!.value, 'Zoë 😀');
    assert.ok(sameDn('cn=Ren\\C3\\A9e,dc=x', 'CN=Renée,DC=X'));
    assert.throws(() => parseDn('cn=\\C3,dc=x'), { code: 'LDAP_DN_INVALID' });
  });

  it('reads quoted values (RFC 2253 / 1779) and escaped specials', () => {
    assert.equal(parseDn('cn="Doe, John",dc=x')[0]![0]!.value, 'Doe, John');
    assert.equal(parseDn('cn="say \\"hi\\"",dc=x')[0]![0]!.value, 'say "hi"');
    assert.equal(parseDn('cn=a\\+b\\;c\\<d\\>e\\\\f\\=g,dc=x')[0]![0]!.value, 'a+b;c<d>e\\f=g');
    assert.equal(parseDn('cn=\\#hash\\ ,dc=x')[0]![0]!.value, '#hash ');
    assert.equal(parseDn('cn=\\ lead,dc=x')[0]![0]!.value, ' lead');
    assert.equal(parseDn('cn=trail   ,dc=x')[0]![0]!.value, 'trail');
  });

  it('parses multi-valued RDNs and sorts their AVAs when normalising', () => {
    const rdns = parseDn('uid=ann+cn=Ann Smith,ou=People,dc=x');
    assert.deepEqual(rdns[0], [
      { type: 'uid', value: 'ann' },
      { type: 'cn', value: 'Ann Smith' },
    ]);
    assert.equal(
      dnKey('uid=ann+cn=Ann Smith,ou=People,dc=x'),
      dnKey('CN=Ann Smith+UID=ann, ou=people, dc=X'),
    );
  });

  it('accepts OIDs, #hex values and ; separators; refuses what is not a DN', () => {
    assert.deepEqual(parseDn('2.5.4.3=Ann;dc=x'), [
      [{ type: '2.5.4.3', value: 'Ann' }],
      [{ type: 'dc', value: 'x' }],
    ]);
    assert.equal(parseDn('cn=#04024869,dc=x')[0]![0]!.value, '#04024869');
    assert.deepEqual(parseDn(''), []);
    assert.equal(parseDn('cn=a=b#c,dc=x')[0]![0]!.value, 'a=b#c', '"=" and an inner "#" need no escape');
    for (const bad of ['cn', 'cn=a,', '=a', 'cn=a\\', 'c n=a', 'cn=a\\zz', 'cn="open', 'cn=a,,dc=x'])
      assert.throws(() => parseDn(bad), { code: 'LDAP_DN_INVALID' }, bad);
  });

  it('escapes values so that they parse back to themselves', () => {
    for (const value of [
      'Sales, Paris',
      ' lead',
      'trail ',
      '#x',
      'a+b',
      'q"u',
      'back\\slash',
      'Renée',
      'x=y;z<>',
    ])
      assert.equal(parseDn(`cn=${escapeDnValue(value)}`)[0]![0]!.value, value, value);
  });

  it('tells whether a DN is under a base', () => {
    assert.ok(isUnder('cn=Ann,ou=Sales\\, Paris,dc=example,dc=com', 'DC=Example,DC=com'));
    assert.ok(!isUnder('cn=Ann,dc=other,dc=com', 'dc=example,dc=com'));
    assert.ok(isUnder('dc=example,dc=com', 'dc=example,dc=com'));
  });
});
