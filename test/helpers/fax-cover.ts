import type { JobRecord } from '../../edge-service/src/domain/job.ts';
import { renderCoverPage } from '../../edge-service/src/pipeline/cover-page.ts';
import { buildFaxTiff } from '../../edge-service/src/pipeline/fax-tiff.ts';
import { coverContentOf } from '../../edge-service/src/services/fax-scan-stage.ts';
import { decodeGrey, type Bitmap } from '../edge-service/pipeline/pipeline-helpers.ts';

/**
 * The cover page the edge draws for a stored job, as a grey bitmap: drawn afresh from the job row
 * (its cover options, recipients, creation time, total pages) with the scan stage's coverContentOf,
 * and through the same G4 TIFF the modem is handed, so it compares pel for pel with the page the
 * remote machine received (`disagreement(...) < 0.001`).
 */
export async function coverOfStoredJob(job: JobRecord): Promise<Bitmap> {
  const cover = job.options.cover;
  if (!cover) throw new Error(`job ${job.id} has no cover page`);
  if (job.totalPages === null) throw new Error(`job ${job.id} has no page count yet`);
  const drawn = await renderCoverPage(coverContentOf(job, cover, job.totalPages), job.options.resolution);
  return decodeGrey(buildFaxTiff([drawn]));
}

/** What GET /sim/api/faxes lists for each fax the simulator's remote machines received. */
export interface ReceivedFaxSummary {
  id: string;
  to: string;
  pages: number;
  status: string;
}

/**
 * The faxes the simulator received whose dialled number ends in `digits` (the edge dials what its
 * dialling rules make of the number, so compare the subscriber part), through its control API.
 */
export async function receivedFaxes(simulatorUrl: string, digits: string): Promise<ReceivedFaxSummary[]> {
  const response = await fetch(`${simulatorUrl}/sim/api/faxes`);
  if (!response.ok) throw new Error(`GET /sim/api/faxes: ${response.status}`);
  return ((await response.json()) as ReceivedFaxSummary[]).filter((f) =>
    f.to.replace(/\D/g, '').endsWith(digits),
  );
}

/** Page n (from 1) of a received fax, decoded to grey, through the simulator's control API. */
export async function receivedPage(simulatorUrl: string, faxId: string, n: number): Promise<Bitmap> {
  const response = await fetch(`${simulatorUrl}/sim/api/faxes/${faxId}/pages/${n}`);
  if (!response.ok) throw new Error(`GET /sim/api/faxes/${faxId}/pages/${n}: ${response.status}`);
  return decodeGrey(Buffer.from(await response.arrayBuffer()));
}
