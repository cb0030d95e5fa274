// RFC 3339 timestamps as Choice rules and Wait states read them ("2016-03-14T01:59:00Z",
// "2016-03-14T01:59:00.123456+02:00"). Compared as instants, to the nanosecond, so offsets and
// fraction lengths do not matter.

export interface Instant {
  /** Whole seconds since the epoch (UTC). */
  seconds: number;
  /** Nanoseconds within the second, 0..999999999. */
  nanos: number;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** undefined when `text` is not an RFC 3339 date-time. */
export function parseTimestamp(text: string): Instant | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  const zone = m[8] as string;
  if (zone !== 'Z' && zone !== 'z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const epochMs = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC maps years 0..99 to 1900..1999; RFC 3339 years are literal.
  const fixed = year < 100 ? new Date(epochMs).setUTCFullYear(year) : epochMs;
  const nanos = Number((m[7] ?? '').padEnd(9, '0') || '0');
  return { seconds: fixed / 1000 - offsetMinutes * 60, nanos };
}

export function compareTimestamps(a: Instant, b: Instant): number {
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return a.nanos === b.nanos ? 0 : a.nanos < b.nanos ? -1 : 1;
}

/** Milliseconds since the epoch (for Wait states). */
export function timestampMillis(i: Instant): number {
  return i.seconds * 1000 + Math.floor(i.nanos / 1e6);
}
