import assert from 'node:assert/strict';
import { join } from 'node:path';
import sinon from 'sinon';
import { openDatabase, type Db } from '../../../edge-service/src/db/database.ts';
import { createLogger } from '../../../edge-service/src/logger.ts';
import { createMail } from '../../../edge-service/src/mail/mail-setup.ts';
import type { MailTransport } from '../../../edge-service/src/mail/mail-transport.ts';
import {
  PasswordExpiryReminders,
  type PasswordExpiry,
} from '../../../edge-service/src/mail/password-expiry-reminders.ts';
import { tempDir } from '../../helpers/temp-dir.ts';

const DAY = 86_400_000;
const START = Date.parse('2024-04-01T06:00:00Z');
const silent = createLogger({ level: 'silent' });
const unused: MailTransport = {
  description: 'none',
  send: () => Promise.reject(new Error('not in this test')),
  close: () => undefined,
};

describe('PasswordExpiryReminders (fake clock)', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: sinon.SinonFakeTimers;
  let db: Db;
  let users: PasswordExpiry[];
  let running: PasswordExpiryReminders | undefined;

  const queuedReminders = () =>
    db
      .prepare(`SELECT recipient, content FROM mail_queue WHERE kind = 'password-expiring' ORDER BY seq`)
      .all() as {
      recipient: string;
      content: string;
    }[];

  /** A fresh edge over the same database file: what a restart is. */
  function boot(): PasswordExpiryReminders {
    db = openDatabase(join(dir.path, 'edge.db'));
    const { notifier } = createMail({
      config: { mailFrom: 'mfp-edge <no-reply@localhost>' },
      db,
      dataDir: dir.path,
      logger: silent,
      transport: unused,
      now: () => Date.now(),
    });
    running = new PasswordExpiryReminders({
      db,
      notifier,
      logger: silent,
      source: { listPasswordExpiries: () => users },
      policy: { reminderDays: ({ userId }) => (userId === 'u-off' ? 0 : 7) },
      intervalMs: DAY,
      firstRunDelayMs: 30_000,
    });
    running.start();
    return running;
  }

  async function shutDown(): Promise<void> {
    await running?.stop();
    running = undefined;
    db.close();
  }

  beforeEach(() => {
    dir = tempDir('mfp-reminders-');
    clock = sinon.useFakeTimers({
      now: START,
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
    });
    users = [
      {
        userId: 'u-1',
        email: 'ana@example.com',
        name: 'Ana',
        language: 'fr',
        timeZone: 'Europe/Paris',
        expiresAt: new Date(START + 10 * DAY),
      },
      {
        userId: 'u-2',
        email: 'bo@example.com',
        name: 'Bo',
        expiresAt: new Date(START + 3 * DAY).toISOString(),
      },
      { userId: 'u-off', email: 'off@example.com', name: 'Off', expiresAt: new Date(START + 2 * DAY) },
      { userId: 'u-past', email: 'past@example.com', name: 'Past', expiresAt: new Date(START - DAY) },
    ];
  });

  afterEach(async () => {
    if (running) await shutDown();
    clock.restore();
    dir.remove();
  });

  it('mails each user once per expiry date, within the reminder days, and never twice across restarts', async () => {
    boot();
    await clock.tickAsync(29_000);
    assert.equal(queuedReminders().length, 0, 'the first check waits for its delay');
    await clock.tickAsync(1_000);
    assert.deepEqual(
      queuedReminders().map((r) => r.recipient),
      ['bo@example.com'],
      'only Bo is within 7 days; reminders off and expired passwords get none',
    );
    assert.match(JSON.parse(queuedReminders()[0]!.content).subject, /expires in 3 days/);

    await clock.tickAsync(DAY);
    assert.equal(queuedReminders().length, 1, 'the next day: Bo not again, Ana still 9 days out');

    await shutDown();
    clock.tick(2 * DAY);
    boot();
    await clock.tickAsync(30_000);
    assert.deepEqual(
      queuedReminders().map((r) => r.recipient),
      ['bo@example.com', 'ana@example.com'],
      'after the restart: Ana (7 days left) once, Bo not again',
    );
    assert.match(
      JSON.parse(queuedReminders()[1]!.content).subject,
      /^Votre mot de passe expire dans 7\sjours$/,
    );

    await clock.tickAsync(3 * DAY);
    await shutDown();
    boot();
    await clock.tickAsync(30_000 + DAY);
    assert.equal(queuedReminders().length, 2, 'still once each, however many checks and restarts');

    // A new password means a new expiry date, and its own reminder.
    users[1] = { ...users[1]!, expiresAt: new Date(Date.now() + 5 * DAY) };
    await clock.tickAsync(DAY);
    assert.equal(queuedReminders().length, 3);
  });

  it('runs a check on demand and keeps going when one user cannot be mailed', async () => {
    const reminders = boot();
    users[0] = { ...users[0]!, email: 'not an address', expiresAt: new Date(START + DAY) };
    assert.equal(await reminders.check(), 1);
    assert.deepEqual(
      queuedReminders().map((r) => r.recipient),
      ['bo@example.com'],
    );
    const recorded = db.prepare('SELECT user_id FROM password_expiry_reminders').all();
    assert.deepEqual(recorded, [{ user_id: 'u-2' }], 'a reminder that was not queued is not recorded either');
  });
});
