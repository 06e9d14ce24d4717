import { linePoints, rate } from './series.js';

describe('linePoints', () => {
  it('spreads points across the width and scales to the largest value', () => {
    const { max, lines } = linePoints(
      [
        { name: 'enrolled', color: 'blue', values: [0, 5, 10] },
        { name: 'converted', color: 'green', values: [0, 1, 2] },
      ],
      { width: 120, height: 60, pad: 10 },
    );
    expect(max).toBe(10);
    expect(lines[0]!.points).toBe('10,50 60,30 110,10');
    expect(lines[1]!.points).toBe('10,50 60,46 110,42');
  });

  it('centres a single point and never divides by zero', () => {
    expect(
      linePoints([{ name: 'a', color: 'x', values: [0] }], { width: 100, height: 40, pad: 0 })
        .lines[0]!.points,
    ).toBe('50,40');
  });
});

describe('rate', () => {
  it('reads as a percentage of what was sent', () => {
    expect(rate(1, 3)).toBe('33.3%');
    expect(rate(0, 0)).toBe('—');
    expect(rate(undefined, 10)).toBe('—');
  });
});
