import assert from 'node:assert/strict';
import { textPageJpeg } from '../../helpers/sample-page.ts';
import { PeopleEdge, until } from './people-harness.ts';

/* device-login at the panel: the person comes from the MFP's own sign-in (a fake DeviceIdentity). */
describe('panel people path: device-login (service)', function () {
  this.timeout(60_000);
  let t: PeopleEdge;
  let page: Buffer;

  before(async () => {
    page = await textPageJpeg(150);
  });

  beforeEach(async () => {
    t = await new PeopleEdge().start();
    t.scanner.pages = [page];
  });

  afterEach(async () => {
    await t.stop();
  });

  it('the person signed in at the MFP is the panel user (email matched case-insensitively, no built-in password needed); the fax is theirs', async () => {
    const alice = await t.user(
      { email: 'alice.martin@acme.test', displayName: 'Alice Martin', builtinPasswordDisabled: true },
      null,
    );
    const device = t.device('device-login');
    const { client, hello } = await t.connect(device.token);
    assert.equal(hello.user, null);
    t.identity.set({ name: 'Alice Martin', email: 'Alice.Martin@ACME.test' });
    const signed = await client.waitForEvent('session.changed', (p) => p.user !== null, 2000);
    assert.equal(signed.user?.displayName, 'Alice Martin');
    assert.ok(signed.session?.sessionToken);
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    assert.equal(t.edge.repositories.jobs.get(job.id)?.userId, alice.id);
    await client.waitForJob((j) => j.id === job.id && j.state === 'delivered');
    await until(() => t.mailsTo(alice.email, /Fax to .* delivered/).length === 1, 5000, 'receipt');

    // A second panel of the device shows her at hello.
    const second = await t.connect(device.token);
    assert.equal(second.hello.user?.email, alice.email);
    assert.equal(t.identity.watches, 1, 'one watch per device');
  });

  it('signing out at the MFP ends the panel session at once, but the running send completes', async () => {
    await t.user({ email: 'bruno@acme.test', displayName: 'Bruno' }, null);
    const { client } = await t.connect(t.device('device-login').token);
    t.identity.set({ name: 'Bruno', email: 'BRUNO@acme.test' });
    await client.waitForEvent('session.changed', (p) => p.user !== null, 2000);
    t.faxLine.pollsPerJob = 1_000_000;
    const { job } = await client.request('fax.send', { recipients: ['+12125550100'] });
    await client.waitForJob((j) => j.id === job.id && j.state === 'sending');
    t.identity.set(null);
    const ended = await client.waitForEvent('session.changed', (p) => p.user === null, 1000);
    assert.equal(ended.reason, 'device-sign-out');
    await assert.rejects(client.request('fax.send', { recipients: ['+12125550100'] }), {
      code: 'AUTH_REQUIRED',
    });
    const heard = client.events.length;
    t.faxLine.pollsPerJob = 0;
    await until(() => t.edge.repositories.jobs.get(job.id)?.state === 'delivered', 10_000, 'delivered');
    // The panel now belongs to whoever comes next: it hears nothing more of Bruno's fax.
    assert.ok(client.events.slice(heard).every((e) => e.event !== 'job.updated'));
  });

  it('a person without an account gets UNKNOWN_USER naming them and the enterprise; nothing works', async () => {
    const { client } = await t.connect(t.device('device-login').token);
    t.identity.set({ name: 'Zoë Stranger', email: 'zoe@elsewhere.test' });
    const refused = await client.waitForEvent('session.changed', (p) => p.code === 'UNKNOWN_USER', 2000);
    assert.equal(refused.user, null);
    assert.match(
      refused.message ?? '',
      /Zoë Stranger is signed in at the printer but has no account in Acme Corp/,
    );
    await assert.rejects(client.request('jobs.list', {}), { code: 'AUTH_REQUIRED' });
  });

  it('the identity is never taken from the browser: hello payloads and session tokens cannot set it', async () => {
    const carol = await t.user({ email: 'carol@acme.test', displayName: 'Carol' }, null);
    const device = t.device('device-login');
    const prompt = t.device('user-prompt');
    // A valid session of Carol's on another device, and made-up fields: none of it counts.
    const issued = await t.edge.people.sessions.create({
      userId: carol.id,
      deviceId: prompt.id,
      enterpriseId: t.enterpriseId,
    });
    const { client, hello } = await t.connect(device.token, {
      sessionToken: issued.token,
      user: { email: carol.email, displayName: 'Carol' },
      email: carol.email,
    });
    assert.equal(hello.user, null);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(client.eventsOf('session.changed').length, 0);
    await assert.rejects(client.request('fax.send', { recipients: ['+12125550100'] }), {
      code: 'AUTH_REQUIRED',
    });
    await assert.rejects(client.request('auth.password', { email: carol.email, password: 'x' }), {
      code: 'AUTH_MODE_MISMATCH',
    });
  });

  it('revocations hold for device-login sessions: disabling the user ends it', async () => {
    const dmitri = await t.user({ email: 'd.ivanov@acme.test', displayName: 'Dmitri' }, null);
    const { client } = await t.connect(t.device('device-login').token);
    t.identity.set({ name: 'Dmitri', email: 'D.Ivanov@Acme.Test' });
    await client.waitForEvent('session.changed', (p) => p.user !== null, 2000);
    t.edge.people.users.update(dmitri.id, { disabledAt: new Date().toISOString() });
    await assert.rejects(client.request('jobs.list', {}), { code: 'SESSION_REVOKED' });
    assert.equal(client.eventsOf('session.changed').at(-1)?.reason, 'disabled');
  });

  it('a device-login device without an identity driver (no admin credential) fails closed with DEVICE_CREDENTIAL_MISSING', async () => {
    await t.user({ email: 'erin@acme.test', displayName: 'Erin' }, null);
    const { client, hello } = await t.connect(t.device('device-login', { identity: false }).token);
    assert.equal(hello.user, null);
    const refused = await client.waitForEvent(
      'session.changed',
      (p) => p.code === 'DEVICE_CREDENTIAL_MISSING',
      2000,
    );
    assert.match(refused.message ?? '', /no admin credential/);
    await assert.rejects(client.request('fax.send', { recipients: ['+12125550100'] }), {
      code: 'AUTH_REQUIRED',
    });
  });
});
