import assert from 'node:assert/strict';
import {
  DEMO_ADMIN,
  DEMO_DEVICE_LOGIN_PEOPLE,
  DEMO_PROMPT_USER,
  ensureDemoEnterprise,
} from '../../edge-service/src/demo-enterprise.ts';
import type { SignInStep } from '../../protocol/index.ts';
import { PeopleEdge } from './panel/people-harness.ts';

describe('demo enterprise', function () {
  this.timeout(30_000);
  let t: PeopleEdge;
  const urls = { scannerUrl: 'http://scanner.invalid/eSCL', faxUrl: 'ipp://fax.invalid/ipp/faxout' };

  beforeEach(async () => {
    t = await new PeopleEdge().start();
  });
  afterEach(() => t.stop());

  it('has one device per auth mode, its people, and one-time passwords shown on the first start only', async () => {
    const first = await ensureDemoEnterprise(t.edge, urls);
    assert.deepEqual(
      first.panels.map((p) => p.mode),
      ['shared-account', 'device-login', 'user-prompt'],
    );
    assert.ok(first.adminPassword && first.promptPassword);
    assert.equal(first.deviceLoginReady, false);
    const { users, directory } = t.edge.repositories;
    const demo = directory.findEnterpriseBySlug('demo')!;
    assert.equal(demo.name, 'Demo Enterprise');
    const admin = users.findByEmail(demo.id, DEMO_ADMIN.email)!;
    assert.equal(admin.role, 'admin');
    assert.equal(admin.mustChangePassword, true);
    for (const person of DEMO_DEVICE_LOGIN_PEOPLE)
      assert.equal(users.findByEmail(demo.id, person.email.toUpperCase())?.builtinPasswordDisabled, true);

    for (const panel of first.panels) {
      const token = /device-token=([\w-]+)/.exec(panel.panelUrl)![1]!;
      const { client, hello } = await t.connect(token);
      assert.equal(hello.device.authMode, panel.mode);
      if (panel.mode === 'user-prompt') {
        const step: SignInStep = await client.request('auth.password', {
          email: DEMO_PROMPT_USER.email,
          password: first.promptPassword!,
        });
        assert.equal(step.step, 'change-password');
      }
    }

    const again = await ensureDemoEnterprise(t.edge, urls);
    assert.equal(again.adminPassword, null);
    assert.equal(again.promptPassword, null);
    assert.deepEqual(again.panels, first.panels);
  });

  it('hands the device admin credential to the store when one is given (seam for branch identity)', async () => {
    const stored: unknown[] = [];
    const demo = await ensureDemoEnterprise(t.edge, urls, {
      deviceAdmin: {
        credential: { username: 'admin', password: 'x' },
        store: (deviceId, credential) => void stored.push({ deviceId, credential }),
      },
    });
    assert.equal(demo.deviceLoginReady, true);
    assert.deepEqual(stored, [
      { deviceId: demo.panels[1]!.deviceId, credential: { username: 'admin', password: 'x' } },
    ]);
  });
});
