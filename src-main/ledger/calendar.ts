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

/** Every YYYY-MM-DD of a YYYY-MM month. */
export function daysOfMonth(month: string): string[] {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const count = new Date(Date.UTC(year, m, 0)).getUTCDate();
  return Array.from({ length: count }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`);
}
