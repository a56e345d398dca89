// Months and days in the writer's time zone: a budget month starts at local midnight on the 1st, not at UTC's.

export interface LocalDay {
  /** YYYY-MM */
  month: string;
  /** YYYY-MM-DD */
  day: string;
}

export type Calendar = (at: Date) => LocalDay;

/** `timeZone` is an IANA name; undefined = the process's own zone (the writer's, on their Mac). */
export function calendarFor(timeZone?: string): Calendar {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  });
  // formatToParts is the slow part of every reservation and snapshot; a local date only changes on a whole minute
  // (every zone's offset is whole minutes), so the last minute's answer is reused.
  let lastMinute = Number.NaN;
  let last: LocalDay = { month: '', day: '' };
  return (at) => {
    const minute = Math.floor(at.getTime() / 60_000);
    if (minute === lastMinute) return last;
    const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
    const month = `${parts.year}-${parts.month}`;
    last = { month, day: `${month}-${parts.day}` };
    lastMinute = minute;
    return last;
  };
}

/** Offsets from UTC change only on a UTC quarter hour: every zone's offset (and so each change of it) is whole quarters. */
const QUARTER_HOUR = 15 * 60_000;

/**
 * "2026-11-30 23:59:00": an instant on the writer's clock in `timeZone` (undefined = the process's own), as
 * spreadsheets read a date and time. The zone's offset is asked of Intl once per quarter hour of the instants given
 * (formatToParts takes microseconds: a month's export asks it for every row otherwise).
 */
export function clockFor(timeZone?: string): (at: Date) => string {
  const format = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const offsets = new Map<number, number>();
  const offsetAt = (quarter: number): number => {
    const start = new Date(quarter * QUARTER_HOUR);
    const p = Object.fromEntries(format.formatToParts(start).map((part) => [part.type, Number(part.value)]));
    return Date.UTC(p.year!, p.month! - 1, p.day, p.hour, p.minute, p.second) - start.getTime();
  };
  return (at) => {
    const quarter = Math.floor(at.getTime() / QUARTER_HOUR);
    let offset = offsets.get(quarter);
    if (offset === undefined) offsets.set(quarter, (offset = offsetAt(quarter)));
    return utcClock(new Date(at.getTime() + offset));
  };
}

/** "2026-12-01 07:59:00": an instant on UTC's clock. */
export function utcClock(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** Every YYYY-MM-DD of a YYYY-MM month. */
export function daysOfMonth(month: string): string[] {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}
