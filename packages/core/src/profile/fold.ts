// Long on purpose: one event's pass over every aggregate it moves, in dependency order.
import type { CairnEvent } from '../events/schema.js';
import { DAY_MS, dayKeyStart, utcDayKey } from './time.js';
import { dict, own } from './maps.js';
import {
  resolveProfileSettings,
  type ContactProfile,
  type EventOccurrence,
  type AffinityDefinition,
  type EventSummary,
  type NumericAggregate,
  type ProductSummary,
  type ProfileSettings,
  type PurchaseSummary,
} from './types.js';

/** The fold only reads these fields, so callers may pass a stored event as well as a fresh CairnEvent. */
export type FoldableEvent = Pick<
  CairnEvent,
  'messageId' | 'type' | 'event' | 'properties' | 'traits' | 'timestamp'
>;

export function emptyProfile(contactId: string): ContactProfile {
  return {
    contactId,
    traits: dict(),
    traitUpdatedAt: dict(),
    traitSetBy: dict(),
    eventCount: 0,
    events: dict(),
    purchases: {
      orderCount: 0,
      totalRevenue: 0,
      discountedOrderCount: 0,
      holidayOrderCount: 0,
      products: dict(),
    },
    earliestProductViews: [],
    categories: { counts: dict(), total: 0 },
    email: { sent: 0, opened: 0, clicked: 0 },
  };
}

// Money and property sums are rounded to 1e-6 so that adding in a different order gives the same figure.
// Beyond 1e15 a double has no fraction left to round; sums that overflow stay at the largest finite
// number, because a stored Infinity is refused by the database (and means nothing to a marketer).
function round6(x: number): number {
  if (!Number.isFinite(x))
    return Number.isNaN(x) ? 0 : x > 0 ? Number.MAX_VALUE : -Number.MAX_VALUE;
  if (Math.abs(x) >= 1e15) return x;
  return Math.round(x * 1e6) / 1e6;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function minDefined(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}
function maxDefined(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.max(a, b);
}

/** Newest first; ties broken by messageId so the list does not depend on arrival order. */
function compareOccurrences(a: EventOccurrence, b: EventOccurrence): number {
  if (a.at !== b.at) return b.at - a.at;
  return a.messageId < b.messageId ? 1 : a.messageId > b.messageId ? -1 : 0;
}

/**
 * Folds one event into the profile and returns a new profile (the input is not changed).
 * Folding the same set of events in any order gives the same profile. Deduplicating events
 * (by messageId) is the caller's job: folding an event twice counts it twice.
 */
export function foldEvent(
  profile: ContactProfile,
  event: FoldableEvent,
  settings?: Partial<ProfileSettings>,
): ContactProfile {
  const p = copyProfile(profile);
  foldInto(p, event, resolveProfileSettings(settings));
  return p;
}

// The profile is plain JSON; a JSON copy avoids structuredClone, which not every sandbox provides.
// Its maps keyed by customer data get no prototype again (JSON.parse keeps `__proto__` as an own key).
function copyProfile(profile: ContactProfile): ContactProfile {
  const p = JSON.parse(JSON.stringify(profile)) as ContactProfile;
  p.traits = dict(p.traits);
  p.traitUpdatedAt = dict(p.traitUpdatedAt);
  p.traitSetBy = dict(p.traitSetBy);
  p.purchases.products = dict(p.purchases.products);
  p.categories.counts = dict(p.categories.counts);
  if (p.affinities) {
    p.affinities = dict(p.affinities);
    for (const affinity of Object.values(p.affinities)) affinity.counts = dict(affinity.counts);
  }
  p.events = dict(p.events);
  for (const summary of Object.values(p.events)) {
    summary.byDay = dict(summary.byDay);
    summary.numericByDay = dict(summary.numericByDay);
    for (const [name, byDay] of Object.entries(summary.numericByDay))
      summary.numericByDay[name] = dict(byDay);
  }
  return p;
}

/** Folds one event into `p` in place (foldEvent and foldEvents own the copy). */
function foldInto(p: ContactProfile, event: FoldableEvent, s: ProfileSettings): void {
  const at = event.timestamp;

  p.eventCount += 1;
  p.firstSeenAt = minDefined(p.firstSeenAt, at);
  p.lastSeenAt = maxDefined(p.lastSeenAt, at);
  if (!s.passiveEvents.includes(event.event)) p.lastActiveAt = maxDefined(p.lastActiveAt, at);

  if (event.type === 'identify') applyTraits(p, event);
  foldEventSummary(p, event, s);
  if (event.event === s.orderEvent) foldOrder(p.purchases, event, s, p);
  if (event.event === s.productViewEvent) {
    p.earliestProductViews = [...p.earliestProductViews, at]
      .sort((a, b) => a - b)
      .slice(0, s.recentOccurrences);
    const category = event.properties.category;
    if (typeof category === 'string' && category !== '') addCategory(p, category, 1);
  }
  for (const definition of s.affinities)
    if (definition.event === event.event) foldAffinity(p, definition, event.properties);
  if (event.event === s.emailSentEvent) {
    p.email.sent += 1;
    p.email.lastSentAt = maxDefined(p.email.lastSentAt, at);
  } else if (event.event === s.emailOpenedEvent) {
    p.email.opened += 1;
    p.email.lastOpenedAt = maxDefined(p.email.lastOpenedAt, at);
  } else if (event.event === s.emailClickedEvent) {
    p.email.clicked += 1;
    p.email.lastClickedAt = maxDefined(p.email.lastClickedAt, at);
  }
  pruneToWindow(p, s);
}

/**
 * Folds many events (any order) into a profile; the input is not changed. One copy for the whole batch:
 * a profile can be ~100 KB, and copying it per event made a 100-event batch copy 10 MB.
 */
export function foldEvents(
  profile: ContactProfile,
  events: Iterable<FoldableEvent>,
  settings?: Partial<ProfileSettings>,
): ContactProfile {
  const s = resolveProfileSettings(settings);
  const p = copyProfile(profile);
  for (const e of events) foldInto(p, e, s);
  return p;
}

function applyTraits(p: ContactProfile, event: FoldableEvent): void {
  for (const [key, value] of Object.entries(event.traits)) {
    const last = own(p.traitUpdatedAt, key);
    // The newest identify wins; on a tie the larger messageId, so arrival order never matters.
    if (last !== undefined && last > event.timestamp) continue;
    if (last === event.timestamp && (own(p.traitSetBy, key) ?? '') > event.messageId) continue;
    p.traitUpdatedAt[key] = event.timestamp;
    p.traitSetBy[key] = event.messageId;
    if (value === null) delete p.traits[key];
    else p.traits[key] = value;
  }
}

function foldEventSummary(p: ContactProfile, event: FoldableEvent, s: ProfileSettings): void {
  const at = event.timestamp;
  const day = utcDayKey(at);
  const summary: EventSummary = own(p.events, event.event) ?? {
    count: 0,
    firstAt: at,
    lastAt: at,
    byDay: dict(),
    numericProperties: [],
    numericByDay: dict(),
    recent: [],
  };
  summary.count += 1;
  summary.firstAt = Math.min(summary.firstAt, at);
  summary.lastAt = Math.max(summary.lastAt, at);
  summary.byDay[day] = (own(summary.byDay, day) ?? 0) + 1;

  const numericNames = Object.keys(event.properties).filter((k) => {
    const v = event.properties[k];
    return typeof v === 'number' && Number.isFinite(v);
  });
  // Keep the alphabetically first N names ever seen: the same set whatever the arrival order.
  const kept = [...new Set([...summary.numericProperties, ...numericNames])]
    .sort()
    .slice(0, s.numericPropertiesPerEvent);
  for (const name of Object.keys(summary.numericByDay))
    if (!kept.includes(name)) delete summary.numericByDay[name];
  summary.numericProperties = kept;
  for (const name of numericNames) {
    if (!kept.includes(name)) continue;
    const value = event.properties[name] as number;
    const byDay = (summary.numericByDay[name] = own(summary.numericByDay, name) ?? dict());
    const prev: NumericAggregate | undefined = own(byDay, day);
    byDay[day] = prev
      ? {
          sum: round6(prev.sum + value),
          min: Math.min(prev.min, value),
          max: Math.max(prev.max, value),
          count: prev.count + 1,
        }
      : { sum: round6(value), min: value, max: value, count: 1 };
  }

  summary.recent = [
    ...summary.recent,
    { at, messageId: event.messageId, properties: event.properties },
  ]
    .sort(compareOccurrences)
    .slice(0, s.recentOccurrences);
  p.events[event.event] = summary;
}

function orderRevenue(
  props: Record<string, unknown>,
  products: Array<Record<string, unknown>>,
): number {
  const direct = num(props.revenue) ?? num(props.total);
  if (direct !== undefined) return direct;
  let sum = 0;
  for (const product of products) sum += (num(product.price) ?? 0) * (num(product.quantity) ?? 1);
  return round6(sum);
}

function hasDiscount(o: Record<string, unknown>): boolean {
  const discount = num(o.discount);
  return (
    (discount !== undefined && discount > 0) ||
    (typeof o.coupon === 'string' && o.coupon.trim() !== '')
  );
}

function foldOrder(
  purchases: PurchaseSummary,
  event: FoldableEvent,
  s: ProfileSettings,
  p: ContactProfile,
): void {
  const at = event.timestamp;
  const props = event.properties;
  const products = Array.isArray(props.products)
    ? props.products.filter(
        (x): x is Record<string, unknown> =>
          x !== null && typeof x === 'object' && !Array.isArray(x),
      )
    : [];

  purchases.orderCount += 1;
  purchases.totalRevenue = round6(purchases.totalRevenue + orderRevenue(props, products));
  if (hasDiscount(props) || products.some(hasDiscount)) purchases.discountedOrderCount += 1;
  if (s.holidayMonths.includes(new Date(at).getUTCMonth() + 1)) purchases.holidayOrderCount += 1;
  purchases.firstOrderAt = minDefined(purchases.firstOrderAt, at);
  purchases.lastOrderAt = maxDefined(purchases.lastOrderAt, at);

  const seenInOrder = new Set<string>();
  for (const product of products) {
    const category = product.category;
    if (typeof category === 'string' && category !== '') addCategory(p, category, 1);
    const rawId = product.product_id ?? product.productId ?? product.sku;
    if (typeof rawId !== 'string' && typeof rawId !== 'number') continue;
    const productId = String(rawId);
    const quantity = num(product.quantity) ?? 1;
    const prev: ProductSummary | undefined = own(purchases.products, productId);
    const next: ProductSummary = prev
      ? { ...prev, quantity: round6(prev.quantity + quantity) }
      : { orderCount: 0, quantity, firstOrderAt: at, lastOrderAt: at };
    if (!seenInOrder.has(productId)) {
      next.orderCount += 1;
      next.firstOrderAt = Math.min(next.firstOrderAt, at);
      next.lastOrderAt = Math.max(next.lastOrderAt, at);
      seenInOrder.add(productId);
    }
    // The category of the latest order wins (same instant: alphabetically first), whatever the arrival order.
    if (typeof category === 'string' && category !== '') {
      const since = next.categoryAt;
      if (since === undefined || at > since || (at === since && category < (next.category ?? ''))) {
        next.category = category;
        next.categoryAt = at;
      }
    }
    deriveProduct(next);
    purchases.products[productId] = next;
  }
  derivePurchases(purchases);
}

function deriveProduct(product: ProductSummary): void {
  delete product.reorderGapDays;
  delete product.nextReorderAt;
  if (product.orderCount < 2) return;
  const gap = (product.lastOrderAt - product.firstOrderAt) / (product.orderCount - 1);
  product.reorderGapDays = round6(gap / DAY_MS);
  product.nextReorderAt = Math.round(product.lastOrderAt + gap);
}

function derivePurchases(purchases: PurchaseSummary): void {
  delete purchases.meanDaysBetweenOrders;
  delete purchases.predictedNextOrderAt;
  purchases.averageOrderValue = round6(purchases.totalRevenue / purchases.orderCount);
  if (
    purchases.orderCount < 2 ||
    purchases.firstOrderAt === undefined ||
    purchases.lastOrderAt === undefined
  )
    return;
  const gap = (purchases.lastOrderAt - purchases.firstOrderAt) / (purchases.orderCount - 1);
  purchases.meanDaysBetweenOrders = round6(gap / DAY_MS);
  purchases.predictedNextOrderAt = Math.round(purchases.lastOrderAt + gap);
}

function addCategory(p: ContactProfile, category: string, n: number): void {
  const counts = p.categories.counts;
  counts[category] = (own(counts, category) ?? 0) + n;
  p.categories.total += n;
  const top = topOf(counts);
  if (top !== undefined) p.categories.topCategory = top;
}

/** Longer values are cut: an affinity names a genre or a brand, not a paragraph. */
const MAX_AFFINITY_VALUE_LENGTH = 100;

/** The values an event gives an affinity: a text or number, or each of a list of them. */
function affinityValues(properties: Record<string, unknown>, property: string): string[] {
  let value: unknown = properties;
  for (const key of property.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
    value = own(value as Record<string, unknown>, key);
  }
  const values = Array.isArray(value) ? value : [value];
  const out = new Set<string>();
  for (const v of values) {
    const text =
      typeof v === 'string'
        ? v.trim()
        : typeof v === 'number' && Number.isFinite(v)
          ? String(v)
          : '';
    if (text !== '') out.add(text.slice(0, MAX_AFFINITY_VALUE_LENGTH));
  }
  return [...out];
}

function foldAffinity(
  p: ContactProfile,
  definition: AffinityDefinition,
  properties: Record<string, unknown>,
): void {
  const values = affinityValues(properties, definition.property);
  if (values.length === 0) return;
  const affinities = (p.affinities ??= dict());
  const affinity = (affinities[definition.name] = own(affinities, definition.name) ?? {
    counts: dict(),
    total: 0,
  });
  for (const value of values) {
    affinity.counts[value] = (own(affinity.counts, value) ?? 0) + 1;
    affinity.total += 1;
  }
  const top = topOf(affinity.counts);
  if (top !== undefined) affinity.top = top;
}

/** The key with the highest count; ties go to the alphabetically first, so arrival order never matters. */
function topOf(counts: Record<string, number>): string | undefined {
  let top: string | undefined;
  for (const [name, count] of Object.entries(counts)) {
    const best = top === undefined ? -1 : (own(counts, top) ?? 0);
    if (count > best || (count === best && top !== undefined && name < top)) top = name;
  }
  return top;
}

/** Drops per-day counters older than windowDays before the newest event (not the clock: the fold is pure). */
function pruneToWindow(p: ContactProfile, s: ProfileSettings): void {
  if (p.lastSeenAt === undefined) return;
  const oldestKept = utcDayKey(p.lastSeenAt - s.windowDays * DAY_MS);
  for (const summary of Object.values(p.events)) {
    for (const day of Object.keys(summary.byDay)) if (day < oldestKept) delete summary.byDay[day];
    for (const byDay of Object.values(summary.numericByDay)) {
      for (const day of Object.keys(byDay)) if (day < oldestKept) delete byDay[day];
    }
  }
}

/** First day still held by the per-day counters (days before it were pruned). */
export function oldestRetainedDay(
  profile: ContactProfile,
  settings?: Partial<ProfileSettings>,
): number | undefined {
  const s = resolveProfileSettings(settings);
  if (profile.lastSeenAt === undefined) return undefined;
  return dayKeyStart(utcDayKey(profile.lastSeenAt - s.windowDays * DAY_MS));
}
