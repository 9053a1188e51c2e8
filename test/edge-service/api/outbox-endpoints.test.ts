import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { outboxEndpoints } from '../../../edge-service/src/api/outbox-endpoints.ts';
import { loadConfig } from '../../../edge-service/src/config.ts';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import type { EnterpriseRecord } from '../../../edge-service/src/domain/device.ts';
import type { UserAccount } from '../../../edge-service/src/domain/user.ts';
import { EdgeError } from '../../../edge-service/src/edge-error.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { MailOutbox, REDACTED_LINK } from '../../../edge-service/src/mail/mail-outbox.ts';
import { createMail } from '../../../edge-service/src/mail/mail-setup.ts';
import type { Mailer } from '../../../edge-service/src/mail/mailer.ts';
import type { Notifier } from '../../../edge-service/src/mail/notifier.ts';
import { SqliteDirectoryRepository } from '../../../edge-service/src/storage/sqlite-device-repository.ts';
import { SqliteUserRepository } from '../../../edge-service/src/storage/sqlite-user-repository.ts';
import { tempDir } from '../../helpers/temp-dir.ts';
import { actorOf, call } from './endpoint-context.ts';

interface Item {
  id: string;
  kind: string;
  to: string;
  subject: string | null;
  state: string;
  queuedAt: string;
  sentAt: string | null;
}
interface Message extends Item {
  headers: { name: string; value: string }[];
  text: string | null;
  linksRemoved: boolean;
  source: string;
}

const RESET_URL = 'https://edge.example/account/reset#token=s3cret-reset-token';
const SIGN_IN_URL = 'https://edge.example/admin/';

/*
 * The outbox endpoints on the real mail path: the Notifier renders, the Mailer queues in SQLite and
 * delivers to the outbox folder (no SMTP configured), and the console reads the queue and the .eml.
 */
describe('outbox endpoints', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Db;
  let mailer: Mailer;
  let notifier: Notifier;
  let acme: EnterpriseRecord;
  let admin: UserAccount;
  let endpoints: ReturnType<typeof outboxEndpoints>;
  let clock = Date.parse('2026-12-01T09:00:00Z');

  beforeEach(() => {
    dir = tempDir('mfp-outbox-api-');
    db = openDatabase(join(dir.path, 'edge.db'));
    const { config } = loadConfig({ dataDir: dir.path }, {});
    ({ mailer, notifier } = createMail({
      config,
      db,
      dataDir: dir.path,
      logger: createLogger({ level: 'silent' }),
      now: () => clock,
    }));
    const directory = new SqliteDirectoryRepository(db);
    const users = new SqliteUserRepository(db);
    acme = directory.createEnterprise('Acme', 'acme');
    const other = directory.createEnterprise('Other', 'other');
    admin = users.create({
      enterpriseId: acme.id,
      email: 'admin@acme.test',
      displayName: 'Ada',
      role: 'admin',
    });
    users.create({ enterpriseId: acme.id, email: 'Zoe@Acme.test', displayName: 'Zoé Lefèvre' });
    users.create({ enterpriseId: other.id, email: 'bob@other.test', displayName: 'Bob' });
    endpoints = outboxEndpoints({ outbox: new MailOutbox({ db, outboxDir: join(dir.path, 'outbox') }) });
  });
  afterEach(async () => {
    await mailer.stop();
    db.close();
    dir.remove();
  });

  const reader = (to: string, name: string) => ({ to, name, language: 'fr', timeZone: 'Europe/Paris' });
  const as = (query: Record<string, string> = {}, params?: Record<string, string>) => ({
    enterprise: acme,
    actor: actorOf(admin),
    query,
    ...(params ? { params } : {}),
  });

  function send() {
    const reset = notifier.passwordReset({
      ...reader('zoe@acme.test', 'Zoé Lefèvre'),
      url: RESET_URL,
      expiresAt: new Date(clock + 86_400_000),
    });
    clock += 1000;
    const welcome = notifier.welcome({
      ...reader('zoe@acme.test', 'Zoé Lefèvre'),
      enterpriseName: 'Acme',
      signInUrl: SIGN_IN_URL,
    });
    clock += 1000;
    const elsewhere = notifier.welcome({ ...reader('bob@other.test', 'Bob'), enterpriseName: 'Other' });
    return { reset, welcome, elsewhere };
  }

  it("lists the enterprise users' mail only, newest first, queued then sent", async () => {
    const { reset, welcome, elsewhere } = send();
    const queued = (await call(endpoints, 'listOutbox', as())) as { items: Item[]; total: number };
    assert.equal(queued.total, 2, 'Bob is in another enterprise');
    assert.deepEqual(
      queued.items.map((i) => [i.id, i.kind, i.state, i.sentAt]),
      [
        [welcome.id, 'welcome', 'queued', null],
        [reset.id, 'password-reset', 'queued', null],
      ],
    );
    assert.equal(queued.items[0]!.to, 'zoe@acme.test', 'matched to Zoe@Acme.test whatever the case');

    assert.equal(await mailer.deliverDue(), 3);
    const sent = (await call(endpoints, 'listOutbox', as())) as { items: Item[] };
    assert.deepEqual(
      sent.items.map((i) => i.state),
      ['sent', 'sent'],
    );
    assert.ok(sent.items.every((i) => i.sentAt !== null));
    // The queue cleared the content; the subject comes back from the .eml file.
    assert.deepEqual(
      sent.items.map((i) => i.subject),
      queued.items.map((i) => i.subject),
    );
    assert.ok(sent.items[0]!.subject && sent.items[0]!.subject.length > 0);
    const paged = (await call(endpoints, 'listOutbox', as({ page: '2', pageSize: '1' }))) as {
      items: Item[];
    };
    assert.deepEqual(
      paged.items.map((i) => i.id),
      [reset.id],
    );
    await assert.rejects(
      () => call(endpoints, 'getOutboxMessage', as({}, { id: elsewhere.id })),
      (e: unknown) => e instanceof EdgeError && e.code === 'NOT_FOUND',
    );
  });

  it('shows a message with its headers and text, the reset link removed before and after delivery', async () => {
    const { reset, welcome } = send();
    const before = (await call(endpoints, 'getOutboxMessage', as({}, { id: reset.id }))) as Message;
    assert.equal(before.source, 'queue');
    assert.equal(before.linksRemoved, true);
    assert.ok(before.text?.includes(REDACTED_LINK));
    assert.ok(!before.text?.includes('s3cret-reset-token'));

    await mailer.deliverDue();
    const after = (await call(endpoints, 'getOutboxMessage', as({}, { id: reset.id }))) as Message;
    assert.equal(after.source, 'outbox-file');
    assert.equal(after.state, 'sent');
    assert.ok(after.text && after.text.length > 50, 'the text part, readable');
    assert.ok(after.text.includes(REDACTED_LINK));
    assert.ok(!JSON.stringify(after).includes('s3cret-reset-token'), 'the link is nowhere in the answer');
    const header = (name: string) => after.headers.find((h) => h.name.toLowerCase() === name)?.value;
    assert.equal(header('subject'), after.subject);
    assert.match(header('to') ?? '', /zoe@acme\.test/);
    assert.equal(header('auto-submitted'), 'auto-generated');
    assert.ok(!JSON.stringify(after).includes('<html'), 'no HTML part is given out');

    // The file keeps the link, for whoever reads the server's disk.
    const file = readdirSync(join(dir.path, 'outbox')).find((f) => f.includes(reset.id))!;
    assert.ok(readFileSync(join(dir.path, 'outbox', file), 'utf8').includes('s3cret'));

    const welcomed = (await call(endpoints, 'getOutboxMessage', as({}, { id: welcome.id }))) as Message;
    assert.equal(welcomed.linksRemoved, false);
    assert.ok(welcomed.text?.includes(SIGN_IN_URL), 'a welcome mail keeps its sign-in link');
  });

  it('says what it no longer has when the message went over SMTP', async () => {
    const { welcome } = send();
    await mailer.deliverDue();
    const smtp = outboxEndpoints({ outbox: new MailOutbox({ db, outboxDir: null }) });
    const message = (await call(smtp, 'getOutboxMessage', as({}, { id: welcome.id }))) as Message;
    assert.equal(message.source, 'none');
    assert.equal(message.text, null);
    assert.equal(message.subject, null);
    assert.equal(message.state, 'sent');
  });
});
