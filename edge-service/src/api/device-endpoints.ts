import { z } from 'zod';
import { AuthMode } from '../../../protocol/index.ts';
import type { DeviceDiscovery } from '../discovery/device-discovery.ts';
import type { DeviceRepository } from '../domain/device.ts';
import type { DeviceAdmin } from '../pairing/device-admin.ts';
import type { DeviceProber } from '../pairing/device-probe.ts';
import type { DeviceStatusBoard } from '../pairing/device-status.ts';
import type { PairingService } from '../pairing/pairing-service.ts';
import { formatUserCode, normaliseUserCode } from '../pairing/pairing-codes.ts';
import { defineEndpoint, type AnyEndpoint, type ApiActor, type EndpointAccess } from './endpoint.ts';
import { actorName, enterpriseOf } from './enterprise-access.ts';

/** Admins of the enterprise and reseller admins (while restricted access is off) manage devices. */
const MANAGE: EndpointAccess = ['admin', 'reseller-admin'];
/** Vendor support may look, not touch. */
const READ: EndpointAccess = ['admin', 'reseller-admin', 'support-agent'];

const url = z.string().trim().max(2048);
const optionalUrl = url.nullable().optional();
const deviceName = z.string().trim().min(1).max(100);
const adminCredential = z.object({
  username: z.string().min(1).max(256),
  password: z.string().min(1).max(1024),
});

const ScannerStatus = z.object({
  state: z.string(),
  adfLoaded: z.boolean().nullable(),
  message: z.string().optional(),
  checkedAt: z.string(),
});
const FaxLineStatus = z.object({
  state: z.string(),
  reasons: z.array(z.string()),
  message: z.string().optional(),
  checkedAt: z.string(),
});

/** A device as the console shows it: settings and live state, never a credential or token. */
export const DeviceStatusSchema = z.object({
  id: z.string(),
  name: z.string(),
  authMode: AuthMode,
  sharedUser: z.object({ id: z.string(), email: z.string(), displayName: z.string() }).nullable(),
  scannerUrl: z.string().nullable(),
  faxUrl: z.string().nullable(),
  deviceApiUrl: z.string().nullable(),
  adminCredentialSet: z.boolean(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  panelOnline: z.boolean(),
  scanner: ScannerStatus.nullable(),
  faxLine: FaxLineStatus.nullable(),
  lastJob: z.object({ id: z.string(), state: z.string(), at: z.string() }).nullable(),
});

export const PendingPairingSchema = z.object({
  /** The code as the panel shows it (`XXXX-XXXX`), as asked. */
  code: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  /** The address the panel connected from. */
  source: z.string(),
  panel: z
    .object({
      app: z.object({ name: z.string(), version: z.string() }),
      screen: z.object({ width: z.number(), height: z.number() }).optional(),
    })
    .nullable(),
});

export const ApproveBody = z.object({
  name: deviceName,
  authMode: AuthMode,
  /** Required for shared-account: a user of the enterprise. */
  sharedUserId: z.string().max(64).nullable().optional(),
  scannerUrl: optionalUrl,
  faxUrl: optionalUrl,
  deviceApiUrl: optionalUrl,
  adminCredential: adminCredential.nullable().optional(),
  /** Re-pair this existing device: same record, new credential, the old one refused. */
  deviceId: z.string().max(64).optional(),
});

export const PatchBody = z
  .object({
    name: deviceName.optional(),
    authMode: AuthMode.optional(),
    sharedUserId: z.string().max(64).nullable().optional(),
    scannerUrl: optionalUrl,
    faxUrl: optionalUrl,
    deviceApiUrl: optionalUrl,
    /** An object sets it, null clears it. */
    adminCredential: adminCredential.nullable().optional(),
  })
  .strict();

const probeFailure = z.object({
  ok: z.literal(false),
  code: z.literal('DEVICE_PROBE_FAILED'),
  message: z.string(),
});
export const ProbeResultSchema = z.object({
  scanner: z
    .discriminatedUnion('ok', [
      z.object({
        ok: z.literal(true),
        makeAndModel: z.string(),
        state: z.string().nullable(),
        adfLoaded: z.boolean().nullable(),
        sources: z.array(
          z.object({
            kind: z.enum(['platen', 'adf']),
            resolutions: z.array(z.number()),
            colorModes: z.array(z.string()),
            duplex: z.boolean().optional(),
          }),
        ),
      }),
      probeFailure,
    ])
    .nullable(),
  fax: z
    .discriminatedUnion('ok', [
      z.object({
        ok: z.literal(true),
        makeAndModel: z.string().nullable(),
        state: z.string().nullable(),
        stateReasons: z.array(z.string()),
        faxOut: z.boolean(),
      }),
      probeFailure,
    ])
    .nullable(),
});

export const DiscoveredSchema = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  scannerUrl: z.string().nullable(),
  faxUrl: z.string().nullable(),
});

export interface DeviceEndpointDeps {
  pairing: PairingService;
  admin: DeviceAdmin;
  status: DeviceStatusBoard;
  prober: DeviceProber;
  /** The edge's DNS-SD browser; null when discovery is off (GET /discovery answers `enabled: false`). */
  discovery: Pick<DeviceDiscovery, 'list'> | null;
  devices: Pick<DeviceRepository, 'list'>;
}

const DeviceParams = z.object({ id: z.string().max(64) });
const CodeParams = z.object({ code: z.string().max(32) });
const EnterpriseParams = z.object({});

/**
 * The devices and pairing endpoints (DESIGN.md §2, issue 10), all under /enterprises/{enterprise}/.
 * The console's live event stream is beside them (api/console-events-route.ts), not an endpoint.
 */
export function deviceEndpoints(deps: DeviceEndpointDeps): AnyEndpoint[] {
  const by = (c: { actor: ApiActor | null; source: string }) => ({
    actor: actorName(c.actor),
    source: c.source,
  });
  return [
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/devices',
      operationId: 'listDevices',
      summary: "The enterprise's devices with their live status (revoked ones with ?revoked=true)",
      tag: 'devices',
      access: READ,
      params: EnterpriseParams,
      query: z.object({ revoked: z.enum(['true', 'false']).optional() }),
      response: z.object({ devices: z.array(DeviceStatusSchema) }),
      handle: (c) => {
        const enterprise = enterpriseOf(c.enterprise);
        const devices = deps.devices
          .list()
          .filter(
            (d) => d.enterpriseId === enterprise.id && (c.query.revoked === 'true' || d.revokedAt === null),
          );
        return { devices: devices.map((d) => deps.status.view(d)) };
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/devices/{id}',
      operationId: 'getDevice',
      summary: 'One device, its scanner and fax line asked now',
      tag: 'devices',
      access: READ,
      params: DeviceParams,
      response: DeviceStatusSchema,
      handle: async (c) => deps.status.fresh(deps.admin.get(enterpriseOf(c.enterprise).id, c.params.id)),
    }),
    defineEndpoint({
      method: 'patch',
      path: '/enterprises/{enterprise}/devices/{id}',
      operationId: 'updateDevice',
      summary:
        'Rename, change auth mode or shared account (ends its panel sessions), URLs, set or clear the device admin credential',
      tag: 'devices',
      access: MANAGE,
      params: DeviceParams,
      body: PatchBody,
      response: DeviceStatusSchema,
      handle: (c) => {
        const device = deps.admin.update(enterpriseOf(c.enterprise).id, c.params.id, c.body, by(c));
        return deps.status.view(device);
      },
    }),
    defineEndpoint({
      method: 'delete',
      path: '/enterprises/{enterprise}/devices/{id}',
      operationId: 'revokeDevice',
      summary: 'Revoke the device: its credential is refused everywhere, its panels drop to pairing at once',
      tag: 'devices',
      access: MANAGE,
      params: DeviceParams,
      response: z.undefined(),
      status: 204,
      handle: (c) => {
        deps.admin.revoke(enterpriseOf(c.enterprise).id, c.params.id, by(c));
        return undefined;
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/pairings/{code}',
      operationId: 'getPairing',
      summary: 'Is this pairing code waiting for an approval (case, dashes and spaces ignored)',
      tag: 'devices',
      access: MANAGE,
      params: CodeParams,
      response: PendingPairingSchema,
      handle: (c) => {
        enterpriseOf(c.enterprise);
        const pending = deps.pairing.pending(c.params.code, c.source);
        return {
          code: formatUserCode(normaliseUserCode(c.params.code)!),
          createdAt: pending.createdAt,
          expiresAt: pending.expiresAt,
          source: pending.source,
          panel: pending.panel,
        };
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/enterprises/{enterprise}/pairings/{code}/approve',
      operationId: 'approvePairing',
      summary:
        'Approve the panel showing this code as a new device, or as an existing one (deviceId: re-pair)',
      tag: 'devices',
      access: MANAGE,
      params: CodeParams,
      body: ApproveBody,
      response: DeviceStatusSchema,
      status: 201,
      handle: (c) => {
        const enterprise = enterpriseOf(c.enterprise);
        const device = deps.pairing.approve(c.params.code, enterprise.id, c.body, by(c));
        return deps.status.view(device);
      },
    }),
    defineEndpoint({
      method: 'post',
      path: '/enterprises/{enterprise}/device-probe',
      operationId: 'probeDevice',
      summary: 'Ask a scanner (eSCL) and a fax modem (IPP FaxOut) what they are, before approving',
      tag: 'devices',
      access: MANAGE,
      params: EnterpriseParams,
      body: z.object({ scannerUrl: optionalUrl, faxUrl: optionalUrl }),
      response: ProbeResultSchema,
      handle: async (c) => {
        enterpriseOf(c.enterprise);
        return deps.prober.probe(c.body);
      },
    }),
    defineEndpoint({
      method: 'get',
      path: '/enterprises/{enterprise}/discovery',
      operationId: 'listDiscoveredDevices',
      summary: 'Printers and scanners found over DNS-SD, as candidate scanner and fax URLs',
      tag: 'devices',
      access: MANAGE,
      params: EnterpriseParams,
      response: z.object({ enabled: z.boolean(), devices: z.array(DiscoveredSchema) }),
      handle: (c) => {
        enterpriseOf(c.enterprise);
        if (!deps.discovery) return { enabled: false, devices: [] };
        return {
          enabled: true,
          devices: deps.discovery.list().map((d) => ({
            id: d.id,
            name: d.name,
            host: d.host,
            scannerUrl: d.scannerUrl ?? null,
            faxUrl: d.faxUrl ?? null,
          })),
        };
      },
    }),
  ];
}
