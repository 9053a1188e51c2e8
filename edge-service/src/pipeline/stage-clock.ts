/**
 * CPU time per pipeline stage, for `npm run bench`'s breakdown. process.cpuUsage counts every thread
 * of the process (libvips' included), so a stage's figure is only its own with one page in flight;
 * the bench measures it that way. Without a clock the pipeline pays nothing. Pool threads load
 * stageClock from its source (STAGE_CLOCK_SOURCE), so it uses nothing but its argument and globals.
 */
export type StageTimes = Record<string, number>;

export interface StageClock {
  /** Adds the CPU ms since the previous mark (or the clock's start) to `stage`. */
  mark(stage: string): void;
  /** Drops the CPU ms since the previous mark: a stage another clock measured (on a pool thread). */
  skip(): void;
}

export function stageClock(into: StageTimes | undefined): StageClock {
  if (into === undefined) return { mark: () => undefined, skip: () => undefined };
  let last = process.cpuUsage();
  return {
    mark(stage) {
      const now = process.cpuUsage();
      into[stage] = (into[stage] ?? 0) + (now.user - last.user + now.system - last.system) / 1000;
      last = now;
    },
    skip() {
      last = process.cpuUsage();
    },
  };
}

/** stageClock's source, for the pool threads (see the file comment). */
export const STAGE_CLOCK_SOURCE = stageClock.toString();
