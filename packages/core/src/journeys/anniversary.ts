// When a date-triggered journey (birthday, signup anniversary, N days before a renewal) starts a contact.
import { localTime, parseHhMm, zonedTimeToInstant } from './time.js';

export interface DateTriggerSpec {
  offsetDays?: number | undefined;
  recurrence?: 'yearly' | 'once' | undefined;
  time?: string | undefined;
}

/** One firing: the local calendar date it falls on (the idempotency key of the run) and its instant. */
export interface DateOccurrence {
  key: string;
  at: number;
}

export const DEFAULT_DATE_TRIGGER_TIME = '09:00';

type CalendarDate = { year: number; month: number; day: number };

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const dateKey = (d: CalendarDate) => `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;

function addDays(d: CalendarDate, days: number): CalendarDate {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

/**
 * The calendar date a trait holds. A bare "YYYY-MM-DD" (a birthday) is that date wherever the contact is;
 * an instant (ISO date-time or epoch ms, e.g. signed_up_at) is the date it was in the contact's zone.
 */
export function calendarDateOf(value: unknown, timeZone: string): CalendarDate | undefined {
  if (typeof value === 'string') {
    const bare = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
    if (bare) {
      const d = { year: Number(bare[1]), month: Number(bare[2]), day: Number(bare[3]) };
      const check = addDays(d, 0);
      return check.month === d.month && check.day === d.day ? d : undefined;
    }
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? localTime(ms, timeZone) : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return localTime(value, timeZone);
  if (value instanceof Date && Number.isFinite(value.getTime()))
    return localTime(value.getTime(), timeZone);
  return undefined;
}

/** The date's firing dates near `year`: every year (29 Feb falls on 28 Feb in other years), or just once. */
function firingDates(date: CalendarDate, spec: DateTriggerSpec, year: number): CalendarDate[] {
  const offset = spec.offsetDays ?? 0;
  if (spec.recurrence === 'once') return [addDays(date, offset)];
  const out: CalendarDate[] = [];
  for (let y = year - 1; y <= year + 1; y++) {
    const leapDay = date.month === 2 && date.day === 29;
    const inYear = { year: y, month: date.month, day: date.day };
    const actual = leapDay && addDays(inYear, 0).month !== 2 ? { ...inYear, day: 28 } : inYear;
    out.push(addDays(actual, offset));
  }
  return out;
}

function occurrenceOn(d: CalendarDate, spec: DateTriggerSpec, timeZone: string): DateOccurrence {
  const { hour, minute } = parseHhMm(spec.time ?? DEFAULT_DATE_TRIGGER_TIME);
  return {
    key: dateKey(d),
    at: zonedTimeToInstant(d.year, d.month, d.day, hour, minute, timeZone),
  };
}

/**
 * The occurrence a contact is due for at `now`: one whose local date is today in `timeZone` and whose
 * time of day has come. It stays due until the local day ends, so a journey published (or a scheduler
 * back) at noon still starts the morning's birthdays; a later day never starts a missed one.
 */
export function dueDateOccurrence(
  value: unknown,
  spec: DateTriggerSpec,
  now: number,
  timeZone: string,
): DateOccurrence | null {
  const date = calendarDateOf(value, timeZone);
  if (!date) return null;
  const today = localTime(now, timeZone);
  const todayKey = dateKey(today);
  for (const d of firingDates(date, spec, today.year)) {
    if (dateKey(d) !== todayKey) continue;
    const occurrence = occurrenceOn(d, spec, timeZone);
    return occurrence.at <= now ? occurrence : null;
  }
  return null;
}

/** The next instant after `now` at which the contact becomes due, or null (a `once` date gone by). */
export function nextDateOccurrenceAt(
  value: unknown,
  spec: DateTriggerSpec,
  now: number,
  timeZone: string,
): number | null {
  const date = calendarDateOf(value, timeZone);
  if (!date) return null;
  const year = localTime(now, timeZone).year;
  let next: number | null = null;
  for (const d of firingDates(date, spec, year)) {
    const { at } = occurrenceOn(d, spec, timeZone);
    if (at > now && (next === null || at < next)) next = at;
  }
  return next;
}
