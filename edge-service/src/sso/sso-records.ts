import type { SecretBox } from '../auth/secret-box.ts';
import type { Db } from '../db/database.ts';
import type { SsoProtocolName } from './sso-protocol.ts';

const SECRET_CONTEXT = (enterpriseId: string) => `sso-client-secret:${enterpriseId}`;

/** The OIDC client secret of each enterprise, sealed with the secret box (migration 15). */
export class SsoSecrets {
  readonly #db: Db;
  readonly #box: SecretBox;

  constructor(db: Db, box: SecretBox) {
    this.#db = db;
    this.#box = box;
  }

  get(enterpriseId: string): string | null {
    const row = this.#db
      .prepare('SELECT client_secret FROM sso_secrets WHERE enterprise_id = ?')
      .get(enterpriseId) as { client_secret: string } | undefined;
    return row ? this.#box.openText(row.client_secret, SECRET_CONTEXT(enterpriseId)) : null;
  }

  has(enterpriseId: string): boolean {
    return (
      this.#db.prepare('SELECT 1 FROM sso_secrets WHERE enterprise_id = ?').get(enterpriseId) !== undefined
    );
  }

  set(enterpriseId: string, secret: string | null, at = new Date()): void {
    if (secret === null) {
      this.#db.prepare('DELETE FROM sso_secrets WHERE enterprise_id = ?').run(enterpriseId);
      return;
    }
    this.#db
      .prepare(
        `INSERT INTO sso_secrets (enterprise_id, client_secret, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (enterprise_id) DO UPDATE SET client_secret = excluded.client_secret, updated_at = excluded.updated_at`,
      )
      .run(enterpriseId, this.#box.seal(secret, SECRET_CONTEXT(enterpriseId)), at.toISOString());
  }
}

export interface SsoSessionLink {
  sessionId: string;
  enterpriseId: string;
  protocol: SsoProtocolName;
  subject: string;
  logoutHint: string | null;
}

/** Which web session came from which IdP sign-in, for single logout. */
export class SsoSessionLinks {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  record(link: SsoSessionLink, at = new Date()): void {
    this.#db
      .prepare(
        `INSERT OR REPLACE INTO sso_sessions (session_id, enterprise_id, protocol, subject, logout_hint, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(link.sessionId, link.enterpriseId, link.protocol, link.subject, link.logoutHint, at.toISOString());
  }

  get(sessionId: string): SsoSessionLink | null {
    const row = this.#db.prepare('SELECT * FROM sso_sessions WHERE session_id = ?').get(sessionId) as
      | {
          session_id: string;
          enterprise_id: string;
          protocol: SsoProtocolName;
          subject: string;
          logout_hint: string | null;
        }
      | undefined;
    return row
      ? {
          sessionId: row.session_id,
          enterpriseId: row.enterprise_id,
          protocol: row.protocol,
          subject: row.subject,
          logoutHint: row.logout_hint,
        }
      : null;
  }

  /** The web sessions an IdP-initiated logout for this subject ends. */
  sessionsOf(enterpriseId: string, subject: string): string[] {
    return (
      this.#db
        .prepare('SELECT session_id FROM sso_sessions WHERE enterprise_id = ? AND subject = ?')
        .all(enterpriseId, subject) as { session_id: string }[]
    ).map((r) => r.session_id);
  }
}
