/**
 * Versioned schema migrations, applied in order inside one transaction each. Never edit a released
 * migration: add the next one. `PRAGMA user_version` records the last one applied.
 */
export const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'enterprises, users, devices, jobs',
    sql: `
      CREATE TABLE enterprises (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
        email TEXT NOT NULL COLLATE NOCASE,
        display_name TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (enterprise_id, email)
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id),
        name TEXT NOT NULL,
        auth_mode TEXT NOT NULL CHECK (auth_mode IN ('shared-account', 'device-login', 'user-prompt')),
        shared_user_id TEXT REFERENCES users(id),
        token_hash TEXT UNIQUE,
        scanner_url TEXT,
        fax_url TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      -- seq is the monotonic sequence an upstream stream will be ordered by (DESIGN.md §9).
      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        device_id TEXT NOT NULL REFERENCES devices(id),
        user_id TEXT REFERENCES users(id),
        kind TEXT NOT NULL DEFAULT 'fax',
        state TEXT NOT NULL,
        options TEXT NOT NULL,
        pages_scanned INTEGER NOT NULL DEFAULT 0,
        pages_sent INTEGER NOT NULL DEFAULT 0,
        total_pages INTEGER,
        device_job_id INTEGER,
        error_code TEXT,
        error_message TEXT,
        error_page INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_by_device ON jobs (device_id, seq);
      CREATE INDEX jobs_unfinished ON jobs (state) WHERE state NOT IN ('delivered', 'failed', 'cancelled');
      CREATE TABLE job_recipients (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        number TEXT NOT NULL,
        state TEXT NOT NULL,
        pages_sent INTEGER NOT NULL DEFAULT 0,
        error_code TEXT,
        error_message TEXT,
        PRIMARY KEY (job_id, position)
      );
      CREATE TABLE job_pages (
        job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        scan_file TEXT NOT NULL,
        fax_file TEXT,
        PRIMARY KEY (job_id, number)
      );
    `,
  },
  {
    version: 2,
    name: 'fax hand-over intent, retry attempts, spool housekeeping, enterprise fax policies',
    sql: `
      -- submit_tag is written before Create-Job and sent as job-name: after a crash the modem's job
      -- list is searched for it, so a document the modem already holds is followed, not sent again.
      ALTER TABLE jobs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE jobs ADD COLUMN submit_tag TEXT;
      ALTER TABLE jobs ADD COLUMN retry_at TEXT;
      ALTER TABLE jobs ADD COLUMN spool_purged_at TEXT;
      CREATE INDEX jobs_spool_kept ON jobs (updated_at)
        WHERE spool_purged_at IS NULL AND state IN ('delivered', 'failed', 'cancelled');
      ALTER TABLE job_recipients ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE job_recipients ADD COLUMN last_attempt INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE enterprise_fax_policies (
        enterprise_id TEXT PRIMARY KEY REFERENCES enterprises(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        retry_attempts INTEGER NOT NULL CHECK (retry_attempts BETWEEN 1 AND 10),
        retry_interval_ms INTEGER NOT NULL CHECK (retry_interval_ms >= 0),
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'enterprise fax pre-dial string',
    sql: `
      -- NULL: the enterprise never set one and gets the edge's configured default.
      ALTER TABLE enterprise_fax_policies ADD COLUMN pre_dial_string TEXT
        CHECK (pre_dial_string IS NULL
          OR (length(pre_dial_string) <= 16 AND pre_dial_string NOT GLOB '*[^0-9*#,]*'));
    `,
  },
  {
    version: 6,
    name: 'outgoing mail queue, password expiry reminders sent',
    sql: `
      -- The notification mail queue (edge-service/src/mail/). A row is kept after delivery or giving up,
      -- for the record, but its content is cleared then: a reset or invitation link must not outlive
      -- its delivery in the database.
      CREATE TABLE mail_queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        message_id TEXT NOT NULL,
        recipient TEXT NOT NULL,
        content TEXT,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at, seq) WHERE state = 'queued';
      CREATE INDEX mail_queue_finished ON mail_queue (updated_at) WHERE state <> 'queued';
      -- One reminder per user and expiry date, written in the transaction that queues the mail, so a
      -- restart neither loses nor repeats one. No foreign key: users may come from a directory sync.
      CREATE TABLE password_expiry_reminders (
        user_id TEXT NOT NULL,
        expires_on TEXT NOT NULL,
        mail_id TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, expires_on)
      );
    `,
  },
];
