// Time arithmetic shared by the profile fold and the segment evaluator. All instants are epoch ms, UTC.

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

/**
 * First instant inside a window ending at `now`. Minutes and hours roll continuously (now − span);
 * days and weeks are whole UTC days, today included: "last 21 days" starts at 00:00 UTC twenty days ago.
 * Calendar days let the profile answer from its per-day counters and make window edges fall at midnight.
 */
export function windowStart(now: number, d: DurationLike): number {
  const days = wholeDays(d);
  if (days === null) return now - durationMs(d);
  return startOfUtcDay(now) - (days - 1) * DAY_MS;
}

/** The first instant at which something that happened at `at` is no longer inside the window. */
export function windowExitAt(at: number, d: DurationLike): number {
  const days = wholeDays(d);
  if (days === null) return at + durationMs(d) + 1;
  return startOfUtcDay(at) + days * DAY_MS;
}
