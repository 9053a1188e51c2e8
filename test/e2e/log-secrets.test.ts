import assert from 'node:assert/strict';
import { ApiClient, createAccount, ensureEnterprise } from '../helpers/api-client.ts';
import { startStack, type Stack } from '../helpers/edge-and-simulator.ts';
import { PanelClient } from '../helpers/panel-client.ts';
import { captureLogs } from '../edge-service/mail/log-capture.ts';

/*
 * Secrets never reach the logs (issue 14): a run at the most talkative level through what handles
 * secrets — panel credentials, a password sign-in with a forced change, a console sign-in with TOTP,
 * a console session and its CSRF token, a personal API token, a SCIM token, a pairing's device code
 * and the device credential it yields, a fax — and then the whole log is searched for each of them.
 */
describe('the logs of a full run hold no secret', function () {
  this.timeout(180_000);
  const logs = captureLogs();
  let stack: Stack;
  const panels: PanelClient[] = [];
  const secrets = new Map<string, string>();
  before(async () => {
    stack = await startStack({ logger: logs.logger });
  });
  after(async () => {
    for (const panel of panels) panel.close();
    await stack?.stop();
  });

  async function panel(token: string | null): Promise<PanelClient> {
    const client = await PanelClient.connect(stack.wsUrl);
    panels.push(client);
    if (token)
      await client.request('hello', {
        protocolVersions: [1],
        deviceToken: token,
        app: { name: 'logs', version: '1' },
      });
    return client;
  }

  it('goes through sign-ins, tokens, pairing and a fax', async () => {
    const tokenOf = (mode: string) =>
      /device-token=([\w-]+)/.exec(stack.panels.find((p) => p.mode === mode)!.panelUrl)![1]!;
    for (const demo of stack.panels) secrets.set(`device token of ${demo.mode}`, tokenOf(demo.mode));
    const shared = await panel(stack.token);
    const { job } = await shared.request('fax.send', { recipients: ['+12125550100'] });

    const promptToken = tokenOf('user-prompt');
    const prompt = await panel(promptToken);
    secrets.set('initial password', stack.promptPassword!);
    const first = await prompt.request('auth.password', {
      email: 'pat.lee@demo.example',
      password: stack.promptPassword!,
    });
    assert.equal(first.step, 'change-password');
    const chosen = 'a brand new passphrase 42';
    secrets.set('new password', chosen);
    const changed = await prompt.request('auth.changePassword', {
      stepToken: (first as { stepToken: string }).stepToken,
      password: chosen,
    });
    secrets.set('panel step token', (first as { stepToken: string }).stepToken);
    if ('sessionToken' in changed && typeof changed.sessionToken === 'string')
      secrets.set('panel session', changed.sessionToken);

    const enterprise = ensureEnterprise(stack.edge, 'Demo Enterprise', 'demo');
    const admin = await createAccount(stack.edge, { enterprise, email: 'ops@demo.example' });
    secrets.set('admin password', admin.password);
    secrets.set('admin TOTP secret', admin.totpSecret!);
    const api = new ApiClient(stack.edge.url);
    api.origin = stack.edge.url;
    const done = await api.signIn(admin);
    secrets.set('console cookie', api.cookie!.split('=')[1]!);
    secrets.set('CSRF token', done.csrfToken);
    const token = await api.request('POST', '/tokens', { name: 'logs', expiresInDays: 30 });
    assert.equal(token.status, 201, JSON.stringify(token.body));
    secrets.set('API token', token.body.token);
    const scim = await api.request('POST', '/enterprises/demo/scim/tokens', { name: 'Entra ID' });
    assert.equal(scim.status, 201, JSON.stringify(scim.body));
    secrets.set('SCIM token', scim.body.token);
    const scimUsers = await fetch(`${stack.edge.url}/scim/v2/demo/Users`, {
      headers: { authorization: `Bearer ${scim.body.token}` },
    });
    assert.equal(scimUsers.status, 200);
    const wrong = await fetch(`${stack.edge.url}/scim/v2/demo/Users`, {
      headers: { authorization: 'Bearer mfps_not-the-right-one-at-all' },
    });
    assert.equal(wrong.status, 401);

    const pairing = await panel(null);
    const begun = await pairing.request('pairing.begin', { app: { name: 'logs', version: '1' } });
    secrets.set('pairing device code', begun.deviceCode);
    const approved = await api.request(
      'POST',
      `/enterprises/demo/pairings/${begun.userCode.replace('-', '')}/approve`,
      {
        name: 'Logged MFP',
        authMode: 'user-prompt',
      },
    );
    assert.equal(approved.status, 201, JSON.stringify(approved.body));
    const claimed = await pairing.request('pairing.claim', { deviceCode: begun.deviceCode });
    secrets.set('claimed device token', claimed.deviceToken);
    await panel(claimed.deviceToken);

    await shared.waitForJob((j) => j.id === job.id && j.state === 'delivered', 90_000);
  });

  it('answers every request with a request id, keeping a plain one a proxy sent', async () => {
    const kept = await fetch(`${stack.edge.url}/healthz`, { headers: { 'x-request-id': 'proxy-4711' } });
    assert.equal(kept.headers.get('x-request-id'), 'proxy-4711');
    const made = await fetch(`${stack.edge.url}/api/v1/nowhere`, {
      headers: { 'x-request-id': 'not a plain id; <script>' },
    });
    assert.match(made.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });

  it('and no secret is anywhere in what was logged', () => {
    const text = logs.text();
    process.stdout.write(`      ${text.split('\n').length} log lines searched for ${secrets.size} secrets\n`);
    assert.ok(text.split('\n').length > 20, `the run was logged:\n${text}`);
    for (const [name, value] of secrets) {
      assert.ok(value.length >= 8, name);
      assert.equal(text.includes(value), false, `the ${name} is in the logs`);
    }
  });
});
