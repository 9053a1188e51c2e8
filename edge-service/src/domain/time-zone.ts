/**
 * Calendar days in an IANA time zone, with the platform's time-zone data (Intl): what the console's
 * date filters and its pages-per-day chart are counted in.
 */

/** A calendar day, `YYYY-MM-DD`. */
export type CalendarDay = string;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Whether the platform knows this IANA zone name (e.g. `Europe/Paris`, `UTC`). */
export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

function parts(at: number, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at))
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** How far the zone's wall clock is ahead of UTC at that instant, in ms. */
function offsetAt(at: number, timeZone: string): number {
  const p = parts(at, timeZone);
  const wall = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return wall - (at - (at % 1000));
}

/** The day an instant falls on in the zone. */
export function dayOf(at: Date, timeZone: string): CalendarDay {
  const p = parts(at.getTime(), timeZone);
  return `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
}

/** The first instant of the day in the zone (a DST change at midnight moves it, never skips the day). */
export function startOfDay(day: CalendarDay, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const midnight = Date.UTC(y, m - 1, d);
  let at = midnight - offsetAt(midnight, timeZone);
  // Once more with the offset in force at that instant: right on both sides of a DST change.
  at = midnight - offsetAt(at, timeZone);
  return new Date(at);
}

/** The day `n` days after (before, when negative). */
export function addDays(day: CalendarDay, n: number): CalendarDay {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
