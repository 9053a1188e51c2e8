import type { ParsedRequestPayload, ReplyPayload } from '../../../protocol/index.ts';
import type { DeviceRecord } from '../domain/device.ts';
import { readFaxJobOptions } from '../domain/job.ts';
import { scanRequestFor } from '../domain/scan-options.ts';
import { EdgeError } from '../edge-error.ts';
import { renderFaxPage } from '../pipeline/fax-page.ts';
import { renderThumbnail } from '../pipeline/thumbnail.ts';
import type { DeviceDrivers } from './device-drivers.ts';

/** Wide enough to judge the layout and the text/photo choice, small enough for a 64 KiB frame. */
const PREVIEW_WIDTH = 240;

/**
 * fax.preview: one scan of the glass with the composer's options, converted as the fax will carry
 * it, returned as a small PNG. Decided: the platen only. eSCL reads the glass without consuming
 * anything, so the person can preview, adjust and send; a feeder would pull the first sheet out of
 * the tray, and keeping that scan for the job would make the job depend on a preview the panel may
 * never follow with Send, so a feeder preview is refused (PREVIEW_UNAVAILABLE) with what to do.
 */
export class FaxPreview {
  readonly #drivers: Pick<DeviceDrivers, 'scanner'>;

  constructor(options: { drivers: Pick<DeviceDrivers, 'scanner'> }) {
    this.#drivers = options.drivers;
  }

  async preview(
    device: DeviceRecord,
    payload: ParsedRequestPayload<'fax.preview'>,
    signal?: AbortSignal,
  ): Promise<ReplyPayload<'fax.preview'>> {
    if (payload.source !== 'platen')
      throw new EdgeError(
        'PREVIEW_UNAVAILABLE',
        'A preview would feed the first sheet out of the feeder: put the first page on the glass for a preview, or send without one.',
      );
    const options = readFaxJobOptions({ ...payload, duplex: false });
    const scanner = this.#drivers.scanner(device);
    let first: Buffer | null = null;
    for await (const page of scanner.scan({ ...scanRequestFor(options), intent: 'Preview' }, signal)) {
      first ??= page.data;
    }
    if (!first) throw new EdgeError('SCANNER_ERROR', 'The scanner returned no page: try again.');
    const fax = await renderFaxPage(first, {
      resolution: options.resolution,
      mode: options.contentType,
      pageNumber: 1,
    });
    const thumbnail = await renderThumbnail(fax, { width: PREVIEW_WIDTH, format: 'png' });
    return {
      png: `data:image/png;base64,${thumbnail.data.toString('base64')}`,
      width: thumbnail.width,
      height: thumbnail.height,
      blank: fax.blank === true,
    };
  }
}
