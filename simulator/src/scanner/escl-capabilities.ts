/** What the virtual scanner can do: the single source for its ScannerCapabilities and for validation. */

export const ESCL_VERSION = '2.63';
export const SCAN_NS = 'http://schemas.hp.com/imaging/escl/2011/05/03';
export const PWG_NS = 'http://www.pwg.org/schemas/2010/12/sm';

export const COLOR_MODES = ['RGB24', 'Grayscale8', 'BlackAndWhite1'] as const;
export type EsclColorMode = (typeof COLOR_MODES)[number];

export const RESOLUTIONS = [75, 100, 150, 200, 300, 600] as const;

export const DOCUMENT_FORMATS = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type EsclDocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export const INPUT_SOURCES = ['Platen', 'Feeder'] as const;
export type EsclInputSource = (typeof INPUT_SOURCES)[number];

/** Scan area limits in 1/300 inch (eSCL's ThreeHundredthsOfInches): Legal is the largest original. */
export const MIN_WIDTH = 16;
export const MIN_HEIGHT = 16;
export const MAX_WIDTH = 2550;
export const MAX_HEIGHT = 4200;

export const FEEDER_CAPACITY = 50;

export interface ScannerIdentity {
  makeAndModel: string;
  serialNumber: string;
  uuid: string;
  manufacturer: string;
}

export const DEFAULT_IDENTITY: ScannerIdentity = {
  makeAndModel: 'mfp-edge Virtual MFP',
  manufacturer: 'mfp-edge',
  serialNumber: 'VMFP00000001',
  // Fixed so clients that remember devices by UUID (sane-airscan, DNS-SD) see the same device every run.
  uuid: '6d0ae3a4-4e1f-4c55-9a8e-5f6d0e7a1b01',
};
