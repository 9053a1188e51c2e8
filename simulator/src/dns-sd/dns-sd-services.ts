/**
 * The DNS-SD services a real MFP advertises, as plain data (no I/O): `_uscan._tcp` per Mopria's
 * eSCL spec and `_ipp._tcp` with `rfo` per PWG 5100.15 §8 (FaxOut) and Bonjour Printing 1.2.
 */
import {
  COLOR_MODES,
  DOCUMENT_FORMATS,
  ESCL_VERSION,
  type ScannerIdentity,
} from '../scanner/escl-capabilities.ts';

export interface DnsSdService {
  /** Instance name, as browsers show it. */
  name: string;
  /** Service type without protocol or domain, as bonjour-service takes it (`uscan`, `ipp`). */
  type: 'uscan' | 'ipp';
  port: number;
  /** SRV target, a `.local` host name. */
  host: string;
  txt: Record<string, string>;
}

export interface DeviceAdvertisement {
  scanner: ScannerIdentity;
  /** The FaxOut printer's `printer-uuid` (`urn:uuid:…`). */
  printerUuid: string;
  faxDocumentFormats: string[];
  /** SRV target of both services. */
  hostName: string;
  port: number;
  /** Root the URLs in the TXT records point to, e.g. `http://192.168.1.20:8090`. */
  baseUrl: string;
  /** Unique on the link: DNS-SD instance names must not collide. */
  instanceName: string;
}

const COLOR_SPACES: Record<(typeof COLOR_MODES)[number], string> = {
  RGB24: 'color',
  Grayscale8: 'grayscale',
  BlackAndWhite1: 'binary',
};

export function dnsSdServices(device: DeviceAdvertisement): DnsSdService[] {
  const common = { name: device.instanceName, port: device.port, host: device.hostName };
  const bareUuid = (uuid: string) => uuid.replace(/^urn:uuid:/i, '');
  return [
    {
      ...common,
      type: 'uscan',
      txt: {
        txtvers: '1',
        vers: ESCL_VERSION,
        rs: 'eSCL',
        ty: device.scanner.makeAndModel,
        uuid: bareUuid(device.scanner.uuid),
        adminurl: `${device.baseUrl}/`,
        representation: `${device.baseUrl}/eSCL/icon.png`,
        note: 'Simulator',
        pdl: DOCUMENT_FORMATS.join(','),
        cs: COLOR_MODES.map((mode) => COLOR_SPACES[mode]).join(','),
        is: 'platen,adf',
        duplex: 'T',
      },
    },
    {
      ...common,
      type: 'ipp',
      // No `rp`: this device has no print service, only FaxOut at `rfo` (a print client would
      // otherwise send print jobs to the fax queue).
      txt: {
        txtvers: '1',
        qtotal: '1',
        rfo: 'ipp/faxout',
        ty: device.scanner.makeAndModel,
        product: `(${device.scanner.makeAndModel})`,
        UUID: bareUuid(device.printerUuid),
        adminurl: `${device.baseUrl}/`,
        note: 'Simulator',
        pdl: device.faxDocumentFormats.join(','),
        kind: 'document',
        Fax: 'T',
        Color: 'F',
        Duplex: 'F',
        priority: '50',
      },
    },
  ];
}
