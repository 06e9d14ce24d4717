import { chartRows, rate, shortDay } from './series.js';

describe('chartRows', () => {
  it('puts every series value of a day on that day’s row, a missing value as 0', () => {
    expect(
      chartRows(
        ['2026-12-01', '2026-12-02'],
        [
          { name: 'enrolled', color: 'blue', values: [4, 5] },
          { name: 'converted', color: 'green', values: [1] },
        ],
      ),
    ).toEqual([
      { label: '2026-12-01', enrolled: 4, converted: 1 },
      { label: '2026-12-02', enrolled: 5, converted: 0 },
    ]);
  });
});

describe('shortDay', () => {
  it('reads a UTC day as month and day, and leaves other labels alone', () => {
    expect(shortDay('2026-12-06')).toBe('Dec 6');
    expect(shortDay('2026-01-31')).toBe('Jan 31');
    expect(shortDay('week 3')).toBe('week 3');
  });
});

describe('rate', () => {
  it('reads as a percentage of what was sent', () => {
    expect(rate(1, 3)).toBe('33.3%');
    expect(rate(0, 0)).toBe('—');
    expect(rate(undefined, 10)).toBe('—');
  });
});
