import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../../edge-service/src/config.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { createMail, createMailTransport } from '../../../edge-service/src/mail/mail-setup.ts';
import { OutboxTransport } from '../../../edge-service/src/mail/outbox-transport.ts';
import { SmtpTransport, smtpOptionsFromUrl } from '../../../edge-service/src/mail/smtp-transport.ts';
import { renderNotification } from '../../../edge-service/src/mail/mail-templates.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { parseMime } from './parse-mime.ts';

const NAME = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-f-]{36}\.eml$/;

describe('mail outbox (no SMTP configured)', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;

  beforeEach(() => {
    dir = tempDir('mfp-outbox-');
    db = openDatabase(join(dir.path, 'edge.db'));
  });
  afterEach(() => {
    db.close();
    dir.remove();
  });

  it('writes each message as an RFC 5322 .eml file, named by time, with nothing half-written', async () => {
    const { config } = loadConfig({ dataDir: dir.path }, {});
    let clock = Date.parse('2024-05-02T10:00:00Z');
    const { mailer, notifier } = createMail({
      config,
      db,
      dataDir: dir.path,
      logger: createLogger({ level: 'silent' }),
      now: () => clock,
    });
    const reader = {
      to: 'zoe@example.com',
      name: 'Zoé "<b>" Lefèvre',
      language: 'fr',
      timeZone: 'Europe/Paris',
    };
    const reset = {
      url: 'https://edge.example/reset#token=abc',
      at: new Date(clock),
      expiresAt: new Date(clock + 86_400_000),
    };
    const first = notifier.passwordReset({ ...reader, ...reset });
    clock += 1500;
    const second = notifier.welcome({ ...reader, enterpriseName: 'Démo' });
    assert.equal(await mailer.deliverDue(), 2);

    const outbox = join(dir.path, 'outbox');
    const files = readdirSync(outbox);
    assert.deepEqual(files, [...files].sort());
    assert.equal(files.length, 2, `only the messages, no temp files: ${files.join(', ')}`);
    assert.ok(files.every((f) => NAME.test(f)));
    assert.ok(files[0]!.startsWith('20240502T100000.000Z-') && files[0]!.includes(first.id));
    assert.ok(files[1]!.startsWith('20240502T100001.500Z-') && files[1]!.includes(second.id));

    const raw = readFileSync(join(outbox, files[0]!), 'utf8');
    assert.ok(!/[^\r]\n/.test(raw), 'CRLF line ends');
    assert.ok(
      raw.split('\r\n').every((line) => line.length <= 998),
      'RFC 5322 line length',
    );
    assert.ok(/^[\x20-\x7e\r\n\t]*$/.test(raw), '7-bit clean: non-ASCII is encoded');
    const mail = parseMime(raw);
    const expected = renderNotification('password-reset', reader, reset);
    assert.equal(mail.headers.get('from'), '"mfp-edge" <no-reply@localhost>');
    // The hostile display name travels as one RFC 2047 encoded word: no specials reach the header.
    assert.match(raw, /\r\nTo: =\?UTF-8\?[QB]\?[^\s<>"]+\?= <zoe@example\.com>\r\n/);
    assert.equal(mail.headers.get('to'), 'Zoé "<b>" Lefèvre <zoe@example.com>');
    assert.equal(mail.headers.get('subject'), expected.subject);
    assert.equal(mail.headers.get('message-id'), first.messageId);
    assert.equal(mail.headers.get('date'), 'Thu, 02 May 2024 10:00:00 +0000');
    assert.equal(mail.headers.get('mime-version'), '1.0');
    assert.match(mail.headers.get('content-type')!, /^multipart\/alternative;/);
    assert.deepEqual(
      mail.parts.map((p) => p.headers.get('content-type')),
      ['text/plain; charset=utf-8', 'text/html; charset=utf-8'],
    );
    assert.equal(mail.parts[0]!.body, expected.text.replace(/\n/g, '\r\n'));
    assert.equal(mail.parts[1]!.body, expected.html.replace(/\n/g, '\r\n'));
    assert.equal(mailer.get(first.id)!.state, 'sent');
  });

  it('picks SMTP only when a URL is configured', () => {
    assert.ok(createMailTransport(loadConfig({}, {}).config, dir.path) instanceof OutboxTransport);
    const { config } = loadConfig(
      {},
      { MFP_EDGE_SMTP_URL: 'smtps://mail.example', MFP_EDGE_MAIL_FROM: 'X <x@y.z>' },
    );
    const transport = createMailTransport(config, dir.path);
    assert.ok(transport instanceof SmtpTransport);
    assert.equal(transport.description, 'smtps://mail.example:465');
    assert.equal(config.mailFrom, 'X <x@y.z>');
  });
});

describe('mail configuration', () => {
  it('reads MFP_EDGE_SMTP_URL, MFP_EDGE_SMTP_PASSWORD and MFP_EDGE_MAIL_FROM', () => {
    const { config } = loadConfig(
      {},
      {
        MFP_EDGE_SMTP_URL: 'smtp://relay@mail.example:2525',
        MFP_EDGE_SMTP_PASSWORD: 's3cret',
        MFP_EDGE_MAIL_FROM: 'Fax <fax@example.com>',
      },
    );
    assert.equal(config.smtpUrl, 'smtp://relay@mail.example:2525');
    assert.equal(config.smtpPassword, 's3cret');
    assert.equal(config.mailFrom, 'Fax <fax@example.com>');
    assert.equal(loadConfig({}, {}).config.mailFrom, 'mfp-edge <no-reply@localhost>');
    assert.throws(() => loadConfig({ smtpUrl: 'http://mail.example' }, {}), /smtpUrl/);
  });

  it('turns the URL into nodemailer options: STARTTLS when offered, TLS for smtps, credentials decoded', () => {
    assert.deepEqual(
      (({ host, port, secure, auth }) => ({ host, port, secure, auth }))(
        smtpOptionsFromUrl('smtp://me%40x.org:a%3Ab%40c@mail.example'),
      ),
      { host: 'mail.example', port: 587, secure: false, auth: { user: 'me@x.org', pass: 'a:b@c' } },
    );
    const tls = smtpOptionsFromUrl('smtps://me@[::1]:4650', 'from-env');
    assert.equal(tls.host, '::1');
    assert.equal(tls.port, 4650);
    assert.equal(tls.secure, true);
    assert.deepEqual(tls.auth, { user: 'me', pass: 'from-env' });
    assert.equal(smtpOptionsFromUrl('smtp://mail.example:25').auth, undefined);
    assert.equal(
      smtpOptionsFromUrl('smtp://mail.example').ignoreTLS,
      undefined,
      'STARTTLS is used when offered',
    );
  });
});
