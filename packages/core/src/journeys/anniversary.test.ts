import { dueDateOccurrence, nextDateOccurrenceAt } from './anniversary.js';
import { windowExitAt, windowStart } from '../profile/time.js';

describe('date triggers', () => {
  const tokyoNoon = Date.UTC(2026, 11, 5, 3); // 5 Dec 2026, 12:00 in Tokyo, 03:00 UTC

  it('is due on the birthday once its time of day has come in the contact zone', () => {
    const due = dueDateOccurrence('1990-12-05', { time: '09:00' }, tokyoNoon, 'Asia/Tokyo');
    expect(due).toEqual({ key: '2026-12-05', at: Date.UTC(2026, 11, 5, 0) });
    // Same instant in Los Angeles is still 4 Dec, 19:00: not their birthday yet.
    expect(dueDateOccurrence('1990-12-05', {}, tokyoNoon, 'America/Los_Angeles')).toBeNull();
    expect(nextDateOccurrenceAt('1990-12-05', {}, tokyoNoon, 'America/Los_Angeles')).toBe(
      Date.UTC(2026, 11, 5, 17),
    );
    // Before 09:00 local, not yet.
    expect(dueDateOccurrence('1990-12-05', { time: '13:00' }, tokyoNoon, 'Asia/Tokyo')).toBeNull();
  });

  it('fires N days before a date once, and a leap-day birthday on 28 Feb', () => {
    const spec = { recurrence: 'once' as const, offsetDays: -3, time: '00:00' };
    expect(
      dueDateOccurrence('2026-12-08T15:00:00Z', spec, Date.UTC(2026, 11, 5, 1), 'UTC')?.key,
    ).toBe('2026-12-05');
    expect(
      dueDateOccurrence('2025-12-08T15:00:00Z', spec, Date.UTC(2026, 11, 5, 1), 'UTC'),
    ).toBeNull();
    expect(
      dueDateOccurrence('2000-02-29', { time: '00:00' }, Date.UTC(2026, 1, 28, 5), 'UTC')?.key,
    ).toBe('2026-02-28');
  });

  it('turns day windows at midnight in the given zone', () => {
    const parisEvening = Date.UTC(2026, 11, 5, 22, 30); // 23:30 in Paris
    const d = { amount: 1, unit: 'days' as const };
    expect(windowExitAt(parisEvening, d, 'Europe/Paris')).toBe(Date.UTC(2026, 11, 5, 23));
    expect(windowExitAt(parisEvening, d)).toBe(Date.UTC(2026, 11, 6));
    expect(windowStart(parisEvening, { amount: 2, unit: 'days' }, 'Europe/Paris')).toBe(
      Date.UTC(2026, 11, 3, 23),
    );
  });
});
