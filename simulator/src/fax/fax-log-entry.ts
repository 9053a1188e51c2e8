/**
 * One line of the modem's transmission log (printer-fax-log-uri, GET /sim/api/fax-log): what an edge
 * needs to prove or disprove a delivery after the device restarted — its job-name (the edge's tag),
 * job-uuid, each destination with the pages sent of the pages there were, and a plain result. Pure:
 * no I/O.
 */
import { TERMINAL_STATES, type FaxDestination, type FaxJob, type FaxJobState } from './fax-job.ts';

/**
 * What came of a destination, or of the job over all of them:
 * - `pending`: nothing dialled yet; `sending`: under way;
 * - `completed`: every page confirmed by the remote machine;
 * - `partial`: the remote machine has some pages, not all (line dropped, canceled, device off);
 * - `failed`: no page reached it; `canceled`: canceled before any page went out.
 */
export type FaxLogResult = 'pending' | 'sending' | 'completed' | 'partial' | 'failed' | 'canceled';

/**
 * Why a job ended without the modem finishing it: `power-cycle` (POST /sim/api/power-cycle),
 * `power-off` (the simulator was stopped), `power-loss` (found unfinished when the device started:
 * the process was killed).
 */
export type FaxInterruption = 'power-cycle' | 'power-off' | 'power-loss';

export interface FaxLogDestination {
  uri: string;
  number: string;
  /** transmission-status (RFC 8011 job states). */
  status: FaxJobState;
  /** Pages the remote machine confirmed (kept from the first version of this log). */
  imagesCompleted: number;
  /** The same count under the name the rest of this entry uses. */
  pagesSent: number;
  /** Pages there were to send; null until the document was decoded. */
  totalPages: number | null;
  result: FaxLogResult;
  failure?: string;
}

export interface FaxLogEntry {
  /** job-id: unique within one boot only (ids start again at 1 after a power cycle). */
  jobId: number;
  /** job-uuid: unique for ever. */
  jobUuid: string;
  /** job-name as the client sent it (the edge's `mfp-edge:<job>:<attempt>` tag). */
  name: string;
  user: string;
  state: FaxJobState;
  reasons: string[];
  stateMessage: string;
  /** Pages of the document (null until decoded); kept from the first version of this log. */
  pages: number | null;
  totalPages: number | null;
  /** Pages confirmed, over all destinations. */
  pagesSent: number;
  result: FaxLogResult;
  /** The device's power-on count when the job was created (1 for the first start on a data folder). */
  boot: number;
  interruptedBy?: FaxInterruption;
  createdAt: string;
  completedAt: string | null;
  /** When this entry last changed. */
  updatedAt: string;
  destinations: FaxLogDestination[];
}

export function destinationResult(
  d: Pick<FaxDestination, 'transmissionStatus' | 'imagesCompleted'>,
): FaxLogResult {
  const status = d.transmissionStatus;
  if (status === 'completed') return 'completed';
  if (!TERMINAL_STATES.has(status)) return status === 'processing' ? 'sending' : 'pending';
  if (d.imagesCompleted > 0) return 'partial';
  return status === 'canceled' ? 'canceled' : 'failed';
}

/** Over every destination: completed only if all were; partial if any remote machine has pages. */
export function jobResult(state: FaxJobState, destinations: readonly FaxLogDestination[]): FaxLogResult {
  if (!TERMINAL_STATES.has(state)) return state === 'processing' ? 'sending' : 'pending';
  const results = destinations.map((d) => d.result);
  if (results.length > 0 && results.every((r) => r === 'completed')) return 'completed';
  if (results.some((r) => r === 'completed' || r === 'partial')) return 'partial';
  return state === 'canceled' ? 'canceled' : 'failed';
}

export function faxLogEntry(job: FaxJob, boot: number, now: Date): FaxLogEntry {
  const totalPages = job.pageCount ?? null;
  const destinations = job.destinations.map((d): FaxLogDestination => ({
    uri: d.uri,
    number: d.number,
    status: d.transmissionStatus,
    imagesCompleted: d.imagesCompleted,
    pagesSent: d.imagesCompleted,
    totalPages,
    result: destinationResult(d),
    ...(d.failure ? { failure: d.failure } : {}),
  }));
  return {
    jobId: job.id,
    jobUuid: job.uuid,
    name: job.name,
    user: job.userName,
    state: job.state,
    reasons: [...job.reasons],
    stateMessage: job.stateMessage,
    pages: totalPages,
    totalPages,
    pagesSent: destinations.reduce((sum, d) => sum + d.pagesSent, 0),
    result: jobResult(job.state, destinations),
    boot,
    ...(job.interruptedBy ? { interruptedBy: job.interruptedBy } : {}),
    createdAt: job.createdAt.toISOString(),
    completedAt: job.completedAt?.toISOString() ?? null,
    updatedAt: now.toISOString(),
    destinations,
  };
}

/**
 * An entry a previous run left unfinished (the process was killed): it can never finish now, so it
 * ends as aborted, and each destination under way keeps the pages it had confirmed.
 */
export function interruptedEntry(entry: FaxLogEntry, now: Date): FaxLogEntry {
  const destinations = entry.destinations.map((d): FaxLogDestination => {
    if (TERMINAL_STATES.has(d.status)) return d;
    const status: FaxJobState = 'aborted';
    return {
      ...d,
      status,
      result: destinationResult({ transmissionStatus: status, imagesCompleted: d.pagesSent }),
    };
  });
  return {
    ...entry,
    state: 'aborted',
    reasons: ['aborted-by-system'],
    stateMessage: 'The device lost power',
    result: jobResult('aborted', destinations),
    interruptedBy: 'power-loss',
    completedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    destinations,
  };
}
