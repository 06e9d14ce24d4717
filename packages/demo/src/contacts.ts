import {
  ARCHETYPE_BEHAVIOUR,
  CATEGORY_POPULARITY,
  DEMO_ARCHETYPES,
  LAPSED_QUIET_DAYS,
  REORDER_CYCLES,
  type DemoArchetype,
} from './archetypes.js';
import { DAY_MS, HOUR_MS, LOCAL_HOUR_WEIGHTS, startOfUtcDay } from './calendar.js';
import { DEMO_CATEGORIES, type DemoCategory } from './catalog.js';
import { DEMO_REGIONS, FIRST_NAMES, LAST_NAMES, demoEmail, type DemoRegion } from './people.js';
import { Random, hashSeed } from './random.js';

export interface DemoStoreOptions {
  /** Same seed (and options) → byte-identical store. */
  seed: number | string;
  /** How many contacts (default 3000). */
  contacts?: number;
  /** Days of history before `now` (default 365). */
  days?: number;
  /** The end of the history; no event is later. */
  now: number | Date | string;
}

export interface DemoContact {
  userId: string;
  /** The analytics.js id of the visits before signup; absent for contacts who signed up before the window. */
  anonymousId?: string;
  archetype: DemoArchetype;
  /** The traits of the contact's first identify call. */
  traits: {
    email: string;
    firstName: string;
    lastName: string;
    country: string;
    timezone: string;
    /** Signup date (Segment's reserved trait), ISO. */
    createdAt: string;
    emailOptIn: boolean;
    plan?: string;
    source?: string;
  };
  /** When the contact's first identify call happens (createdAt for signups in the window). */
  identifiedAt: string;
  /** Repeat buyers: the staple they reorder and their usual days between orders. */
  reorder?: { category: 'Coffee' | 'Tea'; everyDays: number };
  /** Lapsed buyers: days of silence before `now` (no visit, open or order). */
  quietDays?: number;
}

export interface ResolvedWindow {
  seedTag: string;
  seed: string;
  contacts: number;
  from: number;
  now: number;
}

/** Normalizes the options; the seed tag goes into every messageId so two different stores never share ids. */
export function resolveWindow(options: DemoStoreOptions): ResolvedWindow {
  const now =
    options.now instanceof Date
      ? options.now.getTime()
      : typeof options.now === 'string'
        ? Date.parse(options.now)
        : options.now;
  if (!Number.isFinite(now)) throw new Error(`now: must be a date, got ${String(options.now)}`);
  const contacts = options.contacts ?? 3000;
  const days = options.days ?? 365;
  if (!Number.isInteger(contacts) || contacts < 0)
    throw new Error(`contacts: must be a whole number ≥ 0, got ${contacts}`);
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`days: must be a whole number ≥ 1, got ${days}`);
  const seed = String(options.seed);
  const seedTag = hashSeed(`${seed}|${now}|${days}`).toString(16).padStart(8, '0');
  return { seedTag, seed, contacts, from: now - days * DAY_MS, now };
}

/** Everything the simulation needs to know about a contact before day one. */
export interface ContactPlan {
  index: number;
  contact: DemoContact;
  region: DemoRegion;
  identifiedAt: number;
  /** In-window signups: the visit starts anonymously at this instant and identifies at identifiedAt. */
  signupVisitAt?: number;
  /** Days (UTC day starts) of anonymous visits before signup. */
  anonymousVisitDays: number[];
  /** Instant after which a lapsed buyer does nothing of their own. */
  quietFrom?: number;
  categoryLikes: Record<DemoCategory, number>;
}

export function contactUserId(index: number): string {
  return `user-${String(index + 1).padStart(5, '0')}`;
}

/** A visit's start on a UTC day, at an hour that is typical in the contact's own time zone. */
export function visitStart(rng: Random, dayStart: number, region: DemoRegion): number {
  const localHour = rng.weighted(HOURS, (h) => LOCAL_HOUR_WEIGHTS[h] ?? 0);
  const utcHour = (((localHour - region.utcOffsetHours) % 24) + 24) % 24;
  return dayStart + utcHour * HOUR_MS + rng.int(0, 3_599_999);
}
const HOURS = Array.from({ length: 24 }, (_, h) => h);

export function planContact(window: ResolvedWindow, index: number): ContactPlan {
  const rng = new Random(window.seed, 'contact', index);
  const archetype = rng.weighted(DEMO_ARCHETYPES, (a) => ARCHETYPE_BEHAVIOUR[a].share);
  const behaviour = ARCHETYPE_BEHAVIOUR[archetype];
  const region = rng.weighted(DEMO_REGIONS, (r) => r.weight);
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  const userId = contactUserId(index);
  const fromDay = startOfUtcDay(window.from) + DAY_MS;
  const lastDay = startOfUtcDay(window.now);
  const windowDays = Math.max(1, Math.round((lastDay - fromDay) / DAY_MS));

  let quietFrom: number | undefined;
  let quietDays: number | undefined;
  if (archetype === 'lapsed-buyer') {
    quietDays = rng.int(LAPSED_QUIET_DAYS[0], LAPSED_QUIET_DAYS[1]);
    quietFrom = window.now - quietDays * DAY_MS;
  }

  // Signup: before the window (an existing customer) or on a day inside it that leaves room for the archetype's story.
  // Signups end the day before `now`'s day, so every contact's identify has happened by `now`.
  let latestSignupDay = windowDays - 1;
  if (archetype === 'loyal-repeat-buyer' || archetype === 'vip')
    latestSignupDay = Math.floor(windowDays * 0.7);
  if (archetype === 'dormant-subscriber') latestSignupDay = Math.floor(windowDays * 0.6);
  if (quietFrom !== undefined) latestSignupDay = Math.floor((quietFrom - fromDay) / DAY_MS) - 60;
  const signedUpBefore = latestSignupDay < 1 || rng.chance(behaviour.signedUpBefore);

  let identifiedAt: number;
  let createdAt: number;
  let signupVisitAt: number | undefined;
  let anonymousId: string | undefined;
  const anonymousVisitDays: number[] = [];
  if (signedUpBefore) {
    createdAt = fromDay - rng.int(1, 730) * DAY_MS - rng.int(0, DAY_MS - 1);
    // Existing customers show up (log in, or the newsletter list syncs) within the first two weeks.
    const day = fromDay + rng.int(0, Math.min(13, windowDays - 1)) * DAY_MS;
    identifiedAt = Math.min(visitStart(rng, day, region), window.now);
  } else {
    const signupDay = fromDay + rng.int(0, latestSignupDay) * DAY_MS;
    signupVisitAt = visitStart(rng, signupDay, region);
    identifiedAt = signupVisitAt + rng.int(40_000, 240_000);
    createdAt = identifiedAt;
    anonymousId = rng.uuid();
    if (rng.chance(behaviour.browsedAnonymously)) {
      const visits = archetype === 'researcher' ? rng.int(2, 5) : rng.int(1, 3);
      for (let i = 0; i < visits; i++) {
        const day = signupDay - rng.int(1, 20) * DAY_MS;
        if (day >= fromDay && !anonymousVisitDays.includes(day)) anonymousVisitDays.push(day);
      }
      anonymousVisitDays.sort((a, b) => a - b);
    }
  }

  const categoryLikes = { ...CATEGORY_POPULARITY };
  for (const [category, factor] of Object.entries(behaviour.likes ?? {}))
    categoryLikes[category as DemoCategory] *= factor;
  // Everyone has a favourite, so "top category" segments split the base.
  categoryLikes[rng.pick(DEMO_CATEGORIES.filter((c) => c !== 'Subscriptions'))] *= 3;

  const contact: DemoContact = {
    userId,
    archetype,
    traits: {
      email: demoEmail(firstName, lastName, index + 1),
      firstName,
      lastName,
      country: region.country,
      timezone: region.timezone,
      createdAt: new Date(createdAt).toISOString(),
      emailOptIn: archetype === 'dormant-subscriber' || rng.chance(0.8),
    },
    identifiedAt: new Date(identifiedAt).toISOString(),
  };
  if (anonymousId !== undefined) contact.anonymousId = anonymousId;
  if (archetype === 'dormant-subscriber') contact.traits.source = 'newsletter';
  if (archetype === 'vip' && signedUpBefore && rng.chance(0.4))
    contact.traits.plan = 'Coffee Club Quarterly';
  if (archetype === 'loyal-repeat-buyer' || archetype === 'vip' || archetype === 'lapsed-buyer') {
    const category = rng.chance(0.8) ? 'Coffee' : 'Tea';
    const [min, max] = REORDER_CYCLES[archetype][category];
    contact.reorder = { category, everyDays: rng.int(min, max) };
  }
  if (quietDays !== undefined) contact.quietDays = quietDays;

  const plan: ContactPlan = {
    index,
    contact,
    region,
    identifiedAt,
    anonymousVisitDays,
    categoryLikes,
  };
  if (signupVisitAt !== undefined) plan.signupVisitAt = signupVisitAt;
  if (quietFrom !== undefined) plan.quietFrom = quietFrom;
  return plan;
}

/** The contacts of the store, in userId order (cheap: no events are generated). */
export function demoContacts(options: DemoStoreOptions): DemoContact[] {
  const window = resolveWindow(options);
  return Array.from({ length: window.contacts }, (_, i) => planContact(window, i).contact);
}
