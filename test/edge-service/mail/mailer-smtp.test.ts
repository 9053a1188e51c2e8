import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { Mailer, type MailRetryPolicy } from '../../../edge-service/src/mail/mailer.ts';
import { createMail } from '../../../edge-service/src/mail/mail-setup.ts';
import { SmtpTransport, smtpOptionsFromUrl } from '../../../edge-service/src/mail/smtp-transport.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { captureLogs } from './log-capture.ts';
import { parseMime } from './parse-mime.ts';
import { TestSmtpServer, waitFor } from './smtp-test-server.ts';

const PASSWORD = 'p@ss:w/rd%sécret';
const MINUTE = 60_000;
const RETRY: MailRetryPolicy = {
  firstDelayMs: MINUTE,
  factor: 2,
  maxDelayMs: 60 * MINUTE,
  giveUpAfterMs: 24 * 60 * MINUTE,
};
const silent = createLogger({ level: 'silent' });

function urlFor(server: TestSmtpServer): string {
  return `smtp://edge%40demo.example:${encodeURIComponent(PASSWORD)}@127.0.0.1:${server.port}`;
}

const mail = (n = 1) => ({
  kind: 'test',
  to: `user${n}@example.com`,
  toName: 'Zoé Müller',
  subject: `Réinitialisation ${n}`,
  text: `Lien : https://edge.example/reset#token=SECRET-${n}\n`,
  html: `<p>Lien : https://edge.example/reset#token=SECRET-${n}</p>`,
});

describe('Mailer over SMTP (a real smtp-server on 127.0.0.1)', function () {
  this.timeout(15000);
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let server: TestSmtpServer;
  let clock: number;
  const mailers: Mailer[] = [];

  const newMailer = (url: string, options: { logger?: typeof silent; password?: string } = {}) => {
    const mailer = new Mailer({
      db,
      transport: new SmtpTransport(smtpOptionsFromUrl(url, options.password)),
      from: 'mfp-edge <no-reply@edge.example>',
      logger: options.logger ?? silent,
      retry: RETRY,
      now: () => clock,
    });
    mailers.push(mailer);
    return mailer;
  };

  beforeEach(async () => {
    dir = tempDir('mfp-mail-');
    db = openDatabase(join(dir.path, 'edge.db'));
    clock = Date.parse('2024-03-01T08:00:00Z');
    server = new TestSmtpServer({ 'edge@demo.example': PASSWORD });
    await server.start(0);
  });

  afterEach(async () => {
    for (const mailer of mailers.splice(0)) await mailer.stop();
    await server.stop();
    db.close();
    dir.remove();
  });

  it('delivers a queued message with AUTH from the URL, and the sender loop does it by itself', async () => {
    const mailer = newMailer(urlFor(server));
    mailer.start();
    const queued = mailer.enqueue(mail());
    assert.equal(mailer.get(queued.id)!.state, 'queued', 'enqueue returns once stored, before any delivery');
    await waitFor(() => mailer.get(queued.id)!.state === 'sent', 'the message to be delivered');
    assert.deepEqual(server.logins, [{ user: 'edge@demo.example', pass: PASSWORD }]);
    assert.equal(server.received.length, 1);
    const [got] = server.received;
    assert.equal(got!.user, 'edge@demo.example');
    assert.equal(got!.from, 'no-reply@edge.example');
    assert.deepEqual(got!.to, ['user1@example.com']);
    const parsed = parseMime(got!.raw);
    assert.equal(parsed.headers.get('subject'), 'Réinitialisation 1');
    assert.equal(parsed.headers.get('to'), 'Zoé Müller <user1@example.com>');
    assert.equal(parsed.headers.get('message-id'), queued.messageId);
    assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
    assert.equal(parsed.headers.get('date'), 'Fri, 01 Mar 2024 08:00:00 +0000');
    assert.match(parsed.parts[0]!.body, /token=SECRET-1/);
    const record = mailer.get(queued.id)!;
    assert.equal(record.attempts, 1);
    assert.equal(record.content, null, 'the content (and its link) is cleared once delivered');
  });

  it('takes the password from the separate setting when the URL carries only the user', async () => {
    const mailer = newMailer(`smtp://edge%40demo.example@127.0.0.1:${server.port}`, { password: PASSWORD });
    const { id } = mailer.enqueue(mail());
    assert.equal(await mailer.deliverDue(), 1);
    assert.equal(mailer.get(id)!.state, 'sent');
    assert.equal(server.received.length, 1);
  });

  it('retries with back-off while the server is down and delivers when it is back', async () => {
    const port = server.port;
    await server.stop();
    const mailer = newMailer(urlFor(server));
    const { id } = mailer.enqueue(mail());
    assert.equal(await mailer.deliverDue(), 1);
    let record = mailer.get(id)!;
    assert.equal(record.state, 'queued');
    assert.equal(record.attempts, 1);
    assert.equal(record.nextAttemptAt, new Date(clock + MINUTE).toISOString());
    assert.match(record.lastError!, /ECONNECTION|ECONNREFUSED/);
    assert.equal(await mailer.deliverDue(), 0, 'not retried before its time');
    clock += MINUTE;
    assert.equal(await mailer.deliverDue(), 1);
    record = mailer.get(id)!;
    assert.equal(record.nextAttemptAt, new Date(clock + 2 * MINUTE).toISOString(), 'the wait doubles');
    clock += 2 * MINUTE;
    await server.start(port);
    assert.equal(await mailer.deliverDue(), 1);
    record = mailer.get(id)!;
    assert.equal(record.state, 'sent');
    assert.equal(record.attempts, 3);
    assert.equal(server.received.length, 1);
  });

  it('retries a 4xx reply, and gives up at once on a permanent 5xx', async () => {
    const mailer = newMailer(urlFor(server));
    let reply: { responseCode: number; message: string } | null = {
      responseCode: 451,
      message: 'Try again later',
    };
    server.refuse = () => reply;
    const { id } = mailer.enqueue(mail());
    await mailer.deliverDue();
    assert.equal(mailer.get(id)!.state, 'queued');
    assert.match(mailer.get(id)!.lastError!, /451/);
    reply = { responseCode: 550, message: 'No such user here' };
    clock += MINUTE;
    await mailer.deliverDue();
    const record = mailer.get(id)!;
    assert.equal(record.state, 'failed');
    assert.equal(record.attempts, 2);
    assert.match(record.lastError!, /550/);
    assert.equal(record.content, null);
    const attempts = server.rcptAttempts;
    clock += 48 * 60 * MINUTE;
    assert.equal(await mailer.deliverDue(), 0);
    assert.equal(server.rcptAttempts, attempts, 'a refused message is never tried again');
  });

  it('gives up after the bound while the server stays down', async () => {
    await server.stop();
    const mailer = newMailer(urlFor(server));
    const created = clock;
    const { id } = mailer.enqueue(mail());
    let passes = 0;
    while (mailer.get(id)!.state === 'queued') {
      assert.ok(++passes < 60, 'the back-off ends');
      clock = Date.parse(mailer.get(id)!.nextAttemptAt);
      await mailer.deliverDue();
    }
    const record = mailer.get(id)!;
    assert.equal(record.state, 'failed');
    assert.equal(clock, created + RETRY.giveUpAfterMs, 'the last try is at the bound, not beyond');
    // 1, 2, 4 … 32 minutes, then hourly up to 24 h: about 30 tries, not thousands.
    assert.ok(record.attempts >= 20 && record.attempts <= 35, `${record.attempts} attempts`);
  });

  it('retries a failed login (the configuration, not the message, is wrong)', async () => {
    const mailer = newMailer(`smtp://edge%40demo.example:wrong@127.0.0.1:${server.port}`);
    const { id } = mailer.enqueue(mail());
    await mailer.deliverDue();
    assert.equal(mailer.get(id)!.state, 'queued');
    assert.match(mailer.get(id)!.lastError!, /EAUTH/);
  });

  it('resumes the queue after a restart', async () => {
    const port = server.port;
    await server.stop();
    const first = newMailer(urlFor(server));
    first.start();
    const a = first.enqueue(mail(1));
    const b = first.enqueue(mail(2));
    await waitFor(() => first.get(b.id)!.attempts === 1, 'both to be tried once');
    await first.stop();
    db.close();

    db = openDatabase(join(dir.path, 'edge.db'));
    await server.start(port);
    clock += MINUTE;
    const second = newMailer(urlFor(server));
    second.start();
    await waitFor(() => server.received.length === 2, 'both messages after the restart');
    await waitFor(() => second.get(b.id)?.state === 'sent', 'the records to say sent');
    assert.equal(second.get(a.id)!.state, 'sent');
    assert.deepEqual(server.received.map((m) => m.to[0]).sort(), ['user1@example.com', 'user2@example.com']);
  });

  it('logs ids and kinds, never the password, the address or a link', async () => {
    const logs = captureLogs();
    const mailer = newMailer(urlFor(server), { logger: logs.logger });
    mailer.start();
    server.refuse = () => ({ responseCode: 451, message: 'Greylisted user1@example.com' });
    const { id } = mailer.enqueue(mail());
    await waitFor(() => mailer.get(id)!.attempts === 1, 'a failed attempt');
    server.refuse = null;
    clock += MINUTE;
    await mailer.deliverDue();
    assert.equal(mailer.get(id)!.state, 'sent');
    await mailer.stop();
    const text = logs.text();
    assert.ok(text.includes(id) && text.includes('"kind":"test"'), text);
    for (const secret of [
      PASSWORD,
      encodeURIComponent(PASSWORD),
      'SECRET-1',
      'token=',
      'user1@example.com',
      'edge@demo',
    ]) {
      assert.ok(!text.includes(secret), `logs contain ${secret}`);
    }
  });

  it('wires an SMTP transport from the configuration', async () => {
    const { mailer, notifier } = createMail({
      config: { smtpUrl: urlFor(server), mailFrom: 'Demo <no-reply@demo.example>' },
      db,
      dataDir: dir.path,
      logger: silent,
    });
    mailers.push(mailer);
    mailer.start();
    notifier.passwordChanged({ to: 'ana@example.com', name: 'Ana', language: 'de' });
    await waitFor(() => server.received.length === 1, 'the notification');
    assert.equal(parseMime(server.received[0]!.raw).headers.get('subject'), 'Ihr Passwort wurde geändert');
  });
});
