/** What the edge needs from any fax modem (IPP FaxOut over TCP or IPP-USB, …). */

export type FaxDocumentFormat = 'application/pdf' | 'image/pwg-raster' | 'image/tiff';

/**
 * The formats the edge can send, best first: PDF with the G4 pages inside as they are; PWG raster,
 * the one raster format every IPP FaxOut device must take (PWG 5100.15); TIFF-F, which some
 * modems take although no standard asks them to.
 */
export const FAX_DOCUMENT_FORMATS: readonly FaxDocumentFormat[] = [
  'application/pdf',
  'image/pwg-raster',
  'image/tiff',
];

/** The best format of ours a modem accepts (its document-format-supported), or null for none. */
export function chooseFaxFormat(supported: readonly string[]): FaxDocumentFormat | null {
  const offered = new Set(supported.map((format) => format.trim().toLowerCase()));
  return FAX_DOCUMENT_FORMATS.find((format) => offered.has(format)) ?? null;
}

export interface FaxDocument {
  /** A document in one of the formats the modem accepts (see FaxLineCapabilities). */
  contentType: FaxDocumentFormat;
  data: Buffer;
  pages: number;
  name: string;
}

export interface FaxLineCapabilities {
  makeAndModel: string;
  documentFormats: string[];
  multipleDestinations: boolean;
}

export type DestinationState = 'pending' | 'dialing' | 'sending' | 'delivered' | 'failed';

export interface DestinationStatus {
  /** `tel:` URI as submitted. */
  uri: string;
  state: DestinationState;
  pagesSent: number;
  /** When failed: FAX_BUSY, FAX_NO_ANSWER, FAX_DROPPED, FAX_LINE_DOWN or FAX_ERROR. */
  errorCode?: 'FAX_BUSY' | 'FAX_NO_ANSWER' | 'FAX_DROPPED' | 'FAX_LINE_DOWN' | 'FAX_ERROR';
  errorMessage?: string;
}

export interface FaxJobStatus {
  /** The device's job id. */
  jobId: number;
  state: 'pending' | 'processing' | 'completed' | 'aborted' | 'cancelled';
  pagesCompleted: number;
  destinations: DestinationStatus[];
  /** job-name, when the modem reports it: the hand-over tag for a job of ours. */
  name?: string;
  /** job-uuid (PWG 5100.13), when the modem gives one: unlike the id, never reused after a restart. */
  uuid?: string;
}

/** Which power-on of the modem answers: a restarted modem forgets its jobs and numbers them from 1. */
export interface DeviceBoot {
  /** printer-uuid, when the device gives one (a different one is a different device). */
  printerUuid: string | null;
  /** When the device powered on (epoch ms), from printer-up-time: accurate to a few seconds. */
  bootedAt: number;
}

/** Power-on times that differ by more than this are different boots (printer-up-time is in seconds). */
export const BOOT_TOLERANCE_MS = 15_000;

/** Whether `now` is a later power-on of the device that was `recorded`, or another device. */
export function isLaterBoot(recorded: DeviceBoot, now: DeviceBoot): boolean {
  if (recorded.printerUuid && now.printerUuid && recorded.printerUuid !== now.printerUuid) return true;
  return now.bootedAt - recorded.bootedAt > BOOT_TOLERANCE_MS;
}

/** One job in the modem's own transmission log (printer-fax-log-uri). */
export interface FaxLogEntry {
  name: string | null;
  uuid: string | null;
  /** Pages of the document, when the log says. */
  pages: number | null;
  destinations: { uri: string; completed: boolean; pagesSent: number }[];
}

/** A job found in the modem's job list by its name (see FaxLine.findJobs). */
export interface FoundFaxJob extends FaxJobStatus {
  name: string;
  /** Documents the modem holds for it; null when the device does not say. */
  documents: number | null;
}

export interface FaxSubmitOptions {
  /** Sent as the IPP job-name; must reach the device unchanged. */
  jobName?: string;
  /**
   * Dialled before every destination, e.g. "9" for an outside line (the enterprise's policy, see
   * checkPreDialString). Empty or absent: numbers are dialled as they are.
   */
  preDialString?: string;
}

/**
 * A fax modem. `submit()` hands a document to the device for the given `tel:` destinations and
 * returns the device job id once the device holds the whole document; `status()` follows it.
 * Failures are EdgeError with a fax code (FAX_UNSUPPORTED, FAX_LINE_DOWN, FAX_ERROR, …).
 */
export interface FaxLine {
  capabilities(): Promise<FaxLineCapabilities>;
  submit(document: FaxDocument, destinations: string[], options?: FaxSubmitOptions): Promise<number>;
  status(jobId: number): Promise<FaxJobStatus>;
  cancel(jobId: number): Promise<void>;
  /**
   * Jobs of any state (pending, active, finished) whose job name is exactly `name`, newest first.
   * What makes a hand-over cut short by a crash checkable: the edge names every device job with a
   * tag it recorded before Create-Job. Optional: without it the edge cannot tell and never resends.
   */
  findJobs?(name: string): Promise<FoundFaxJob[]>;
  /** Which power-on of the device answers. Optional: without it a restart shows only as lost jobs. */
  boot?(): Promise<DeviceBoot>;
  /**
   * The modem's transmission log, which survives its restarts: what proves a fax the edge lost
   * track of was delivered. Null when the device has no log the edge can read.
   */
  faxLog?(): Promise<FaxLogEntry[] | null>;
}
