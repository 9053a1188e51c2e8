/**
 * Where the fax log lives under `--data DIR`: `fax-log.jsonl`, one JSON object a line — `{"boot": n,
 * "at"}` when the device powers on, `{"entry": {…}}` whenever a job's entry changes (the last line for
 * a job-uuid wins). Appended synchronously: the line is in the kernel's hands before the modem goes on,
 * so a process killed right after a delivery still has its record, as a device's flash log would (an
 * edge that found no record would send the fax again). A line cut short by a kill is skipped on load.
 * Rewritten whole (temp then rename) when it grows past a few times what is kept.
 */
import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import type { FaxLogEntry } from './fax-log-entry.ts';

const FILE = 'fax-log.jsonl';

const jobState = z.enum([
  'pending',
  'pending-held',
  'processing',
  'processing-stopped',
  'canceled',
  'aborted',
  'completed',
]);
const result = z.enum(['pending', 'sending', 'completed', 'partial', 'failed', 'canceled']);
const pageCount = z.number().int().min(0).nullable();

const entrySchema = z.object({
  jobId: z.number().int().min(1),
  jobUuid: z.string().min(1),
  name: z.string(),
  user: z.string(),
  state: jobState,
  reasons: z.array(z.string()),
  stateMessage: z.string(),
  pages: pageCount,
  totalPages: pageCount,
  pagesSent: z.number().int().min(0),
  result,
  boot: z.number().int().min(1),
  interruptedBy: z.enum(['power-cycle', 'power-off', 'power-loss']).optional(),
  createdAt: z.iso.datetime(),
  completedAt: z.iso.datetime().nullable(),
  updatedAt: z.iso.datetime(),
  destinations: z.array(
    z.object({
      uri: z.string(),
      number: z.string(),
      status: jobState,
      imagesCompleted: z.number().int().min(0),
      pagesSent: z.number().int().min(0),
      totalPages: pageCount,
      result,
      failure: z.string().optional(),
    }),
  ),
});

const line = z.union([
  z.object({ boot: z.number().int().min(1), at: z.iso.datetime() }),
  z.object({ entry: entrySchema }),
]);

export interface LoadedFaxLog {
  /** The highest power-on count recorded (0 for a new folder). */
  lastBoot: number;
  /** Oldest job first, one entry per job-uuid (its last line). */
  entries: FaxLogEntry[];
}

export class FaxLogStore {
  readonly #dir: string;
  readonly #path: string;
  readonly #logger: Logger;
  #lines = 0;

  constructor(options: { dir: string; logger: Logger }) {
    this.#dir = options.dir;
    this.#path = join(options.dir, FILE);
    this.#logger = options.logger;
  }

  load(): LoadedFaxLog {
    mkdirSync(this.#dir, { recursive: true });
    let text = '';
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
    }
    const entries = new Map<string, FaxLogEntry>();
    let lastBoot = 0;
    let skipped = 0;
    this.#lines = 0;
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      this.#lines++;
      let parsed: z.infer<typeof line>;
      try {
        parsed = line.parse(JSON.parse(raw));
      } catch {
        skipped++;
        continue;
      }
      if ('boot' in parsed) lastBoot = Math.max(lastBoot, parsed.boot);
      else {
        entries.set(parsed.entry.jobUuid, parsed.entry);
        lastBoot = Math.max(lastBoot, parsed.entry.boot);
      }
    }
    if (skipped > 0)
      this.#logger.warn({ path: this.#path, skipped }, 'skipped fax log lines that cannot be read');
    return { lastBoot, entries: [...entries.values()] };
  }

  appendBoot(boot: number, at: Date): void {
    this.#append({ boot, at: at.toISOString() });
  }

  appendEntry(entry: FaxLogEntry): void {
    this.#append({ entry });
  }

  /** Only the boot and the entries kept, written whole or not at all. */
  rewrite(boot: number, at: Date, entries: readonly FaxLogEntry[]): void {
    const lines = [
      JSON.stringify({ boot, at: at.toISOString() }),
      ...entries.map((entry) => JSON.stringify({ entry })),
    ];
    const temp = `${this.#path}.tmp-${process.pid}`;
    writeFileSync(temp, `${lines.join('\n')}\n`);
    renameSync(temp, this.#path);
    this.#lines = lines.length;
  }

  get lineCount(): number {
    return this.#lines;
  }

  #append(value: unknown): void {
    try {
      appendFileSync(this.#path, `${JSON.stringify(value)}\n`);
      this.#lines++;
    } catch (error) {
      // A full or read-only disk must not stop the modem; the log in memory is still right.
      this.#logger.warn({ err: error, path: this.#path }, 'could not write the fax log');
    }
  }
}
