import type { ParsedRequestPayload, ReplyPayload } from '../../../protocol/index.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import { systemClock, type PanelClock } from '../panel/panel-clock.ts';
import type { PanelPeer } from '../panel/panel-session.ts';
import { qrPng } from '../qr-png.ts';
import type { PairingEvents, PairingService } from './pairing-service.ts';

/** The console's approve page for a code (the admin console reads `code` from its hash route). */
export function approveUrl(origin: string, normalisedCode: string): string {
  return `${origin.replace(/\/+$/, '')}/admin/#/pair?code=${encodeURIComponent(normalisedCode)}`;
}

interface Waiting {
  peer: PanelPeer;
  timer: unknown;
}

/**
 * The panel side of pairing: `pairing.begin` and `pairing.claim` on connections that have not said
 * hello, and the events those connections wait for (`pairing.approved`, `pairing.expired`).
 */
export class PanelPairing {
  readonly #service: PairingService;
  readonly #origin: () => string;
  readonly #clock: PanelClock;
  readonly #log: Logger | undefined;
  /** Connections by the pairing they wait on. */
  readonly #waiting = new Map<string, Set<Waiting>>();

  constructor(options: {
    service: PairingService;
    publicOrigin: () => string;
    clock?: PanelClock;
    logger?: Logger;
  }) {
    this.#service = options.service;
    this.#origin = options.publicOrigin;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger;
  }

  start(): void {
    this.#service.on('approved', this.#onApproved);
  }

  stop(): void {
    this.#service.off('approved', this.#onApproved);
    for (const set of this.#waiting.values()) for (const w of set) this.#clock.clearTimeout(w.timer);
    this.#waiting.clear();
  }

  async begin(
    peer: PanelPeer,
    payload: ParsedRequestPayload<'pairing.begin'>,
  ): Promise<ReplyPayload<'pairing.begin'>> {
    refuseIfPaired(peer);
    const panel = { app: payload.app, ...(payload.screen ? { screen: payload.screen } : {}) };
    const begun = this.#service.begin(peer.session.source, panel);
    const url = approveUrl(peer.session.origin ?? this.#origin(), begun.userCode.replace('-', ''));
    this.#wait(peer, { id: begun.id, expiresAt: Date.parse(begun.expiresAt) });
    this.#log?.info({ pairingId: begun.id, source: peer.session.source }, 'pairing begun');
    return {
      userCode: begun.userCode,
      deviceCode: begun.deviceCode,
      expiresAt: begun.expiresAt,
      approveUrl: url,
      qrPng: await qrPng(url),
    };
  }

  claim(peer: PanelPeer, payload: ParsedRequestPayload<'pairing.claim'>): ReplyPayload<'pairing.claim'> {
    refuseIfPaired(peer);
    try {
      const { deviceToken } = this.#service.claim(payload.deviceCode, peer.session.source);
      this.#unwait(peer);
      return { deviceToken };
    } catch (error) {
      // Not approved yet (a panel back after a reconnect): this connection waits for the approval.
      if (error instanceof EdgeError && error.code === 'PAIRING_PENDING') {
        const pairing = this.#service.lookUp(payload.deviceCode);
        if (pairing) this.#wait(peer, pairing);
      }
      throw error;
    }
  }

  disconnected(peer: PanelPeer): void {
    this.#unwait(peer);
  }

  #wait(peer: PanelPeer, pairing: { id: string; expiresAt: number }): void {
    this.#unwait(peer);
    peer.session.pairing = pairing;
    const entry: Waiting = {
      peer,
      timer: this.#clock.setTimeout(
        () => {
          if (peer.session.pairing?.id !== pairing.id) return;
          this.#unwait(peer);
          peer.push('pairing.expired', {});
        },
        Math.max(0, pairing.expiresAt - this.#clock.now()),
      ),
    };
    const set = this.#waiting.get(pairing.id) ?? new Set<Waiting>();
    set.add(entry);
    this.#waiting.set(pairing.id, set);
  }

  #unwait(peer: PanelPeer): void {
    const id = peer.session.pairing?.id;
    peer.session.pairing = null;
    if (id === undefined) return;
    const set = this.#waiting.get(id);
    if (!set) return;
    for (const entry of set) {
      if (entry.peer !== peer) continue;
      this.#clock.clearTimeout(entry.timer);
      set.delete(entry);
    }
    if (set.size === 0) this.#waiting.delete(id);
  }

  readonly #onApproved = (event: PairingEvents['approved'][0]): void => {
    for (const entry of this.#waiting.get(event.pairingId) ?? []) {
      // Approved: no pairing.expired any more (the claim has a full TTL from now).
      this.#clock.clearTimeout(entry.timer);
      entry.peer.push('pairing.approved', { deviceName: event.device.name });
    }
  };
}

/** A connection that said hello is a paired device: it has nothing to pair. */
function refuseIfPaired(peer: PanelPeer): void {
  if (peer.session.device)
    throw new EdgeError(
      'BAD_MESSAGE',
      'This connection is already paired (hello was answered): pairing is for panels without a credential.',
    );
}
