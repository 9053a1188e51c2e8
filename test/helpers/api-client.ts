import { EdgeService, type EdgeServiceOptions } from '../../edge-service/src/edge-service.ts';
import { createLogger } from '../../edge-service/src/logger.ts';
import { totpContext } from '../../edge-service/src/auth/totp-enrolment.ts';
import { newTotpSecret, totpCode, totpStep } from '../../edge-service/src/auth/totp.ts';
import type { EnterpriseRecord } from '../../edge-service/src/domain/device.ts';
import type { UserAccount, UserRole } from '../../edge-service/src/domain/user.ts';
import { tempDir } from './temp-dir.ts';

/** A strong password every enterprise's default rules accept. */
export const TEST_PASSWORD = 'correct horse battery staple 7';

export interface ApiEdge {
  edge: EdgeService;
  url: string;
  dataDir: string;
  stop: () => Promise<void>;
}

/** A real edge on port 0 in a fresh data folder (no simulator, no demo), answers checked against their schemas. */
export async function startApiEdge(
  options: Omit<EdgeServiceOptions, 'config'> & { config?: Record<string, unknown> } = {},
): Promise<ApiEdge> {
  const dir = tempDir('mfp-edge-api-');
  const edge = new EdgeService({
    logger: createLogger({ level: process.env.LOG_LEVEL ?? 'silent' }),
    validateApiResponses: true,
    ...options,
    config: { port: 0, dataDir: dir.path, smtpIntakePort: 'off', ...options.config },
  });
  await edge.start();
  return {
    edge,
    url: edge.url,
    dataDir: dir.path,
    stop: async () => {
      await edge.stop();
      dir.remove();
    },
  };
}

export interface TestAccount {
  user: UserAccount;
  email: string;
  password: string;
  /** Base32 TOTP secret, when enrolled. */
  totpSecret: string | null;
}

/** An enterprise with the slug given (created when missing). */
export function ensureEnterprise(edge: EdgeService, name: string, slug: string): EnterpriseRecord {
  const { directory } = edge.repositories;
  return directory.findEnterpriseBySlug(slug) ?? directory.createEnterprise(name, slug);
}

/**
 * A user straight in the repositories (as `mfp-edge admin user add` makes them), with a password
 * and, unless `totp: false`, an enrolled TOTP secret.
 */
export async function createAccount(
  edge: EdgeService,
  input: {
    enterprise: EnterpriseRecord;
    email: string;
    role?: UserRole;
    displayName?: string;
    password?: string;
    totp?: boolean;
  },
): Promise<TestAccount> {
  const { users, hasher, secretBox } = edge.people;
  const password = input.password ?? TEST_PASSWORD;
  const created = users.create({
    enterpriseId: input.enterprise.id,
    email: input.email,
    displayName: input.displayName ?? input.email.split('@')[0]!,
    role: input.role ?? 'admin',
  });
  users.setPasswordHash(created.id, await hasher.hash(password), new Date());
  let totpSecret: string | null = null;
  if (input.totp !== false) {
    totpSecret = newTotpSecret();
    users.setTotp(created.id, {
      ciphertext: secretBox.seal(totpSecret, totpContext(created.id)),
      enrolledAt: new Date(),
      // As if no code was used yet: the step before the previous one.
      step: totpStep(new Date()) - 3,
    });
  }
  return { user: users.get(created.id)!, email: input.email, password, totpSecret };
}

/**
 * A code the edge accepts now for a secret whose last used step is `lastStep`: the current step,
 * or the next one (inside the ±1 drift window) when the current one was used by a sign-in a moment ago.
 */
export async function freshTotpCode(secret: string, lastStep: number | null): Promise<string> {
  const now = Date.now();
  const current = totpStep(new Date(now));
  const step = lastStep !== null && lastStep >= current ? lastStep + 1 : current;
  if (step > current + 1) throw new Error('no fresh TOTP code before the next 30-second step');
  return totpCode(secret, new Date(step * 30_000 + 1000));
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * An API caller over real HTTP: a console cookie session (with its CSRF token sent on
 * state-changing requests) or a bearer token.
 */
export class ApiClient {
  readonly baseUrl: string;
  cookie: string | null = null;
  csrfToken: string | null = null;
  bearer: string | null = null;
  /** Sent as Origin on every request, when set. */
  origin: string | null = null;

  constructor(edgeUrl: string) {
    this.baseUrl = `${edgeUrl.replace(/\/$/, '')}/api/v1`;
  }

  static withToken(edgeUrl: string, token: string): ApiClient {
    const client = new ApiClient(edgeUrl);
    client.bearer = token;
    return client;
  }

  async request<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
    method: string,
    path: string,
    body?: unknown,
    options: { headers?: Record<string, string>; csrf?: boolean; rawBody?: string } = {},
  ): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers.cookie = this.cookie;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.origin) headers.origin = this.origin;
    const changing = !['GET', 'HEAD'].includes(method.toUpperCase());
    if (changing && this.csrfToken && options.csrf !== false) headers['x-csrf-token'] = this.csrfToken;
    let payload: string | undefined = options.rawBody;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(payload !== undefined ? { body: payload } : {}),
      signal: AbortSignal.timeout(20_000),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) {
      const [pair] = setCookie.split(';');
      const [name, value] = pair!.split('=');
      if (name && /mfp-console$/.test(name)) this.cookie = value ? `${name}=${value}` : null;
    }
    const type = response.headers.get('content-type') ?? '';
    const parsed = type.includes('json')
      ? await response.json()
      : type.startsWith('text/')
        ? await response.text()
        : Buffer.from(await response.arrayBuffer());
    return { status: response.status, body: parsed as T, headers: response.headers };
  }

  /**
   * Signs in through the console sign-in endpoints: password, then the TOTP code (computed from
   * the account's secret), or the enrolment when it has none (the secret returned by the step).
   * Returns the final step's answer (user, enterprise, csrfToken; recoveryCodes after enrolment).
   */
  async signIn(
    account: { email: string; password: string; totpSecret: string | null },
    options: { enterprise?: string; lastStep?: number | null } = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<any> {
    let step = await this.request('POST', '/session/password', {
      email: account.email,
      password: account.password,
      ...(options.enterprise ? { enterprise: options.enterprise } : {}),
    });
    for (let i = 0; i < 4 && step.status === 200 && step.body.step !== 'done'; i++) {
      const current = step.body;
      if (current.step === 'totp') {
        if (!account.totpSecret) throw new Error('the account asks for a TOTP code but has no secret');
        const code = await freshTotpCode(account.totpSecret, options.lastStep ?? null);
        step = await this.request('POST', '/session/totp', { stepToken: current.stepToken, code });
      } else if (current.step === 'enrol-2fa') {
        account.totpSecret = current.secret;
        const code = await freshTotpCode(current.secret, null);
        step = await this.request('POST', '/session/enrol-2fa', { stepToken: current.stepToken, code });
      } else {
        throw new Error(`sign-in stopped at step ${current.step}`);
      }
    }
    if (step.status !== 200 || step.body.step !== 'done')
      throw new Error(`sign-in failed: ${step.status} ${JSON.stringify(step.body)}`);
    this.csrfToken = step.body.csrfToken;
    return step.body;
  }
}

/**
 * A console session for an account without going through the sign-in (which a TOTP code allows
 * once per 30 seconds): the session row, the cookie and the CSRF token, as a sign-in leaves them.
 */
export function sessionClient(edge: EdgeService, account: { user: { id: string } }): ApiClient {
  const client = new ApiClient(edge.url);
  const issued = edge.api.consoleSessions.create(account.user.id, '127.0.0.1');
  client.cookie = `mfp-console=${issued.token}`;
  client.csrfToken = edge.api.consoleSessions.csrfToken(issued.sessionId);
  return client;
}
