/** What the edge needs from any scanner (eSCL over TCP, eSCL over IPP-USB, …). */

export type ColorMode = 'color' | 'gray' | 'bw';
export type ScanSourceKind = 'platen' | 'adf';

export interface ScannerCapabilities {
  makeAndModel: string;
  sources: {
    platen?: SourceCapabilities;
    adf?: SourceCapabilities & { duplex: boolean };
  };
}

export interface SourceCapabilities {
  colorModes: ColorMode[];
  /** Square resolutions in dpi the source supports (non-square ones are left out). */
  resolutions: number[];
  documentFormats: string[];
  /** Largest scan area, in 1/300 inch (eSCL's ThreeHundredthsOfInches). */
  maxWidth: number;
  maxHeight: number;
}

export interface ScanRequest {
  source: ScanSourceKind;
  duplex: boolean;
  colorMode: ColorMode;
  resolution: number;
  /** Scan area in 1/300 inch; A4 is 2480 × 3508. */
  width: number;
  height: number;
  /** Preferred format; the driver falls back to what the device offers. */
  documentFormat: 'image/jpeg' | 'image/png';
  /** What the originals are, for the device's image processing (eSCL Intent); default Document. */
  intent?: 'Document' | 'Photo' | 'Preview';
}

export interface ScannedPage {
  /** 1-based, in the order the scanner delivered them. */
  number: number;
  contentType: string;
  data: Buffer;
}

export interface ScannerStatus {
  state: 'idle' | 'processing' | 'testing' | 'stopped' | 'down';
  adfState: string | null;
}

/**
 * A scanner. `scan()` yields pages as the device delivers them and ends at the end of the feeder.
 * Failures are thrown as EdgeError with a scanner code (SCANNER_BUSY, SCANNER_JAM, FEEDER_EMPTY,
 * COVER_OPEN, SCANNER_OFFLINE, SCANNER_ERROR). Aborting the signal cancels the job at the device.
 */
export interface Scanner {
  capabilities(): Promise<ScannerCapabilities>;
  status(): Promise<ScannerStatus>;
  /** `onJob` hears the device's job address once the job exists, before its first page. */
  scan(
    request: ScanRequest,
    signal?: AbortSignal,
    onJob?: (jobUrl: string) => void,
  ): AsyncIterable<ScannedPage>;
  /**
   * Carries on reading a job started before the edge restarted: yields the pages after the first
   * `pagesRead`, numbered on from there. Null when the device no longer has the job, or cannot show
   * that no page was lost in between (a page read but not kept). Optional.
   */
  resume?(
    jobUrl: string,
    options: { source: ScanSourceKind; pagesRead: number },
    signal?: AbortSignal,
  ): Promise<AsyncIterable<ScannedPage> | null>;
}
