import { blackFriday, demoCampaigns, seasonalFactor } from './calendar.js';
import { Random } from './random.js';

describe('calendar', () => {
  it('finds Black Friday (day after the fourth Thursday of November)', () => {
    expect(new Date(blackFriday(2024)).toISOString().slice(0, 10)).toBe('2024-11-29');
    expect(new Date(blackFriday(2025)).toISOString().slice(0, 10)).toBe('2025-11-28');
    expect(new Date(blackFriday(2026)).toISOString().slice(0, 10)).toBe('2026-11-27');
    expect(seasonalFactor(blackFriday(2025))).toBe(3);
  });

  it('sends a newsletter every other Tuesday and the yearly promos with their coupons', () => {
    const campaigns = demoCampaigns(Date.UTC(2024, 5, 15), Date.UTC(2025, 5, 15));
    const newsletters = campaigns.filter((c) => c.kind === 'newsletter');
    expect(newsletters.length).toBeGreaterThanOrEqual(26);
    expect(newsletters.every((c) => new Date(c.sendAt).getUTCDay() === 2)).toBe(true);
    expect(campaigns.find((c) => c.campaign === 'black-friday-2024')?.coupon).toEqual({
      code: 'BLACKFRIDAY25',
      percentOff: 25,
    });
    expect(campaigns.map((c) => c.sendAt)).toEqual(
      [...campaigns.map((c) => c.sendAt)].sort((a, b) => a - b),
    );
  });
});

describe('Random', () => {
  it('repeats its sequence for the same streams and differs for others', () => {
    const draw = (r: Random) => Array.from({ length: 5 }, () => r.uint32());
    expect(draw(new Random('s', 1))).toEqual(draw(new Random('s', 1)));
    expect(draw(new Random('s', 1))).not.toEqual(draw(new Random('s', 2)));
    const r = new Random('range');
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 5);
      expect(n >= 3 && n <= 5).toBe(true);
    }
  });
});
