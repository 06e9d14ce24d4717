// Time-zone arithmetic with Intl only: pure, deterministic for a given tz database.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export type LocalTime = {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
};

/** Wall-clock time at `instantMs` in `timeZone`. */
export function localTime(instantMs: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    year: parts.year ?? 1970,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Offset of `timeZone` from UTC at `instantMs`, in ms (e.g. +3 600 000 for Paris in winter). */
export function timeZoneOffsetMs(instantMs: number, timeZone: string): number {
  const t = localTime(instantMs, timeZone);
  const asUtc = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows the given date and time (DST gaps roll forward). */
export function zonedTimeToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  let guess = wall - timeZoneOffsetMs(wall, timeZone);
  // A second pass settles instants near a DST change, where the offset differs between wall and guess.
  guess = wall - timeZoneOffsetMs(guess, timeZone);
  return guess;
}

export function parseHhMm(value: string): { hour: number; minute: number } {
  const [h, m] = value.split(':');
  return { hour: Number(h), minute: Number(m) };
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a calendar date. */
export function isoWeekday(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * The first instant ≥ now when the local clock shows `time` on an allowed weekday.
 * Returns `now` itself when it is exactly that time.
 */
export function nextTimeOfDay(
  nowMs: number,
  time: string,
  timeZone: string,
  weekdays?: number[],
): number {
  const { hour, minute } = parseHhMm(time);
  const today = localTime(nowMs, timeZone);
  for (let i = 0; i <= 8; i++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + i));
    const y = date.getUTCFullYear();
    const m = date.getUTCMonth() + 1;
    const d = date.getUTCDate();
    if (weekdays && weekdays.length > 0 && !weekdays.includes(isoWeekday(y, m, d))) continue;
    const candidate = zonedTimeToInstant(y, m, d, hour, minute, timeZone);
    if (candidate >= nowMs) return candidate;
  }
  // Unreachable with a non-empty weekday list; fall back to a day later rather than loop.
  return nowMs + 86_400_000;
}

/** When quiet hours are in force at `now`, the instant they end; otherwise undefined. */
export function quietHoursEnd(
  nowMs: number,
  window: { start: string; end: string },
  timeZone: string,
): number | undefined {
  const start = parseHhMm(window.start);
  const end = parseHhMm(window.end);
  const startMin = start.hour * 60 + start.minute;
  const endMin = end.hour * 60 + end.minute;
  if (startMin === endMin) return undefined;
  const t = localTime(nowMs, timeZone);
  const nowMin = t.hour * 60 + t.minute;
  const inside =
    startMin < endMin
      ? nowMin >= startMin && nowMin < endMin
      : nowMin >= startMin || nowMin < endMin;
  if (!inside) return undefined;
  return nextTimeOfDay(nowMs, window.end, timeZone);
}
