/**
 * Real-device eSCL behaviour the simulator can play back (the "quirks" profile, DESIGN.md §7), so
 * the edge's driver is tested against what HP, Brother, Kyocera and Epson devices really do. Each
 * flag names the entry of fixtures/real-devices/QUIRKS.md it reproduces. No I/O.
 */

export const SCANNER_PROFILES = ['standard', 'quirks'] as const;
export type ScannerProfile = (typeof SCANNER_PROFILES)[number];

export interface EsclQuirks {
  /** QUIRKS 1 (HP ScanJet Pro 4500, Brother ADS-4700W): `Location: /eSCL/ScanJobs/<id>/`, relative, trailing slash. */
  relativeLocation: boolean;
  /** QUIRKS 19 (Kyocera): job ids are `urn:uuid:…`, in Location, JobUri and JobUuid. */
  urnUuidJobIds: boolean;
  /** QUIRKS 5 (HP PageWide 477dw): XML gzip-encoded and chunked, `Content-Type: text/xml`. */
  gzipXml: boolean;
  /** QUIRKS 23 (HP M283fdw, DeskJet 2700): no XML declaration, a vendor comment first. */
  bareXml: boolean;
  /**
   * QUIRKS 8 (HP LaserJet MFP M28w/M234sdw): NextDocument answers 503 for this long (simulated ms)
   * after the job starts while the lamp warms up, whatever the pages per minute. 0 = off.
   */
  warmUpMs: number;
  /** QUIRKS 9 (Brother MFC-L2710DW): the first NextDocument of a job answers 404 although the job runs. */
  firstNextDocument404: boolean;
  /** QUIRKS 14: NextDocument without Content-Location. */
  noContentLocation: boolean;
  /** QUIRKS 12 (Epson WF-2630): POST ScanJobs while busy answers 409 Conflict, not 503. */
  busyConflict: boolean;
}

export const NO_QUIRKS: EsclQuirks = {
  relativeLocation: false,
  urnUuidJobIds: false,
  gzipXml: false,
  bareXml: false,
  warmUpMs: 0,
  firstNextDocument404: false,
  noContentLocation: false,
  busyConflict: false,
};

export const ALL_QUIRKS: EsclQuirks = {
  relativeLocation: true,
  urnUuidJobIds: true,
  gzipXml: true,
  bareXml: true,
  warmUpMs: 4_000,
  firstNextDocument404: true,
  noContentLocation: true,
  busyConflict: true,
};

export function quirksOf(profile: ScannerProfile, overrides: Partial<EsclQuirks> = {}): EsclQuirks {
  return { ...(profile === 'quirks' ? ALL_QUIRKS : NO_QUIRKS), ...overrides };
}

/** What HP puts before its XML (QUIRKS 23). */
export const VENDOR_COMMENT =
  '<!-- THIS DATA SUBJECT TO DISCLAIMER(S) INCLUDED WITH THE PRODUCT OF ORIGIN. -->\n';

/** The XML as a device with `bareXml` sends it: declaration dropped, vendor comment first. */
export function quirkyXml(xml: string): string {
  return VENDOR_COMMENT + xml.replace(/^<\?xml[^>]*\?>\s*/, '');
}

const URN_UUID = 'urn:uuid:';

/** The job id as it appears in URIs and JobUuid. */
export function jobIdOf(uuid: string, quirks: EsclQuirks): string {
  return quirks.urnUuidJobIds ? URN_UUID + uuid : uuid;
}

/** The job's uuid from the id in a request path (either form is accepted). */
export function uuidOfJobId(id: string): string {
  return id.startsWith(URN_UUID) ? id.slice(URN_UUID.length) : id;
}
