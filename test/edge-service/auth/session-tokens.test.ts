import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SessionTokens } from '../../../edge-service/src/auth/session-tokens.ts';
import { AuthHarness } from './auth-harness.ts';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('auth/session-tokens and panel-sessions', () => {
  let h: AuthHarness;
  let userId: string;
  beforeEach(async () => {
    h = new AuthHarness();
    userId = h.users.create({ enterpriseId: h.enterpriseId, email: 'ann@acme.test', displayName: 'Ann' }).id;
  });
  afterEach(() => h.close());

  const create = () => h.sessions.create({ userId, deviceId: h.deviceId, enterpriseId: h.enterpriseId });

  it('issues HS256 tokens of 15 minutes naming the session, user and device', async () => {
    const { token, expiresAt, sessionId } = await create();
    const [header, payload] = token
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()));
    assert.deepEqual(header, { alg: 'HS256', typ: 'mfp-edge-panel-session+jwt' });
    assert.equal(payload.jti, sessionId);
    assert.equal(payload.sub, userId);
    assert.equal(payload.dev, h.deviceId);
    assert.equal(expiresAt.getTime() - h.clock.ms, 15 * 60_000);
  });

  it('rejects tampered, other-key, alg:none, expired, other-device and revoked tokens with their codes', async () => {
    const { token, sessionId } = await create();
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const tampered = `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`;
    const none = `${b64({ alg: 'none', typ: 'mfp-edge-panel-session+jwt' })}.${payload}.`;
    const otherKey = await new SessionTokens({ masterKey: randomBytes(32), now: h.clock.now }).sign({
      sessionId,
      userId,
      deviceId: h.deviceId,
      enterpriseId: h.enterpriseId,
    });
    for (const bad of [tampered, none, otherKey.token, '', 'a.b.c', 'x'.repeat(1 << 20), `${token}\u0000`])
      assert.equal(await codeOf(h.sessions.verify(bad, h.deviceId)), 'TOKEN_INVALID', bad.slice(0, 40));
    assert.equal(await codeOf(h.sessions.verify(token, h.otherDeviceId)), 'SESSION_DEVICE_MISMATCH');
    const revoked: string[] = [];
    h.sessions.on('revoked', (sessions, reason) => revoked.push(...sessions.map((s) => `${s.id}:${reason}`)));
    h.sessions.revoke({ userId }, 'user-locked');
    assert.deepEqual(revoked, [`${sessionId}:user-locked`]);
    assert.equal(await codeOf(h.sessions.verify(token, h.deviceId)), 'SESSION_REVOKED');
    const second = await create();
    h.clock.advance(15 * 60_000);
    assert.equal(await codeOf(h.sessions.verify(second.token, h.deviceId)), 'SESSION_EXPIRED');
  });

  it('touch records activity and re-issues; revoking by device ends all its sessions', async () => {
    const first = await create();
    h.clock.advance(10 * 60_000);
    const fresh = await h.sessions.touch(first.token, h.deviceId);
    assert.equal(fresh.sessionId, first.sessionId);
    h.clock.advance(10 * 60_000);
    assert.equal(await codeOf(h.sessions.verify(first.token, h.deviceId)), 'SESSION_EXPIRED');
    await h.sessions.verify(fresh.token, h.deviceId);
    const other = await create();
    assert.equal(h.sessions.revoke({ deviceId: h.deviceId }, 'device-revoked').length, 2);
    assert.equal(await codeOf(h.sessions.touch(other.token, h.deviceId)), 'SESSION_REVOKED');
    assert.equal(h.sessions.revoke({ deviceId: h.deviceId }, 'device-revoked').length, 0);
  });
});
