import fc from 'fast-check';
import {
  emptyProfile,
  foldEvents,
  joinProfile,
  recentTimeline,
  splitProfile,
  type FoldableEvent,
} from './index.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);

const eventArb = fc.record({
  name: fc.constantFrom('Order Completed', 'Product Viewed', 'Identify', 'Video Watched'),
  day: fc.integer({ min: 0, max: 200 }),
  amount: fc.integer({ min: 1, max: 10_000 }),
  genre: fc.constantFrom('crime', 'drama', 'toString'),
});

function eventsOf(
  specs: { name: string; day: number; amount: number; genre: string }[],
  prefix: string,
): FoldableEvent[] {
  return specs.map((s, i) => ({
    messageId: `${prefix}${i}`,
    type: s.name === 'Identify' ? 'identify' : 'track',
    event: s.name,
    timestamp: T0 + s.day * DAY + i,
    traits: s.name === 'Identify' ? { plan: s.genre } : {},
    properties:
      s.name === 'Order Completed'
        ? { revenue: s.amount / 100, products: [{ product_id: s.genre, quantity: 1 }] }
        : { genre: s.genre, minutes: s.amount },
  }));
}

describe('a profile stored as summary + activity', () => {
  const settings = { windowDays: 60, recentOccurrences: 4 };

  it('joins back to exactly the profile it was split from', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 40 }), (specs) => {
        const profile = foldEvents(emptyProfile('c'), eventsOf(specs, 'm'), settings);
        const { summary, activity } = splitProfile(profile);
        expect(joinProfile(summary, activity)).toEqual(profile);
        // The summary holds no per-day series and no occurrences: those are the activity's bytes.
        for (const e of Object.values(summary.events))
          expect(Object.keys(e).sort()).toEqual([
            'count',
            'firstAt',
            'lastAt',
            'numericProperties',
          ]);
      }),
      { numRuns: 150 },
    );
  });

  it('repairs an activity one fold behind its summary by folding that fold’s events again', () => {
    // A crash between the two writes leaves the summary at fold n and the activity at fold n − 1; folding fold
    // n's events into (summary n + activity n − 1) and keeping only the activity gives the activity of fold n.
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 30 }),
        fc.array(eventArb, { minLength: 1, maxLength: 15 }),
        (before, last) => {
          const previous = foldEvents(emptyProfile('c'), eventsOf(before, 'a'), settings);
          const lastFold = eventsOf(last, 'b');
          const committed = foldEvents(previous, lastFold, settings);
          const stale = splitProfile(previous).activity;
          const { summary } = splitProfile(committed);
          const repaired = splitProfile(
            foldEvents(joinProfile(summary, stale), lastFold, settings),
          ).activity;
          expect(repaired).toEqual(splitProfile(committed).activity);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives an event the activity has never seen empty series', () => {
    const profile = foldEvents(
      emptyProfile('c'),
      eventsOf([{ name: 'Video Watched', day: 1, amount: 5, genre: 'crime' }], 'x'),
    );
    const joined = joinProfile(splitProfile(profile).summary, undefined);
    expect(joined.events['Video Watched']).toMatchObject({
      count: 1,
      byDay: {},
      numericByDay: {},
      recent: [],
    });
  });
});

describe('the timeline a contact page shows', () => {
  it('lists the newest kept occurrences of every event, newest first', () => {
    const events = eventsOf(
      [
        { name: 'Product Viewed', day: 1, amount: 1, genre: 'crime' },
        { name: 'Order Completed', day: 3, amount: 500, genre: 'crime' },
        { name: 'Video Watched', day: 2, amount: 30, genre: 'drama' },
      ],
      't',
    );
    const timeline = recentTimeline(foldEvents(emptyProfile('c'), events), 2);
    expect(timeline.map((t) => t.event)).toEqual(['Order Completed', 'Video Watched']);
    expect(timeline[1]?.properties).toEqual({ genre: 'drama', minutes: 30 });
  });
});
