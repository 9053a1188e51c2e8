import {
  SUPPORTED_PROTOCOL_VERSIONS,
  MAX_FAX_RECIPIENTS,
  negotiateVersion,
  type DecodedRequest,
  type RequestType,
  type ReplyPayload,
  type ParsedRequestPayload,
} from '../../../protocol/index.ts';
import type { DeviceRepository, DirectoryRepository } from '../domain/device.ts';
import type { JobRepository } from '../domain/job.ts';
import { toJobView } from '../domain/job.ts';
import { parseFaxNumber } from '../domain/fax-number.ts';
import { EdgeError } from '../edge-error.ts';
import { hashDeviceToken } from '../services/device-credentials.ts';
import type { FaxJobEngine } from '../services/fax-job-engine.ts';
import type { PanelSession } from './panel-session.ts';
import { EDGE_VERSION } from '../version.ts';

export interface PanelHandlerDeps {
  devices: DeviceRepository;
  directory: DirectoryRepository;
  jobs: JobRepository;
  engine: FaxJobEngine;
  defaultCountry: string;
}

/**
 * Requests that show or start nothing of anyone's: everything else needs a person (fail closed). On
 * a shared-account device that person is the shared account, set by hello.
 */
const PUBLIC_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>([
  'hello',
  'fax.checkNumber',
  'auth.password',
  'auth.totp',
  'auth.passwordRules',
  'auth.changePassword',
  'auth.enrolTwoFactor',
  'session.activity',
]);

type Handler<T extends RequestType> = (
  session: PanelSession,
  payload: ParsedRequestPayload<T>,
) => Promise<ReplyPayload<T>> | ReplyPayload<T>;

/**
 * The panel's requests, by type, free of any transport: the WebSocket adapter decodes frames, calls
 * `handle`, and turns what it returns or throws into replies.
 */
export class PanelHandlers {
  readonly #d: PanelHandlerDeps;
  readonly #handlers: { [T in RequestType]: Handler<T> };

  constructor(deps: PanelHandlerDeps) {
    this.#d = deps;
    this.#handlers = {
      hello: (session, payload) => this.#hello(session, payload),
      'fax.checkNumber': (_session, payload) => parseFaxNumber(payload.number, this.#d.defaultCountry),
      // TEMPORARY (branch people only): the sign-in handlers are being written; never merged like this.
      'auth.password': () => notWired(),
      'auth.totp': () => notWired(),
      'auth.passwordRules': () => notWired(),
      'auth.changePassword': () => notWired(),
      'auth.enrolTwoFactor': () => notWired(),
      'auth.signOut': () => notWired(),
      'session.activity': () => notWired(),
      'fax.send': (session, payload) => this.#send(session, payload),
      'job.cancel': (session, payload) => this.#cancel(session, payload.jobId),
      'jobs.list': (session, payload) => ({
        jobs: this.#d.jobs.listByDevice(this.#device(session).id, payload.limit).map(toJobView),
      }),
    };
  }

  async handle(session: PanelSession, request: DecodedRequest): Promise<unknown> {
    if (request.type !== 'hello' && !session.device) {
      throw new EdgeError('HELLO_REQUIRED', 'Send hello with the device credential first.');
    }
    if (!PUBLIC_REQUESTS.has(request.type) && !session.user) throw authRequired(session);
    const handler = this.#handlers[request.type] as Handler<typeof request.type>;
    return handler(session, request.payload as never);
  }

  #hello(session: PanelSession, payload: ParsedRequestPayload<'hello'>): ReplyPayload<'hello'> {
    const version = negotiateVersion(payload.protocolVersions, SUPPORTED_PROTOCOL_VERSIONS);
    if (version === null) {
      throw new EdgeError(
        'UNSUPPORTED_VERSION',
        `This edge speaks protocol ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; update the panel app.`,
      );
    }
    const device = this.#d.devices.findByTokenHash(hashDeviceToken(payload.deviceToken));
    if (!device) throw new EdgeError('DEVICE_UNAUTHORIZED');
    // Only the shared account is known at hello; the other modes sign a person in afterwards.
    const user =
      device.authMode === 'shared-account' && device.sharedUserId
        ? this.#d.directory.getUser(device.sharedUserId)
        : null;
    session.device = device;
    session.protocolVersion = version;
    session.user = user;
    return {
      protocolVersion: version,
      edgeVersion: EDGE_VERSION,
      device: { id: device.id, name: device.name, authMode: device.authMode },
      user: user ? { displayName: user.displayName, email: user.email } : null,
    };
  }

  #send(session: PanelSession, payload: ParsedRequestPayload<'fax.send'>): ReplyPayload<'fax.send'> {
    const device = this.#device(session);
    if (payload.recipients.length === 0)
      throw new EdgeError('NO_RECIPIENTS', 'Enter at least one fax number.');
    if (payload.recipients.length > MAX_FAX_RECIPIENTS) {
      throw new EdgeError(
        'TOO_MANY_RECIPIENTS',
        `A fax can go to at most ${MAX_FAX_RECIPIENTS} numbers at once.`,
      );
    }
    // Every number is checked before anything is scanned.
    const numbers = payload.recipients.map((n) => parseFaxNumber(n, this.#d.defaultCountry).e164);
    const unique = [...new Set(numbers)];
    const job = this.#d.engine.submit(
      device,
      this.#user(session).id,
      { resolution: payload.resolution, source: payload.source, duplex: payload.duplex },
      unique,
    );
    return { job: toJobView(job) };
  }

  async #cancel(session: PanelSession, jobId: string): Promise<ReplyPayload<'job.cancel'>> {
    const job = this.#d.jobs.get(jobId);
    if (!job || job.deviceId !== this.#device(session).id) throw new EdgeError('JOB_NOT_FOUND');
    return { job: toJobView(await this.#d.engine.cancel(jobId)) };
  }

  #user(session: PanelSession) {
    if (!session.user) throw authRequired(session);
    return session.user;
  }

  #device(session: PanelSession) {
    if (!session.device) throw new EdgeError('HELLO_REQUIRED');
    return session.device;
  }
}

function authRequired(session: PanelSession): EdgeError {
  switch (session.device?.authMode) {
    case 'device-login':
      return new EdgeError('AUTH_REQUIRED', 'Sign in at the printer first (card, PIN or its own sign-in).');
    case 'user-prompt':
      return new EdgeError('AUTH_REQUIRED', 'Sign in with your email and password first.');
    default:
      return new EdgeError(
        'AUTH_REQUIRED',
        'This device has no shared account assigned: ask an administrator to set one.',
      );
  }
}

function notWired(): never {
  throw new EdgeError('INTERNAL', 'sign-in is not wired yet');
}
