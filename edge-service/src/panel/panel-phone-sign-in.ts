import type { ReplyPayload } from '../../../protocol/index.ts';
import type { DeviceAuthorizationEvents, DeviceAuthorizations } from '../auth/device-authorizations.ts';
import type { PhoneSignIn } from '../auth/phone-sign-in.ts';
import type { SessionClaims } from '../auth/session-tokens.ts';
import type { DirectoryRepository } from '../domain/device.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { verificationUris } from '../phone/phone-routes.ts';
import { qrPng } from '../qr-png.ts';
import { systemClock, type PanelClock } from './panel-clock.ts';
import type { PanelPeer } from './panel-session.ts';
import type { PanelSessionKeeper } from './panel-session-keeper.ts';
import { toUserView } from './panel-views.ts';

interface Waiting {
  id: string;
  peer: PanelPeer;
  timer: unknown;
}

export interface PanelPhoneSignInOptions {
  authorizations: DeviceAuthorizations;
  phoneSignIn: PhoneSignIn;
  keeper: Pick<PanelSessionKeeper, 'adopt'>;
  directory: Pick<DirectoryRepository, 'getEnterprise'>;
  publicOrigin: () => string;
  clock?: PanelClock;
  logger?: Logger;
}

/**
 * The panel side of "sign in with your phone": `auth.phone.begin` / `auth.phone.cancel`, and the
 * outcome pushed to the connection waiting on its code (no polling): an approval starts the panel
 * session as a password sign-in would (the keeper adopts it, `session.changed` tells the panel),
 * a denial or the expiry shows their screens. One code per connection; a closed connection's code
 * is cancelled (nobody would be signed in by a later confirmation).
 */
export class PanelPhoneSignIn {
  readonly #o: PanelPhoneSignInOptions;
  readonly #clock: PanelClock;
  readonly #byPeer = new Map<PanelPeer, Waiting>();
  readonly #byId = new Map<string, Waiting>();

  constructor(options: PanelPhoneSignInOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    this.#o.authorizations.on('decided', this.#onDecided);
  }

  stop(): void {
    this.#o.authorizations.off('decided', this.#onDecided);
    for (const w of this.#byPeer.values()) this.#clock.clearTimeout(w.timer);
    this.#byPeer.clear();
    this.#byId.clear();
  }

  async begin(peer: PanelPeer): Promise<ReplyPayload<'auth.phone.begin'>> {
    const device = peer.session.device;
    if (!device) throw new EdgeError('HELLO_REQUIRED');
    const previous = this.#byPeer.get(peer);
    const begun = this.#o.authorizations.begin(device, peer.session.source, previous?.id ?? null);
    this.#unwait(peer);
    const enterprise = this.#o.directory.getEnterprise(device.enterpriseId);
    if (!enterprise) throw new EdgeError('ENTERPRISE_NOT_FOUND');
    const uris = verificationUris(
      peer.session.origin ?? this.#o.publicOrigin(),
      enterprise.slug,
      begun.userCode,
    );
    const waiting: Waiting = {
      id: begun.id,
      peer,
      timer: this.#clock.setTimeout(
        () => {
          if (this.#byPeer.get(peer)?.id !== begun.id) return;
          this.#unwait(peer);
          peer.push('auth.phone.expired', {});
        },
        Math.max(0, begun.expiresAt.getTime() - this.#clock.now()),
      ),
    };
    this.#byPeer.set(peer, waiting);
    this.#byId.set(begun.id, waiting);
    return {
      userCode: begun.userCode,
      verificationUri: uris.verificationUri,
      verificationUriComplete: uris.verificationUriComplete,
      qrPng: await qrPng(uris.verificationUriComplete),
      expiresAt: begun.expiresAt.toISOString(),
      interval: begun.interval,
    };
  }

  /** auth.phone.cancel, a password sign-in, or the connection closing: the code is void. */
  cancel(peer: PanelPeer): void {
    const waiting = this.#byPeer.get(peer);
    if (!waiting) return;
    this.#unwait(peer);
    this.#o.authorizations.cancel(waiting.id);
  }

  #unwait(peer: PanelPeer): void {
    const waiting = this.#byPeer.get(peer);
    if (!waiting) return;
    this.#clock.clearTimeout(waiting.timer);
    this.#byPeer.delete(peer);
    this.#byId.delete(waiting.id);
  }

  readonly #onDecided = (event: DeviceAuthorizationEvents['decided'][0]): void => {
    const waiting = this.#byId.get(event.id);
    if (!waiting) return;
    const { peer } = waiting;
    this.#unwait(peer);
    if (event.status === 'denied') {
      peer.push('auth.phone.denied', {});
      return;
    }
    void this.#signIn(peer, event.id, event.deviceId).catch((error: unknown) => {
      const code = error instanceof EdgeError ? error.code : 'INTERNAL';
      this.#o.logger?.warn({ deviceId: event.deviceId, code }, 'phone sign-in not started');
      peer.push('session.changed', {
        user: null,
        code,
        message: error instanceof EdgeError ? error.message : 'The sign-in could not start.',
      });
    });
  };

  async #signIn(peer: PanelPeer, id: string, deviceId: string): Promise<void> {
    const device = peer.session.device;
    if (!device || device.id !== deviceId) throw new EdgeError('DEVICE_UNAUTHORIZED');
    const { user, session } = await this.#o.phoneSignIn.issue(id, device.id, peer.session.source);
    const claims: SessionClaims = {
      sessionId: session.sessionId,
      userId: user.id,
      deviceId: device.id,
      enterpriseId: user.enterpriseId,
    };
    const view = this.#o.keeper.adopt(peer, user, session, claims, { inactivity: true });
    peer.push('auth.phone.approved', { user: toUserView(user) });
    peer.push('session.changed', { user: view.user, session: view });
    this.#o.logger?.info({ deviceId: device.id, userId: user.id }, 'panel signed in from a phone');
  }
}
