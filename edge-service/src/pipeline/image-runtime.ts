import { availableParallelism } from 'node:os';
import sharp from 'sharp';

/**
 * libvips' process-wide settings, tuned for a small edge box converting one scan job at a time.
 *
 * - The operation cache is off: every page is a new buffer, so cached results are never reused and
 *   only hold up to 50 MB of decoded pixels.
 * - Threads per image: sharp sets 1 on glibc Linux without jemalloc (to limit malloc arena
 *   fragmentation). On 2 cores, 2 threads per image lets a lone page (the scanner is usually slower
 *   than the pipeline) use both cores, and costs little when two pages are in flight
 *   (`npm run bench` measures both).
 */
export interface ImageRuntimeOptions {
  /** libvips threads per image (sharp.concurrency); default: min(2, cores). */
  concurrency?: number;
  cache?: boolean;
}

/** How many pages a job converts at once: one per core keeps both busy without holding more pages. */
export const PAGES_IN_FLIGHT = Math.max(1, Math.min(2, availableParallelism()));

let configured = false;

export function configureImageRuntime(options: ImageRuntimeOptions = {}): void {
  sharp.cache(options.cache ?? false);
  sharp.concurrency(options.concurrency ?? Math.min(2, availableParallelism()));
  configured = true;
}

/** Applies the defaults once, unless a caller (CLI, bench) configured the runtime first. */
export function ensureImageRuntime(): void {
  if (!configured) configureImageRuntime();
}
