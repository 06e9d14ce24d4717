import { JourneyDefinitionSchema } from '@cairn/core';
import {
  applyJourneyProgress,
  connectDatabase,
  createJourney,
  journeyFunnelCounts,
  journeyRuns,
  publishJourneyDraft,
  reserveEnrollment,
  syncIndexes,
  type Database,
  type JourneyRunRow,
} from '../src/index';
import { testDatabase } from './helpers';

const WS = 'ws_funnel';
const CONTACTS = 80;

const definition = JourneyDefinitionSchema.parse({
  name: 'Funnel',
  settings: { reentry: { policy: 'never' }, exitOnSegmentExit: false, holdoutPercent: 0 },
  nodes: [
    { id: 'trigger', kind: 'trigger', trigger: { type: 'event', event: 'Signed Up' } },
    { id: 'ask', kind: 'branch', condition: { on: 'eventSinceEntry', event: 'Cart Viewed' } },
    { id: 'bought', kind: 'goal', condition: { on: 'eventSinceEntry', event: 'Order Completed' } },
    { id: 'gone', kind: 'exit' },
  ],
  edges: [
    { id: 'e1', source: 'trigger', sourceHandle: 'next', target: 'ask' },
    { id: 'e2', source: 'ask', sourceHandle: 'yes', target: 'bought' },
    { id: 'e3', source: 'ask', sourceHandle: 'no', target: 'gone' },
  ],
});

describe('journey funnel counters', () => {
  let db: Awaited<ReturnType<typeof testDatabase>>;
  let others: Database[];
  beforeAll(async () => {
    db = await testDatabase('jfunnel');
    await syncIndexes(db.connection);
    others = await Promise.all(
      [1, 2, 3].map(() => connectDatabase(process.env.MONGO_URL as string, db.connection.name)),
    );
    await createJourney(db.connection, WS, { journeyId: 'j', name: 'j', definition });
    expect(await publishJourneyDraft(db.connection, WS, 'j', { check: async () => [] })).toEqual({
      ok: true,
      version: 1,
    });
  });
  afterAll(async () => {
    await Promise.all(others.map((o) => o.close()));
    await db.drop();
  });

  it('sums runs stepped by four processes at once into the day, and leaves other days out', async () => {
    const processes = [db, ...others];
    const day = new Date('2026-11-20T09:00:00Z');
    const dayBefore = new Date('2026-11-19T23:30:00Z');
    const contacts = Array.from({ length: CONTACTS }, (_, i) => `c${i}`);
    const enrol = (contactId: string, i: number, now: Date) =>
      reserveEnrollment((processes[i % 4] as Database).connection, {
        workspaceId: WS,
        journeyId: 'j',
        contactId,
        slot: 'j',
        workflowId: `wf-${contactId}`,
        enrolledBy: `signup-${contactId}`,
        now,
      });
    await enrol('early', 0, dayBefore);
    const reserved = await Promise.all(contacts.map((c, i) => enrol(c, i, day)));
    expect(reserved.every((r) => r.enroll)).toBe(true);

    // Even contacts viewed a cart and converted; odd ones left by the exit step.
    const yes = (i: number) => i % 2 === 0;
    await Promise.all(
      contacts.map((contactId, i) =>
        applyJourneyProgress((processes[(i + 1) % 4] as Database).connection, {
          workspaceId: WS,
          journeyId: 'j',
          version: 1,
          contactId,
          slot: 'j',
          workflowId: `wf-${contactId}`,
          runStartedId: `run-${contactId}`,
          seq: 1,
          at: day.toISOString(),
          nodeId: yes(i) ? 'bought' : 'gone',
          status: yes(i) ? 'converted' : 'completed',
          steps: [],
          entered: { trigger: 1, ask: 1, [yes(i) ? 'bought' : 'gone']: 1 },
          outputs: [],
          converted: yes(i) ? ['bought'] : [],
          completion: { reason: yes(i) ? 'goal' : 'exit', at: day.toISOString() },
        }),
      ),
    );

    const funnel = await journeyFunnelCounts(db.connection, WS, 'j', {
      from: '2026-11-20',
      to: '2026-11-21',
    });
    expect(funnel).toMatchObject({
      entered: CONTACTS,
      converted: CONTACTS / 2,
      reached: { trigger: CONTACTS, ask: CONTACTS, bought: CONTACTS / 2, gone: CONTACTS / 2 },
      exits: { goal: CONTACTS / 2, exit: CONTACTS / 2 },
    });
    expect(funnel.days).toEqual([
      { day: '2026-11-20', entered: CONTACTS, converted: CONTACTS / 2, exited: CONTACTS },
      { day: '2026-11-21', entered: 0, converted: 0, exited: 0 },
    ]);
    const wider = await journeyFunnelCounts(db.connection, WS, 'j', {
      from: '2026-11-19',
      to: '2026-11-20',
    });
    expect(wider.entered).toBe(CONTACTS + 1);

    const rows: JourneyRunRow[] = [];
    for await (const row of journeyRuns(db.connection, WS, 'j')) rows.push(row);
    expect(rows).toHaveLength(CONTACTS + 1);
    expect(rows.find((r) => r.contactId === 'c0')).toMatchObject({
      status: 'converted',
      nodeId: 'bought',
      exitReason: 'goal',
      exitedAt: day.toISOString(),
    });
    expect(rows.find((r) => r.contactId === 'early')).toMatchObject({ status: 'active' });
    expect(rows.find((r) => r.contactId === 'early')?.exitReason).toBeUndefined();
  });
});
