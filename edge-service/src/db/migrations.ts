import type { Db } from './database.ts';
import { slugFromName } from '../domain/enterprise-slug.ts';

/** The demo enterprise's name and its slug, fixed by DESIGN.md §11. */
const DEMO_ENTERPRISE_NAME = 'Demo Enterprise';
const DEMO_SLUG = 'demo';

/**
 * Versioned schema migrations, applied in order inside one transaction each. Never edit a released
 * migration: add the next one. `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Data changes SQL cannot express (run after `sql`, in the same transaction). */
  after?: (db: Db) => void;
}

export const MIGRATIONS: readonly Migration[] = [
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
  {
    version: 5,
    name: 'people: credentials, 2FA, lockout, sessions, links, enterprise slugs and policies',
    sql: `
      -- Slugs are filled in by after() below; the triggers keep every later row valid and unique.
      ALTER TABLE enterprises ADD COLUMN slug TEXT;
      CREATE UNIQUE INDEX enterprises_by_slug ON enterprises (slug);
      CREATE TRIGGER enterprises_slug_insert BEFORE INSERT ON enterprises
        WHEN NEW.slug IS NULL OR length(NEW.slug) < 2 OR NEW.slug GLOB '*[^a-z0-9-]*'
        BEGIN SELECT RAISE(ABORT, 'enterprise slug must be 2+ characters of a-z, 0-9 and -'); END;
      CREATE TRIGGER enterprises_slug_update BEFORE UPDATE OF slug ON enterprises
        WHEN NEW.slug IS NULL OR length(NEW.slug) < 2 OR NEW.slug GLOB '*[^a-z0-9-]*'
        BEGIN SELECT RAISE(ABORT, 'enterprise slug must be 2+ characters of a-z, 0-9 and -'); END;

      -- support-agent and reseller-admin are vendor-side roles (restrictedAccess shuts them out).
      ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'user'
        CHECK (role IN ('admin', 'user', 'support-agent', 'reseller-admin'));
      ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT 'en' CHECK (language IN ('en', 'fr', 'de'));
      ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
      -- argon2id PHC string; NULL: no built-in password yet (invited) or none (SSO / device login only).
      ALTER TABLE users ADD COLUMN password_hash TEXT;
      ALTER TABLE users ADD COLUMN password_changed_at TEXT;
      ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0
        CHECK (must_change_password IN (0, 1));
      ALTER TABLE users ADD COLUMN password_never_expires INTEGER NOT NULL DEFAULT 0
        CHECK (password_never_expires IN (0, 1));
      ALTER TABLE users ADD COLUMN builtin_password_disabled INTEGER NOT NULL DEFAULT 0
        CHECK (builtin_password_disabled IN (0, 1));
      ALTER TABLE users ADD COLUMN two_factor_excluded INTEGER NOT NULL DEFAULT 0
        CHECK (two_factor_excluded IN (0, 1));
      ALTER TABLE users ADD COLUMN disabled_at TEXT;
      -- Secret-box ciphertext (auth/secret-box.ts), bound to the user's id; never the Base32 secret.
      ALTER TABLE users ADD COLUMN totp_secret TEXT;
      ALTER TABLE users ADD COLUMN totp_enrolled_at TEXT;
      -- The RFC 6238 time step of the last accepted code: a code of that step or older is refused.
      ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
      ALTER TABLE users ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0);
      ALTER TABLE users ADD COLUMN locked_at TEXT;
      -- NULL with locked_at set: locked until an administrator unlocks (lockoutAutoUnlockMinutes = 0).
      ALTER TABLE users ADD COLUMN locked_until TEXT;
      CREATE INDEX users_locked ON users (enterprise_id) WHERE locked_at IS NOT NULL;

      CREATE TABLE password_history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        password_hash TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE INDEX password_history_by_user ON password_history (user_id, seq);

      CREATE TABLE recovery_codes (
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        code_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        used_at TEXT,
        PRIMARY KEY (user_id, code_hash)
      );

      CREATE TABLE panel_sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        last_activity_at TEXT NOT NULL,
        revoked_at TEXT,
        revoked_reason TEXT CHECK (revoked_reason IS NULL OR length(revoked_reason) <= 64)
      );
      CREATE INDEX panel_sessions_live_by_user ON panel_sessions (user_id) WHERE revoked_at IS NULL;
      CREATE INDEX panel_sessions_live_by_device ON panel_sessions (device_id) WHERE revoked_at IS NULL;

      CREATE TABLE account_links (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('invitation', 'reset')),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
      );
      CREATE INDEX account_links_by_user ON account_links (user_id);

      -- One versioned document per enterprise (policies/policy-schema.ts); no row: the defaults, version 0.
      CREATE TABLE enterprise_policies (
        enterprise_id TEXT PRIMARY KEY REFERENCES enterprises(id) ON DELETE CASCADE,
        version INTEGER NOT NULL CHECK (version >= 1),
        document TEXT NOT NULL CHECK (json_valid(document)),
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL
      );
      -- Who changed what: seq orders an upstream stream, id makes it idempotent (DESIGN.md §9).
      CREATE TABLE enterprise_policy_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        actor TEXT NOT NULL,
        changes TEXT NOT NULL CHECK (json_valid(changes)),
        changed_at TEXT NOT NULL
      );
      CREATE INDEX enterprise_policy_changes_by_enterprise ON enterprise_policy_changes (enterprise_id, seq);
    `,
    after: (db) => {
      const rows = db.prepare('SELECT id, name FROM enterprises ORDER BY created_at, id').all() as {
        id: string;
        name: string;
      }[];
      const taken = new Set<string>();
      const set = db.prepare('UPDATE enterprises SET slug = ? WHERE id = ?');
      // The demo's slug is fixed (DESIGN.md §11); it goes first so no other name can take it.
      rows.sort((a, b) => Number(b.name === DEMO_ENTERPRISE_NAME) - Number(a.name === DEMO_ENTERPRISE_NAME));
      for (const row of rows) {
        const slug =
          row.name === DEMO_ENTERPRISE_NAME && !taken.has(DEMO_SLUG)
            ? DEMO_SLUG
            : slugFromName(row.name, (s) => taken.has(s));
        taken.add(slug);
        set.run(slug, row.id);
      }
    },
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
  {
    version: 7,
    name: "device login: devices' encrypted admin credential and device API address",
    sql: `
      -- The device's own admin account for its device API (HTTP Basic), with which the edge reads who
      -- is signed in at the MFP (device login, DESIGN.md §3): secret-box ciphertext (auth/secret-box.ts,
      -- AES-256-GCM) of {"username","password"}, bound to the device id (context device-admin:<id>).
      -- The CHECK keeps a plain password from ever landing here. NULL: none stored.
      ALTER TABLE devices ADD COLUMN admin_credential TEXT
        CHECK (admin_credential IS NULL OR admin_credential GLOB 'sb[0-9]*.?*');
      -- The device API root, e.g. https://printer/device/api/v1. NULL: the scanner URL's origin +
      -- /device/api/v1, where the simulator and most MFPs serve it (drivers/device-login/device-api-url.ts).
      ALTER TABLE devices ADD COLUMN device_api_url TEXT;
    `,
  },
  {
    version: 8,
    name: 'REST API: console sessions, personal API tokens, the audit log, per-user fax service',
    sql: `
      -- The console's cookie sessions (api/console-sessions.ts): the cookie holds a random token, the
      -- row its SHA-256. Idle and absolute timeouts are checked against last_seen_at and expires_at.
      CREATE TABLE console_sessions (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        revoked_reason TEXT CHECK (revoked_reason IS NULL OR length(revoked_reason) <= 64),
        source TEXT
      );
      CREATE INDEX console_sessions_live_by_user ON console_sessions (user_id) WHERE revoked_at IS NULL;

      -- Personal API tokens (Authorization: Bearer mfpe_...): shown once, kept as SHA-256, always expiring.
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        revoked_at TEXT,
        last_used_at TEXT
      );
      CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

      -- The audit trail (audit/sqlite-audit-log.ts): one hash chain over the whole edge. seq is given
      -- by the writer inside the transaction that reads the previous hash, so it is part of the hash.
      -- No foreign keys: an entry outlives the user, device or enterprise it names.
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        enterprise_id TEXT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        details TEXT NOT NULL CHECK (json_valid(details)),
        source TEXT,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE INDEX audit_log_by_enterprise ON audit_log (enterprise_id, seq);
      -- Append-only through SQLite: someone with the file can drop these, which verify() then detects.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      -- The fax service per user (on by default); off: the panel refuses fax.send (FAX_SERVICE_DISABLED).
      ALTER TABLE users ADD COLUMN fax_enabled INTEGER NOT NULL DEFAULT 1 CHECK (fax_enabled IN (0, 1));
      ALTER TABLE users ADD COLUMN last_sign_in_at TEXT;
      -- A deleted user's row stays for the jobs and audit entries that name it; its email is freed.
      ALTER TABLE users ADD COLUMN deleted_at TEXT;
    `,
  },
  {
    version: 9,
    name: 'pairing codes; devices with more than one credential',
    sql: `
      -- Pairing (RFC 8628 style, edge-service/src/pairing/): one row per pairing.begin. Only hashes of
      -- the codes are kept: the user code as an HMAC under a key derived from the edge's secret key
      -- (8 letters of 20 are too few to survive a plain hash), the device code as SHA-256 (256 bits).
      -- enterprise_id and device_id are set by the approval; claimed_at once the panel took its
      -- credential (single use). The demo's pre-approved pairing has no user code (user_code_hash NULL).
      CREATE TABLE pairings (
        id TEXT PRIMARY KEY,
        user_code_hash TEXT,
        device_code_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        source TEXT NOT NULL,
        -- What the panel said of itself ({"app":{"name","version"},"screen":{...}}): shown to the admin.
        panel TEXT,
        approved_at TEXT,
        approved_by TEXT,
        enterprise_id TEXT REFERENCES enterprises(id),
        device_id TEXT REFERENCES devices(id),
        claimed_at TEXT
      );
      CREATE INDEX pairings_user_code ON pairings (user_code_hash) WHERE claimed_at IS NULL;
      -- Credentials of a device beside devices.token_hash (SHA-256 of the token, as there): a device
      -- whose printed demo URL holds one credential while the simulator console's panel frame claimed
      -- another. Revoking or re-pairing the device deletes them all.
      CREATE TABLE device_credentials (
        token_hash TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(id),
        pairing_id TEXT REFERENCES pairings(id),
        created_at TEXT NOT NULL
      );
      CREATE INDEX device_credentials_device ON device_credentials (device_id);
    `,
  },
  {
    version: 10,
    name: 'job history: enterprise of each job, finish time, line time per recipient',
    sql: `
      -- The enterprise the job was sent for, fixed when it is created: a device paired again to
      -- another enterprise must not carry its past jobs there. What the console lists jobs by.
      ALTER TABLE jobs ADD COLUMN enterprise_id TEXT REFERENCES enterprises(id);
      UPDATE jobs SET enterprise_id = (SELECT enterprise_id FROM devices WHERE devices.id = jobs.device_id);
      CREATE INDEX jobs_by_enterprise ON jobs (enterprise_id, created_at);
      -- When the job took its final state (delivered, failed, cancelled); NULL while it runs.
      -- Jobs finished before this migration get their last change, which is when they ended.
      ALTER TABLE jobs ADD COLUMN finished_at TEXT;
      UPDATE jobs SET finished_at = updated_at WHERE state IN ('delivered', 'failed', 'cancelled');
      -- When the modem took the current attempt's document: where a recipient's line time starts
      -- when the follow stage never saw it dialling (a line faster than one status poll).
      ALTER TABLE jobs ADD COLUMN handed_over_at TEXT;
      -- Line time (DESIGN.md: the fax line in use from dialling to the end of sending): the current
      -- attempt's dial start and end, and the milliseconds of the attempts before it. Written in the
      -- transaction that changes the recipient's state (storage/sqlite-job-repository.ts).
      ALTER TABLE job_recipients ADD COLUMN dial_started_at TEXT;
      ALTER TABLE job_recipients ADD COLUMN dial_ended_at TEXT;
      ALTER TABLE job_recipients ADD COLUMN line_ms INTEGER NOT NULL DEFAULT 0 CHECK (line_ms >= 0);
    `,
  },
  {
    version: 11,
    name: 'composer options: blank pages left out of a fax',
    sql: `
      -- skipBlankPages: a page whose conversion found (almost) no ink is kept in the spool but left
      -- out of the fax. Recorded with the page, in the write that records its fax file, so a restart
      -- sends the same pages and the job view counts the same skipped ones. The job's new options
      -- (original size, text/photo, skip blank pages, cover page) live in jobs.options (JSON); jobs
      -- stored before them read with the old behaviour's defaults (domain/job.ts readFaxJobOptions).
      ALTER TABLE job_pages ADD COLUMN blank INTEGER NOT NULL DEFAULT 0 CHECK (blank IN (0, 1));
    `,
  },
  {
    version: 12,
    name: 'the enterprise fax directory and personal contacts',
    sql: `
      -- The enterprise's fax directory (domain/fax-directory.ts): managed in the console and the API,
      -- searched at every panel of the enterprise. number is E.164 (validated with libphonenumber-js);
      -- search_text and national_digits are derived at write time (storage/sqlite-fax-directory.ts)
      -- so a search is one indexed-enough LIKE, accents and case folded, without JS in SQLite.
      CREATE TABLE directory_entries (
        id TEXT PRIMARY KEY,
        enterprise_id TEXT NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        number TEXT NOT NULL CHECK (number GLOB '+[1-9]*' AND length(number) BETWEEN 3 AND 16),
        company TEXT CHECK (company IS NULL OR length(company) <= 100),
        department TEXT CHECK (department IS NULL OR length(department) <= 100),
        notes TEXT CHECK (notes IS NULL OR length(notes) <= 500),
        search_text TEXT NOT NULL,
        national_digits TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- One entry per number: two names on one fax machine is one entry with a department.
        UNIQUE (enterprise_id, number)
      );
      -- Listed by search_text: the folded name first, so É sorts with E.
      CREATE INDEX directory_entries_by_name ON directory_entries (enterprise_id, search_text);

      -- A person's own contacts (panel contacts.*): only their owner sees them. Not for shared
      -- accounts (everyone at that printer is the shared account): the panel handlers refuse those.
      CREATE TABLE personal_contacts (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        number TEXT NOT NULL CHECK (number GLOB '+[1-9]*' AND length(number) BETWEEN 3 AND 16),
        created_at TEXT NOT NULL,
        UNIQUE (user_id, number)
      );

      -- Recent numbers (panel recipients.recent) come from the jobs: by person, or by device for
      -- shared accounts. These make "the last distinct numbers" a walk down an index.
      CREATE INDEX jobs_by_user ON jobs (user_id, seq);
    `,
  },
  {
    version: 13,
    name: 'live job: page thumbnails, needs-attention deadline, resumed scans',
    sql: `
      -- The page's small PNG preview in the spool, written with the page (durable like it).
      ALTER TABLE job_pages ADD COLUMN thumb_file TEXT;
      -- needs-attention (a jam mid-job, pages kept): when the job stops waiting for Resume.
      ALTER TABLE jobs ADD COLUMN attention_until TEXT;
      -- Pages kept before the current scan job: a scan started by Resume numbers its pages after
      -- them, and a restart mid-scan asks the device about its own pages only.
      ALTER TABLE jobs ADD COLUMN scan_base INTEGER NOT NULL DEFAULT 0 CHECK (scan_base >= 0);
    `,
  },
  {
    version: 14,
    name: 'web sessions for the account page beside the console',
    sql: `
      -- One table of browser sessions, two audiences with their own cookies: the console (admins)
      -- and the account page (anyone, e.g. a phone confirming a panel sign-in). A cookie of one
      -- audience never opens the other.
      ALTER TABLE console_sessions ADD COLUMN audience TEXT NOT NULL DEFAULT 'console'
        CHECK (audience IN ('console', 'account'));
    `,
  },
  {
    version: 17,
    name: 'email-to-fax: where a job came from, and the sender of an email job',
    sql: `
      -- Where the job came from: a panel (scanned at the device) or an email (issue 13).
      ALTER TABLE jobs ADD COLUMN source TEXT NOT NULL DEFAULT 'panel' CHECK (source IN ('panel', 'email'));
      -- Who emailed an email job, for its one receipt; written in the job's own transaction.
      CREATE TABLE email_jobs (
        job_id TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        message_id TEXT,
        sender TEXT NOT NULL,
        sender_name TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL,
        time_zone TEXT NOT NULL DEFAULT 'UTC',
        -- The message's parts that are not faxed (named in the receipt), JSON array of names.
        skipped TEXT NOT NULL DEFAULT '[]',
        -- Set in the transaction that queues the receipt: a restart never mails it twice.
        receipt_queued_at TEXT
      );
      CREATE INDEX email_jobs_receipt_due ON email_jobs (receipt_queued_at) WHERE receipt_queued_at IS NULL;
    `,
  },
];
