import type { EventPayload, JobView, ReplyPayload, RequestPayload } from '../../protocol/messages.ts';

/** The key under which the panel keeps the job it is watching, so a reload reopens it. */
const WATCHED_KEY = 'mfp-edge.watched-job';

type GetJob = (payload: RequestPayload<'job.get'>) => Promise<ReplyPayload<'job.get'>>;

/**
 * What the live-job screen shows beyond the JobView: the thumbnail of each page (job.page as pages
 * are scanned, job.get after a reload), and which job is being watched. That id lives in
 * sessionStorage: it survives a reload of this tab and nothing longer, so the next person at a
 * shared panel does not reopen it a day later; panels without storage simply do not reopen it.
 */
export class LiveJobs {
  readonly #thumbnails: { [jobId: string]: { [page: number]: string } } = {};

  /** The page's thumbnail (a PNG data URL), if it came. */
  thumbnail(jobId: string, page: number): string | null {
    return this.#thumbnails[jobId]?.[page] ?? null;
  }

  /** job.page: keep the thumbnail; true when it is new. */
  page(event: EventPayload<'job.page'>): boolean {
    if (!event.page.thumbnail) return false;
    const pages = (this.#thumbnails[event.jobId] ??= {});
    const fresh = pages[event.page.number] !== event.page.thumbnail;
    pages[event.page.number] = event.page.thumbnail;
    return fresh;
  }

  watch(jobId: string): void {
    try {
      sessionStorage.setItem(WATCHED_KEY, jobId);
    } catch {
      // No storage (some embedded browsers): the view is not reopened after a reload, nothing else.
    }
  }

  watched(): string | null {
    try {
      return sessionStorage.getItem(WATCHED_KEY);
    } catch {
      return null;
    }
  }

  /** The person left the job screen, or signed out: a reload opens home. */
  unwatch(): void {
    try {
      sessionStorage.removeItem(WATCHED_KEY);
    } catch {
      // as in watch()
    }
  }

  /** Forgets every thumbnail (the person changed). */
  clear(): void {
    for (const id of Object.keys(this.#thumbnails)) delete this.#thumbnails[id];
  }

  /**
   * The job and all its thumbnails, page after page of replies (each fits one frame). Rejects with
   * the edge's error (JOB_NOT_FOUND: not this person's, or gone).
   */
  async restore(jobId: string, get: GetJob): Promise<JobView> {
    let from: number | undefined = 1;
    let job: JobView | null = null;
    // A 50-page job needs a handful of replies; the bound stops a confused edge from looping us.
    for (let round = 0; from !== undefined && round < 100; round++) {
      const reply: ReplyPayload<'job.get'> = await get({ jobId, fromPage: from });
      job = reply.job;
      for (const page of reply.thumbnails) this.page({ jobId, page });
      from = reply.nextPage;
    }
    return job!;
  }
}
