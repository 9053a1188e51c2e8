import type Mail from 'nodemailer/lib/mailer/index.js';

/** A composed message as nodemailer takes it, plus the queue id it travels under. */
export interface OutgoingMessage {
  /** The queue id: outbox file names and logs use it. */
  id: string;
  options: Mail.Options;
}

/** Where messages go: an SMTP server, or the outbox folder when none is configured. */
export interface MailTransport {
  /** For logs, never with credentials: `smtp://mail.example:587` or `outbox /data/outbox`. */
  readonly description: string;
  send(message: OutgoingMessage): Promise<void>;
  close(): void;
}

export type SendFailure = { permanent: boolean; code: string; responseCode?: number; detail: string };

/**
 * What a failed send means for the queue. An SMTP 5xx reply to the envelope or the message is
 * permanent (the server will say the same tomorrow); everything else — no connection, timeouts,
 * 4xx, TLS trouble — may pass. A 5xx to AUTH is the edge's configuration, not the message, so it
 * is retried until the operator fixes it or the give-up bound is reached.
 */
export function classifySendError(error: unknown): SendFailure {
  const e = (error ?? {}) as { code?: unknown; responseCode?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'ERROR';
  const responseCode = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const permanent =
    responseCode !== undefined
      ? responseCode >= 500 && responseCode < 600 && code !== 'EAUTH'
      : // Refused before reaching a server: the message itself cannot be sent (no recipient, bad content).
        code === 'EENVELOPE' || code === 'EMESSAGE';
  const message = typeof e.message === 'string' ? e.message : String(error);
  const failure: SendFailure = { permanent, code, detail: message.slice(0, 300) };
  if (responseCode !== undefined) failure.responseCode = responseCode;
  return failure;
}
