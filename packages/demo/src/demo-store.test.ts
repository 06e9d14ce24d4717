import { normalizeEvent } from '@cairn/core';
import { DEMO_REGIONS } from './people.js';
import {
  ARCHETYPE_BEHAVIOUR,
  DEMO_ARCHETYPES,
  LAPSED_QUIET_DAYS,
  blackFriday,
  demoSummary,
  eventNameOf,
  generateDemoStore,
  iterateDemoEvents,
  type DemoContact,
  type DemoStore,
  type SegmentPayload,
  type SegmentTrack,
} from './index.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 5, 15, 12, 0, 0);

function ordersOf(store: DemoStore): Map<string, SegmentTrack[]> {
  const byUser = new Map<string, SegmentTrack[]>();
  for (const e of store.events) {
    if (e.type !== 'track' || e.event !== 'Order Completed') continue;
    const list = byUser.get(e.userId ?? '') ?? [];
    list.push(e);
    byUser.set(e.userId ?? '', list);
  }
  return byUser;
}

function at(e: SegmentPayload): number {
  return Date.parse(e.timestamp);
}

function contactsOf(store: DemoStore, archetype: DemoContact['archetype']): DemoContact[] {
  return store.contacts.filter((c) => c.archetype === archetype);
}

describe('determinism', () => {
  const options = { seed: 'determinism', contacts: 300, now: NOW };

  it('gives byte-identical output for the same seed', () => {
    expect(JSON.stringify(generateDemoStore(options))).toBe(
      JSON.stringify(generateDemoStore(options)),
    );
  });

  it('gives a different store for a different seed, with different messageIds', () => {
    const a = generateDemoStore(options);
    const b = generateDemoStore({ ...options, seed: 'determinism-2' });
    expect(JSON.stringify(b.events)).not.toBe(JSON.stringify(a.events));
    expect(b.contacts.map((c) => c.archetype)).not.toEqual(a.contacts.map((c) => c.archetype));
    const idsOfA = new Set(a.events.map((e) => e.messageId));
    expect(b.events.some((e) => idsOfA.has(e.messageId))).toBe(false);
  });

  it('keeps a contact the same whatever the store size, so a small store is a prefix of a big one', () => {
    const small = generateDemoStore({ ...options, contacts: 50 });
    const big = generateDemoStore(options);
    expect(big.contacts.slice(0, 50)).toEqual(small.contacts);
    const first50 = new Set(small.contacts.flatMap((c) => [c.userId, c.anonymousId]));
    expect(big.events.filter((e) => first50.has(e.userId ?? e.anonymousId))).toEqual(small.events);
  });
});

describe('the default store (3000 contacts, 365 days)', () => {
  let store: DemoStore;
  beforeAll(() => {
    store = generateDemoStore({ seed: 42, now: NOW });
  });

  it('has a volume between 80k and 400k events, every archetype, and every store event', () => {
    expect(store.contacts).toHaveLength(3000);
    expect(store.events.length).toBeGreaterThan(80_000);
    expect(store.events.length).toBeLessThan(400_000);
    const summary = demoSummary(store);
    for (const archetype of DEMO_ARCHETYPES) {
      const share = summary.byArchetype[archetype].contacts / 3000;
      expect(Math.abs(share - ARCHETYPE_BEHAVIOUR[archetype].share)).toBeLessThan(0.03);
    }
    expect(Object.keys(summary.byEvent).sort()).toEqual(
      [
        'Checkout Started',
        'Email Clicked',
        'Email Opened',
        'Email Sent',
        'Identify',
        'Order Completed',
        'Page Viewed',
        'Product Added',
        'Product Viewed',
      ].sort(),
    );
    expect(Object.values(summary.byEvent).reduce((a, b) => a + b, 0)).toBe(store.events.length);
  });

  it('passes normalizeEvent for every event, under the same name', () => {
    const failures: string[] = [];
    for (const payload of store.events) {
      const result = normalizeEvent(payload, { receivedAt: NOW, now: NOW });
      if (!result.ok) failures.push(`${payload.messageId}: ${JSON.stringify(result.errors)}`);
      else if (
        result.event.event !== eventNameOf(payload) ||
        result.event.timestamp !== at(payload)
      )
        failures.push(payload.messageId);
      if (failures.length > 5) break;
    }
    expect(failures).toEqual([]);
  });

  it('is sorted by timestamp, inside the window, never in the future, with unique messageIds', () => {
    const times = store.events.map(at);
    const outOfOrder = times.findIndex((t, i) => i > 0 && t < times[i - 1]!);
    expect(outOfOrder).toBe(-1);
    expect(times[0]).toBeGreaterThan(NOW - 365 * DAY);
    expect(times[times.length - 1]).toBeLessThanOrEqual(NOW);
    expect(new Set(store.events.map((e) => e.messageId)).size).toBe(store.events.length);
    expect(store.contacts.filter((c) => Date.parse(c.identifiedAt) > NOW)).toEqual([]);
  });

  it('gives every email a contact email address and a campaign on every email event', () => {
    for (const c of store.contacts)
      expect(c.traits.email).toMatch(/^[a-z]+\.[a-z]+\.\d+@example\.com$/);
    const emails = store.events.filter(
      (e): e is SegmentTrack => e.type === 'track' && e.event.startsWith('Email '),
    );
    expect(
      emails.every(
        (e) => typeof e.properties.campaign === 'string' && e.properties.campaign !== '',
      ),
    ).toBe(true);
  });

  it("reorders coffee on the loyal buyers' cycle (21–35 days between coffee orders)", () => {
    const orders = ordersOf(store);
    const coffeeLoyal = contactsOf(store, 'loyal-repeat-buyer').filter(
      (c) => c.reorder?.category === 'Coffee',
    );
    let checked = 0;
    for (const contact of coffeeLoyal) {
      const coffeeOrders = (orders.get(contact.userId) ?? [])
        .filter((o) =>
          (o.properties.products as Array<{ category: string }>).some(
            (p) => p.category === 'Coffee',
          ),
        )
        .map(at);
      if (coffeeOrders.length < 3) continue;
      const meanGapDays =
        (coffeeOrders[coffeeOrders.length - 1]! - coffeeOrders[0]!) /
        (coffeeOrders.length - 1) /
        DAY;
      expect(meanGapDays).toBeGreaterThanOrEqual(21 - 1);
      expect(meanGapDays).toBeLessThanOrEqual(35 + 1);
      // And close to the contact's own habit, not just anywhere in the range.
      expect(Math.abs(meanGapDays - contact.reorder!.everyDays)).toBeLessThan(3.5);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('adds paper filters to coffee reorders about every two months', () => {
    const orders = ordersOf(store);
    const gaps: number[] = [];
    for (const contact of contactsOf(store, 'loyal-repeat-buyer')) {
      const filterOrders = (orders.get(contact.userId) ?? [])
        .filter((o) =>
          (o.properties.products as Array<{ name: string }>).some((p) =>
            p.name.startsWith('Paper Filters'),
          ),
        )
        .map(at);
      for (let i = 1; i < filterOrders.length; i++)
        gaps.push((filterOrders[i]! - filterOrders[i - 1]!) / DAY);
    }
    expect(gaps.length).toBeGreaterThan(100);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    // The filters wait for the next coffee order after they run out, so the gap is ~60 days plus part of a coffee cycle.
    expect(mean).toBeGreaterThan(55);
    expect(mean).toBeLessThan(90);
  });

  it('keeps lapsed buyers silent (no order, visit or open) in their last 60–120 days, after earlier orders', () => {
    const lapsed = contactsOf(store, 'lapsed-buyer');
    const orders = ordersOf(store);
    const lastOwnEvent = new Map<string, number>();
    for (const e of store.events) {
      if (e.type === 'track' && e.event === 'Email Sent') continue;
      lastOwnEvent.set(e.userId ?? e.anonymousId ?? '', at(e));
    }
    let withEarlierOrders = 0;
    for (const contact of lapsed) {
      const quietDays = contact.quietDays!;
      expect(quietDays).toBeGreaterThanOrEqual(LAPSED_QUIET_DAYS[0]);
      expect(quietDays).toBeLessThanOrEqual(LAPSED_QUIET_DAYS[1]);
      const theirOrders = orders.get(contact.userId) ?? [];
      for (const order of theirOrders) expect(at(order)).toBeLessThan(NOW - quietDays * DAY);
      expect(lastOwnEvent.get(contact.userId) ?? 0).toBeLessThan(NOW - quietDays * DAY);
      if (theirOrders.length >= 2) withEarlierOrders += 1;
    }
    expect(withEarlierOrders / lapsed.length).toBeGreaterThan(0.9);
  });

  it('has holiday shoppers order only in November and December, and most of them do', () => {
    const orders = ordersOf(store);
    const holiday = contactsOf(store, 'holiday-shopper');
    let buyers = 0;
    for (const contact of holiday) {
      const theirs = orders.get(contact.userId) ?? [];
      for (const order of theirs) expect([10, 11]).toContain(new Date(at(order)).getUTCMonth());
      if (theirs.length > 0) buyers += 1;
    }
    expect(buyers / holiday.length).toBeGreaterThan(0.5);
  });

  it('never has browsers or dormant subscribers order; dormant subscribers never visit after signing up', () => {
    const orders = ordersOf(store);
    for (const c of [...contactsOf(store, 'browser'), ...contactsOf(store, 'dormant-subscriber')])
      expect(orders.get(c.userId)).toBeUndefined();
    const dormant = new Map(
      contactsOf(store, 'dormant-subscriber').map((c) => [c.userId, Date.parse(c.identifiedAt)]),
    );
    const visitsAfterSignup = store.events.filter(
      (e) =>
        e.type === 'page' &&
        e.userId !== undefined &&
        dormant.has(e.userId) &&
        at(e) > dormant.get(e.userId)!,
    );
    expect(visitsAfterSignup).toEqual([]);
  });

  it('has first-time buyers order at most once and impulse buyers order in their signup visit', () => {
    const orders = ordersOf(store);
    for (const c of contactsOf(store, 'first-time-buyer'))
      expect((orders.get(c.userId) ?? []).length).toBeLessThanOrEqual(1);
    for (const c of contactsOf(store, 'impulse-buyer')) {
      const first = orders.get(c.userId)?.[0];
      if (Date.parse(c.identifiedAt) > NOW - 1 * 3_600_000) continue;
      expect(first).toBeDefined();
      expect(at(first!) - Date.parse(c.identifiedAt)).toBeLessThan(2 * 3_600_000);
    }
  });

  it('has researchers view at least 10 products (also anonymously) before their first order', () => {
    const orders = ordersOf(store);
    const researcherOf = new Map<string, DemoContact>();
    for (const c of contactsOf(store, 'researcher')) {
      researcherOf.set(c.userId, c);
      if (c.anonymousId) researcherOf.set(c.anonymousId, c);
    }
    const viewsBefore = new Map<string, number>();
    for (const e of store.events) {
      const contact = researcherOf.get(e.userId ?? e.anonymousId ?? '');
      if (!contact || e.type !== 'track' || e.event !== 'Product Viewed') continue;
      const first = orders.get(contact.userId)?.[0];
      if (first && at(e) < at(first))
        viewsBefore.set(contact.userId, (viewsBefore.get(contact.userId) ?? 0) + 1);
    }
    const buyers = [...researcherOf.values()].filter(
      (c, i, all) => all.indexOf(c) === i && orders.has(c.userId),
    );
    expect(buyers.length).toBeGreaterThan(100);
    expect(buyers.filter((c) => (viewsBefore.get(c.userId) ?? 0) < 10)).toEqual([]);
  });

  it("pays deal-seekers' orders mostly with coupons, and adds up every order (revenue, discount, total)", () => {
    const orders = ordersOf(store);
    const dealOrders = contactsOf(store, 'deal-seeker').flatMap((c) => orders.get(c.userId) ?? []);
    const withCoupon = dealOrders.filter((o) => typeof o.properties.coupon === 'string').length;
    expect(withCoupon / dealOrders.length).toBeGreaterThan(0.8);
    const wrong: string[] = [];
    const near = (a: unknown, b: number) => typeof a === 'number' && Math.abs(a - b) < 0.006;
    for (const list of orders.values()) {
      for (const { messageId, properties: o } of list) {
        const lines = o.products as Array<{ price: number; quantity: number }>;
        const subtotal = lines.reduce((s, l) => s + l.price * l.quantity, 0);
        const ok =
          near(o.subtotal, subtotal) &&
          near(o.revenue, subtotal - (o.discount as number)) &&
          near(o.total, (o.revenue as number) + (o.shipping as number) + (o.tax as number)) &&
          (o.coupon !== undefined) === (o.discount as number) > 0 &&
          o.currency === 'USD';
        if (!ok) wrong.push(`${messageId}: ${JSON.stringify(o)}`);
      }
    }
    expect(wrong.slice(0, 3)).toEqual([]);
  });

  it('browses anonymously before signup, then identifies with both ids (identity merge)', () => {
    const anonymous = store.contacts.filter((c) => c.anonymousId !== undefined);
    expect(anonymous.length).toBeGreaterThan(1000);
    const byAnonymousId = new Map(anonymous.map((c) => [c.anonymousId!, c]));
    let anonymousBeforeIdentify = 0;
    const identifies = new Map<string, string | undefined>();
    const afterIdentify: string[] = [];
    for (const e of store.events) {
      if (e.type === 'identify' && e.anonymousId !== undefined) {
        identifies.set(e.anonymousId, e.userId);
      } else if (e.anonymousId !== undefined) {
        // Anonymous events carry no userId and all come before the contact's identify.
        if (e.userId !== undefined || identifies.has(e.anonymousId))
          afterIdentify.push(e.messageId);
        anonymousBeforeIdentify += 1;
      }
    }
    expect(afterIdentify).toEqual([]);
    expect(
      [...identifies].filter(
        ([anonymousId, userId]) => byAnonymousId.get(anonymousId)?.userId !== userId,
      ),
    ).toEqual([]);
    expect(identifies.size).toBe(anonymous.length);
    expect(anonymousBeforeIdentify).toBeGreaterThan(5000);
  });

  it('has seasonal peaks (Black Friday week, December) and a summer dip in store visits', () => {
    const visitsPerDay = (from: number, to: number) =>
      store.events.filter((e) => e.type === 'page' && at(e) >= from && at(e) < to).length /
      ((to - from) / DAY);
    const ordinary = visitsPerDay(Date.UTC(2024, 8, 1), Date.UTC(2024, 10, 1)); // September–October
    const friday = blackFriday(2024);
    expect(visitsPerDay(friday - DAY, friday + 4 * DAY)).toBeGreaterThan(2 * ordinary);
    expect(visitsPerDay(Date.UTC(2024, 11, 1), Date.UTC(2024, 11, 21))).toBeGreaterThan(
      1.5 * ordinary,
    );
    expect(visitsPerDay(Date.UTC(2024, 6, 1), Date.UTC(2024, 8, 1))).toBeLessThan(ordinary);
  });

  it("visits mostly by day in the contact's own time zone", () => {
    const offsetOf = new Map<string, number>();
    for (const c of store.contacts) {
      const hours = DEMO_REGIONS.find((r) => r.timezone === c.traits.timezone)!.utcOffsetHours;
      offsetOf.set(c.userId, hours);
      if (c.anonymousId) offsetOf.set(c.anonymousId, hours);
    }
    let night = 0;
    let evening = 0;
    let total = 0;
    for (const e of store.events) {
      if (e.type !== 'page') continue;
      const local =
        (new Date(at(e)).getUTCHours() + offsetOf.get(e.userId ?? e.anonymousId ?? '')! + 24) % 24;
      total += 1;
      if (local >= 1 && local < 6) night += 1;
      if (local >= 18 && local < 23) evening += 1;
    }
    expect(night / total).toBeLessThan(0.05);
    expect(evening / total).toBeGreaterThan(0.25);
  });

  it('sets a plan trait on some contacts', () => {
    const withPlan = new Set(
      store.events
        .filter((e) => e.type === 'identify' && typeof e.traits.plan === 'string')
        .map((e) => e.userId),
    );
    expect(withPlan.size).toBeGreaterThan(10);
    expect(withPlan.size).toBeLessThan(3000 / 2);
  });
});

describe('iterateDemoEvents', () => {
  it('streams the same events in the same order as generateDemoStore', () => {
    const options = { seed: 7, contacts: 100, days: 60, now: NOW };
    expect([...iterateDemoEvents(options)]).toEqual(generateDemoStore(options).events);
  });

  it('refuses bad options with the field and the fix', () => {
    expect(() => [...iterateDemoEvents({ seed: 1, now: 'soon' })]).toThrow(/now: must be a date/);
    expect(() => [...iterateDemoEvents({ seed: 1, days: 0, now: NOW })]).toThrow(
      /days: must be a whole number ≥ 1/,
    );
  });
});
