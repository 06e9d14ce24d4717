// Long on purpose: one evaluator per condition type: answer, next change instant, explanation.
import { stableBucket } from '../events/hash.js';
import { joinIssuePath } from '../events/issues.js';
import { own } from '../profile/maps.js';
import { engagementLevel, engagementLevelChangesAt } from '../profile/engagement.js';
import {
  DAY_MS,
  HOUR_MS,
  dayKeyStart,
  toEpochMs,
  utcDayKey,
  windowExitAt,
  windowStart,
  type DurationLike,
} from '../profile/time.js';
import {
  resolveProfileSettings,
  type ContactProfile,
  type EventOccurrence,
  type EventSummary,
  type ProfileSettings,
} from '../profile/types.js';
import { isConditionGroup } from './condition-group.js';
import {
  type ConditionGroup,
  type EventAggregateCondition,
  type EventCondition,
  type Instant,
  type MetricCondition,
  type NumberOperator,
  type PropertyFilter,
  type SegmentCondition,
  type SegmentDefinition,
  type TraitCondition,
} from './schema.js';

export interface SegmentContext {
  contactId: string;
  profile: ContactProfile;
  now: number | Date;
  /** Ids of the segments the contact is currently in (for `segment` conditions). */
  memberships: ReadonlySet<string>;
  /** The settings the profile was folded with (event names such as orderEvent). */
  profileSettings?: Partial<ProfileSettings>;
  /** IANA zone whose midnight turns whole-day windows (the workspace's); UTC when absent. */
  timeZone?: string;
}

export interface SegmentResult {
  matches: boolean;
  /**
   * Earliest future instant at which `matches` can change without a new event, or null if it cannot.
   * It may be early (re-evaluate then), never late, never ≤ now. Membership of other segments is not
   * covered: re-evaluate dependants when a segment they depend on changes.
   */
  nextChangeAt: number | null;
}

export interface ConditionExplanation extends SegmentResult {
  /** JSON path of the condition in the definition, '' for the root group. */
  path: string;
  sentence: string;
  children?: ConditionExplanation[];
}

interface Env {
  contactId: string;
  profile: ContactProfile;
  now: number;
  memberships: ReadonlySet<string>;
  settings: ProfileSettings;
  timeZone: string | undefined;
}

type Outcome = { matches: boolean; nextChangeAt: number | null; sentence: string };

export function evaluateSegment(definition: SegmentDefinition, ctx: SegmentContext): SegmentResult {
  const { matches, nextChangeAt } = explainSegment(definition, ctx);
  return { matches, nextChangeAt };
}

/** Condition-by-condition results with one human sentence each. */
export function explainSegment(
  definition: SegmentDefinition,
  ctx: SegmentContext,
): ConditionExplanation {
  const env: Env = {
    contactId: ctx.contactId,
    profile: ctx.profile,
    now: toEpochMs(ctx.now),
    memberships: ctx.memberships,
    settings: resolveProfileSettings(ctx.profileSettings),
    timeZone: ctx.timeZone === 'UTC' ? undefined : ctx.timeZone,
  };
  return explainNode(definition, env, '');
}

function explainNode(
  node: SegmentCondition | ConditionGroup,
  env: Env,
  path: string,
): ConditionExplanation {
  if (isConditionGroup(node)) return explainGroup(node, env, path);
  const outcome = evaluateCondition(node, env);
  // Guard the contract: a change instant is always strictly in the future.
  const next =
    outcome.nextChangeAt !== null && outcome.nextChangeAt > env.now ? outcome.nextChangeAt : null;
  return { path, matches: outcome.matches, nextChangeAt: next, sentence: outcome.sentence };
}

function explainGroup(group: ConditionGroup, env: Env, path: string): ConditionExplanation {
  const children = group.conditions.map((c, i) =>
    explainNode(c, env, joinIssuePath(path, ['conditions', i])),
  );
  const trueCount = children.filter((c) => c.matches).length;
  const matches =
    group.type === 'all'
      ? trueCount === children.length
      : group.type === 'any'
        ? trueCount > 0
        : trueCount === 0;
  // A child that decides the group and can never change pins the group (e.g. one false, static child of `all`).
  const decisiveValue = group.type === 'all' ? false : true;
  const pinned = children.some((c) => c.matches === decisiveValue && c.nextChangeAt === null);
  let nextChangeAt: number | null = null;
  if (!pinned) {
    for (const c of children)
      if (c.nextChangeAt !== null && (nextChangeAt === null || c.nextChangeAt < nextChangeAt))
        nextChangeAt = c.nextChangeAt;
  }
  const word =
    group.type === 'all' ? 'all of' : group.type === 'any' ? 'at least one of' : 'none of';
  const sentence = `${trueCount} of ${children.length} conditions hold (needs ${word} them)`;
  return { path, matches, nextChangeAt, sentence, children };
}

function evaluateCondition(c: SegmentCondition, env: Env): Outcome {
  switch (c.type) {
    case 'trait':
      return evaluateTrait(c, env);
    case 'event':
      return evaluateEvent(c, env);
    case 'eventAggregate':
      return evaluateAggregate(c, env);
    case 'metric':
      return evaluateMetric(c, env);
    case 'segment': {
      const member = env.memberships.has(c.segmentId);
      const matches = c.membership === 'member' ? member : !member;
      return {
        matches,
        nextChangeAt: null,
        sentence: `${member ? 'is' : 'is not'} in segment ${c.segmentId} (needs ${c.membership === 'member' ? 'to be' : 'not to be'})`,
      };
    }
    case 'randomBucket': {
      const bucket = randomBucketOf(env.contactId, c.salt);
      const matches = bucket >= c.from && bucket < c.to;
      return {
        matches,
        nextChangeAt: null,
        sentence: `random bucket ${bucket} (needs ${c.from} ≤ bucket < ${c.to})`,
      };
    }
  }
}

/** The stable 0–99 bucket of a contact for a given salt. */
export function randomBucketOf(contactId: string, salt: string): number {
  return stableBucket(`${salt}:${contactId}`);
}

// --- values ------------------------------------------------------------------------------------------

/** Reads 'a.b.c' from an object; a key holding a dot literally is tried first. */
export function readField(source: unknown, path: string): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  const record = source as Record<string, unknown>;
  // Own keys only: a trait named `toString` is data, Object.prototype's member is not.
  if (Object.prototype.hasOwnProperty.call(record, path)) return record[path];
  const dot = path.indexOf('.');
  if (dot === -1) return undefined;
  return readField(own(record, path.slice(0, dot)), path.slice(dot + 1));
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

function asInstant(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

function instantOf(v: Instant): number {
  return typeof v === 'number' ? v : Date.parse(v);
}

function scalarEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // A numeric trait stored as a string still equals its number.
  if (typeof a === 'string' && typeof b === 'number') return asNumber(a) === b;
  if (typeof a === 'number' && typeof b === 'string') return asNumber(b) === a;
  return false;
}

export function compareNumber(x: number, op: NumberOperator, v: number): boolean {
  switch (op) {
    case 'eq':
      return x === v;
    case 'neq':
      return x !== v;
    case 'gt':
      return x > v;
    case 'gte':
      return x >= v;
    case 'lt':
      return x < v;
    case 'lte':
      return x <= v;
  }
}

const OPERATOR_WORDS: Record<string, string> = {
  eq: '=',
  neq: '≠',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  contains: 'contains',
  notContains: 'does not contain',
  in: 'is one of',
  notIn: 'is not one of',
  exists: 'exists',
  notExists: 'does not exist',
  before: 'before',
  after: 'after',
  withinLast: 'within the last',
  moreThanAgo: 'more than ago',
};

function describeDuration(d: DurationLike): string {
  return `${d.amount} ${d.amount === 1 ? d.unit.slice(0, -1) : d.unit}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Before/after/withinLast/moreThanAgo on an instant; shared by date traits and first/last performed. */
function compareInstantOverTime(
  x: number | undefined,
  operator: 'before' | 'after' | 'withinLast' | 'moreThanAgo',
  value: Instant | DurationLike,
  now: number,
  tz: string | undefined,
): { matches: boolean; nextChangeAt: number | null } {
  if (x === undefined) return { matches: false, nextChangeAt: null };
  switch (operator) {
    case 'before':
      return { matches: x < instantOf(value as Instant), nextChangeAt: null };
    case 'after':
      return { matches: x > instantOf(value as Instant), nextChangeAt: null };
    case 'withinLast': {
      const d = value as DurationLike;
      if (x > now) return { matches: false, nextChangeAt: x };
      if (x >= windowStart(now, d, tz))
        return { matches: true, nextChangeAt: windowExitAt(x, d, tz) };
      return { matches: false, nextChangeAt: null };
    }
    case 'moreThanAgo': {
      const d = value as DurationLike;
      if (x < windowStart(now, d, tz)) return { matches: true, nextChangeAt: null };
      return { matches: false, nextChangeAt: windowExitAt(x, d, tz) };
    }
  }
}

/** Shared by traits and event property filters; `neq`, `notContains`, `notIn` and `notExists` hold for missing values. */
function compareValue(
  actual: unknown,
  f: TraitCondition | PropertyFilter,
  now: number,
  tz: string | undefined,
): { matches: boolean; nextChangeAt: number | null } {
  const missing = actual === undefined || actual === null;
  switch (f.operator) {
    case 'eq':
      return { matches: !missing && scalarEquals(actual, f.value), nextChangeAt: null };
    case 'neq':
      return {
        matches: missing ? f.value !== null : !scalarEquals(actual, f.value),
        nextChangeAt: null,
      };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const n = asNumber(actual);
      return {
        matches: n !== undefined && compareNumber(n, f.operator, f.value),
        nextChangeAt: null,
      };
    }
    case 'contains':
    case 'notContains': {
      const has =
        typeof actual === 'string'
          ? actual.toLowerCase().includes(f.value.toLowerCase())
          : Array.isArray(actual) && actual.some((a) => scalarEquals(a, f.value));
      return { matches: f.operator === 'contains' ? has : !has, nextChangeAt: null };
    }
    case 'in':
    case 'notIn': {
      const has = !missing && f.value.some((v) => scalarEquals(actual, v));
      return { matches: f.operator === 'in' ? has : !has, nextChangeAt: null };
    }
    case 'exists':
      return { matches: !missing, nextChangeAt: null };
    case 'notExists':
      return { matches: missing, nextChangeAt: null };
    case 'before':
    case 'after':
    case 'withinLast':
    case 'moreThanAgo':
      return compareInstantOverTime(asInstant(actual), f.operator, f.value, now, tz);
  }
}

function describeExpected(f: TraitCondition | PropertyFilter): string {
  const op = OPERATOR_WORDS[f.operator] ?? f.operator;
  if (!('value' in f)) return op;
  const v = f.value;
  if (typeof v === 'object' && v !== null && !Array.isArray(v))
    return `${op} ${describeDuration(v)}`;
  return `${op} ${JSON.stringify(v)}`;
}

function evaluateTrait(c: TraitCondition, env: Env): Outcome {
  const actual = readField(env.profile.traits, c.field);
  const r = compareValue(actual, c, env.now, env.timeZone);
  const shown = actual === undefined ? 'is not set' : `is ${JSON.stringify(actual)}`;
  return { ...r, sentence: `trait ${c.field} ${shown} (needs ${describeExpected(c)})` };
}

// --- events ------------------------------------------------------------------------------------------

function matchesFilters(
  o: EventOccurrence,
  filters: readonly PropertyFilter[] | undefined,
  now: number,
  tz: string | undefined,
): boolean {
  if (!filters) return true;
  return filters.every(
    (f) => compareValue(readField(o.properties, f.property), f, now, tz).matches,
  );
}

interface Counted {
  count: number;
  nextChangeAt: number | null;
}

function earlier(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function isWholeDays(d: DurationLike): boolean {
  return d.unit === 'days' || d.unit === 'weeks';
}

/**
 * How many times the event happened in the window (or ever), and when that count next drops.
 * Whole-day windows without filters read the per-day counters; otherwise the recent occurrences are scanned
 * (exact while the window holds fewer than settings.recentOccurrences matching events).
 */
function countOccurrences(
  summary: EventSummary | undefined,
  window: DurationLike | undefined,
  filters: readonly PropertyFilter[] | undefined,
  now: number,
  tz: string | undefined,
): Counted {
  if (!summary) return { count: 0, nextChangeAt: null };
  const filtered = filters !== undefined && filters.length > 0;
  if (!window) {
    if (!filtered) return { count: summary.count, nextChangeAt: null };
    let count = 0;
    for (const o of summary.recent) if (matchesFilters(o, filters, now, tz)) count++;
    return { count, nextChangeAt: null };
  }
  const start = windowStart(now, window, tz);
  // Per-day counters are UTC days: they answer whole-day windows exactly only where midnight is UTC's.
  if (!filtered && isWholeDays(window) && tz === undefined) {
    const first = utcDayKey(start);
    const today = utcDayKey(now);
    let count = 0;
    let next: number | null = null;
    for (const [day, n] of Object.entries(summary.byDay)) {
      if (day < first || day > today || n === 0) continue;
      count += n;
      next = earlier(next, windowExitAt(dayKeyStart(day), window, tz));
    }
    return { count, nextChangeAt: next };
  }
  let count = 0;
  let next: number | null = null;
  for (const o of summary.recent) {
    if (!matchesFilters(o, filters, now, tz)) continue;
    if (o.at > now) next = earlier(next, o.at);
    else if (o.at >= start) {
      count++;
      next = earlier(next, windowExitAt(o.at, window, tz));
    }
  }
  return { count, nextChangeAt: next };
}

function describeWindow(window: DurationLike | undefined): string {
  return window ? `in the last ${describeDuration(window)}` : 'ever';
}

function evaluateEvent(c: EventCondition, env: Env): Outcome {
  const summary = own(env.profile.events, c.event);
  const filterText =
    'where' in c && c.where && c.where.length > 0
      ? ` where ${c.where.map((f) => `${f.property} ${describeExpected(f)}`).join(' and ')}`
      : '';
  switch (c.check) {
    case 'performed': {
      const need = c.count ?? { operator: 'atLeast', value: 1 };
      const { count, nextChangeAt } = countOccurrences(
        summary,
        c.window,
        c.where,
        env.now,
        env.timeZone,
      );
      const matches =
        need.operator === 'atLeast'
          ? count >= need.value
          : need.operator === 'atMost'
            ? count <= need.value
            : count === need.value;
      const needWords =
        need.operator === 'atLeast'
          ? 'at least'
          : need.operator === 'atMost'
            ? 'at most'
            : 'exactly';
      return {
        matches,
        nextChangeAt,
        sentence: `${c.event}${filterText} performed ${count} ${count === 1 ? 'time' : 'times'} ${describeWindow(c.window)} (needs ${needWords} ${need.value})`,
      };
    }
    case 'notPerformed': {
      const { count, nextChangeAt } = countOccurrences(
        summary,
        c.window,
        c.where,
        env.now,
        env.timeZone,
      );
      return {
        matches: count === 0,
        nextChangeAt,
        sentence: `${c.event}${filterText} performed ${count} ${count === 1 ? 'time' : 'times'} ${describeWindow(c.window)} (needs none)`,
      };
    }
    case 'firstPerformed':
    case 'lastPerformed': {
      const at = summary
        ? c.check === 'firstPerformed'
          ? summary.firstAt
          : summary.lastAt
        : undefined;
      const r = compareInstantOverTime(at, c.operator, c.value, env.now, env.timeZone);
      const which = c.check === 'firstPerformed' ? 'first' : 'last';
      const expected =
        typeof c.value === 'object' ? describeDuration(c.value) : iso(instantOf(c.value));
      const verb =
        c.operator === 'withinLast'
          ? 'within the last'
          : c.operator === 'moreThanAgo'
            ? 'more than this long ago:'
            : c.operator;
      return {
        ...r,
        sentence:
          at === undefined
            ? `${c.event} never performed (needs ${which} time ${verb} ${expected})`
            : `${c.event} ${which} performed at ${iso(at)} (needs ${verb} ${expected})`,
      };
    }
  }
}

function evaluateAggregate(c: EventAggregateCondition, env: Env): Outcome {
  const summary = own(env.profile.events, c.event);
  let sum = 0;
  let count = 0;
  let min = Infinity;
  let max = -Infinity;
  let next: number | null = null;
  const add = (agg: { sum: number; min: number; max: number; count: number }) => {
    sum += agg.sum;
    count += agg.count;
    min = Math.min(min, agg.min);
    max = Math.max(max, agg.max);
  };
  const start = windowStart(env.now, c.window, env.timeZone);
  const byDay = own(summary?.numericByDay, c.property);
  if (summary && byDay && isWholeDays(c.window) && env.timeZone === undefined) {
    const first = utcDayKey(start);
    const today = utcDayKey(env.now);
    for (const [day, agg] of Object.entries(byDay)) {
      if (day < first || day > today || agg.count === 0) continue;
      add(agg);
      next = earlier(next, windowExitAt(dayKeyStart(day), c.window, env.timeZone));
    }
  } else if (summary) {
    for (const o of summary.recent) {
      const v = readField(o.properties, c.property);
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (o.at > env.now) next = earlier(next, o.at);
      else if (o.at >= start) {
        add({ sum: v, min: v, max: v, count: 1 });
        next = earlier(next, windowExitAt(o.at, c.window, env.timeZone));
      }
    }
  }
  sum = Math.round(sum * 1e6) / 1e6;
  const value =
    c.aggregate === 'sum'
      ? sum
      : c.aggregate === 'count'
        ? count
        : count === 0
          ? undefined
          : c.aggregate === 'avg'
            ? sum / count
            : c.aggregate === 'min'
              ? min
              : max;
  const matches = value !== undefined && compareNumber(value, c.operator, c.value);
  const shown = value === undefined ? 'no value' : String(Math.round(value * 100) / 100);
  return {
    matches,
    nextChangeAt: next,
    sentence: `${c.aggregate} of ${c.property} over ${c.event} ${describeWindow(c.window)} is ${shown} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
  };
}

// --- metrics -----------------------------------------------------------------------------------------

/**
 * For a metric that is a whole number of days and moves one step per day, the next instant its comparison flips.
 * `stepAt(k)` is the instant at which the metric becomes k; `direction` +1 if it grows with time, −1 if it shrinks.
 */
function nextFlipOfDayCounter(
  current: number,
  op: NumberOperator,
  threshold: number,
  direction: 1 | -1,
  stepAt: (k: number) => number,
): number | null {
  const now = compareNumber(current, op, threshold);
  const f = Math.floor(threshold);
  const cl = Math.ceil(threshold);
  const candidates = [current + direction, f - 1, f, f + 1, cl - 1, cl, cl + 1]
    .filter((k) => (direction === 1 ? k > current : k < current))
    .sort((a, b) => (a - b) * direction);
  for (const k of candidates) if (compareNumber(k, op, threshold) !== now) return stepAt(k);
  return null;
}

function staticMetricValue(c: MetricCondition & { metric: string }, env: Env): number | undefined {
  const p = env.profile;
  const buys = p.purchases;
  switch (c.metric) {
    case 'orderCount':
      return buys.orderCount;
    case 'totalRevenue':
      return buys.totalRevenue;
    case 'averageOrderValue':
      return buys.orderCount > 0 ? buys.averageOrderValue : undefined;
    case 'meanDaysBetweenOrders':
      return buys.meanDaysBetweenOrders;
    case 'discountedOrderShare':
      return buys.orderCount > 0 ? buys.discountedOrderCount / buys.orderCount : undefined;
    case 'holidayOrderCount':
      return buys.holidayOrderCount;
    case 'productViewsBeforeFirstOrder': {
      const first = buys.firstOrderAt;
      return first === undefined
        ? undefined
        : p.earliestProductViews.filter((t) => t < first).length;
    }
    case 'hoursFromFirstViewToFirstOrder': {
      const view = own(p.events, env.settings.productViewEvent)?.firstAt;
      return view === undefined || buys.firstOrderAt === undefined
        ? undefined
        : (buys.firstOrderAt - view) / HOUR_MS;
    }
    case 'rfmRecency':
      return p.rfm?.recency;
    case 'rfmFrequency':
      return p.rfm?.frequency;
    case 'rfmMonetary':
      return p.rfm?.monetary;
    case 'rfmTotal':
      return p.rfm?.total;
    default:
      return undefined;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function evaluateMetric(c: MetricCondition, env: Env): Outcome {
  const p = env.profile;
  const now = env.now;
  switch (c.metric) {
    case 'daysSinceLastOrder':
    case 'daysSinceLastActivity': {
      const base = c.metric === 'daysSinceLastOrder' ? p.purchases.lastOrderAt : p.lastActiveAt;
      if (base === undefined)
        return {
          matches: false,
          nextChangeAt: null,
          sentence: `${c.metric} has no value (${c.metric === 'daysSinceLastOrder' ? 'no order yet' : 'no activity yet'})`,
        };
      const days = Math.floor((now - base) / DAY_MS);
      return {
        matches: compareNumber(days, c.operator, c.value),
        nextChangeAt: nextFlipOfDayCounter(days, c.operator, c.value, 1, (k) => base + k * DAY_MS),
        sentence: `${c.metric} is ${days} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
      };
    }
    case 'daysUntilPredictedNextOrder': {
      const predicted = p.purchases.predictedNextOrderAt;
      if (predicted === undefined)
        return {
          matches: false,
          nextChangeAt: null,
          sentence: 'daysUntilPredictedNextOrder has no value (needs at least 2 orders)',
        };
      const days = Math.floor((predicted - now) / DAY_MS);
      return {
        matches: compareNumber(days, c.operator, c.value),
        // floor((P − t)/day) = k holds for t in (P − (k+1)·day, P − k·day].
        nextChangeAt: nextFlipOfDayCounter(
          days,
          c.operator,
          c.value,
          -1,
          (k) => predicted - (k + 1) * DAY_MS + 1,
        ),
        sentence: `daysUntilPredictedNextOrder is ${days} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
      };
    }
    case 'emailOpens':
    case 'emailClicks': {
      const name =
        c.metric === 'emailOpens' ? env.settings.emailOpenedEvent : env.settings.emailClickedEvent;
      const { count, nextChangeAt } = countOccurrences(
        own(p.events, name),
        c.window,
        undefined,
        now,
        env.timeZone,
      );
      return {
        matches: compareNumber(count, c.operator, c.value),
        nextChangeAt,
        sentence: `${c.metric} ${describeWindow(c.window)} is ${count} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
      };
    }
    case 'productReorderDueWithinDays': {
      const products =
        c.productId !== undefined
          ? [[c.productId, own(p.purchases.products, c.productId)] as const]
          : Object.entries(p.purchases.products);
      let matches = false;
      let next: number | null = null;
      const due: string[] = [];
      for (const [id, product] of products) {
        const at = product?.nextReorderAt;
        if (at === undefined) continue;
        const opens = at - c.days * DAY_MS;
        if (now < opens) next = earlier(next, opens);
        else if (now <= at) {
          matches = true;
          due.push(id);
          next = earlier(next, at + 1);
        }
      }
      const what = c.productId !== undefined ? `product ${c.productId}` : 'any product';
      return {
        matches,
        nextChangeAt: next,
        sentence: matches
          ? `reorder of ${due.join(', ')} is due within ${c.days} days`
          : `no reorder of ${what} is due within ${c.days} days`,
      };
    }
    case 'topCategory': {
      const top =
        c.affinity === undefined
          ? p.categories.topCategory
          : own(p.affinities ?? {}, c.affinity)?.top;
      const matches = c.operator === 'eq' ? top === c.value : top !== c.value;
      const what = c.affinity === undefined ? 'top category' : `top ${c.affinity}`;
      return {
        matches,
        nextChangeAt: null,
        sentence: `${what} is ${top ?? 'unknown'} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
      };
    }
    case 'categoryAffinity': {
      const source = c.affinity === undefined ? p.categories : own(p.affinities ?? {}, c.affinity);
      const total = source?.total ?? 0;
      const share = source && total > 0 ? (own(source.counts, c.category) ?? 0) / total : undefined;
      const none =
        c.affinity === undefined ? 'no product views or orders' : `no ${c.affinity} counted yet`;
      return {
        matches: share !== undefined && compareNumber(share, c.operator, c.value),
        nextChangeAt: null,
        sentence: `share of ${c.category} is ${share === undefined ? `unknown (${none})` : round2(share)} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
      };
    }
    case 'engagementLevel': {
      const level = engagementLevel(p, now);
      const inList = c.value.includes(level);
      return {
        matches: c.operator === 'in' ? inList : !inList,
        nextChangeAt: engagementLevelChangesAt(p, now),
        sentence: `engagement level is ${level} (needs ${c.operator === 'in' ? 'one of' : 'none of'} ${c.value.join(', ')})`,
      };
    }
    default: {
      const value = staticMetricValue(c, env);
      return {
        matches: value !== undefined && compareNumber(value, c.operator, c.value),
        nextChangeAt: null,
        sentence: `${c.metric} is ${value === undefined ? 'unknown' : round2(value)} (needs ${OPERATOR_WORDS[c.operator]} ${c.value})`,
      };
    }
  }
}
