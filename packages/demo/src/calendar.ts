export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** Black Friday: the day after the fourth Thursday of November (UTC day start). */
export function blackFriday(year: number): number {
  const novFirst = Date.UTC(year, 10, 1);
  const weekday = new Date(novFirst).getUTCDay(); // 0 = Sunday
  const firstThursday = 1 + ((4 - weekday + 7) % 7);
  return Date.UTC(year, 10, firstThursday + 21 + 1);
}

/**
 * How much busier the store is on a day than on an ordinary one: Black Friday week ×3, December up to the last
 * shipping day ×2, a summer dip. Shoppers see these peaks in every store, and segments on "ordered in the
 * holidays" need them.
 */
export function seasonalFactor(dayStart: number): number {
  const date = new Date(dayStart);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  const friday = blackFriday(year);
  if (dayStart >= friday - 1 * DAY_MS && dayStart <= friday + 3 * DAY_MS) return 3;
  if (month === 12 && day <= 20) return 2;
  if (month === 11 && dayStart > friday) return 2;
  if (month === 11) return 1.3;
  if (month === 12) return 1.2;
  if (month === 7 || month === 8) return 0.7;
  if (month === 1 && day <= 10) return 0.8;
  return 1;
}

/** Sunday first: weekend evenings browse more, Fridays less. */
const WEEKDAY_FACTOR = [1.2, 1.0, 1.0, 1.0, 1.0, 0.85, 1.15] as const;
export function weekdayFactor(dayStart: number): number {
  return WEEKDAY_FACTOR[new Date(dayStart).getUTCDay()] ?? 1;
}

/** Local-time hour weights: quiet nights, a morning coffee bump, lunch, and the evening peak. */
export const LOCAL_HOUR_WEIGHTS = [
  0.3, 0.15, 0.1, 0.05, 0.05, 0.1, 0.4, 1.0, 1.4, 1.2, 1.0, 1.1, 1.5, 1.4, 1.0, 0.9, 0.9, 1.0, 1.3,
  1.8, 2.2, 2.1, 1.4, 0.7,
] as const;

export function isHolidaySeason(ms: number): boolean {
  const date = new Date(ms);
  const month = date.getUTCMonth() + 1;
  // Holiday buyers shop from November 1st up to the last shipping day before Christmas.
  return month === 11 || (month === 12 && date.getUTCDate() <= 22);
}

export interface DemoCampaign {
  /** Stable name, e.g. `black-friday-2025`, sent as the `campaign` property of email events. */
  campaign: string;
  subject: string;
  kind: 'newsletter' | 'promo';
  sendAt: number;
  /** Promo code printed in the email; orders coming from the email use it. */
  coupon?: { code: string; percentOff: number };
  /** Where the email's main link lands. */
  landingPath: string;
}

const SEND_HOUR_UTC = 14;

function promosOf(year: number): DemoCampaign[] {
  const at = (month: number, day: number) => Date.UTC(year, month - 1, day, SEND_HOUR_UTC);
  const friday = blackFriday(year) + SEND_HOUR_UTC * HOUR_MS;
  return [
    {
      campaign: `new-year-${year}`,
      subject: 'New year, new beans: 15% off every coffee',
      kind: 'promo',
      sendAt: at(1, 3),
      coupon: { code: 'NEWYEAR15', percentOff: 15 },
      landingPath: '/collections/coffee',
    },
    {
      campaign: `spring-tea-${year}`,
      subject: 'First flush is here',
      kind: 'promo',
      sendAt: at(3, 20),
      coupon: { code: 'SPRING10', percentOff: 10 },
      landingPath: '/collections/tea',
    },
    {
      campaign: `summer-cold-brew-${year}`,
      subject: 'Cold brew season: 15% off the kit',
      kind: 'promo',
      sendAt: at(7, 8),
      coupon: { code: 'SUMMER15', percentOff: 15 },
      landingPath: '/products/cold-brew-bottle',
    },
    {
      campaign: `back-to-routine-${year}`,
      subject: 'Back to your morning routine',
      kind: 'promo',
      sendAt: at(9, 9),
      landingPath: '/collections/brewing-gear',
    },
    {
      campaign: `black-friday-${year}`,
      subject: 'Black Friday: 25% off everything',
      kind: 'promo',
      sendAt: friday - 8 * HOUR_MS,
      coupon: { code: 'BLACKFRIDAY25', percentOff: 25 },
      landingPath: '/sale',
    },
    {
      campaign: `cyber-monday-${year}`,
      subject: 'Cyber Monday: last day for 20% off',
      kind: 'promo',
      sendAt: friday + 3 * DAY_MS,
      coupon: { code: 'CYBER20', percentOff: 20 },
      landingPath: '/sale',
    },
    {
      campaign: `gift-guide-${year}`,
      subject: 'The gift guide for coffee people',
      kind: 'promo',
      sendAt: at(12, 4),
      landingPath: '/collections/gifts',
    },
    {
      campaign: `last-shipping-day-${year}`,
      subject: 'Order today for delivery before Christmas',
      kind: 'promo',
      sendAt: at(12, 18),
      coupon: { code: 'SHIPFAST10', percentOff: 10 },
      landingPath: '/collections/gifts',
    },
  ];
}

/** The email calendar over [from, to]: a newsletter every other Tuesday and the yearly promos. */
export function demoCampaigns(from: number, to: number): DemoCampaign[] {
  const campaigns: DemoCampaign[] = [];
  for (let year = new Date(from).getUTCFullYear(); year <= new Date(to).getUTCFullYear(); year++)
    campaigns.push(...promosOf(year));
  // Tuesdays counted from a fixed Tuesday (1970-01-06), so the calendar does not shift with the window.
  const firstTuesday = Date.UTC(1970, 0, 6);
  const fortnight = 14 * DAY_MS;
  for (
    let t = firstTuesday + Math.ceil((startOfUtcDay(from) - firstTuesday) / fortnight) * fortnight;
    t <= to;
    t += fortnight
  ) {
    const day = new Date(t).toISOString().slice(0, 10);
    campaigns.push({
      campaign: `newsletter-${day}`,
      subject: 'Fresh from the roastery',
      kind: 'newsletter',
      sendAt: t + (SEND_HOUR_UTC - 1) * HOUR_MS,
      landingPath: '/blog',
    });
  }
  return campaigns
    .filter((c) => c.sendAt >= from && c.sendAt <= to)
    .sort((a, b) => a.sendAt - b.sendAt || (a.campaign < b.campaign ? -1 : 1));
}
