import {
  dayAndTime,
  parseProperties,
  previewTimeZone,
  timelineWords,
  traitsFromRows,
} from './sim-words.js';

describe('dayAndTime', () => {
  const start = '2026-03-02T13:30:00.000Z';

  it('counts calendar days from entering and shows the clock time, in UTC', () => {
    expect(dayAndTime(start, start, 'UTC')).toBe('Day 0, 13:30');
    expect(dayAndTime(start, '2026-03-05T09:00:00.000Z', 'UTC')).toBe('Day 3, 09:00');
  });

  it("reads the contact's time zone: a 09:00 send in Paris reads 09:00, and midnight starts a new day", () => {
    expect(dayAndTime(start, '2026-03-05T08:00:00.000Z', 'Europe/Paris')).toBe('Day 3, 09:00');
    // 22:30 UTC on the day they enter is already the next day in Tokyo.
    expect(dayAndTime(start, '2026-03-02T15:30:00.000Z', 'Asia/Tokyo')).toBe('Day 1, 00:30');
  });
});

describe('previewTimeZone', () => {
  it("uses the contact's timezone trait when it is a real zone, else the workspace's, else UTC", () => {
    expect(previewTimeZone({ timezone: 'Europe/Paris' })).toBe('Europe/Paris');
    expect(previewTimeZone({ timezone: 'Mars/Olympus' })).toBe('UTC');
    expect(previewTimeZone({})).toBe('UTC');
    // A contact without a zone of their own reads in the workspace's.
    expect(previewTimeZone({}, 'Asia/Tokyo')).toBe('Asia/Tokyo');
    expect(previewTimeZone({ timezone: 'Europe/Paris' }, 'Asia/Tokyo')).toBe('Europe/Paris');
    expect(previewTimeZone({ timezone: 'Mars/Olympus' }, 'Asia/Tokyo')).toBe('Asia/Tokyo');
  });
});

describe('traitsFromRows', () => {
  it('types numbers and booleans, keeps text, and skips rows without a name', () => {
    expect(
      traitsFromRows([
        { name: 'plan', value: 'pro' },
        { name: 'seats', value: '12' },
        { name: 'beta', value: 'true' },
        { name: ' ', value: 'ignored' },
      ]),
    ).toEqual({ plan: 'pro', seats: 12, beta: true });
  });
});

describe('parseProperties', () => {
  it('reads name: value pairs separated by commas', () => {
    expect(parseProperties('revenue: 40, sku: A-1')).toEqual({
      properties: { revenue: 40, sku: 'A-1' },
    });
    expect(parseProperties('')).toEqual({ properties: {} });
  });

  it('names a part that is not a pair', () => {
    expect(parseProperties('revenue 40').error).toBe(
      '“revenue 40” needs a name and a value, e.g. “revenue: 40”',
    );
  });
});

describe('timelineWords', () => {
  const words = {
    when: (iso: string) => dayAndTime('2026-03-02T13:30:00.000Z', iso, 'UTC'),
    outputLabel: (o: string) => ({ sent: 'Sent', yes: 'Yes' })[o] ?? o,
    actionTitle: (type: string) => ({ email: 'Send email' })[type] ?? type,
  };

  it('words waits with the day and clock time instead of an ISO instant', () => {
    expect(timelineWords('waits until 2026-03-05T09:00:00.000Z', words)).toBe(
      'waits until Day 3, 09:00',
    );
    expect(timelineWords('waits for "Order Completed" until 2026-03-09T13:30:00.000Z', words)).toBe(
      'waits for “Order Completed” until Day 7, 13:30',
    );
  });

  it('names outputs and actions as the canvas does', () => {
    expect(timelineWords('took "next"', words)).toBe('moved on');
    expect(timelineWords('took "yes"', words)).toBe('took the “Yes” path');
    expect(timelineWords('ran email@1', words)).toBe('ran Send email');
    expect(timelineWords('completed (exit)', words)).toBe('leaves the journey');
    expect(timelineWords('received "Video Watched"', words)).toBe('did “Video Watched”');
  });
});
