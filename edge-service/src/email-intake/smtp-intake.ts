import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import {
  SMTPServer,
  type SMTPServerAddress,
  type SMTPServerAuthentication,
  type SMTPServerSession,
} from 'smtp-server';
import type { SignInService } from '../auth/sign-in-service.ts';
import { FailureRateLimiter } from '../auth/rate-limiter.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { EMAIL_TO_FAX_LIMITS } from '../policies/policy-schema.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { EdgeCertificate } from '../tls/edge-certificate.ts';
import type { EmailJobIntake } from './email-job-intake.ts';
import { plainIp, type AdmittedMessage, type SenderPolicy } from './sender-policy.ts';
import { reply, SmtpReply } from './smtp-reply.ts';

/** Abuse limits per client address (a sender hammering the port), and for the whole intake. */
export const SMTP_LIMITS = {
  /** Connections one address may open per minute. */
  connectionsPerMinute: 60,
  /** Connections one address may hold at once. */
  concurrentPerSource: 10,
  /** Refused commands (bad recipients, refused senders, failed AUTH) one address may cause per 10 minutes. */
  refusalsPer10Minutes: 50,
  /** Connections at once, all addresses together. */
  maxClients: 100,
  /** A client silent this long is disconnected. */
  socketTimeoutMs: 60_000,
} as const;

export interface SmtpIntakeOptions {
  port: number;
  host: string;
  /** STARTTLS with this certificate; null: no STARTTLS (the intake listens on loopback only). */
  certificate: EdgeCertificate | null;
  senders: SenderPolicy;
  intake: EmailJobIntake;
  signIn: Pick<SignInService, 'password'>;
  directory: Pick<DirectoryRepository, 'listEnterprises'>;
  users: Pick<UserRepository, 'findByEmail'>;
  policies: Pick<PolicyService, 'get'>;
  logger: Logger;
}

/** One SMTP transaction (MAIL FROM to the end of DATA) of a connection. */
interface Transaction {
  /** Set at the first recipient: the message's enterprise and sender, or the refusal it got. */
  admitted: AdmittedMessage | null;
  refusal: SmtpReply | null;
  numbers: string[];
}

const isLoopbackIp = (ip: string) => {
  const plain = plainIp(ip);
  return plain === '::1' || plain.startsWith('127.');
};

/**
 * The email-to-fax intake (DESIGN.md §11, issue 13): SMTP on the configured port and host,
 * STARTTLS with the edge's certificate, optional AUTH PLAIN/LOGIN for registered people (their
 * password, the same lockout and rate limits as every sign-in; only over TLS unless the client is
 * on loopback). Who may send is decided at the first RCPT (the recipient's fax domain names the
 * enterprise; sender-policy.ts gives the order); the message is read while it streams, never past
 * the enterprise's size limit, and answered 250 only once its fax job is durable.
 */
export class SmtpIntake {
  readonly #o: SmtpIntakeOptions;
  readonly #log: Logger;
  #server: SMTPServer | null = null;
  readonly #transactions = new Map<string, Transaction>();
  readonly #authUsers = new Map<string, string>();
  readonly #connections = new FailureRateLimiter({
    maxFailures: SMTP_LIMITS.connectionsPerMinute,
    windowMs: 60_000,
  });
  readonly #refusals = new FailureRateLimiter({
    maxFailures: SMTP_LIMITS.refusalsPer10Minutes,
    windowMs: 600_000,
  });
  readonly #open = new Map<string, number>();

  constructor(options: SmtpIntakeOptions) {
    this.#o = options;
    this.#log = options.logger;
  }

  /** The port listened on (the real one when configured as 0). */
  get port(): number {
    return (this.#server as unknown as { server: { address(): AddressInfo } }).server.address().port;
  }

  async start(): Promise<void> {
    const { certificate } = this.#o;
    const server = new SMTPServer({
      name: hostname(),
      banner: 'mfp-edge email-to-fax',
      size: EMAIL_TO_FAX_LIMITS.maxMessageMb.max * 1024 * 1024,
      authMethods: ['PLAIN', 'LOGIN'],
      authOptional: true,
      // Checked per connection in onAuth: clear-text AUTH only from loopback.
      allowInsecureAuth: true,
      ...(certificate ? { key: certificate.key, cert: certificate.cert } : { hideSTARTTLS: true }),
      disabledCommands: certificate ? [] : ['STARTTLS'],
      // No reverse DNS of clients: it is slow, spoofable, and nothing here uses it.
      disableReverseLookup: true,
      maxClients: SMTP_LIMITS.maxClients,
      socketTimeout: SMTP_LIMITS.socketTimeoutMs,
      closeTimeout: 2_000,
      logger: false,
      onConnect: (session, callback) => callback(this.#onConnect(session)),
      onClose: (session) => this.#onClose(session),
      onAuth: (auth, session, callback) => {
        this.#onAuth(auth, session).then(
          (user) => callback(null, { user }),
          (error: unknown) => callback(this.#refused(session, error)),
        );
      },
      onMailFrom: (_address, session, callback) => {
        this.#transactions.set(session.id, { admitted: null, refusal: null, numbers: [] });
        callback();
      },
      onRcptTo: (address, session, callback) => {
        this.#onRcptTo(address, session).then(
          () => callback(),
          (error: unknown) => callback(this.#refused(session, error)),
        );
      },
      onData: (stream, session, callback) => {
        this.#onData(stream, session).then(
          (message) => callback(null, message),
          (error: unknown) => callback(this.#refused(session, error)),
        );
      },
    });
    server.on('error', (error) => this.#log.warn({ err: error }, 'SMTP intake connection error'));
    await new Promise<void>((resolve, reject) => {
      const inner = (server as unknown as { server: NodeJS.EventEmitter }).server;
      inner.once('error', reject);
      server.listen(this.#o.port, this.#o.host, () => {
        inner.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    this.#log.info(
      { host: this.#o.host, port: this.port, starttls: certificate !== null },
      'email-to-fax intake listening',
    );
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #onConnect(session: SMTPServerSession): Error | null | undefined {
    const ip = plainIp(session.remoteAddress);
    const open = (this.#open.get(ip) ?? 0) + 1;
    if (
      this.#connections.blockedUntil(ip) ||
      this.#refusals.blockedUntil(ip) ||
      open > SMTP_LIMITS.concurrentPerSource
    ) {
      this.#log.warn({ ip }, 'SMTP client over its connection or refusal limit');
      return reply.busy();
    }
    this.#connections.recordFailure(ip);
    this.#open.set(ip, open);
    (session as SMTPServerSession & { counted?: boolean }).counted = true;
    return null;
  }

  #onClose(session: SMTPServerSession): void {
    this.#transactions.delete(session.id);
    this.#authUsers.delete(session.id);
    if (!(session as SMTPServerSession & { counted?: boolean }).counted) return;
    const ip = plainIp(session.remoteAddress);
    const open = (this.#open.get(ip) ?? 1) - 1;
    if (open <= 0) this.#open.delete(ip);
    else this.#open.set(ip, open);
  }

  /** The person's user id; the refusal reply otherwise. */
  async #onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession): Promise<string> {
    if (!session.secure && !isLoopbackIp(session.remoteAddress)) throw reply.authRequiresTls();
    const email = (auth.username ?? '').trim().toLowerCase();
    // The enterprises that take email faxes and know this address (one, in practice).
    const enterprises = this.#o.directory
      .listEnterprises()
      .filter(
        (e) =>
          this.#o.policies.get(e.id).document.emailToFax.enabled && this.#o.users.findByEmail(e.id, email),
      );
    const enterpriseId = enterprises[0]?.id ?? this.#o.directory.listEnterprises()[0]?.id ?? '';
    let step;
    try {
      step = await this.#o.signIn.password(email, auth.password ?? '', {
        source: plainIp(session.remoteAddress),
        channel: {
          kind: 'smtp',
          binding: `smtp:${enterpriseId}`,
          enterpriseId,
          label: 'mail client address',
          // SMTP has no step after the password: no session is made, only this connection is signed in.
          issue: async () => ({ sessionId: `smtp:${session.id}`, token: '', expiresAt: new Date() }),
        },
      });
    } catch (error) {
      const edge = EdgeError.from(error);
      if (edge.code === 'RATE_LIMITED') throw new SmtpReply(454, '4.7.0', 'RATE_LIMITED', `${edge.message}`);
      if (
        edge.code === 'ACCOUNT_LOCKED' ||
        edge.code === 'ACCOUNT_DISABLED' ||
        edge.code === 'BUILTIN_PASSWORD_DISABLED'
      )
        throw reply.authFailed(edge.message);
      throw reply.authFailed('Wrong email address or password.');
    }
    if (step.step === 'done') return step.user.id;
    if (step.step === 'change-password')
      throw reply.authFailed(
        'Your password must be changed first: sign in at a printer or your account page, then send again.',
      );
    throw reply.authFailed(
      'Your account uses two-factor authentication, which SMTP cannot ask for: send without AUTH from your company mail server.',
    );
  }

  async #onRcptTo(address: SMTPServerAddress, session: SMTPServerSession): Promise<void> {
    const transaction = this.#transactions.get(session.id) ?? { admitted: null, refusal: null, numbers: [] };
    this.#transactions.set(session.id, transaction);
    const at = address.address.lastIndexOf('@');
    const local = at > 0 ? address.address.slice(0, at) : address.address;
    const domain = at > 0 ? address.address.slice(at + 1).toLowerCase() : '';
    if (transaction.refusal) throw transaction.refusal;
    if (transaction.admitted === null) {
      try {
        const { enterprise, policy } = this.#o.senders.enterpriseOf(domain);
        const sizeParam = Number(
          (session.envelope.mailFrom &&
            session.envelope.mailFrom.args &&
            (session.envelope.mailFrom.args as Record<string, string>).SIZE) ??
            0,
        );
        transaction.admitted = await this.#o.senders.admit({
          enterprise,
          policy,
          ip: session.remoteAddress,
          helo: session.hostNameAppearsAs || '',
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          authUserId:
            this.#authUsers.get(session.id) ?? (typeof session.user === 'string' ? session.user : null),
        });
        if (sizeParam > policy.emailToFax.maxMessageMb * 1024 * 1024)
          throw reply.tooBig(policy.emailToFax.maxMessageMb);
      } catch (error) {
        // An unknown fax domain is about this recipient only; anything else holds for the message.
        if (error instanceof SmtpReply && error.code !== 'EMAIL_TO_FAX_UNKNOWN_DOMAIN')
          transaction.refusal = error;
        transaction.admitted = null;
        throw error;
      }
    } else if (transaction.admitted.policy.emailToFax.faxDomain !== domain) {
      throw reply.otherEnterprise();
    }
    const { policy } = transaction.admitted;
    if (transaction.numbers.length >= policy.emailToFax.maxRecipients)
      throw reply.tooManyRecipients(policy.emailToFax.maxRecipients);
    const number = this.#o.senders.recipient(local, policy);
    if (!transaction.numbers.includes(number)) transaction.numbers.push(number);
  }

  async #onData(stream: Readable & { sizeExceeded?: boolean }, session: SMTPServerSession): Promise<string> {
    const transaction = this.#transactions.get(session.id);
    const admitted = transaction?.admitted;
    const limit = (admitted?.policy.emailToFax.maxMessageMb ?? 1) * 1024 * 1024;
    const chunks: Buffer[] = [];
    let bytes = 0;
    let over = false;
    // Read to the end (the client must finish DATA before any reply) but keep nothing past the limit.
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limit) over = true;
      if (!over) chunks.push(chunk);
    }
    if (!transaction || !admitted || transaction.numbers.length === 0) throw reply.noRecipients();
    if (over || stream.sizeExceeded) throw reply.tooBig(admitted.policy.emailToFax.maxMessageMb);
    const job = await this.#o.intake.accept(admitted, transaction.numbers, Buffer.concat(chunks));
    this.#transactions.delete(session.id);
    return `2.0.0 Fax job ${job.id} queued for ${transaction.numbers.length} number${transaction.numbers.length === 1 ? '' : 's'}: a receipt follows by email`;
  }

  /** The reply for an error, counted against the client's refusal budget; unexpected errors are 451. */
  #refused(session: SMTPServerSession, error: unknown): Error {
    const ip = plainIp(session.remoteAddress);
    if (error instanceof SmtpReply) {
      this.#refusals.recordFailure(ip);
      this.#log.info({ ip, code: error.code, reply: error.responseCode }, 'SMTP command refused');
      return error;
    }
    this.#log.error({ err: error, ip }, 'SMTP intake failed unexpectedly');
    return reply.internal();
  }
}
