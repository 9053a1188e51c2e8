/** What this simulator advertises: its identity, where it listens, under which unique names. */
import { hostname } from 'node:os';
import { PRINTER_UUID, SUPPORTED_DOCUMENT_FORMATS } from '../fax/ipp-attributes.ts';
import type { Logger } from '../logger.ts';
import type { ScannerIdentity } from '../scanner/escl-capabilities.ts';
import { DnsSdAdvertiser } from './dns-sd-advertiser.ts';
import { dnsSdServices, type DeviceAdvertisement } from './dns-sd-services.ts';

export function simulatorAdvertisement(options: {
  scanner: ScannerIdentity;
  address: string;
  port: number;
  machineName?: string;
}): DeviceAdvertisement {
  // One label, DNS-safe, and distinct per machine and port: several simulators may share a link.
  const machine = (options.machineName ?? hostname())
    .split('.')[0]!
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-');
  const hostName = `${machine}-mfp-sim.local`;
  const wildcard = options.address === '0.0.0.0' || options.address === '::' || options.address === '';
  const urlHost = wildcard
    ? hostName
    : options.address.includes(':')
      ? `[${options.address}]`
      : options.address;
  return {
    scanner: options.scanner,
    printerUuid: PRINTER_UUID,
    faxDocumentFormats: SUPPORTED_DOCUMENT_FORMATS,
    hostName,
    port: options.port,
    baseUrl: `http://${urlHost}:${options.port}`,
    instanceName: `${options.scanner.makeAndModel} [${machine}-${options.port}]`,
  };
}

export function createSimulatorAdvertiser(options: {
  scanner: ScannerIdentity;
  address: string;
  port: number;
  logger: Logger;
}): DnsSdAdvertiser {
  return new DnsSdAdvertiser({
    services: dnsSdServices(simulatorAdvertisement(options)),
    address: options.address,
    onError: (error) => options.logger.warn({ err: error }, 'DNS-SD advertising failed'),
  });
}
