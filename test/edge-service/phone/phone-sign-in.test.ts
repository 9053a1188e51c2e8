import assert from 'node:assert/strict';
import { totpCode } from '../../../edge-service/src/auth/totp.ts';
import { startStack, type Stack } from '../../helpers/edge-and-simulator.ts';
import { PanelClient } from '../../helpers/panel-client.ts';
import { addDevice, admin, field, FormClient, userWithTotp } from '../../helpers/phone-sign-in.ts';

/*
 * The account page's web sign-in and "sign in with your phone" over real HTTP and a real panel
 * WebSocket, on a real edge (SQLite, audit log) with the simulator.
 */
describe('account sign-in and sign in with your phone (real HTTP and WebSocket)', function () {
  this.timeout(60000);
  let stack: Stack;
  let enterpriseId: string;
  const password = 'phone-pass-1234';
  let person: { id: string; secret: string };
  let people = 0;
  /** A person of their own per sign-in: a TOTP code is single-use, and the next one comes 30 s later. */
  const fresh = async () => {
    const email = `phone.person${++people}@demo.example`;
    person = await userWithTotp(stack.edge, email, password);
    return email;
  };

  before(async () => {
    stack = await startStack();
    enterpriseId = stack.edge.repositories.directory.findEnterpriseByName('Demo Enterprise')!.id;
  });
  after(async () => {
    await stack?.stop();
  });

  const audit = (action: string) =>
    stack.edge.audit.list({ enterpriseId, action }, { offset: 0, limit: 50 }).items;

  /** Signs `client` in through the account page (password + TOTP), from `returnTo`; the final response. */
  async function signIn(client: FormClient, returnTo: string) {
    const email = await fresh();
    const form = await client.get(`/account/sign-in?return=${encodeURIComponent(returnTo)}`);
    assert.equal(form.status, 200);
    const first = await client.post('/account/sign-in', {
      _csrf: field(form.body, '_csrf'),
      return: field(form.body, 'return'),
      email,
      password,
    });
    assert.equal(first.status, 200, first.body);
    assert.match(first.body, /Two-factor code/);
    return client.post('/account/sign-in/totp', {
      _csrf: field(first.body, '_csrf'),
      return: field(first.body, 'return'),
      stepToken: field(first.body, 'stepToken'),
      code: await totpCode(person.secret, new Date()),
    });
  }

  it('signs in with password and TOTP, sets an account cookie, shows who you are, and signs out', async () => {
    const client = new FormClient(stack.edge.url);
    const done = await signIn(client, '/account/');
    assert.equal(done.status, 303);
    assert.equal(done.location, '/account/');
    assert.ok(client.cookies.has('mfp-account'));
    const page = await client.get('/account/');
    assert.match(page.body, /Person phone\.person\d+@demo\.example/);
    assert.match(page.body, /Demo Enterprise/);
    assert.ok(audit('auth.sign-in').some((e) => e.details.channel === 'account' && e.target === person.id));
    // The account cookie opens nothing of the console.
    const api = await fetch(`${stack.edge.url}/api/v1/session`, {
      headers: { cookie: `mfp-account=${client.cookies.get('mfp-account')}` },
    });
    assert.equal(api.status, 401);
    const out = await client.post('/account/sign-out', { _csrf: field(page.body, '_csrf') });
    assert.equal(out.status, 200);
    assert.doesNotMatch((await client.get('/account/')).body, /Person phone/);
  });

  it('refuses a wrong password (audited) and a return path to another site', async () => {
    const client = new FormClient(stack.edge.url);
    const form = await client.get('/account/sign-in?return=//evil.example/x');
    assert.equal(field(form.body, 'return'), '/account/');
    const wrong = await client.post('/account/sign-in', {
      _csrf: field(form.body, '_csrf'),
      return: '/account/',
      email: await fresh(),
      password: 'not-the-password',
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /email or password is wrong/);
    assert.ok(
      audit('auth.sign-in-failed').some(
        (e) => e.details.channel === 'account' && e.details.code === 'INVALID_CREDENTIALS',
      ),
    );
    const forged = await fetch(`${stack.edge.url}/account/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
      body: 'email=a%40b.c&password=x',
    });
    assert.equal(forged.status, 403);
  });

  it('sends a user without a built-in password to the company sign-in, or says what to do', async () => {
    await admin(stack.edge, [
      'user',
      'add',
      '--email',
      'sso.only@demo.example',
      '--name',
      'SSO Only',
      '--no-builtin-password',
    ]);
    const client = new FormClient(stack.edge.url);
    const post = async () => {
      const form = await client.get('/account/sign-in?return=/account/');
      return client.post('/account/sign-in', {
        _csrf: field(form.body, '_csrf'),
        return: '/account/',
        email: 'SSO.Only@demo.example',
        password: 'whatever-typed',
      });
    };
    const none = await post();
    assert.equal(none.status, 403);
    assert.match(none.body, /no company sign-in set up/);
    stack.edge.people.policies.update(
      enterpriseId,
      { sso: { protocol: 'saml', metadataUrl: 'https://idp.example/metadata' } } as never,
      'test',
    );
    try {
      const form = await client.get('/account/sign-in?return=/account/');
      assert.match(form.body, /Sign in with your company/);
      const sent = await post();
      assert.equal(sent.status, 303);
      assert.equal(sent.location, '/auth/demo/sso/start?purpose=account&return=%2Faccount%2F');
    } finally {
      stack.edge.people.policies.update(enterpriseId, { sso: null } as never, 'test');
    }
  });

  async function promptPanel(name: string) {
    const device = addDevice(stack.edge, name, 'user-prompt');
    const panel = await PanelClient.connect(stack.wsUrl);
    await panel.request('hello', {
      protocolVersions: [1],
      deviceToken: device.token,
      app: { name: 'test', version: '1' },
    });
    return { device, panel };
  }

  it('a panel signs in from a phone: QR URL, sign-in on the phone, confirm; the code works once', async () => {
    const { panel } = await promptPanel('Phone printer 1');
    try {
      const begun = await panel.request('auth.phone.begin', {});
      assert.match(begun.userCode, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
      assert.equal(
        begun.verificationUriComplete,
        `${stack.edge.url}/auth/demo/device?user_code=${begun.userCode}`,
      );
      assert.match(begun.qrPng, /^data:image\/png;base64,/);
      const phone = new FormClient(stack.edge.url);
      const path =
        new URL(begun.verificationUriComplete).pathname + new URL(begun.verificationUriComplete).search;
      const away = await phone.get(path);
      assert.equal(away.status, 303);
      assert.equal(away.location, `/account/sign-in?return=${encodeURIComponent(path)}`);
      const back = await signIn(phone, path);
      assert.equal(back.status, 303);
      assert.equal(back.location, path);
      const confirm = await phone.get(path);
      assert.match(confirm.body, /_csrf/, confirm.body);
      assert.match(confirm.body, /Phone printer 1/);
      assert.match(confirm.body, new RegExp(begun.userCode));
      const approved = await phone.post('/auth/demo/device', {
        _csrf: field(confirm.body, '_csrf'),
        user_code: begun.userCode,
        decision: 'approve',
      });
      assert.equal(approved.status, 200, approved.body);
      const changed = await panel.waitForEvent('session.changed', (p) => p.user !== null, 2000);
      assert.match(changed.user!.email, /^phone\.person\d+@demo\.example$/);
      assert.ok(changed.session?.sessionToken);
      assert.ok(panel.events.some((e) => e.event === 'auth.phone.approved'));
      assert.ok(audit('auth.sign-in').some((e) => e.details.channel === 'phone' && e.target === person.id));
      assert.ok(audit('auth.phone-sign-in-confirm').length > 0);
      // Signed in: the panel may send (jobs.list needs a person).
      await panel.request('jobs.list', {});
      // Used: the same code again is refused, and audited.
      const again = await phone.post('/auth/demo/device', {
        _csrf: field(confirm.body, '_csrf'),
        user_code: begun.userCode,
        decision: 'approve',
      });
      assert.equal(again.status, 404);
      assert.match(again.body, /cannot be used/);
      assert.ok(audit('auth.phone-sign-in-refused').some((e) => e.details.reason === 'consumed'));
    } finally {
      panel.socket.close();
    }
  });

  it('RFC 8628 endpoints: our panels only; authorization_pending, slow_down (+5 s), the token once', async () => {
    const device = addDevice(stack.edge, 'Phone printer 3', 'user-prompt');
    const basic = `Basic ${Buffer.from(`${device.id}:${device.token}`).toString('base64')}`;
    const post = (path: string, body: Record<string, string>, auth = basic) =>
      fetch(`${stack.edge.url}/auth/demo/${path}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(body).toString(),
      });
    const stranger = await post('device_authorization', {}, `Basic ${Buffer.from('x:y').toString('base64')}`);
    assert.equal(stranger.status, 401);
    assert.equal(((await stranger.json()) as { error: string }).error, 'invalid_client');
    const shared = addDevice(stack.edge, 'Shared printer', 'shared-account');
    const notPrompt = await post(
      'device_authorization',
      {},
      `Basic ${Buffer.from(`${shared.id}:${shared.token}`).toString('base64')}`,
    );
    assert.equal(((await notPrompt.json()) as { error: string }).error, 'unauthorized_client');

    const start = async () => {
      const response = await post('device_authorization', {});
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      return (await response.json()) as Record<string, string | number>;
    };
    const grant = 'urn:ietf:params:oauth:grant-type:device_code';
    const poll = async (deviceCode: string) => {
      const response = await post('token', { grant_type: grant, device_code: String(deviceCode) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const first = await start();
    assert.equal(first.interval, 5);
    assert.ok(Number(first.expires_in) > 290 && Number(first.expires_in) <= 300);
    assert.equal(first.verification_uri, `${stack.edge.url}/auth/demo/device`);
    const pending = await poll(String(first.device_code));
    assert.deepEqual([pending.status, pending.body.error], [400, 'authorization_pending']);
    const fast = await poll(String(first.device_code));
    assert.deepEqual([fast.body.error, fast.body.interval], ['slow_down', 10]);

    // Confirmed on the phone before the first poll: the first poll gets the token, the second not.
    const second = await start();
    const phone = new FormClient(stack.edge.url);
    const path = `/auth/demo/device?user_code=${second.user_code}`;
    await signIn(phone, path);
    const confirm = await phone.get(path);
    await phone.post('/auth/demo/device', {
      _csrf: field(confirm.body, '_csrf'),
      user_code: String(second.user_code),
      decision: 'approve',
    });
    const token = await poll(String(second.device_code));
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.token_type, 'Bearer');
    // The token is that panel's session: hello resumes it for the person who confirmed.
    const panel = await PanelClient.connect(stack.wsUrl);
    try {
      const hello = await panel.request('hello', {
        protocolVersions: [1],
        deviceToken: device.token,
        app: { name: 'test', version: '1' },
        sessionToken: String(token.body.access_token),
      });
      assert.equal(hello.user?.email, `phone.person${people}@demo.example`);
    } finally {
      panel.socket.close();
    }
    const reused = await poll(String(second.device_code));
    assert.deepEqual([reused.status, reused.body.error], [400, 'invalid_grant']);
    const huge = await post('token', { grant_type: grant, device_code: 'x'.repeat(20_000) });
    assert.deepEqual(
      [huge.status, ((await huge.json()) as { error: string }).error],
      [400, 'invalid_request'],
    );
    const wrongGrant = await post('token', { grant_type: 'password', device_code: 'x' });
    assert.equal(((await wrongGrant.json()) as { error: string }).error, 'unsupported_grant_type');
  });

  it('a denial on the phone shows on the panel; a guessed code is refused and rate-limited', async () => {
    const { panel } = await promptPanel('Phone printer 2');
    try {
      const begun = await panel.request('auth.phone.begin', {});
      const phone = new FormClient(stack.edge.url);
      const path = `/auth/demo/device?user_code=${begun.userCode}`;
      await signIn(phone, path);
      const confirm = await phone.get(path);
      assert.match(confirm.body, /_csrf/, confirm.body);
      const denied = await phone.post('/auth/demo/device', {
        _csrf: field(confirm.body, '_csrf'),
        user_code: begun.userCode,
        decision: 'deny',
      });
      assert.match(denied.body, /Sign-in denied/, `${denied.status} ${denied.body.slice(-600)}`);
      await panel.waitForEvent('auth.phone.denied', () => true, 2000);
      assert.equal(
        panel.events.filter((e) => e.event === 'session.changed' && (e.payload as { user: unknown }).user)
          .length,
        0,
      );
      // Guesses: refused and audited each, then rate-limited.
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await phone.get('/auth/demo/device?user_code=BBBB-BBBB')).status);
      assert.equal(statuses.at(-1), 429, statuses.join(' '));
      assert.ok(
        audit('auth.phone-sign-in-refused').filter((e) => e.details.reason === 'unknown').length >= 9,
      );
    } finally {
      panel.socket.close();
    }
  });

  it('SSO enterprise: device-login matches the MFP person case-insensitively, shared-account works, user-prompt offers the phone first', async () => {
    stack.edge.people.policies.update(
      enterpriseId,
      { sso: { protocol: 'saml', metadataUrl: 'https://idp.example/metadata' } } as never,
      'test',
    );
    const hello = (token: string, panel: PanelClient) =>
      panel.request('hello', {
        protocolVersions: [1],
        deviceToken: token,
        app: { name: 'test', version: '1' },
      });
    const sim = (method: string, body?: unknown) =>
      fetch(`${stack.simulator.url}/sim/api/device-login`, {
        method,
        headers: body ? { 'content-type': 'application/json' } : {},
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    try {
      // device-login: the MFP says Alice.Martin@Demo.Example, the account is alice.martin@demo.example.
      await sim('DELETE');
      const login = stack.panels.find((p) => p.mode === 'device-login')!;
      const loginPanel = await PanelClient.connect(stack.wsUrl);
      try {
        await hello(/device-token=([\w-]+)/.exec(login.panelUrl)![1]!, loginPanel);
        assert.equal((await sim('PUT', { pin: '1111' })).status < 300, true);
        const changed = await loginPanel.waitForEvent('session.changed', (p) => p.user !== null, 10000);
        assert.equal(changed.user!.email, 'alice.martin@demo.example');
        await loginPanel.request('jobs.list', {});
      } finally {
        loginPanel.socket.close();
        await sim('DELETE');
      }
      // shared-account: signed in from hello, as before.
      const shared = await PanelClient.connect(stack.wsUrl);
      try {
        const reply = await hello(stack.token, shared);
        assert.ok(reply.user);
        await shared.request('jobs.list', {});
      } finally {
        shared.socket.close();
      }
      // user-prompt: the policy view says the company signs in (the panel opens the phone first).
      const device = addDevice(stack.edge, 'SSO prompt printer', 'user-prompt');
      const prompt = await PanelClient.connect(stack.wsUrl);
      try {
        const reply = await hello(device.token, prompt);
        assert.equal(reply.policy?.companySignIn, true);
        assert.match((await prompt.request('auth.phone.begin', {})).userCode, /^[A-Z]{4}-[A-Z]{4}$/);
      } finally {
        prompt.socket.close();
      }
    } finally {
      stack.edge.people.policies.update(enterpriseId, { sso: null } as never, 'test');
    }
  });
});
