/**
 * Where the remote machines keep what a tester expects to survive a restart of the virtual device
 * (`--data DIR`): each received fax as `received/<id>/fax.json` + `page-<n>.png`, and the line
 * behaviours as `lines.json`. Every write lands whole or not at all (temp then rename); writes run one
 * after another off the caller's path, so a fax arriving never waits on the disk.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../logger.ts';

export interface StoredFax {
  id: string;
  to: string;
  pages: number;
  status: 'received' | 'partial';
  receivedAt: string;
  pageImages: Buffer[];
}

export interface StoredLineBehavior {
  behavior: string;
  page?: number;
  bitRate?: number;
}

const FAX_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TEMP_PREFIX = '.tmp-';

const faxMetadata = z.object({
  id: z.string().regex(FAX_ID),
  to: z.string().max(64),
  pages: z.number().int().min(0).max(10_000),
  status: z.enum(['received', 'partial']),
  receivedAt: z.iso.datetime(),
});

const linesFile = z.record(
  z.string(),
  z.object({
    behavior: z.string(),
    page: z.number().int().optional(),
    bitRate: z.number().int().optional(),
  }),
);

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

export class RemoteMachinesStore {
  readonly #dir: string;
  readonly #receivedDir: string;
  readonly #logger: Logger;
  #queue: Promise<void> = Promise.resolve();

  constructor(options: { dir: string; logger: Logger }) {
    this.#dir = options.dir;
    this.#receivedDir = join(options.dir, 'received');
    this.#logger = options.logger;
  }

  /**
   * The faxes on disk, oldest first, and the saved line behaviours. What cannot be read is skipped with
   * a warning: a damaged folder must not keep the device from starting.
   */
  async load(): Promise<{ faxes: StoredFax[]; lines: Record<string, StoredLineBehavior> }> {
    await mkdir(this.#receivedDir, { recursive: true });
    const faxes: StoredFax[] = [];
    for (const entry of await readdir(this.#receivedDir, { withFileTypes: true })) {
      const path = join(this.#receivedDir, entry.name);
      if (entry.name.startsWith(TEMP_PREFIX)) {
        // A write cut short by a crash: never renamed into place, so never a fax.
        await rm(path, { recursive: true, force: true });
        continue;
      }
      if (!entry.isDirectory()) continue;
      try {
        faxes.push(await this.#readFax(path, entry.name));
      } catch (error) {
        this.#logger.warn({ err: error, path }, 'skipping a received fax that cannot be read');
      }
    }
    faxes.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    return { faxes, lines: await this.#readLines() };
  }

  saveFax(fax: StoredFax): void {
    this.#enqueue('save a received fax', async () => {
      const temp = join(this.#receivedDir, `${TEMP_PREFIX}${randomUUID()}`);
      await mkdir(temp, { recursive: true });
      await Promise.all(fax.pageImages.map((png, i) => writeFile(join(temp, `page-${i + 1}.png`), png)));
      const { pageImages: _pages, ...metadata } = fax;
      await writeFile(join(temp, 'fax.json'), JSON.stringify(metadata, null, 2));
      await rename(temp, join(this.#receivedDir, fax.id));
    });
  }

  deleteFax(id: string): void {
    this.#enqueue('delete a received fax', () =>
      rm(join(this.#receivedDir, id), { recursive: true, force: true }),
    );
  }

  saveLines(lines: Record<string, StoredLineBehavior>): void {
    const json = JSON.stringify(lines, null, 2);
    this.#enqueue('save the line behaviours', () =>
      this.#writeAtomically(join(this.#dir, 'lines.json'), json),
    );
  }

  /** Resolves when every write asked for so far is on disk (or has failed and been logged). */
  flush(): Promise<void> {
    return this.#queue;
  }

  async #readFax(path: string, name: string): Promise<StoredFax> {
    const metadata = faxMetadata.parse(JSON.parse(await readFile(join(path, 'fax.json'), 'utf8')));
    if (metadata.id !== name) throw new Error(`fax.json names ${metadata.id}, the folder ${name}`);
    const pageImages = await Promise.all(
      Array.from({ length: metadata.pages }, (_, i) => readFile(join(path, `page-${i + 1}.png`))),
    );
    return { ...metadata, pageImages };
  }

  async #readLines(): Promise<Record<string, StoredLineBehavior>> {
    const path = join(this.#dir, 'lines.json');
    try {
      return linesFile.parse(JSON.parse(await readFile(path, 'utf8')));
    } catch (error) {
      if (!isMissing(error))
        this.#logger.warn({ err: error, path }, 'ignoring line behaviours that cannot be read');
      return {};
    }
  }

  async #writeAtomically(path: string, data: string): Promise<void> {
    const temp = `${path}${TEMP_PREFIX}${randomUUID()}`;
    await writeFile(temp, data);
    await rename(temp, path);
  }

  #enqueue(what: string, task: () => Promise<unknown>): void {
    this.#queue = this.#queue.then(task).then(
      () => undefined,
      (error: unknown) => this.#logger.warn({ err: error }, `could not ${what}`),
    );
  }
}
