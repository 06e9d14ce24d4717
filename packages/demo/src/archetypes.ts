import type { DemoCategory } from './catalog.js';

/** Kinds of shopper the demo store is made of; each behaves like its name says, so segments have something to find. */
export const DEMO_ARCHETYPES = [
  'loyal-repeat-buyer',
  'vip',
  'deal-seeker',
  'impulse-buyer',
  'researcher',
  'holiday-shopper',
  'first-time-buyer',
  'lapsed-buyer',
  'browser',
  'dormant-subscriber',
] as const;
export type DemoArchetype = (typeof DEMO_ARCHETYPES)[number];

export interface ArchetypeBehaviour {
  /** Share of all contacts. */
  share: number;
  /** One-line description for the CLI and docs. */
  description: string;
  /** Chance of an ordinary visit on an ordinary day (before seasonal and weekday factors). */
  dailyVisitChance: number;
  /** Chance that an ordinary visit ends in an order (the archetype's own rules may override it). */
  buyChance: number;
  /** Email open rate for newsletters and promos, and click rate once opened. */
  openRate: { newsletter: number; promo: number };
  clickRate: { newsletter: number; promo: number };
  /** Share who signed up before the generated window (existing customers). */
  signedUpBefore: number;
  /** Share who browsed anonymously on earlier days before signing up. */
  browsedAnonymously: number;
  /** Category preferences, multiplied into the store-wide ones. */
  likes?: Partial<Record<DemoCategory, number>>;
}

export const ARCHETYPE_BEHAVIOUR: Record<DemoArchetype, ArchetypeBehaviour> = {
  'loyal-repeat-buyer': {
    share: 0.12,
    description:
      'reorders coffee (or tea) every 3–5 weeks, filters every ~2 months, opens most emails',
    dailyVisitChance: 0.05,
    buyChance: 0.05,
    openRate: { newsletter: 0.45, promo: 0.5 },
    clickRate: { newsletter: 0.15, promo: 0.25 },
    signedUpBefore: 0.5,
    browsedAnonymously: 0.3,
  },
  vip: {
    share: 0.04,
    description: 'big baskets and expensive gear, coffee every 2–3 weeks',
    dailyVisitChance: 0.07,
    buyChance: 0.3,
    openRate: { newsletter: 0.4, promo: 0.5 },
    clickRate: { newsletter: 0.2, promo: 0.3 },
    signedUpBefore: 0.5,
    browsedAnonymously: 0.3,
    likes: { 'Brewing Gear': 3, Gifts: 2, Subscriptions: 2 },
  },
  'deal-seeker': {
    share: 0.12,
    description: 'waits for promo emails and pays with a coupon',
    dailyVisitChance: 0.03,
    buyChance: 0.02,
    openRate: { newsletter: 0.25, promo: 0.6 },
    clickRate: { newsletter: 0.1, promo: 0.6 },
    signedUpBefore: 0.3,
    browsedAnonymously: 0.4,
  },
  'impulse-buyer': {
    share: 0.08,
    description: 'orders on the first visit, now and then again',
    dailyVisitChance: 0.025,
    buyChance: 0.12,
    openRate: { newsletter: 0.15, promo: 0.2 },
    clickRate: { newsletter: 0.15, promo: 0.25 },
    signedUpBefore: 0,
    browsedAnonymously: 0,
    likes: { Snacks: 2, Mugs: 2 },
  },
  researcher: {
    share: 0.08,
    description: 'views many products over weeks before a first order',
    dailyVisitChance: 0.1,
    buyChance: 0.3,
    openRate: { newsletter: 0.35, promo: 0.35 },
    clickRate: { newsletter: 0.25, promo: 0.25 },
    signedUpBefore: 0,
    browsedAnonymously: 0.9,
    likes: { 'Brewing Gear': 3 },
  },
  'holiday-shopper': {
    share: 0.08,
    description: 'orders gifts in November and December only',
    dailyVisitChance: 0.012,
    buyChance: 0.4,
    openRate: { newsletter: 0.12, promo: 0.3 },
    clickRate: { newsletter: 0.1, promo: 0.35 },
    signedUpBefore: 0.6,
    browsedAnonymously: 0.3,
    likes: { Gifts: 5, Mugs: 2, Snacks: 1.5 },
  },
  'first-time-buyer': {
    share: 0.12,
    description: 'one order so far',
    dailyVisitChance: 0.025,
    buyChance: 0.2,
    openRate: { newsletter: 0.2, promo: 0.25 },
    clickRate: { newsletter: 0.15, promo: 0.2 },
    signedUpBefore: 0,
    browsedAnonymously: 0.4,
  },
  'lapsed-buyer': {
    share: 0.1,
    description: 'ordered regularly, then went quiet 60–120 days ago',
    dailyVisitChance: 0.05,
    buyChance: 0.08,
    openRate: { newsletter: 0.3, promo: 0.35 },
    clickRate: { newsletter: 0.15, promo: 0.25 },
    signedUpBefore: 0.5,
    browsedAnonymously: 0.3,
  },
  browser: {
    share: 0.16,
    description: 'visits, views and fills carts, never orders',
    dailyVisitChance: 0.035,
    buyChance: 0,
    openRate: { newsletter: 0.2, promo: 0.2 },
    clickRate: { newsletter: 0.15, promo: 0.2 },
    signedUpBefore: 0.1,
    browsedAnonymously: 0.5,
  },
  'dormant-subscriber': {
    share: 0.1,
    description: 'on the newsletter list, never visits, hardly opens',
    dailyVisitChance: 0,
    buyChance: 0,
    openRate: { newsletter: 0.01, promo: 0.02 },
    clickRate: { newsletter: 0.05, promo: 0.05 },
    signedUpBefore: 0.8,
    browsedAnonymously: 0,
  },
};

/** Store-wide category popularity. */
export const CATEGORY_POPULARITY: Record<DemoCategory, number> = {
  Coffee: 30,
  Tea: 12,
  'Brewing Gear': 14,
  Mugs: 10,
  Gifts: 7,
  Subscriptions: 3,
  Snacks: 14,
  Cleaning: 10,
};

/** Repeat buyers reorder their staple every `everyDays` (per contact, drawn from the range). */
export const REORDER_CYCLES = {
  'loyal-repeat-buyer': { Coffee: [21, 35], Tea: [30, 45] },
  vip: { Coffee: [14, 21], Tea: [21, 30] },
  'lapsed-buyer': { Coffee: [25, 45], Tea: [30, 50] },
} as const satisfies Partial<
  Record<DemoArchetype, Record<'Coffee' | 'Tea', readonly [number, number]>>
>;

/** Lapsed buyers have been silent for this many days before `now`. */
export const LAPSED_QUIET_DAYS = [60, 120] as const;
