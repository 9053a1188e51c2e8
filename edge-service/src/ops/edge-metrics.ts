import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Db } from '../db/database.ts';
import type { AuthEvents } from '../auth/auth-events.ts';
import { SETTLED_LINE_MS } from '../storage/sqlite-job-repository.ts';

/**
 * The edge's Prometheus metrics (`GET /metrics`, text format 0.0.4). What the database knows — jobs
 * by state, pages, line time, the mail queue — is read from it at scrape time, so the figures
 * survive restarts and cannot drift from the records; what happens in the moment (sign-in failures,
 * locks, pipeline time per page, SMTP intake decisions) is counted as it happens. One registry per
 * edge, never prom-client's global one, so two edges in one process do not mix.
 */
export class EdgeMetrics {
  readonly registry = new Registry();
  readonly pipelineSeconds: Histogram<'resolution'>;
  readonly signInFailures: Counter<'channel' | 'code'>;
  readonly accountLocks: Counter;
  readonly smtpDecisions: Counter<'decision'>;

  constructor(options: { db: Db; panelConnections: () => number; defaultMetrics?: boolean }) {
    const { db, registry } = { db: options.db, registry: this.registry };
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'mfp_edge_' });
    const jobsByState = db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state');
    new Gauge({
      name: 'mfp_edge_jobs',
      help: 'Fax jobs by state (final states are the results: delivered, failed, cancelled).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const row of jobsByState.all() as { state: string; n: number }[])
          this.set({ state: row.state }, row.n);
      },
    });
    const pages = db.prepare(
      'SELECT COALESCE(SUM(pages_scanned), 0) AS scanned, COALESCE(SUM(pages_sent), 0) AS sent FROM jobs',
    );
    new Gauge({
      name: 'mfp_edge_pages',
      help: 'Pages of all jobs on record: scanned, and sent to the modem.',
      labelNames: ['stage'],
      registers: [registry],
      collect() {
        const row = pages.get() as { scanned: number; sent: number };
        this.set({ stage: 'scanned' }, row.scanned);
        this.set({ stage: 'sent' }, row.sent);
      },
    });
    // Settled attempts plus the current one, as the job history counts them.
    const lineMs = db.prepare(
      `SELECT COALESCE(SUM(line_ms + ${SETTLED_LINE_MS}), 0) AS ms FROM job_recipients`,
    );
    new Gauge({
      name: 'mfp_edge_fax_line_seconds',
      help: 'Fax line time of all jobs on record, dialling to the end of sending.',
      registers: [registry],
      collect() {
        this.set((lineMs.get() as { ms: number }).ms / 1000);
      },
    });
    const mail = db.prepare('SELECT state, COUNT(*) AS n FROM mail_queue GROUP BY state');
    new Gauge({
      name: 'mfp_edge_mail_queue',
      help: 'Outgoing mails (receipts, invitations, resets) by state.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const row of mail.all() as { state: string; n: number }[]) this.set({ state: row.state }, row.n);
      },
    });
    new Gauge({
      name: 'mfp_edge_panel_connections',
      help: 'Panels connected over the WebSocket.',
      registers: [registry],
      collect() {
        this.set(options.panelConnections());
      },
    });
    this.pipelineSeconds = new Histogram({
      name: 'mfp_edge_pipeline_page_seconds',
      help: 'Time to turn one scanned page into a fax page (decode, clean-up, resize, threshold, G4).',
      labelNames: ['resolution'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.signInFailures = new Counter({
      name: 'mfp_edge_sign_in_failures_total',
      help: 'Refused sign-in steps by channel and reason code.',
      labelNames: ['channel', 'code'],
      registers: [registry],
    });
    this.accountLocks = new Counter({
      name: 'mfp_edge_account_locks_total',
      help: 'Accounts locked by too many failed sign-ins.',
      registers: [registry],
    });
    this.smtpDecisions = new Counter({
      name: 'mfp_edge_smtp_intake_decisions_total',
      help: 'Email-to-fax intake decisions (accepted, or the refusal reason).',
      labelNames: ['decision'],
      registers: [registry],
    });
  }

  /** Counts the sign-in failures and locks the auth events report; returns the unsubscribe. */
  countAuthEvents(events: AuthEvents): () => void {
    const failed = (e: { channel: string; code: string }) =>
      this.signInFailures.inc({ channel: e.channel, code: e.code });
    const locked = () => this.accountLocks.inc();
    events.on('sign-in-failed', failed);
    events.on('account-locked', locked);
    return () => {
      events.off('sign-in-failed', failed);
      events.off('account-locked', locked);
    };
  }

  /**
   * `GET /metrics`: from loopback (a Prometheus or an exporter on the edge box), or anywhere with
   * `Authorization: Bearer <MFP_EDGE_METRICS_TOKEN>`; everyone else gets 404, as if there were none.
   */
  handler(token: string | undefined) {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      if (!isLoopback(req.socket.remoteAddress) && !bearerMatches(req.headers.authorization, token)) {
        next();
        return;
      }
      try {
        res.setHeader('Content-Type', this.registry.contentType);
        res.setHeader('Cache-Control', 'no-store');
        res.send(await this.registry.metrics());
      } catch (error) {
        next(error);
      }
    };
  }
}

function isLoopback(address: string | undefined): boolean {
  return (
    address === '127.0.0.1' ||
    address === '::1' ||
    address?.startsWith('::ffff:127.') === true ||
    address?.startsWith('127.') === true
  );
}

function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
