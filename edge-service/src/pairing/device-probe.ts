import { EsclClient } from '../drivers/escl/escl-client.ts';
import { IppClient, groupOf, valuesOf } from '../drivers/ipp/ipp-client.ts';
import { checkDeviceUrl } from './device-urls.ts';

/** A probe waits this long per part: an admin at the console should not wait for a dead address. */
export const PROBE_TIMEOUT_MS = 4000;

export interface ProbeFailure {
  ok: false;
  code: 'DEVICE_PROBE_FAILED';
  message: string;
}

export interface ScannerProbe {
  ok: true;
  makeAndModel: string;
  /** eSCL ScannerStatus: idle, processing, testing, stopped, down. */
  state: string | null;
  adfLoaded: boolean | null;
  sources: { kind: 'platen' | 'adf'; resolutions: number[]; colorModes: string[]; duplex?: boolean }[];
}

export interface FaxProbe {
  ok: true;
  makeAndModel: string | null;
  /** IPP printer-state: idle, processing, stopped. */
  state: string | null;
  stateReasons: string[];
  faxOut: boolean;
}

export interface ProbeResult {
  scanner: ScannerProbe | ProbeFailure | null;
  fax: FaxProbe | ProbeFailure | null;
}

/** eSCL AdfState words that mean originals are in the feeder. */
export function adfLoaded(adfState: string | null): boolean | null {
  if (adfState === null) return null;
  return /Loaded|Processing/i.test(adfState) && !/Empty/i.test(adfState);
}

/** Asks the scanner (eSCL) and the fax modem (IPP FaxOut) what they are, each on its own timer. */
export class DeviceProber {
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch | undefined;

  constructor(options: { timeoutMs?: number; fetch?: typeof fetch } = {}) {
    this.#timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
    this.#fetch = options.fetch;
  }

  /** VALIDATION_FAILED for an address that is not http(s) (scanner) or ipp(s)/http(s) (fax). */
  async probe(input: { scannerUrl?: string | null; faxUrl?: string | null }): Promise<ProbeResult> {
    const scannerUrl = checkDeviceUrl('scannerUrl', input.scannerUrl);
    const faxUrl = checkDeviceUrl('faxUrl', input.faxUrl);
    const [scanner, fax] = await Promise.all([
      scannerUrl ? this.scanner(scannerUrl) : null,
      faxUrl ? this.fax(faxUrl) : null,
    ]);
    return { scanner, fax };
  }

  async scanner(url: string): Promise<ScannerProbe | ProbeFailure> {
    const client = new EsclClient({
      baseUrl: url,
      timeouts: { requestMs: this.#timeoutMs, readMs: this.#timeoutMs },
      retry: { busyAttempts: 1, notReadyAttempts: 1, goneAttempts: 1 },
      ...(this.#fetch ? { fetch: this.#fetch } : {}),
    });
    try {
      const signal = AbortSignal.timeout(this.#timeoutMs);
      const capabilities = await client.getCapabilities(signal);
      const status = await client.tryStatus(AbortSignal.timeout(this.#timeoutMs));
      const sources: ScannerProbe['sources'] = [];
      const { platen, adf } = capabilities.sources;
      if (platen)
        sources.push({ kind: 'platen', resolutions: platen.resolutions, colorModes: platen.colorModes });
      if (adf)
        sources.push({
          kind: 'adf',
          resolutions: adf.resolutions,
          colorModes: adf.colorModes,
          duplex: adf.duplex,
        });
      return {
        ok: true,
        makeAndModel: capabilities.makeAndModel,
        state: status?.state ?? null,
        adfLoaded: status ? adfLoaded(status.adfState) : null,
        sources,
      };
    } catch (error) {
      return failure('scanner (eSCL)', url, error);
    }
  }

  async fax(url: string): Promise<FaxProbe | ProbeFailure> {
    try {
      const client = new IppClient({
        url,
        timeoutMs: this.#timeoutMs,
        ...(this.#fetch ? { fetch: this.#fetch } : {}),
      });
      const response = await client.call('Get-Printer-Attributes', {
        operationAttributes: {
          'requested-attributes': [
            'printer-make-and-model',
            'printer-state',
            'printer-state-reasons',
            'ipp-features-supported',
          ],
        },
      });
      const printer = groupOf(response, 'printer-attributes-tag');
      const words = (name: string) => valuesOf(printer[name]).map(String);
      const makeAndModel = words('printer-make-and-model')[0] ?? null;
      return {
        ok: true,
        makeAndModel,
        state: words('printer-state')[0] ?? null,
        stateReasons: words('printer-state-reasons'),
        faxOut: words('ipp-features-supported').includes('faxout'),
      };
    } catch (error) {
      return failure('fax modem (IPP FaxOut)', url, error);
    }
  }
}

function failure(what: string, url: string, error: unknown): ProbeFailure {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    ok: false,
    code: 'DEVICE_PROBE_FAILED',
    message: `The ${what} at ${url} did not answer as expected: ${reason.slice(0, 300)}`,
  };
}
