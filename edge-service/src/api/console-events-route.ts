import type { Request, RequestHandler, Response } from 'express';
import type { EnterpriseRecord } from '../domain/device.ts';
import { EdgeError } from '../edge-error.ts';
import type { Logger } from '../logger.ts';
import type { DeviceStatusBoard, DeviceStatusView } from '../pairing/device-status.ts';
import type { PairingEvents, PairingService, PendingPairing } from '../pairing/pairing-service.ts';
import type { VersionedPolicy } from '../policies/policy-schema.ts';

/** A comment line this often keeps proxies and browsers from dropping an idle stream. */
export const HEARTBEAT_MS = 15_000;
/** Streams open at once; one console tab holds one. */
const MAX_STREAMS = 200;

/**
 * The console's event stream, as Server-Sent Events (`event:` name, JSON `data:`):
 *   ready             {}                                  the stream is live (fetch GET /devices now)
 *   device            DeviceStatusView                    a device's live status or settings changed
 *                                                         (revokedAt set: it was revoked)
 *   pairing.pending   {id, createdAt, expiresAt, source, panel}   a panel began a pairing (no code)
 *   pairing.approved  {pairingId, device: DeviceStatusView}
 *   pairing.claimed   {pairingId, deviceId}               the panel took its credential
 *   policy            {version, updatedAt, updatedBy}     the enterprise's policy changed
 */
export interface ConsoleEventsDeps {
  status: DeviceStatusBoard;
  pairing: PairingService;
  policies: {
    on(event: 'changed', listener: (enterpriseId: string, policy: VersionedPolicy) => void): unknown;
    off(event: 'changed', listener: (enterpriseId: string, policy: VersionedPolicy) => void): unknown;
  };
  /**
   * Authenticates the request as the REST API does (console session cookie or bearer token; a
   * GET needs no CSRF token) and checks the caller may read the devices of `:enterprise` (admin,
   * reseller-admin, support-agent; restricted access). Resolves the enterprise or throws an
   * EdgeError (UNAUTHENTICATED, FORBIDDEN, RESTRICTED_ACCESS, ENTERPRISE_NOT_FOUND...).
   */
  authorize: (req: Request, enterpriseSlug: string) => Promise<EnterpriseRecord> | EnterpriseRecord;
  /** Maps an EdgeError to its HTTP status (the API's one mapping). */
  statusOf?: (error: EdgeError) => number;
  heartbeatMs?: number;
  logger?: Logger;
}

/**
 * GET /api/v1/enterprises/:enterprise/events. A plain express route mounted beside the endpoint
 * router (which answers JSON once): the same authentication, then a stream until the client leaves.
 * Scanner and fax states are polled only while at least one stream is open.
 */
export function consoleEventsRoute(deps: ConsoleEventsDeps): RequestHandler<{ enterprise: string }> {
  let open = 0;
  return async (req, res) => {
    let enterprise: EnterpriseRecord;
    try {
      enterprise = await deps.authorize(req, req.params.enterprise);
      if (open >= MAX_STREAMS)
        throw new EdgeError('RATE_LIMITED', 'Too many console event streams are open.');
    } catch (error) {
      const edgeError = EdgeError.from(error);
      res.status(deps.statusOf?.(edgeError) ?? statusFor(edgeError)).json({
        error: { code: edgeError.code, message: edgeError.message },
      });
      return;
    }
    open++;
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    const send = (event: string, data: unknown) =>
      write(res, `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

    const onDevice = (view: DeviceStatusView, enterpriseId: string) => {
      if (enterpriseId === enterprise.id) send('device', view);
    };
    const onPending = (p: PendingPairing) => send('pairing.pending', p);
    const onApproved = (e: PairingEvents['approved'][0]) => {
      if (e.enterpriseId === enterprise.id)
        send('pairing.approved', { pairingId: e.pairingId, device: deps.status.view(e.device) });
    };
    const onClaimed = (e: PairingEvents['claimed'][0]) => {
      if (e.enterpriseId === enterprise.id)
        send('pairing.claimed', { pairingId: e.pairingId, deviceId: e.deviceId });
    };
    const onPolicy = (enterpriseId: string, policy: VersionedPolicy) => {
      if (enterpriseId === enterprise.id)
        send('policy', { version: policy.version, updatedAt: policy.updatedAt, updatedBy: policy.updatedBy });
    };
    deps.status.on('changed', onDevice);
    deps.pairing.on('pending', onPending);
    deps.pairing.on('approved', onApproved);
    deps.pairing.on('claimed', onClaimed);
    deps.policies.on('changed', onPolicy);
    const unwatch = deps.status.watch();
    const heartbeat = setInterval(() => write(res, ': ping\n\n'), deps.heartbeatMs ?? HEARTBEAT_MS);
    heartbeat.unref();
    send('ready', {});

    const close = () => {
      clearInterval(heartbeat);
      deps.status.off('changed', onDevice);
      deps.pairing.off('pending', onPending);
      deps.pairing.off('approved', onApproved);
      deps.pairing.off('claimed', onClaimed);
      deps.policies.off('changed', onPolicy);
      unwatch();
      open--;
    };
    res.once('close', close);
  };
}

/** A stream that stopped reading is dropped rather than buffered without end. */
function write(res: Response, text: string): void {
  if (res.writableEnded) return;
  if (res.writableLength > 1024 * 1024) {
    res.destroy();
    return;
  }
  res.write(text);
}

function statusFor(error: EdgeError): number {
  switch (error.code) {
    case 'UNAUTHENTICATED':
    case 'API_TOKEN_INVALID':
      return 401;
    case 'FORBIDDEN':
    case 'RESTRICTED_ACCESS':
      return 403;
    case 'NOT_FOUND':
    case 'ENTERPRISE_NOT_FOUND':
      return 404;
    case 'RATE_LIMITED':
      return 429;
    default:
      return 500;
  }
}
