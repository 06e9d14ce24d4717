import { ARCHETYPE_BEHAVIOUR, DEMO_ARCHETYPES, type DemoArchetype } from './archetypes.js';
import { demoContacts, type DemoContact, type DemoStoreOptions } from './contacts.js';
import { eventNameOf, type SegmentPayload } from './payloads.js';
import { iterateDemoEvents } from './simulate.js';

export interface DemoStore {
  contacts: DemoContact[];
  /** Segment payloads in timestamp order, ready for `POST /v1/batch`. */
  events: SegmentPayload[];
}

/** The whole store in memory (about 90 MB of objects for the default 3000 contacts); stream with iterateDemoEvents for more. */
export function generateDemoStore(options: DemoStoreOptions): DemoStore {
  return { contacts: demoContacts(options), events: [...iterateDemoEvents(options)] };
}

export interface ArchetypeSummary {
  contacts: number;
  events: number;
  orders: number;
  revenue: number;
}

export interface DemoSummary {
  contacts: number;
  events: number;
  firstEventAt?: string;
  lastEventAt?: string;
  /** Per Cairn event name ('Page Viewed', 'Identify', or the track name). */
  byEvent: Record<string, number>;
  byArchetype: Record<DemoArchetype, ArchetypeSummary>;
}

/** Counts per event name and per archetype. */
export function demoSummary(store: {
  contacts: readonly DemoContact[];
  events: Iterable<SegmentPayload>;
}): DemoSummary {
  const counter = new DemoSummaryCounter(store.contacts);
  for (const payload of store.events) counter.add(payload);
  return counter.summary();
}

/** The same counts one event at a time, for streams (the CLI counts while it writes). */
export class DemoSummaryCounter {
  private readonly archetypeOf = new Map<string, DemoArchetype>();
  private readonly byArchetype: Record<DemoArchetype, ArchetypeSummary>;
  private readonly byEvent: Record<string, number> = {};
  private events = 0;
  private first: string | undefined;
  private last: string | undefined;

  constructor(private readonly contacts: readonly DemoContact[]) {
    this.byArchetype = Object.fromEntries(
      DEMO_ARCHETYPES.map((a): [DemoArchetype, ArchetypeSummary] => [
        a,
        { contacts: 0, events: 0, orders: 0, revenue: 0 },
      ]),
    ) as Record<DemoArchetype, ArchetypeSummary>;
    for (const contact of contacts) {
      this.archetypeOf.set(contact.userId, contact.archetype);
      if (contact.anonymousId !== undefined)
        this.archetypeOf.set(contact.anonymousId, contact.archetype);
      this.byArchetype[contact.archetype].contacts += 1;
    }
  }

  add(payload: SegmentPayload): void {
    this.events += 1;
    this.first ??= payload.timestamp;
    this.last = payload.timestamp;
    const name = eventNameOf(payload);
    this.byEvent[name] = (this.byEvent[name] ?? 0) + 1;
    const archetype = this.archetypeOf.get(payload.userId ?? payload.anonymousId ?? '');
    if (archetype === undefined) return;
    const summary = this.byArchetype[archetype];
    summary.events += 1;
    if (name === 'Order Completed' && payload.type === 'track') {
      summary.orders += 1;
      summary.revenue =
        Math.round((summary.revenue + Number(payload.properties.revenue ?? 0)) * 100) / 100;
    }
  }

  summary(): DemoSummary {
    const byArchetype = Object.fromEntries(
      Object.entries(this.byArchetype).map(([a, s]) => [a, { ...s }]),
    ) as Record<DemoArchetype, ArchetypeSummary>;
    const result: DemoSummary = {
      contacts: this.contacts.length,
      events: this.events,
      byEvent: { ...this.byEvent },
      byArchetype,
    };
    if (this.first !== undefined) result.firstEventAt = this.first;
    if (this.last !== undefined) result.lastEventAt = this.last;
    return result;
  }
}

/** The summary as the CLI prints it. */
export function formatDemoSummary(summary: DemoSummary): string {
  const lines = [
    `${summary.contacts} contacts, ${summary.events} events${summary.firstEventAt ? ` from ${summary.firstEventAt} to ${summary.lastEventAt}` : ''}`,
    '',
    'events',
  ];
  for (const [name, count] of Object.entries(summary.byEvent).sort(
    (a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1),
  )) {
    lines.push(`  ${name.padEnd(20)} ${String(count).padStart(9)}`);
  }
  lines.push('', `archetypes${' '.repeat(15)}contacts    events    orders      revenue`);
  for (const archetype of DEMO_ARCHETYPES) {
    const a = summary.byArchetype[archetype];
    lines.push(
      `  ${archetype.padEnd(20)} ${String(a.contacts).padStart(9)} ${String(a.events).padStart(9)} ${String(a.orders).padStart(9)} ${a.revenue.toFixed(2).padStart(12)}   ${ARCHETYPE_BEHAVIOUR[archetype].description}`,
    );
  }
  return lines.join('\n');
}
