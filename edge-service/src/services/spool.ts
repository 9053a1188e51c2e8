import { mkdir, open, rename, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The page spool: one folder per job under the data folder. Writes are atomic (temp file, fsync,
 * rename), so a page that the database names is always complete on disk.
 */
export class Spool {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async start(): Promise<void> {
    await mkdir(this.root, { recursive: true });
  }

  /** Writes a file of a job and returns its name relative to the job's folder. */
  async write(jobId: string, name: string, data: Buffer): Promise<string> {
    const dir = this.#jobDir(jobId);
    await mkdir(dir, { recursive: true });
    const target = join(dir, name);
    const temp = `${target}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    return name;
  }

  read(jobId: string, name: string): Promise<Buffer> {
    return readFile(join(this.#jobDir(jobId), name));
  }

  async removeJob(jobId: string): Promise<void> {
    await rm(this.#jobDir(jobId), { recursive: true, force: true });
  }

  #jobDir(jobId: string): string {
    if (!/^[\w-]+$/.test(jobId)) throw new Error(`invalid job id for the spool: ${jobId}`);
    return join(this.root, jobId);
  }
}
