import assert from 'node:assert/strict';
import {
  normaliseEmail,
  parseDeviceSession,
  samePerson,
} from '../../../../edge-service/src/drivers/device-login/device-session-json.ts';
import { deviceApiBaseUrl } from '../../../../edge-service/src/drivers/device-login/device-api-url.ts';
import { parseRetryAfter } from '../../../../edge-service/src/drivers/device-login/device-login-client.ts';

describe('device session document', () => {
  it('reads nobody and a signed-in person as the simulator sends them', () => {
    assert.equal(parseDeviceSession('{"signedIn":false,"user":null,"since":null}'), null);
    assert.deepEqual(
      parseDeviceSession(
        '{"signedIn":true,"user":{"name":"Alice Martin","email":"Alice.Martin@Demo.Example"},"since":"2026-12-01T09:00:00.000Z"}',
      ),
      { name: 'Alice Martin', email: 'Alice.Martin@Demo.Example' },
    );
  });

  it('keeps the email as the device spells it (matching is case-insensitive, later), trimmed', () => {
    assert.equal(
      parseDeviceSession('{"signedIn":true,"user":{"name":"A","email":"  A@B.Example "}}')?.email,
      'A@B.Example',
    );
  });

  it('has a null email when the device knows none, or sends one the edge could never match', () => {
    for (const email of ['null', '""', '"not an address"', '"a@b@c"', `"${'x'.repeat(300)}@b.example"`]) {
      const person = parseDeviceSession(`{"signedIn":true,"user":{"name":"Badge 42","email":${email}}}`);
      assert.deepEqual(person, { name: 'Badge 42', email: null }, email);
    }
    assert.deepEqual(parseDeviceSession('{"signedIn":true,"user":{"name":"Badge 42"}}'), {
      name: 'Badge 42',
      email: null,
    });
  });

  it('cleans the name: controls out, white space collapsed, length capped; the email stands in for none', () => {
    assert.equal(
      parseDeviceSession('{"signedIn":true,"user":{"name":" Eve\\u0000\\n  Adams\\u001b ","email":null}}')
        ?.name,
      'Eve Adams',
    );
    assert.equal(
      parseDeviceSession(`{"signedIn":true,"user":{"name":"${'n'.repeat(900)}","email":null}}`)?.name.length,
      256,
    );
    assert.deepEqual(parseDeviceSession('{"signedIn":true,"user":{"name":"","email":"e@x.example"}}'), {
      name: 'e@x.example',
      email: 'e@x.example',
    });
  });

  it('refuses what is not a session with DEVICE_LOGIN_UNAVAILABLE', () => {
    const bad = [
      '',
      '<html>Login</html>',
      '{"signedIn":tru',
      'null',
      '[]',
      '{"signedIn":"yes"}',
      '{"signedIn":true,"user":null}',
      '{"signedIn":true}',
      '{"signedIn":true,"user":{"name":42}}',
      '{"signedIn":true,"user":{"name":"","email":""}}',
      `{"signedIn":true,"user":{"name":"${'n'.repeat(5000)}"}}`,
    ];
    for (const text of bad) {
      assert.throws(
        () => parseDeviceSession(text),
        (error: { code?: string; message?: string }) =>
          error.code === 'DEVICE_LOGIN_UNAVAILABLE' && /does not understand/.test(error.message ?? ''),
        text.slice(0, 40),
      );
    }
  });

  it('ignores a user beside signedIn false, and fields it does not know', () => {
    assert.equal(
      parseDeviceSession('{"signedIn":false,"user":{"name":"Ghost","email":"g@x.example"}}'),
      null,
    );
    assert.equal(
      parseDeviceSession('{"signedIn":true,"user":{"name":"A","email":null,"pin":"1111"},"x":1}')?.name,
      'A',
    );
  });

  it('compares people by name and email', () => {
    assert.ok(samePerson(null, null));
    assert.ok(!samePerson(null, { name: 'A', email: null }));
    assert.ok(samePerson({ name: 'A', email: 'a@x' }, { name: 'A', email: 'a@x' }));
    assert.ok(!samePerson({ name: 'A', email: 'a@x' }, { name: 'A', email: 'A@x' }));
    assert.equal(normaliseEmail(undefined), null);
  });
});

describe('device API address', () => {
  it('is the explicit one when set, without credentials or a trailing slash', () => {
    assert.equal(
      deviceApiBaseUrl({
        deviceApiUrl: 'https://u:p@printer.example:8443/device/api/v1/',
        scannerUrl: 'http://x/eSCL',
      }),
      'https://printer.example:8443/device/api/v1',
    );
  });

  it("is otherwise the scanner URL's origin + /device/api/v1", () => {
    assert.equal(
      deviceApiBaseUrl({ scannerUrl: 'http://127.0.0.1:8090/eSCL' }),
      'http://127.0.0.1:8090/device/api/v1',
    );
    assert.equal(
      deviceApiBaseUrl({ deviceApiUrl: null, scannerUrl: 'https://printer.example/eSCL/' }),
      'https://printer.example/device/api/v1',
    );
  });

  it('is null without a usable scanner URL', () => {
    assert.equal(deviceApiBaseUrl({ scannerUrl: null }), null);
    assert.equal(deviceApiBaseUrl({ scannerUrl: 'not a url' }), null);
    assert.equal(deviceApiBaseUrl({ scannerUrl: 'usb://printer/eSCL' }), null);
  });
});

describe('Retry-After', () => {
  const now = Date.parse('2026-12-01T09:00:00Z');
  it('reads seconds and HTTP dates, bounded to 1 s .. 15 min, a minute when absent or unreadable', () => {
    assert.equal(parseRetryAfter('42', now), 42_000);
    assert.equal(parseRetryAfter('Tue, 01 Dec 2026 09:00:30 GMT', now), 30_000);
    assert.equal(parseRetryAfter('0', now), 1000);
    assert.equal(parseRetryAfter('99999', now), 15 * 60_000);
    assert.equal(parseRetryAfter(null, now), 60_000);
    assert.equal(parseRetryAfter('soon', now), 60_000);
  });
});
