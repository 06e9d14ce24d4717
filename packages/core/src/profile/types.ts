// The computed contact profile: plain JSON (stored in MongoDB as is). All instants are epoch ms, UTC.

export interface NumericAggregate {
  sum: number;
  min: number;
  max: number;
  count: number;
}

export interface EventOccurrence {
  at: number;
  messageId: string;
  properties: Record<string, unknown>;
}

export interface EventSummary {
  /** Lifetime count (never pruned). */
  count: number;
  firstAt: number;
  lastAt: number;
  /** 'YYYY-MM-DD' (UTC) → occurrences that day, pruned to the profile window. */
  byDay: Record<string, number>;
  /** The numeric top-level properties tracked for this event: the alphabetically first N ever seen. */
  numericProperties: string[];
  /** property → 'YYYY-MM-DD' → aggregate of that property's values that day, pruned to the window. */
  numericByDay: Record<string, Record<string, NumericAggregate>>;
  /** The latest occurrences, newest first, for conditions that filter on properties. */
  recent: EventOccurrence[];
}

export interface ProductSummary {
  /** Orders that contained this product. */
  orderCount: number;
  quantity: number;
  firstOrderAt: number;
  lastOrderAt: number;
  category?: string;
  /** Timestamp of the order the category was taken from (the latest order wins). */
  categoryAt?: number;
  /** Usual days between two orders of this product: (last − first) / (orders − 1). */
  reorderGapDays?: number;
  /** lastOrderAt + reorder gap. */
  nextReorderAt?: number;
}

export interface PurchaseSummary {
  orderCount: number;
  totalRevenue: number;
  discountedOrderCount: number;
  /** Orders placed in the holiday months (settings.holidayMonths, UTC). */
  holidayOrderCount: number;
  firstOrderAt?: number;
  lastOrderAt?: number;
  averageOrderValue?: number;
  /** (lastOrderAt − firstOrderAt) / (orderCount − 1), in days. */
  meanDaysBetweenOrders?: number;
  /** lastOrderAt + meanDaysBetweenOrders. */
  predictedNextOrderAt?: number;
  products: Record<string, ProductSummary>;
}

export interface CategoryAffinity {
  /** category → product views + products ordered in that category. */
  counts: Record<string, number>;
  total: number;
  topCategory?: string;
}

/** A workspace's rule for one affinity: which property of which event says what the contact likes. */
export interface AffinityDefinition {
  /** How segment conditions and templates name it: `affinities.<name>.top`. */
  name: string;
  event: string;
  /** A top-level or dotted property of that event (`genre`, `show.genre`); a list of values counts each. */
  property: string;
}

export interface Affinity {
  /** value → occurrences of the event with that value. */
  counts: Record<string, number>;
  total: number;
  /** The most frequent value; ties go to the alphabetically first. */
  top?: string;
}

export interface EmailEngagement {
  sent: number;
  opened: number;
  clicked: number;
  lastSentAt?: number;
  lastOpenedAt?: number;
  lastClickedAt?: number;
}

/** Quintile scores 1–5 (5 = best), written by the scheduled RFM job, not by the fold. */
export interface RfmScores {
  recency: number;
  frequency: number;
  monetary: number;
  total: number;
  scoredAt: number;
}

// A type, not an interface: it then fits `Record<string, unknown>` (what templates and actions read) without a cast.
export type ContactProfile = {
  contactId: string;
  traits: Record<string, unknown>;
  /** trait → timestamp of the identify that last set or unset it, so the newest identify wins in any arrival order. */
  traitUpdatedAt: Record<string, number>;
  /** trait → messageId of that identify (breaks ties between identifies at the same instant). */
  traitSetBy: Record<string, string>;
  eventCount: number;
  firstSeenAt?: number;
  lastSeenAt?: number;
  /** Latest event the contact did themselves (settings.passiveEvents such as 'Email Sent' excluded). */
  lastActiveAt?: number;
  events: Record<string, EventSummary>;
  purchases: PurchaseSummary;
  /** The earliest product views (at most settings.recentOccurrences), to count views before the first order. */
  earliestProductViews: number[];
  categories: CategoryAffinity;
  /** Affinities the workspace defines (settings.affinities), by name; absent until one of their events is folded. */
  affinities?: Record<string, Affinity>;
  email: EmailEngagement;
  rfm?: RfmScores;
};

export interface ProfileSettings {
  orderEvent: string;
  productViewEvent: string;
  emailSentEvent: string;
  emailOpenedEvent: string;
  emailClickedEvent: string;
  /** Events that are not the contact's own activity. */
  passiveEvents: string[];
  /** Per-day counters older than this (relative to the newest event) are dropped. */
  windowDays: number;
  recentOccurrences: number;
  numericPropertiesPerEvent: number;
  /** UTC months 1–12 counted as holiday season. */
  holidayMonths: number[];
  /** Affinities counted beyond product categories, e.g. the genre of `Video Watched`. */
  affinities: AffinityDefinition[];
}

export const DEFAULT_PROFILE_SETTINGS: Readonly<ProfileSettings> = Object.freeze({
  orderEvent: 'Order Completed',
  productViewEvent: 'Product Viewed',
  emailSentEvent: 'Email Sent',
  emailOpenedEvent: 'Email Opened',
  emailClickedEvent: 'Email Clicked',
  passiveEvents: ['Email Sent', 'Email Delivered', 'Email Bounced'],
  windowDays: 400,
  recentOccurrences: 50,
  numericPropertiesPerEvent: 16,
  holidayMonths: [11, 12],
  affinities: [],
});

export function resolveProfileSettings(settings?: Partial<ProfileSettings>): ProfileSettings {
  return { ...DEFAULT_PROFILE_SETTINGS, ...(settings ?? {}) } as ProfileSettings;
}
