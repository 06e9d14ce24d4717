// Time arithmetic shared by the profile fold and the segment evaluator. All instants are epoch ms, UTC.
import { localTime, zonedTimeToInstant } from '../journeys/time.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export type DurationUnit = 'minutes' | 'hours' | 'days' | 'weeks';
export interface DurationLike {
  amount: number;
  unit: DurationUnit;
}

export function toEpochMs(value: number | Date | string): number {
  if (value instanceof Date) return value.getTime();
  return typeof value === 'number' ? value : Date.parse(value);
}

/** 'YYYY-MM-DD' of the UTC day holding `ms`. */
export function utcDayKey(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function dayKeyStart(key: string): number {
  return Date.parse(`${key}T00:00:00.000Z`);
}

export function durationMs(d: DurationLike): number {
  switch (d.unit) {
    case 'minutes':
      return d.amount * MINUTE_MS;
    case 'hours':
      return d.amount * HOUR_MS;
    case 'days':
      return d.amount * DAY_MS;
    case 'weeks':
      return d.amount * 7 * DAY_MS;
  }
}

function wholeDays(d: DurationLike): number | null {
  if (d.unit === 'days') return d.amount;
  if (d.unit === 'weeks') return d.amount * 7;
  return null;
}

/** 00:00 on the local calendar day `offsetDays` after the one holding `ms`, in `timeZone` (UTC when absent). */
function localMidnight(ms: number, offsetDays: number, timeZone?: string): number {
  if (timeZone === undefined || timeZone === 'UTC') return startOfUtcDay(ms) + offsetDays * DAY_MS;
  const t = localTime(ms, timeZone);
  const day = new Date(Date.UTC(t.year, t.month - 1, t.day + offsetDays));
  return zonedTimeToInstant(
    day.getUTCFullYear(),
    day.getUTCMonth() + 1,
    day.getUTCDate(),
    0,
    0,
    timeZone,
  );
}

/**
 * First instant inside a window ending at `now`. Minutes and hours roll continuously (now − span);
 * days and weeks are whole calendar days in `timeZone` (default UTC), today included: "last 21 days" starts
 * at local midnight twenty days ago. Calendar days make window edges fall at the workspace's midnight.
 */
export function windowStart(now: number, d: DurationLike, timeZone?: string): number {
  const days = wholeDays(d);
  if (days === null) return now - durationMs(d);
  return localMidnight(now, -(days - 1), timeZone);
}

/** The first instant at which something that happened at `at` is no longer inside the window. */
export function windowExitAt(at: number, d: DurationLike, timeZone?: string): number {
  const days = wholeDays(d);
  if (days === null) return at + durationMs(d) + 1;
  return localMidnight(at, days, timeZone);
}
