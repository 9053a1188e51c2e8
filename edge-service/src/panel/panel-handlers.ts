import {
  SUPPORTED_PROTOCOL_VERSIONS,
  MAX_FAX_RECIPIENTS,
  negotiateVersion,
  type DecodedRequest,
  type RequestType,
  type ReplyPayload,
  type ParsedRequestPayload,
} from '../../../protocol/index.ts';
import type { SessionClaims } from '../auth/session-tokens.ts';
import type { SignInService, SignInStep } from '../auth/sign-in-service.ts';
import type { DeviceRecord, DeviceRepository, DirectoryRepository } from '../domain/device.ts';
import type { UserRepository } from '../domain/user.ts';
import type { CoverPageOptions, JobRecord, JobRepository } from '../domain/job.ts';
import { pageViews, toJobView } from '../domain/job.ts';
import { countryName, parseFaxNumber, type FaxNumber } from '../domain/fax-number.ts';
import { evaluateDestination, type DestinationVerdict } from '../domain/destination-rules.ts';
import type { PolicyService } from '../policies/policy-service.ts';
import type { FaxPreview } from '../services/fax-preview.ts';
import type { Spool } from '../services/spool.ts';
import { EdgeError } from '../edge-error.ts';
import { hashDeviceToken } from '../services/device-credentials.ts';
import type { FaxJobEngine } from '../services/fax-job-engine.ts';
import { ownerOf, type PanelPeer, type PanelSession } from './panel-session.ts';
import type { PanelSessionKeeper } from './panel-session-keeper.ts';
import type { DeviceLoginSessions } from './device-login-sessions.ts';
import { pngDataUrl, toRuleViews, toSignInStepView, toUserView } from './panel-views.ts';
import { EDGE_VERSION } from '../version.ts';
import type { PanelPairing } from '../pairing/panel-pairing.ts';
import { PanelRecipients, type PanelRecipientDeps } from './panel-recipients.ts';
import type { PanelPhoneSignIn } from './panel-phone-sign-in.ts';

/** What a connection that has not said hello may ask: hello itself, and pairing. Nothing else. */
const BEFORE_HELLO: ReadonlySet<RequestType> = new Set<RequestType>([
  'hello',
  'pairing.begin',
  'pairing.claim',
]);

export interface PanelHandlerDeps {
  devices: DeviceRepository;
  directory: DirectoryRepository;
  jobs: JobRepository;
  engine: FaxJobEngine;
  /** Where the pages' thumbnails are (job.get). */
  spool: Pick<Spool, 'read'>;
  defaultCountry: string;
  users: Pick<UserRepository, 'get'>;
  signIn: SignInService;
  keeper: PanelSessionKeeper;
  deviceLogin: DeviceLoginSessions;
  /** pairing.begin / pairing.claim before hello; without it the edge pairs no panel. */
  pairing?: PanelPairing;
  /** The enterprise's destination rules (faxInternational, faxBlockedCountries, faxBlockPremium). */
  policies: Pick<PolicyService, 'get'>;
  /** fax.preview; without it the edge answers PREVIEW_UNAVAILABLE. */
  preview?: FaxPreview;
  /** Directory search, contacts and recent numbers (issue 11): without them those requests are refused. */
  recipients?: PanelRecipientDeps;
  /** Sign in with your phone (auth.phone.*); without it those requests are refused. */
  phone?: PanelPhoneSignIn;
}

/**
 * Requests that show or start nothing of anyone's: everything else needs a person (fail closed). On
 * a shared-account device that person is the shared account, set by hello.
 */
const PUBLIC_REQUESTS: ReadonlySet<RequestType> = new Set<RequestType>([
  'hello',
  'pairing.begin',
  'pairing.claim',
  'fax.checkNumber',
  'auth.password',
  'auth.totp',
  'auth.passwordRules',
  'auth.changePassword',
  'auth.enrolTwoFactor',
  'auth.phone.begin',
  'auth.phone.cancel',
  'session.activity',
]);

type Handler<T extends RequestType> = (
  peer: PanelPeer,
  payload: ParsedRequestPayload<T>,
) => Promise<ReplyPayload<T>> | ReplyPayload<T>;

/**
 * The panel's requests, by type, free of any transport: the WebSocket adapter decodes frames, calls
 * `handle`, and turns what it returns or throws into replies.
 */
export class PanelHandlers {
  readonly #d: PanelHandlerDeps;
  readonly #handlers: { [T in RequestType]: Handler<T> };
  readonly #recipients: PanelRecipients | null;

  constructor(deps: PanelHandlerDeps) {
    this.#d = deps;
    this.#recipients = deps.recipients
      ? new PanelRecipients(deps.recipients, { defaultCountry: deps.defaultCountry, users: deps.users })
      : null;
    this.#handlers = {
      hello: (peer, payload) => this.#hello(peer, payload),
      'pairing.begin': (peer, payload) => this.#pairing().begin(peer, payload),
      'pairing.claim': (peer, payload) => this.#pairing().claim(peer, payload),
      'fax.checkNumber': (peer, payload) => this.#checkNumber(peer.session, payload.number),
      'directory.search': (peer, payload) => this.#recipientSources().search(peer.session, payload),
      'contacts.list': (peer) => this.#recipientSources().listContacts(peer.session),
      'contacts.add': (peer, payload) => this.#recipientSources().addContact(peer.session, payload),
      'contacts.remove': (peer, payload) => this.#recipientSources().removeContact(peer.session, payload.id),
      'recipients.recent': (peer, payload) => this.#recipientSources().recent(peer.session, payload),
      'auth.password': async (peer, p) =>
        this.#step(peer, await this.#d.signIn.password(p.email, p.password, this.#context(peer))),
      'auth.totp': async (peer, p) =>
        this.#step(peer, await this.#d.signIn.totp(p.stepToken, p.code, this.#context(peer))),
      'auth.passwordRules': async (peer, p) => ({
        rules: toRuleViews(await this.#d.signIn.passwordRules(p.stepToken, p.candidate, this.#context(peer))),
      }),
      'auth.changePassword': async (peer, p) =>
        this.#step(peer, await this.#d.signIn.changePassword(p.stepToken, p.password, this.#context(peer))),
      'auth.enrolTwoFactor': async (peer, p) =>
        this.#step(peer, await this.#d.signIn.enrolTwoFactor(p.stepToken, p.code, this.#context(peer))),
      'auth.phone.begin': (peer) => {
        this.#context(peer);
        return this.#phone().begin(peer);
      },
      'auth.phone.cancel': (peer) => {
        this.#context(peer);
        this.#phone().cancel(peer);
        return {};
      },
      'auth.signOut': (peer) => {
        this.#context(peer);
        this.#d.keeper.signOut(peer);
        return {};
      },
      'session.activity': async (peer) => {
        const deadline = this.#d.keeper.activity(peer);
        const session = await this.#d.keeper.renew(peer);
        return { expiresAt: deadline?.toISOString() ?? null, ...(session ? { session } : {}) };
      },
      'fax.send': (peer, payload) => this.#send(peer.session, payload),
      'fax.preview': (peer, payload) => {
        const device = this.#device(peer.session);
        this.#user(peer.session);
        if (!this.#d.preview)
          throw new EdgeError('PREVIEW_UNAVAILABLE', 'This edge makes no previews: send without one.');
        return this.#d.preview.preview(device, payload);
      },
      'job.cancel': (peer, payload) => this.#cancel(peer.session, payload.jobId),
      'job.resume': (peer, payload) => {
        this.#ownJob(peer.session, payload.jobId);
        return { job: toJobView(this.#d.engine.resume(payload.jobId, { finish: payload.finish })) };
      },
      'job.get': (peer, payload) => this.#get(this.#ownJob(peer.session, payload.jobId), payload.fromPage),
      'jobs.list': (peer, payload) => ({
        jobs: this.#d.jobs
          .listByDevice(this.#device(peer.session).id, payload.limit, ownerOf(peer.session))
          // Emailed faxes are their sender's business, not the walk-up panel's (receipts report them).
          .filter((job) => job.source !== 'email')
          .map(toJobView),
      }),
    };
  }

  /** A panel connected (before hello). */
  connected(peer: PanelPeer): void {
    this.#d.keeper.connected(peer);
  }

  disconnected(peer: PanelPeer): void {
    this.#d.phone?.cancel(peer);
    this.#d.pairing?.disconnected(peer);
    this.#d.deviceLogin.detach(peer);
    this.#d.keeper.disconnected(peer);
  }

  async handle(peer: PanelPeer, request: DecodedRequest): Promise<unknown> {
    const { session } = peer;
    if (!session.device && BEFORE_HELLO.has(request.type)) {
      // Unpaired: only hello and pairing, and none of the session checks below apply yet.
      const handler = this.#handlers[request.type] as Handler<typeof request.type>;
      return handler(peer, request.payload as never);
    }
    if (request.type !== 'hello') {
      if (!session.device)
        throw new EdgeError(
          'HELLO_REQUIRED',
          'Send hello with the device credential first (or pairing.begin if this panel has none).',
        );
      // Every request is checked against the stored session, not only the sign-in.
      const check = this.#d.keeper.check(peer);
      if (check === 'device-revoked')
        throw new EdgeError(
          'DEVICE_UNAUTHORIZED',
          'This printer was removed from the company: pair it again.',
        );
      if (check === 'ended' && !PUBLIC_REQUESTS.has(request.type)) throw new EdgeError('SESSION_REVOKED');
      if (request.type !== 'session.activity') this.#d.keeper.activity(peer);
    }
    if (!PUBLIC_REQUESTS.has(request.type) && !session.user) throw authRequired(session);
    const handler = this.#handlers[request.type] as Handler<typeof request.type>;
    return handler(peer, request.payload as never);
  }

  #recipientSources(): PanelRecipients {
    if (!this.#recipients) throw new EdgeError('UNKNOWN_TYPE', 'This edge keeps no directory or contacts.');
    return this.#recipients;
  }

  #phone(): PanelPhoneSignIn {
    if (!this.#d.phone) throw new EdgeError('UNKNOWN_TYPE', 'This edge offers no sign-in with a phone.');
    return this.#d.phone;
  }

  #pairing(): PanelPairing {
    if (!this.#d.pairing) throw new EdgeError('UNKNOWN_TYPE', 'This edge does not pair panels.');
    return this.#d.pairing;
  }

  /** The sign-in context of a user-prompt panel; AUTH_MODE_MISMATCH on the other modes. */
  #context(peer: PanelPeer) {
    const device = this.#device(peer.session);
    if (device.authMode !== 'user-prompt') throw modeMismatch(device);
    return { deviceId: device.id, source: peer.session.source };
  }

  async #step(peer: PanelPeer, step: SignInStep): Promise<ReplyPayload<'auth.password'>> {
    if (step.step !== 'done') {
      const rules =
        step.step === 'change-password'
          ? toRuleViews(await this.#d.signIn.passwordRules(step.stepToken, '', this.#context(peer)))
          : undefined;
      return toSignInStepView(step, rules ? { rules } : {});
    }
    const device = this.#device(peer.session);
    const user = this.#d.users.get(step.user.id);
    if (!user) throw new EdgeError('TOKEN_INVALID');
    const claims: SessionClaims = {
      sessionId: step.session.sessionId,
      userId: user.id,
      deviceId: device.id,
      enterpriseId: user.enterpriseId,
    };
    const session = this.#d.keeper.adopt(peer, user, step.session, claims, { inactivity: true });
    // Signed in by password: the phone code shown beside it can no longer sign anyone in here.
    this.#d.phone?.cancel(peer);
    return {
      step: 'done',
      session,
      ...(step.recoveryCodes ? { recoveryCodes: step.recoveryCodes } : {}),
    };
  }

  async #hello(peer: PanelPeer, payload: ParsedRequestPayload<'hello'>): Promise<ReplyPayload<'hello'>> {
    const { session } = peer;
    const version = negotiateVersion(payload.protocolVersions, SUPPORTED_PROTOCOL_VERSIONS);
    if (version === null) {
      throw new EdgeError(
        'UNSUPPORTED_VERSION',
        `This edge speaks protocol ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}; update the panel app.`,
      );
    }
    const device = this.#d.devices.findByTokenHash(hashDeviceToken(payload.deviceToken));
    if (!device) throw new EdgeError('DEVICE_UNAUTHORIZED');
    if (session.device)
      throw new EdgeError('BAD_MESSAGE', 'hello was already answered on this connection: open a new one.');
    session.device = device;
    session.protocolVersion = version;
    session.user = null;
    // Who the panel acts for: the shared account; a resumed session (user-prompt); the person at
    // the MFP as the edge reads it from the device (device-login: nothing in hello counts).
    if (device.authMode === 'shared-account') {
      session.user = device.sharedUserId ? this.#d.directory.getUser(device.sharedUserId) : null;
    } else if (device.authMode === 'user-prompt') {
      if (payload.sessionToken) await this.#d.keeper.resume(peer, payload.sessionToken);
    } else {
      this.#d.deviceLogin.attach(peer);
    }
    return {
      protocolVersion: version,
      edgeVersion: EDGE_VERSION,
      device: { id: device.id, name: device.name, authMode: device.authMode },
      user: session.user ? toUserView(session.user) : null,
      session: this.#d.keeper.view(peer),
      policy: this.#d.keeper.policyView(device.enterpriseId),
    };
  }

  #send(session: PanelSession, payload: ParsedRequestPayload<'fax.send'>): ReplyPayload<'fax.send'> {
    const device = this.#device(session);
    const user = this.#user(session);
    // Read now, not at sign-in: an administrator turning fax off takes effect at the next send.
    if (this.#d.users.get(user.id)?.faxEnabled === false) throw new EdgeError('FAX_SERVICE_DISABLED');
    if (payload.recipients.length === 0)
      throw new EdgeError('NO_RECIPIENTS', 'Enter at least one fax number.');
    if (payload.recipients.length > MAX_FAX_RECIPIENTS) {
      throw new EdgeError(
        'TOO_MANY_RECIPIENTS',
        `A fax can go to at most ${MAX_FAX_RECIPIENTS} numbers at once.`,
      );
    }
    // Every number is checked, against the enterprise's destination rules too, before anything is
    // scanned: a refused number refuses the whole job (nothing is accepted, nothing is scanned).
    const numbers = payload.recipients.map((n) => {
      const number = parseFaxNumber(n, this.#d.defaultCountry);
      const verdict = this.#verdict(device.enterpriseId, number);
      if (!verdict.allowed)
        throw new EdgeError('DESTINATION_BLOCKED', `${number.display}: ${verdict.message}`, {
          recipient: number.e164,
          rule: verdict.rule,
        });
      return number.e164;
    });
    const unique = [...new Set(numbers)];
    const job = this.#d.engine.submit(
      device,
      user.id,
      {
        resolution: payload.resolution,
        source: payload.source,
        duplex: payload.duplex,
        originalSize: payload.originalSize,
        contentType: payload.contentType,
        skipBlankPages: payload.skipBlankPages,
        cover: payload.cover ? this.#cover(device, user, payload.cover) : null,
      },
      unique,
    );
    return { job: toJobView(job) };
  }

  #checkNumber(session: PanelSession, input: string): ReplyPayload<'fax.checkNumber'> {
    const number = parseFaxNumber(input, this.#d.defaultCountry);
    const verdict = session.device
      ? this.#verdict(session.device.enterpriseId, number)
      : ({ allowed: true } as const);
    // The national format and the country's name in the person's language, when the panel's
    // recipient sources are there (they know the person's language).
    const labels = this.#recipients?.labels(session, number.e164);
    return {
      e164: number.e164,
      country: number.country,
      countryName: labels?.countryName ?? (number.country ? countryName(number.country) : null),
      display: number.display,
      ...(labels?.national ? { national: labels.national } : {}),
      numberType: number.numberType,
      allowed: verdict.allowed,
      ...(verdict.allowed ? {} : { rule: verdict.rule, message: verdict.message }),
    };
  }

  /** The policy is read at every check, so an administrator's change applies to the next number. */
  #verdict(enterpriseId: string, number: FaxNumber): DestinationVerdict {
    const { document } = this.#d.policies.get(enterpriseId);
    return evaluateDestination(number, document, this.#d.defaultCountry);
  }

  /** The cover page as stored with the job: names resolved now, from who is signed in. */
  #cover(
    device: DeviceRecord,
    user: { displayName: string },
    cover: NonNullable<ParsedRequestPayload<'fax.send'>['cover']>,
  ): CoverPageOptions {
    const enterprise = this.#d.directory.getEnterprise(device.enterpriseId)?.name;
    const person = cover.senderName?.trim() || user.displayName;
    return {
      subject: cover.subject.trim(),
      note: cover.note,
      senderName: enterprise && enterprise !== person ? `${person}, ${enterprise}` : person,
      recipientName: cover.recipientName?.trim() || null,
    };
  }

  async #cancel(session: PanelSession, jobId: string): Promise<ReplyPayload<'job.cancel'>> {
    this.#ownJob(session, jobId);
    return { job: toJobView(await this.#d.engine.cancel(jobId)) };
  }

  /** A job of this device, and of the person signed in on devices where people sign in. */
  #ownJob(session: PanelSession, jobId: string): JobRecord {
    const job = this.#d.jobs.get(jobId);
    const owner = ownerOf(session);
    if (!job || job.deviceId !== this.#device(session).id || (owner !== undefined && job.userId !== owner))
      throw new EdgeError('JOB_NOT_FOUND');
    return job;
  }

  /**
   * The job and its thumbnails from `fromPage` on, as many as fit in one frame (THUMBNAILS_BUDGET);
   * a page whose thumbnail is gone (spool swept, or never made) comes without one.
   */
  async #get(job: JobRecord, fromPage: number): Promise<ReplyPayload<'job.get'>> {
    const states = new Map(pageViews(job).map((p) => [p.number, p.state]));
    const thumbnails: ReplyPayload<'job.get'>['thumbnails'] = [];
    let bytes = 0;
    let nextPage: number | undefined;
    for (const page of job.pages) {
      if (page.number < fromPage) continue;
      const thumbnail = page.thumbFile ? await this.#thumbnail(job.id, page.thumbFile) : undefined;
      // The reply stays one frame: what does not fit comes with the next job.get.
      const size = thumbnail?.length ?? 0;
      if (thumbnails.length > 0 && bytes + size > THUMBNAILS_BUDGET) {
        nextPage = page.number;
        break;
      }
      bytes += size;
      thumbnails.push({
        number: page.number,
        state: states.get(page.number) ?? 'scanned',
        ...(thumbnail ? { thumbnail } : {}),
      });
    }
    return { job: toJobView(job), thumbnails, ...(nextPage ? { nextPage } : {}) };
  }

  async #thumbnail(jobId: string, file: string): Promise<string | undefined> {
    try {
      return pngDataUrl(await this.#d.spool.read(jobId, file));
    } catch {
      return undefined;
    }
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

/**
 * Thumbnail bytes in one job.get reply: the frame limit (64 KiB) less room for the JobView of a
 * long job (its pages list and recipients).
 */
const THUMBNAILS_BUDGET = 40 * 1024;

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

function modeMismatch(device: DeviceRecord): EdgeError {
  return new EdgeError(
    'AUTH_MODE_MISMATCH',
    device.authMode === 'device-login'
      ? 'This printer signs you in with its own sign-in (card or PIN): sign in and out there.'
      : 'This printer uses a shared account: nobody signs in here.',
  );
}
