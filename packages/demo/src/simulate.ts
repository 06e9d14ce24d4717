// Long on purpose: one seeded walk; identical output needs its random draws in one fixed order.
import {
  ARCHETYPE_BEHAVIOUR,
  REORDER_CYCLES,
  type ArchetypeBehaviour,
  type DemoArchetype,
} from './archetypes.js';
import {
  DAY_MS,
  demoCampaigns,
  isHolidaySeason,
  seasonalFactor,
  startOfUtcDay,
  weekdayFactor,
  type DemoCampaign,
} from './calendar.js';
import {
  DEMO_CATALOG,
  DEMO_CATEGORIES,
  PAPER_FILTERS,
  STORE_URL,
  categoryPath,
  productPath,
  productsIn,
  type DemoCategory,
  type DemoProduct,
} from './catalog.js';
import {
  planContact,
  resolveWindow,
  visitStart,
  type ContactPlan,
  type DemoStoreOptions,
  type ResolvedWindow,
} from './contacts.js';
import type { DemoOrderLine, SegmentPayload } from './payloads.js';
import { Random } from './random.js';

const SECOND = 1000;
const FREE_SHIPPING_FROM = 50;
const SHIPPING = 5.95;
const TAX_RATE = 0.08;
/** Campaign emails leave the ESP in a stream, not all in one millisecond. */
const SEND_SPACING_MS = 500;

interface Coupon {
  code: string;
  percentOff: number;
}

/** What a day is like for the whole store; computed once per day, not per contact. */
interface DayInfo {
  start: number;
  season: number;
  weekday: number;
  holidaySeason: boolean;
}

/** A generated event with its instant, for ordering before it is handed out. */
export interface TimedPayload {
  at: number;
  payload: SegmentPayload;
}

type OrderOccasion = 'signup' | 'visit' | 'email';

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** One contact's life, day by day. Each contact has its own PRNG stream, so contacts do not disturb each other. */
class ContactSimulation {
  private readonly rng: Random;
  private readonly behaviour: ArchetypeBehaviour;
  private readonly archetype: DemoArchetype;
  private readonly userId: string;
  /** The day of the visit with the first identify (a signup visit may start just before midnight and identify after). */
  private readonly identifyDay: number;
  private seq = 0;
  private readonly messageIdPrefix: string;
  private orders = 0;
  private out: TimedPayload[] = [];
  private context: Record<string, unknown> | undefined;
  /** Researchers' product views before their first order: they order once they have seen enough. */
  private viewTimes: number[] = [];
  private readonly viewsBeforeFirstOrder: number;
  private nextReorderDay: number | undefined;
  private nextFiltersAt = 0;
  private readonly usesFilters: boolean;
  private readonly staples: DemoProduct[] = [];
  /** The promo code from the last opened promo email, usable for a few days. */
  private coupon: (Coupon & { until: number }) | undefined;
  private plan: string | undefined;

  constructor(
    private readonly window: ResolvedWindow,
    private readonly contactPlan: ContactPlan,
  ) {
    const contact = contactPlan.contact;
    this.rng = new Random(window.seed, 'behaviour', contactPlan.index);
    this.archetype = contact.archetype;
    this.behaviour = ARCHETYPE_BEHAVIOUR[contact.archetype];
    this.userId = contact.userId;
    this.identifyDay = startOfUtcDay(contactPlan.signupVisitAt ?? contactPlan.identifiedAt);
    this.messageIdPrefix = `demo-${window.seedTag}-${String(contactPlan.index + 1).padStart(5, '0')}-`;
    this.plan = contact.traits.plan;
    this.viewsBeforeFirstOrder = this.archetype === 'researcher' ? this.rng.int(10, 24) : 0;
    this.usesFilters = contact.reorder?.category === 'Coffee' && this.rng.chance(0.6);
    if (contact.reorder) {
      const choices = productsIn(contact.reorder.category);
      this.staples.push(this.rng.pick(choices));
      if (this.rng.chance(0.4)) this.staples.push(this.rng.pick(choices));
      this.nextReorderDay =
        this.identifyDay +
        this.rng.int(
          contactPlan.signupVisitAt === undefined ? 0 : 1,
          Math.min(10, contact.reorder.everyDays),
        ) *
          DAY_MS;
    }
  }

  simulateDay(today: DayInfo, campaigns: readonly DemoCampaign[], out: TimedPayload[]): void {
    this.out = out;
    const day = today.start;
    const plan = this.contactPlan;
    if (plan.anonymousVisitDays.includes(day)) this.anonymousVisit(day);
    if (day === this.identifyDay) this.identifyVisit();
    else if (day > this.identifyDay && !this.isQuiet(day)) {
      if (this.nextReorderDay !== undefined && day >= this.nextReorderDay) this.reorderVisit(day);
      else if (this.rng.chance(this.behaviour.dailyVisitChance * this.visitFactor(today)))
        this.ordinaryVisit(day);
    }
    for (const campaign of campaigns) this.receiveEmail(campaign);
  }

  private isQuiet(at: number): boolean {
    return this.contactPlan.quietFrom !== undefined && at >= this.contactPlan.quietFrom;
  }

  private visitFactor(today: DayInfo): number {
    // Holiday shoppers barely exist outside the season and crowd in during it.
    if (this.archetype === 'holiday-shopper') return today.holidaySeason ? today.season * 4 : 1;
    // Once researchers have decided, they come back far less often.
    if (this.archetype === 'researcher' && this.orders > 0)
      return today.season * today.weekday * 0.4;
    return today.season * today.weekday;
  }

  // ---- emitting ----

  /** The event's messageId and timestamp, or undefined when it must not happen (after `now`, or in a quiet period). */
  private stamp(
    at: number,
    passive: boolean,
  ): { messageId: string; timestamp: string } | undefined {
    if (at > this.window.now) return undefined;
    // Lapsed buyers do nothing of their own in their quiet period; emails still reach them.
    if (!passive && this.isQuiet(at)) return undefined;
    this.seq += 1;
    return {
      messageId: `${this.messageIdPrefix}${this.seq}`,
      timestamp: new Date(at).toISOString(),
    };
  }

  private push(at: number, payload: SegmentPayload): void {
    if (this.context !== undefined && payload.type !== 'identify') payload.context = this.context;
    this.out.push({ at, payload });
  }

  /** Before the identify call the visitor is only known by analytics.js's anonymousId. */
  private who(at: number): { userId: string } | { anonymousId: string } {
    const anonymousId = this.contactPlan.contact.anonymousId;
    if (at < this.contactPlan.identifiedAt && anonymousId !== undefined) return { anonymousId };
    return { userId: this.userId };
  }

  private track(
    at: number,
    event: string,
    properties: Record<string, unknown>,
    passive = false,
  ): void {
    const stamp = this.stamp(at, passive);
    if (stamp) this.push(at, { type: 'track', ...stamp, ...this.who(at), event, properties });
  }

  private identify(
    at: number,
    traits: Record<string, unknown>,
    anonymousId?: string,
    first = false,
  ): void {
    // The first identify always happens (even for a lapsed buyer whose quiet period covers a short window): it creates the contact.
    const stamp = this.stamp(at, first);
    if (!stamp) return;
    this.push(at, {
      type: 'identify',
      ...stamp,
      userId: this.userId,
      ...(anonymousId !== undefined ? { anonymousId } : {}),
      traits,
    });
  }

  private page(
    at: number,
    name: string,
    path: string,
    title: string,
    extra: Record<string, unknown> = {},
  ): void {
    const stamp = this.stamp(at, false);
    if (stamp)
      this.push(at, {
        type: 'page',
        ...stamp,
        ...this.who(at),
        name,
        properties: { path, url: STORE_URL + path, title, ...extra },
      });
  }

  // ---- visits ----

  private step(t: number, minSeconds: number, maxSeconds: number): number {
    return t + this.rng.int(minSeconds * SECOND, maxSeconds * SECOND);
  }

  private land(t: number, path?: string): void {
    if (path !== undefined) {
      this.page(t, 'Landing', path, 'Cairn Coffee Co.');
    } else if (this.rng.chance(0.5)) {
      this.page(t, 'Home', '/', 'Cairn Coffee Co. | Fresh coffee, tea and gear');
    } else {
      const category = this.pickCategory();
      this.page(t, 'Collection', categoryPath(category), `${category} | Cairn Coffee Co.`, {
        category,
      });
    }
  }

  private viewProduct(t: number, product: DemoProduct): void {
    if (this.archetype === 'researcher' && this.orders === 0) this.viewTimes.push(t);
    this.track(t, 'Product Viewed', {
      product_id: product.product_id,
      sku: product.sku,
      name: product.name,
      category: product.category,
      price: product.price,
      currency: 'USD',
      url: productUrl(product),
    });
  }

  private browse(t: number, views: number): number {
    for (let i = 0; i < views; i++) {
      t = this.step(t, 15, 150);
      this.viewProduct(t, this.pickProduct());
    }
    return t;
  }

  private addToCart(t: number, product: DemoProduct, quantity: number, cartId: string): void {
    this.track(t, 'Product Added', {
      cart_id: cartId,
      product_id: product.product_id,
      sku: product.sku,
      name: product.name,
      category: product.category,
      price: product.price,
      quantity,
      currency: 'USD',
    });
  }

  /** Fills a cart and walks away, sometimes from the checkout page itself: the abandoned-cart journeys' audience. */
  private abandon(t: number): number {
    const product = this.pickProduct();
    const cartId = `cart-${this.userId}-${this.seq + 1}`;
    t = this.step(t, 10, 90);
    this.viewProduct(t, product);
    t = this.step(t, 10, 60);
    this.addToCart(t, product, 1, cartId);
    if (this.rng.chance(0.4)) {
      t = this.step(t, 20, 120);
      const lines = [toLine(product, 1)];
      this.track(t, 'Checkout Started', {
        checkout_id: cartId,
        value: product.price,
        revenue: product.price,
        currency: 'USD',
        products: lines,
      });
    }
    return t;
  }

  private checkout(t: number, lines: DemoOrderLine[], coupon: Coupon | undefined): number {
    this.orders += 1;
    const orderId = `order-${this.userId.slice(5)}-${this.orders}`;
    const cartId = `cart-${this.userId}-o${this.orders}`;
    for (const line of lines) {
      const product = productById(line.product_id);
      t = this.step(t, 10, 120);
      this.viewProduct(t, product);
      t = this.step(t, 5, 60);
      this.addToCart(t, product, line.quantity, cartId);
    }
    t = this.step(t, 5, 40);
    this.page(t, 'Cart', '/cart', 'Your cart | Cairn Coffee Co.');
    const subtotal = round2(lines.reduce((sum, l) => sum + l.price * l.quantity, 0));
    const discount = coupon ? round2((subtotal * coupon.percentOff) / 100) : 0;
    const revenue = round2(subtotal - discount);
    const shipping = revenue >= FREE_SHIPPING_FROM ? 0 : SHIPPING;
    const tax = round2(revenue * TAX_RATE);
    const total = round2(revenue + shipping + tax);
    t = this.step(t, 10, 60);
    this.track(t, 'Checkout Started', {
      checkout_id: cartId,
      order_id: orderId,
      value: subtotal,
      revenue,
      currency: 'USD',
      products: lines,
    });
    t = this.step(t, 60, 300);
    const order: Record<string, unknown> = {
      checkout_id: cartId,
      order_id: orderId,
      total,
      subtotal,
      revenue,
      shipping,
      tax,
      discount,
      currency: 'USD',
      products: lines,
    };
    if (coupon) order.coupon = coupon.code;
    this.track(t, 'Order Completed', order);
    if (coupon && this.coupon?.code === coupon.code) this.coupon = undefined;
    // Buying a subscription changes the contact's plan: a later identify, as a store backend would send it.
    const plan = lines.map((l) => productById(l.product_id).plan).find((p) => p !== undefined);
    if (plan !== undefined && plan !== this.plan) {
      this.plan = plan;
      t = this.step(t, 1, 5);
      this.identify(t, { plan });
    }
    return t;
  }

  private anonymousVisit(day: number): void {
    const start = visitStart(this.rng, day, this.contactPlan.region);
    this.land(start);
    const t = this.browse(
      start,
      this.archetype === 'researcher' ? this.rng.int(3, 7) : this.rng.int(1, 4),
    );
    if (this.rng.chance(0.1)) this.abandon(t);
  }

  /** The first identify: a signup in the middle of a visit, or an existing customer logging in (or synced, if dormant). */
  private identifyVisit(): void {
    const plan = this.contactPlan;
    const contact = plan.contact;
    const identify = () =>
      this.identify(plan.identifiedAt, { ...contact.traits }, contact.anonymousId, true);
    if (this.archetype === 'dormant-subscriber' && plan.signupVisitAt === undefined) {
      identify();
      return;
    }
    let t: number;
    if (plan.signupVisitAt !== undefined) {
      this.land(plan.signupVisitAt);
      const views = this.archetype === 'dormant-subscriber' ? 0 : this.rng.int(0, 3);
      const gap = (plan.identifiedAt - plan.signupVisitAt) / (views + 1);
      for (let i = 1; i <= views; i++)
        this.viewProduct(Math.floor(plan.signupVisitAt + gap * i), this.pickProduct());
      identify();
      t = plan.identifiedAt;
      if (this.archetype === 'dormant-subscriber') return;
    } else {
      identify();
      t = plan.identifiedAt;
      this.land(this.step(t, 1, 5));
    }
    if (this.nextReorderDay !== undefined && this.nextReorderDay <= this.identifyDay) {
      this.reorder(t);
      return;
    }
    this.afterLanding(t, 'signup');
  }

  private ordinaryVisit(day: number): void {
    const start = visitStart(this.rng, day, this.contactPlan.region);
    this.land(start);
    this.afterLanding(start, 'visit');
  }

  private reorderVisit(day: number): void {
    const start = visitStart(this.rng, day, this.contactPlan.region);
    this.land(start);
    this.reorder(start);
  }

  /** Browses, then orders, fills a cart and leaves, or just leaves. */
  private afterLanding(t: number, occasion: OrderOccasion, emailCoupon?: Coupon): void {
    const views = this.archetype === 'researcher' ? this.rng.int(2, 6) : this.rng.int(0, 3);
    t = this.browse(t, views);
    if (this.wantsToOrder(t, occasion, emailCoupon)) {
      const coupon = this.couponFor(t, occasion, emailCoupon);
      this.checkout(t, this.basket(t), coupon);
    } else if (this.rng.chance(this.archetype === 'browser' ? 0.2 : 0.08)) {
      this.abandon(t);
    }
  }

  /** A repeat buyer's staple order, on the day their coffee (or tea) runs out. */
  private reorder(t: number): void {
    const reorder = this.contactPlan.contact.reorder;
    if (!reorder) return;
    const lines = [toLine(this.rng.pick(this.staples), this.rng.chance(0.2) ? 2 : 1)];
    if (this.usesFilters && t >= this.nextFiltersAt) {
      lines.push(toLine(PAPER_FILTERS, 1));
      const [min, max] = PAPER_FILTERS.reorderDays ?? [60, 60];
      this.nextFiltersAt = t + this.rng.int(min, max) * DAY_MS - DAY_MS / 2;
    }
    if (this.rng.chance(0.2)) lines.push(toLine(this.rng.pick(productsIn('Snacks')), 1));
    if (this.archetype === 'vip' && this.rng.chance(0.5)) lines.push(...this.basket(t));
    this.checkout(t, lines, this.couponFor(t, 'visit'));
    const [min, max] =
      REORDER_CYCLES[this.archetype as keyof typeof REORDER_CYCLES][reorder.category];
    const gap = Math.min(max, Math.max(min, reorder.everyDays + this.rng.int(-3, 3)));
    this.nextReorderDay = startOfUtcDay(t) + gap * DAY_MS;
  }

  private wantsToOrder(
    at: number,
    occasion: OrderOccasion,
    emailCoupon: Coupon | undefined,
  ): boolean {
    const rng = this.rng;
    const base = this.behaviour.buyChance;
    switch (this.archetype) {
      case 'loyal-repeat-buyer':
      case 'vip':
      case 'lapsed-buyer':
        // Their staple comes on its own schedule; these are the extra orders.
        return rng.chance(occasion === 'email' ? base * 3 : base);
      case 'deal-seeker': {
        if (occasion === 'email') return rng.chance(emailCoupon ? 0.6 : 0.05);
        if (occasion === 'signup') return rng.chance(0.5);
        return rng.chance(this.coupon && this.coupon.until > at ? 0.5 : base);
      }
      case 'impulse-buyer':
        return occasion === 'signup' || rng.chance(occasion === 'email' ? base * 2 : base);
      case 'researcher': {
        if (this.orders > 0) return rng.chance(0.08);
        let seen = 0;
        for (const v of this.viewTimes) if (v <= at) seen += 1;
        return seen >= this.viewsBeforeFirstOrder && rng.chance(base);
      }
      case 'holiday-shopper':
        return isHolidaySeason(at) && rng.chance(occasion === 'email' ? 0.5 : base);
      case 'first-time-buyer':
        return this.orders === 0 && rng.chance(base);
      case 'browser':
      case 'dormant-subscriber':
        return false;
      default:
        return assertNever(this.archetype);
    }
  }

  private couponFor(at: number, occasion: OrderOccasion, emailCoupon?: Coupon): Coupon | undefined {
    if (emailCoupon && this.rng.chance(this.archetype === 'deal-seeker' ? 1 : 0.7))
      return emailCoupon;
    if (
      this.coupon &&
      this.coupon.until > at &&
      this.rng.chance(this.archetype === 'deal-seeker' ? 1 : 0.4)
    )
      return this.coupon;
    if (this.archetype === 'deal-seeker' && this.orders === 0)
      return { code: 'WELCOME10', percentOff: 10 };
    if (occasion !== 'email' && this.rng.chance(0.03)) return { code: 'WELCOME10', percentOff: 10 };
    return undefined;
  }

  private basket(at: number): DemoOrderLine[] {
    const rng = this.rng;
    const lineCount =
      this.archetype === 'vip'
        ? rng.int(2, 4)
        : this.archetype === 'holiday-shopper'
          ? rng.int(1, 3)
          : rng.chance(0.7)
            ? 1
            : 2;
    // Repeat buyers' staple only comes through the reorder schedule, so its cycle stays clean.
    const exclude = this.contactPlan.contact.reorder?.category;
    const lines: DemoOrderLine[] = [];
    for (let i = 0; i < lineCount; i++) {
      const holidayGift =
        this.archetype === 'holiday-shopper' && isHolidaySeason(at) && rng.chance(0.5);
      const product = holidayGift ? rng.pick(productsIn('Gifts')) : this.pickProduct(exclude);
      if (lines.some((l) => l.product_id === product.product_id)) continue;
      const quantity = this.archetype === 'vip' ? rng.int(1, 3) : rng.chance(0.1) ? 2 : 1;
      lines.push(toLine(product, quantity));
    }
    return lines;
  }

  private pickCategory(exclude?: DemoCategory): DemoCategory {
    const likes = this.contactPlan.categoryLikes;
    return this.rng.weighted(DEMO_CATEGORIES, (c) => (c === exclude ? 0 : likes[c]));
  }

  private pickProduct(exclude?: DemoCategory): DemoProduct {
    return this.rng.pick(productsIn(this.pickCategory(exclude)));
  }

  // ---- email ----

  private receiveEmail(campaign: DemoCampaign): void {
    const plan = this.contactPlan;
    if (!plan.contact.traits.emailOptIn || campaign.sendAt <= plan.identifiedAt) return;
    const sentAt = campaign.sendAt + plan.index * SEND_SPACING_MS;
    const email = {
      campaign: campaign.campaign,
      subject: campaign.subject,
      email_id: `${campaign.campaign}:${this.userId}`,
    };
    this.track(sentAt, 'Email Sent', email, true);
    if (this.isQuiet(sentAt)) return;

    let openRate = this.behaviour.openRate[campaign.kind];
    if (this.archetype === 'holiday-shopper' && isHolidaySeason(sentAt))
      openRate = Math.min(0.9, openRate * 2);
    if (!this.rng.chance(openRate)) return;
    // Most opens come within hours; some the next day or two.
    const openedAt = sentAt + Math.floor(Math.min(this.rng.exponential(4 * 3_600_000), 3 * DAY_MS));
    this.track(openedAt, 'Email Opened', email);
    if (campaign.coupon) this.coupon = { ...campaign.coupon, until: campaign.sendAt + 4 * DAY_MS };
    if (!this.rng.chance(this.behaviour.clickRate[campaign.kind])) return;
    const clickedAt = this.step(openedAt, 5, 180);
    this.track(clickedAt, 'Email Clicked', {
      ...email,
      link_url: STORE_URL + campaign.landingPath,
    });
    if (this.archetype === 'dormant-subscriber') return;
    // The visit from the email carries its UTM parameters, as analytics.js reports them in context.campaign.
    this.context = { campaign: { name: campaign.campaign, source: 'newsletter', medium: 'email' } };
    const start = this.step(clickedAt, 2, 8);
    this.land(start, campaign.landingPath);
    this.afterLanding(start, 'email', campaign.coupon);
    this.context = undefined;
  }
}

const PRODUCT_URL = new Map(DEMO_CATALOG.map((p) => [p.product_id, STORE_URL + productPath(p)]));
function productUrl(product: DemoProduct): string {
  return PRODUCT_URL.get(product.product_id) ?? STORE_URL + productPath(product);
}

function toLine(product: DemoProduct, quantity: number): DemoOrderLine {
  return {
    product_id: product.product_id,
    sku: product.sku,
    name: product.name,
    category: product.category,
    price: product.price,
    quantity,
  };
}

const PRODUCT_BY_ID = new Map(DEMO_CATALOG.map((p) => [p.product_id, p]));
function productById(id: string): DemoProduct {
  const product = PRODUCT_BY_ID.get(id);
  if (!product) throw new Error(`unknown demo product ${id}`);
  return product;
}

function assertNever(value: never): never {
  throw new Error(`unexpected archetype ${String(value)}`);
}

function byTime(a: TimedPayload, b: TimedPayload): number {
  if (a.at !== b.at) return a.at - b.at;
  return a.payload.messageId < b.payload.messageId
    ? -1
    : a.payload.messageId > b.payload.messageId
      ? 1
      : 0;
}

/**
 * The store's events in timestamp order, generated a day at a time: memory holds one day (plus email opens
 * that land a day or two later), so millions of events can stream into an import or a benchmark.
 */
export function* iterateDemoEvents(
  options: DemoStoreOptions,
): Generator<SegmentPayload, void, undefined> {
  const window = resolveWindow(options);
  const simulations = Array.from(
    { length: window.contacts },
    (_, i) => new ContactSimulation(window, planContact(window, i)),
  );
  const campaignsByDay = new Map<number, DemoCampaign[]>();
  for (const campaign of demoCampaigns(window.from, window.now)) {
    const day = startOfUtcDay(campaign.sendAt);
    campaignsByDay.set(day, [...(campaignsByDay.get(day) ?? []), campaign]);
  }
  let pending: TimedPayload[] = [];
  const lastDay = startOfUtcDay(window.now);
  for (let day = startOfUtcDay(window.from) + DAY_MS; day <= lastDay; day += DAY_MS) {
    const campaigns = campaignsByDay.get(day) ?? [];
    const today: DayInfo = {
      start: day,
      season: seasonalFactor(day),
      weekday: weekdayFactor(day),
      holidaySeason: isHolidaySeason(day),
    };
    for (const simulation of simulations) simulation.simulateDay(today, campaigns, pending);
    // Everything generated from now on starts on a later day, so events before tomorrow are final.
    pending.sort(byTime);
    const tomorrow = day + DAY_MS;
    let ready = 0;
    while (ready < pending.length && (pending[ready] as TimedPayload).at < tomorrow) ready += 1;
    for (let i = 0; i < ready; i++) yield (pending[i] as TimedPayload).payload;
    pending = pending.slice(ready);
  }
  for (const timed of pending) yield timed.payload;
}
