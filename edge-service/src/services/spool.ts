import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { EdgeError } from '../edge-error.ts';
import { makeFolderDurably, writeDurably } from '../fs/durable-write.ts';

/** The file operations the spool uses; tests inject failures (a full disk) through it. */
export type SpoolFs = Pick<
  typeof nodeFs,
  'mkdir' | 'open' | 'rename' | 'link' | 'readFile' | 'rm' | 'readdir' | 'stat'
>;

/** Errors that mean "no room left" rather than "something is broken". */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/**
 * The page spool: one folder per job under the data folder. Writes are durable (temp file, fsync,
 * rename, fsync of the folder: fs/durable-write.ts), so a page that the database names is complete
 * on disk even after a power cut; a full disk surfaces as SPOOL_FULL and leaves no partial file behind.
 */
export class Spool {
  readonly root: string;
  readonly #fs: SpoolFs;

  constructor(root: string, options: { fs?: SpoolFs } = {}) {
    this.root = root;
    this.#fs = options.fs ?? nodeFs;
  }

  async start(): Promise<void> {
    await makeFolderDurably(this.root, this.#fs);
  }

  /** Writes a file of a job and returns its name relative to the job's folder. */
  async write(jobId: string, name: string, data: Buffer): Promise<string> {
    try {
      await writeDurably(join(this.#jobDir(jobId), name), data, { fs: this.#fs });
    } catch (error) {
      if (NO_SPACE.has((error as NodeJS.ErrnoException).code ?? ''))
        throw new EdgeError(
          'SPOOL_FULL',
          'The edge has no disk space left for the scanned pages; the job was stopped. Free space on the edge and send again.',
          { cause: error },
        );
      throw error;
    }
    return name;
  }

  read(jobId: string, name: string): Promise<Buffer> {
    return this.#fs.readFile(join(this.#jobDir(jobId), name));
  }

  async removeJob(jobId: string): Promise<void> {
    await this.#fs.rm(this.#jobDir(jobId), { recursive: true, force: true });
  }

  /** Job folders on disk with their last change, for housekeeping. */
  async listJobs(): Promise<{ jobId: string; modifiedAt: Date }[]> {
    const entries = await this.#fs.readdir(this.root, { withFileTypes: true });
    const jobs: { jobId: string; modifiedAt: Date }[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || !JOB_ID.test(entry.name)) continue;
      const stats = await this.#fs.stat(join(this.root, entry.name)).catch(() => null);
      if (stats) jobs.push({ jobId: entry.name, modifiedAt: stats.mtime });
    }
    return jobs;
  }

  #jobDir(jobId: string): string {
    if (!JOB_ID.test(jobId)) throw new Error(`invalid job id for the spool: ${jobId}`);
    return join(this.root, jobId);
  }
}

const JOB_ID = /^[\w-]+$/;
