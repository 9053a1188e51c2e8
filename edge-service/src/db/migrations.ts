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
    version: 4,
    name: 'device jobs identified beyond their id; printer restarts; resumable scans',
    sql: `
      -- A restarted modem numbers its jobs from 1 again: a stored job id is trusted only when the job
      -- at that id still carries our tag (job-name) and the job-uuid recorded here, on the boot
      -- (printer-uuid and power-on time) recorded at the hand-over.
      ALTER TABLE jobs ADD COLUMN device_job_uuid TEXT;
      ALTER TABLE jobs ADD COLUMN device_boot TEXT;
      -- How many times the printer lost this fax mid-way and it was sent again.
      ALTER TABLE jobs ADD COLUMN resent_after_restart INTEGER NOT NULL DEFAULT 0;
      -- The eSCL job being read, so an edge restart mid-scan can carry on reading it.
      ALTER TABLE jobs ADD COLUMN scan_job_url TEXT;
    `,
  },
];
