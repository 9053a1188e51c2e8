import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface ReceivedMail {
  from: string;
  to: string[];
  user: string | undefined;
  raw: string;
}

/** An SMTP reply a test makes the server give to RCPT TO. */
export type Refusal = { responseCode: number; message: string };

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 for the tests: plain, no STARTTLS (loopback), AUTH
 * PLAIN/LOGIN required against `users`; `refuse` answers RCPT TO with an error while it returns one.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  readonly logins: { user: string; pass: string }[] = [];
  refuse: (() => Refusal | null) | null = null;
  rcptAttempts = 0;
  readonly #users: Record<string, string>;
  #server: SMTPServer | undefined;
  #port = 0;

  constructor(users: Record<string, string>) {
    this.#users = users;
  }

  get port(): number {
    return this.#port;
  }

  /** Listens on `port` (0: any free one); a stopped server can start again on its old port. */
  async start(port = this.#port): Promise<void> {
    const server = new SMTPServer({
      logger: false,
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      closeTimeout: 1000,
      onAuth: (auth, _session, callback) => {
        this.logins.push({ user: auth.username ?? '', pass: auth.password ?? '' });
        if (auth.username && this.#users[auth.username] === auth.password)
          callback(null, { user: auth.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onRcptTo: (_address, _session, callback) => {
        this.rcptAttempts++;
        const refusal = this.refuse?.();
        if (refusal)
          callback(Object.assign(new Error(refusal.message), { responseCode: refusal.responseCode }));
        else callback();
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            user: typeof session.user === 'string' ? session.user : undefined,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', () => undefined);
    this.#server = server;
    this.#port = (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** Polls until `check` holds; fails after `timeoutMs` instead of hanging the suite. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
